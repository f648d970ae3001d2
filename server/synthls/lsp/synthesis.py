"""Synthesis requests from the editor: progress, cancellation, coalescing and versioned edits.

The work starts from a snapshot (text + version). When the result is ready, the target is found
again in the current text (``intent.relocate``): if its own lines are unchanged, the edit is rebased
onto the current version (so two syntheses in one file both land, and typing elsewhere is kept);
if the function itself changed, the result is refused with a message and nothing typed is lost.
Edits of one document are applied one at a time. Identical concurrent requests share one run.

When several behaviours pass the examples the user is asked (``synthls.lsp.ask``); the answers
become doctest examples in the same edit as the body. An unanswered question is kept with its
outcome and its session (``synthls.lsp.pending``); ``synthls.answer`` resumes the session with the
answer: nothing known is searched for or run again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from lsprotocol import types

from synthls.intent.comment_functions import function_for_comment
from synthls.intent.comments import comment_at
from synthls.intent.document import Document
from synthls.intent.model import FunctionTarget
from synthls.intent.relocate import Anchor, anchor_of
from synthls.intent.targets import function_at
from synthls.lsp.ask import ClientAsk
from synthls.lsp.documents import Documents
from synthls.lsp.editor import JobEditor
from synthls.lsp.edits import Replacement, rebased_edit, result_parts
from synthls.lsp.job_results import Result, landed, none_fits
from synthls.lsp.pending import Pending, Questions, function_fingerprint, function_key
from synthls.lsp.progress import Progress
from synthls.lsp.services import EnginesAndSandbox
from synthls.synth.engines import needs_examples
from synthls.synth.service import (
    SynthReport,
    no_examples_message,
    resume_target,
    synthesize_target,
)

log = logging.getLogger(__name__)
Key = tuple[str, int, str, int | None, tuple[str, ...]]
MAX_REBASES = 3  # the document moved on while an edit was in flight: rebase again, this often
Deliver = Callable[[types.WorkspaceEdit], Awaitable[bool]]  # hands the edit over: applied?


@dataclass(frozen=True)
class Run:
    """One job: the snapshot it started from and what it works on."""

    uri: str
    text: str
    version: int | None
    kind: str
    answer: tuple[str, str] | None
    target: FunctionTarget
    anchor: Anchor
    pending: Pending | None
    deliver: Deliver | None = None  # the edit goes here (codeAction/resolve), not applyEdit


class Jobs:
    def __init__(
        self,
        services: EnginesAndSandbox,
        docs: Documents,
        editor: JobEditor,
        questions: Questions,
        mark_unverified: Callable[[str, str], None],
    ) -> None:
        self.services = services  # the settings, the engines and the sandbox
        self.docs = docs
        self.editor = editor
        self.questions = questions
        self.mark_unverified = mark_unverified
        self.running: dict[Key, asyncio.Future[Result]] = {}
        self.waiters: dict[Key, int] = {}
        self.apply_locks: dict[str, asyncio.Lock] = {}

    def cancel_all(self) -> None:
        for fut in list(self.running.values()):
            fut.cancel()

    async def run(
        self,
        uri: str,
        line: int,
        kind: str,
        answer: tuple[str, str] | None = None,
        deliver: Deliver | None = None,
    ) -> Result:
        """Run job ``kind`` at ``line``; "answer": ``answer`` = (call, value) for its question.
        The edit goes to ``deliver`` (``codeAction/resolve``), else to ``workspace/applyEdit``."""
        doc = self.docs.get(uri)
        if doc is None:
            return self._refuse(f"synthls: {uri} is not open in the editor")
        mode = kind if deliver is None else f"{kind}:resolve"  # resolves share among themselves
        key: Key = (uri, line, mode, doc.version, answer or ())
        shared = self.running.get(key)
        coalesced = shared is not None
        if shared is None:
            shared = asyncio.ensure_future(self._work(uri, doc, line, kind, answer, deliver))
            self.running[key] = shared
            self.waiters[key] = 0
            shared.add_done_callback(
                lambda _: (self.running.pop(key, None), self.waiters.pop(key, None))
            )
        self.waiters[key] = self.waiters.get(key, 0) + 1
        try:
            result = await self.editor.cancellable(asyncio.shield(shared))
        except asyncio.CancelledError:
            self.waiters[key] = self.waiters.get(key, 1) - 1
            if self.waiters[key] <= 0:
                shared.cancel()  # nobody waits any more: stop the work and its sandbox children
            raise
        return {**result, "coalesced": True} if coalesced else result

    def _refuse(self, text: str, kind: types.MessageType = types.MessageType.Warning) -> Result:
        self.editor.message(text, kind)
        return {"applied": False, "message": text}

    def _target(
        self, uri: str, doc: Document, line: int, kind: str, answer: tuple[str, str] | None
    ) -> tuple[FunctionTarget, Anchor, Pending | None] | str:
        """What the job works on (and the question it answers), or why there is nothing."""
        if kind == "answer":
            found = self.questions.find(uri, doc, line)
            if found is None or answer is None or found[1].question.call != answer[0]:
                return f"synthls: no question waits for an answer at line {line + 1}"
            target, pending = found
            return target, anchor_of(doc, target.span, target.def_line), pending
        if kind == "comment":
            comment = comment_at(doc, line)
            if comment is None:
                return f"synthls: no comment at line {line + 1}"
            edit_job = function_for_comment(doc, comment)
            if isinstance(edit_job, str):
                return edit_job
            inside = edit_job.def_line if comment.inside_function else None
            return edit_job, anchor_of(doc, edit_job.span, inside), None
        function = function_at(doc, line)
        if function is None or (kind == "synthesize" and not function.is_stub):
            return f"synthls: no stub function at line {line + 1}"
        return function, anchor_of(doc, function.span, function.def_line), None

    async def _work(
        self,
        uri: str,
        doc: Document,
        line: int,
        kind: str,
        answer: tuple[str, str] | None,
        deliver: Deliver | None = None,
    ) -> Result:
        """One job: what it works on, the synthesis, then the edit or why there is none."""
        version, text = doc.version, doc.text
        located = self._target(uri, doc, line, kind, answer)
        if isinstance(located, str):
            return self._refuse(located)
        run = Run(uri, text, version, kind, answer, *located, deliver=deliver)
        target, pending = run.target, run.pending
        needs = needs_examples(self.services.settings.engine, self.services.settings)
        if not target.spec.examples and needs:
            return self._refuse(no_examples_message(target.spec.name))
        progress = await self._progress(target)
        asker = self.editor.asker(progress.report)
        report = await self._synthesize(run, needs, progress, asker)
        if not isinstance(report, SynthReport):
            return report  # cancelled with the progress' button
        if pending is not None:
            self.questions.drop(uri, pending.key)
        if report.status == "ambiguous" and report.body is None:
            return self._ambiguous(run, report, asker)
        if report.body is None:
            detail = "\n".join(report.details)
            return self._refuse(f"synthls: {report.message}" + (f"\n{detail}" if detail else ""))
        return await self._land(run, report, report.body)

    async def _progress(self, target: FunctionTarget) -> Progress:
        """The job's progress, begun; its cancel button cancels the job."""
        progress = self.editor.progress(f"synthls: {target.spec.name}")
        await progress.begin()
        me = asyncio.current_task()
        token = progress.cancel_future()
        if token is not None and me is not None:  # window/workDoneProgress/cancel stops the work
            token.add_done_callback(lambda f: me.cancel() if f.cancelled() else None)
        return progress

    async def _synthesize(
        self, run: Run, needs: bool, progress: Progress, asker: ClientAsk | None
    ) -> SynthReport | Result:
        """The synthesis, reported on ``progress``; the refusal when its cancel button stopped it."""
        target, token = run.target, progress.cancel_future()
        settings, engines = self.services.settings, self.services.engines()
        try:
            sandbox = await self.services.sandbox()
            if run.pending is not None and run.answer is not None:
                call, answer = run.answer
                progress.report(f"{call} → {answer}: continuing with the candidates found")
                report = await resume_target(
                    run.text,
                    target,
                    run.pending.outcome,
                    answer,
                    engines,
                    sandbox,
                    settings,
                    progress.report,
                    asker,
                )
            else:
                progress.report(f"searching with the {settings.engine} engine")
                report = await synthesize_target(
                    run.text,
                    target,
                    engines,
                    sandbox,
                    settings,
                    progress.report,
                    allow_unverified=not needs,
                    ask=asker,
                )
        except asyncio.CancelledError:
            progress.end("cancelled")
            if token is not None and token.cancelled():  # the cancel button: a normal answer
                return self._refuse(
                    f"synthls: {target.spec.name}: cancelled", types.MessageType.Info
                )
            raise
        progress.end("done")
        return report

    async def _land(self, run: Run, report: SynthReport, body: str) -> Result:
        """Apply ``body`` (and the answers given) as one edit on the document as it is now."""
        target = run.target
        parts = result_parts(run.text, target, body, report.answers)
        outcome = await self._apply(run.uri, target, run.anchor, parts, run.deliver)
        if outcome is None:
            return self._refuse(
                f"synthls: {target.spec.name} changed while it was being synthesized; the result "
                "was not applied and your edits are kept (run the action again)"
            )
        applied, edit_version = outcome
        if report.status == "unverified" and applied:
            self.mark_unverified(run.uri, target.spec.name)
        log.info("%s (%s)", report.message, "applied" if applied else "refused by the client")
        return landed(run.version, report, body, applied, edit_version)

    def _ambiguous(self, run: Run, report: SynthReport, asker: ClientAsk | None) -> Result:
        """Nothing inserted: keep the question for the code lens, unless the user said none fits."""
        outcome = report.outcome
        question = outcome.ambiguity.question if outcome and outcome.ambiguity else None
        result: Result = {"applied": False, "status": "ambiguous", "message": report.message}
        if outcome is None or question is None or self.services.settings.ask.ambiguous == "never":
            return {**result, **self._refuse(f"synthls: {report.message}")}
        result["question"] = {"call": question.call, "choices": list(question.choices)}
        if asker is not None and asker.rejected == question:
            return {**result, **self._refuse(none_fits(report, question), types.MessageType.Info)}
        target, kind = run.target, run.pending.kind if run.pending is not None else run.kind
        item = Pending(
            function_key(target), function_fingerprint(run.text, target), question, outcome, kind
        )
        self.questions.put(run.uri, item)
        self.editor.refresh_lenses()
        self.editor.message(
            f"synthls: {report.message}. Choose what {question.call} should return in the code "
            "lens above the function.",
            types.MessageType.Info,
        )
        return result

    async def _apply(
        self,
        uri: str,
        target: FunctionTarget,
        anchor: Anchor,
        parts: list[Replacement],
        deliver: Deliver | None = None,
    ) -> tuple[bool, int | None] | None:
        """Apply ``parts`` rebased onto the current document: (applied, version it was made for);
        None when the target itself changed (or the document was closed)."""
        lock = self.apply_locks.setdefault(uri, asyncio.Lock())
        async with lock:  # one edit in flight per document: the next one sees its result
            for _ in range(MAX_REBASES):
                doc = self.docs.get(uri)
                edit = (
                    None
                    if doc is None
                    else rebased_edit(self.editor.codec(), uri, doc, anchor, parts)
                )
                if doc is None or edit is None:
                    return None
                sent = doc.version
                change = types.WorkspaceEdit(document_changes=[edit])
                if deliver is not None:
                    return await deliver(change), sent
                result = await self.editor.apply_edit(
                    types.ApplyWorkspaceEditParams(
                        edit=change, label=f"synthls: {target.spec.name}"
                    )
                )
                if result.applied or self.docs.get(uri) is not doc or doc.version == sent:
                    return result.applied, sent
            return False, sent
