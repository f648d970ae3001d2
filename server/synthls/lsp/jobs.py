"""Synthesis requests from the editor: progress, cancellation, coalescing and versioned edits.

The work starts from a snapshot (text + version). When the result is ready, the target is found
again in the current text (``spec.relocate``): if its own lines are unchanged, the edit is rebased
onto the current version (so two syntheses in one file both land, and typing elsewhere is kept);
if the function itself changed, the result is refused with a message and nothing typed is lost.
Edits of one document are applied one at a time. Identical concurrent requests share one run.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from lsprotocol import types

from synthls.lsp.edits import Replacement, rebased_edit
from synthls.lsp.progress import Progress, cancellable
from synthls.spec.comments import comment_at
from synthls.spec.document import Document
from synthls.spec.model import FunctionTarget
from synthls.spec.relocate import Anchor, anchor_of
from synthls.spec.targets import function_at
from synthls.synth.comment import comment_job
from synthls.synth.jobs import no_examples_message, synthesize_target
from synthls.synth.program import body_replacement

if TYPE_CHECKING:
    from synthls.lsp.server import SynthServer

log = logging.getLogger(__name__)
Result = dict[str, Any]
MAX_REBASES = 3  # the document moved on while an edit was in flight: rebase again, this often


class Jobs:
    def __init__(self, ls: SynthServer) -> None:
        self.ls = ls
        self.running: dict[tuple[str, int, str, int | None], asyncio.Future[Result]] = {}
        self.waiters: dict[tuple[str, int, str, int | None], int] = {}
        self.apply_locks: dict[str, asyncio.Lock] = {}

    def cancel_all(self) -> None:
        for fut in list(self.running.values()):
            fut.cancel()

    async def run(self, uri: str, line: int, kind: str) -> Result:
        doc = self.ls.docs.get(uri)
        if doc is None:
            return self._refuse(f"synthls: {uri} is not open in the editor")
        key = (uri, line, kind, doc.version)
        shared = self.running.get(key)
        coalesced = shared is not None
        if shared is None:
            shared = asyncio.ensure_future(self._work(uri, doc, line, kind))
            self.running[key] = shared
            self.waiters[key] = 0
            shared.add_done_callback(
                lambda _: (self.running.pop(key, None), self.waiters.pop(key, None))
            )
        self.waiters[key] = self.waiters.get(key, 0) + 1
        try:
            result = await cancellable(self.ls, asyncio.shield(shared))
        except asyncio.CancelledError:
            self.waiters[key] = self.waiters.get(key, 1) - 1
            if self.waiters[key] <= 0:
                shared.cancel()  # nobody waits any more: stop the work and its sandbox children
            raise
        return {**result, "coalesced": True} if coalesced else result

    def _refuse(self, text: str, kind: types.MessageType = types.MessageType.Warning) -> Result:
        self.ls.message(text, kind)
        return {"applied": False, "message": text}

    async def _work(self, uri: str, doc: Document, line: int, kind: str) -> Result:
        version, text = doc.version, doc.text
        if kind == "comment":
            comment = comment_at(doc, line)
            if comment is None:
                return self._refuse(f"synthls: no comment at line {line + 1}")
            edit_job = comment_job(doc, comment)
            if isinstance(edit_job, str):
                return self._refuse(edit_job)
            target = edit_job
            anchor = anchor_of(
                doc, target.span, target.def_line if comment.inside_function else None
            )
        else:
            found = function_at(doc, line)
            if found is None or (kind == "synthesize" and not found.is_stub):
                return self._refuse(f"synthls: no stub function at line {line + 1}")
            target = found
            anchor = anchor_of(doc, target.span, target.def_line)
        engine = self.ls.settings.engine
        if not target.spec.examples and engine == "embedded":
            return self._refuse(no_examples_message(target.spec.name))
        progress = Progress(self.ls, f"synthls: {target.spec.name}")
        await progress.begin()
        me = asyncio.current_task()
        token = progress.cancel_future()
        if token is not None and me is not None:  # window/workDoneProgress/cancel stops the work
            token.add_done_callback(lambda f: me.cancel() if f.cancelled() else None)
        progress.report(f"searching with the {engine} engine")
        try:
            sandbox = await self.ls.sandbox()
            report = await synthesize_target(
                text,
                target,
                self.ls.engines(),
                sandbox,
                self.ls.settings,
                progress.report,
                allow_unverified=engine != "embedded",
            )
        except asyncio.CancelledError:
            progress.end("cancelled")
            if (
                token is not None and token.cancelled()
            ):  # the progress cancel button: a normal answer
                return self._refuse(
                    f"synthls: {target.spec.name}: cancelled", types.MessageType.Info
                )
            raise
        progress.end("done")
        if report.body is None:
            detail = "\n".join(report.details)
            return self._refuse(f"synthls: {report.message}" + (f"\n{detail}" if detail else ""))
        outcome = await self._apply(uri, target, anchor, self._parts(text, target, report.body))
        if outcome is None:
            return self._refuse(
                f"synthls: {target.spec.name} changed while it was being synthesized; the result "
                "was not applied and your edits are kept (run the action again)"
            )
        applied, edit_version = outcome
        if report.status == "unverified" and applied:
            self.ls.checker.mark_unverified(uri, target.spec.name)
        log.info("%s (%s)", report.message, "applied" if applied else "refused by the client")
        return {
            "applied": applied,
            "status": report.status,
            "message": report.message,
            "body": report.body,
            "version": edit_version,  # the document version the edit was made for
            "rebased": edit_version != version,
        }

    def _parts(self, text: str, target: FunctionTarget, body: str) -> list[Replacement]:
        """What the result changes, in the snapshot's coordinates (one versioned edit)."""
        newline = "\r\n" if "\r\n" in text else "\n"
        return [Replacement(target.body_span, body_replacement(target, body, newline))]

    async def _apply(
        self, uri: str, target: FunctionTarget, anchor: Anchor, parts: list[Replacement]
    ) -> tuple[bool, int | None] | None:
        """Apply ``parts`` rebased onto the current document: (applied, version it was made for);
        None when the target itself changed (or the document was closed)."""
        lock = self.apply_locks.setdefault(uri, asyncio.Lock())
        async with lock:  # one edit in flight per document: the next one sees its result
            for _ in range(MAX_REBASES):
                doc = self.ls.docs.get(uri)
                edit = (
                    None
                    if doc is None
                    else rebased_edit(self.ls.workspace.position_codec, uri, doc, anchor, parts)
                )
                if doc is None or edit is None:
                    return None
                sent = doc.version
                result = await self.ls.workspace_apply_edit_async(
                    types.ApplyWorkspaceEditParams(
                        edit=types.WorkspaceEdit(document_changes=[edit]),
                        label=f"synthls: {target.spec.name}",
                    )
                )
                if result.applied or self.ls.docs.get(uri) is not doc or doc.version == sent:
                    return result.applied, sent
            return False, sent
