"""Completion right after a stub's docstring: the synthesized body, once it is verified.

The first request starts the synthesis (embedded engine, one round) and waits at most
``completion.budget`` seconds; a run that takes longer keeps going in the background and its body
is offered on the next request (the list is marked incomplete so the client asks again).
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
from collections.abc import Callable

from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec

from synthls.intent.document import Document
from synthls.intent.model import FunctionTarget, Pos
from synthls.intent.targets import function_at, stub_at
from synthls.lsp import background
from synthls.lsp.convert import from_client_position, lines_of
from synthls.lsp.documents import Documents
from synthls.lsp.services import EnginesAndSandbox
from synthls.synth.engines import INLINE
from synthls.synth.service import SynthReport, synthesize_target

MAX_TASKS = 256
Tasks = dict[str, asyncio.Future[SynthReport]]


def _key(t: FunctionTarget) -> str:
    s = t.spec
    blob = "\0".join((s.signature, s.docstring or "", s.context, *s.imports, s.class_name or ""))
    return hashlib.sha1(blob.encode("utf-8", "replace")).hexdigest()


def _stub_before(doc: Document, pos: Pos) -> FunctionTarget | None:
    """A stub whose docstring ends above ``pos`` with only blank lines between, cursor indented.

    Such a stub ends on the last non-blank line above the cursor: only the function there is built.
    """
    last = pos.line - 1
    while last >= 0 and not doc.line_text(last).strip():
        last -= 1
    if last < 0 or doc.line_text(pos.line).strip():
        return None
    t = function_at(doc, last)
    if t is None or not t.is_stub or t.docstring_span is None or t.span.end.line != last:
        return None
    if t.docstring_span.end.line != last or pos.col < len(t.indent):
        return None
    return t


def _target(
    doc: Document, codec: PositionCodec, position: types.Position
) -> tuple[FunctionTarget, Pos] | None:
    pos = from_client_position(codec, lines_of(doc), position)
    line = doc.line_text(pos.line)
    if line[: pos.col].strip() or line[pos.col :].strip():
        return None
    target = stub_at(doc, pos.line) or _stub_before(doc, pos)
    if target is None or target.docstring_span is None or not target.spec.examples:
        return None
    if pos.line <= target.docstring_span.end.line:
        return None
    return target, pos


async def _started(
    services: EnginesAndSandbox, tasks: Tasks, doc: Document, target: FunctionTarget
) -> asyncio.Future[SynthReport]:
    """The synthesis of ``target``'s completion: found in ``tasks`` (running or done), else new.
    (A warm-up starts it before the first request: ``synthls.lsp.warmup``.)"""
    key = _key(target)
    task = tasks.get(key)
    if task is None or (task.done() and (task.cancelled() or task.exception() is not None)):
        settings = dataclasses.replace(services.settings, rounds=1)
        sandbox = await services.sandbox()
        task = asyncio.ensure_future(
            synthesize_target(doc.text, target, services.engines(INLINE), sandbox, settings)
        )
        tasks[key] = task
        while len(tasks) > MAX_TASKS:
            tasks.pop(next(iter(tasks))).cancel()
    return task


async def _body(
    services: EnginesAndSandbox, tasks: Tasks, doc: Document, target: FunctionTarget
) -> str | None:
    """The verified body of ``target``: started or found in ``tasks``, waited for a while."""
    task = await _started(services, tasks, doc, target)
    try:
        report: SynthReport = await asyncio.wait_for(
            asyncio.shield(task), services.settings.completion.budget
        )
    except asyncio.TimeoutError:
        return None
    except asyncio.CancelledError:
        if task.cancelled():  # a warm-up for an older docstring, superseded: nothing to offer
            return None
        raise
    offered = report.status == "verified" or (
        report.status == "fits" and services.settings.insert_fitting  # only when asked for
    )
    return (report.body or "") if offered else ""  # "": done, nothing to offer


def _text(target: FunctionTarget, body: str, pos: Pos) -> str:
    lines = body.strip("\n").splitlines()
    first_indent = target.indent[pos.col :] if pos.col < len(target.indent) else ""
    return first_indent + ("\n").join(
        [lines[0]] + [(target.indent + ln) if ln.strip() else "" for ln in lines[1:]]
    )


class Completions:
    """Completion and inline completion; the synthesis runs they started, by stub."""

    def __init__(
        self, services: EnginesAndSandbox, docs: Documents, codec: Callable[[], PositionCodec]
    ) -> None:
        self.services = services  # the settings, the engines and the sandbox
        self.docs = docs
        self.codec = codec
        self.tasks: Tasks = {}

    async def body_task(self, doc: Document, target: FunctionTarget) -> asyncio.Future[SynthReport]:
        """The synthesis a completion at ``target`` waits for, started if need be (warm-up)."""
        return await _started(self.services, self.tasks, doc, target)

    async def _found(
        self, uri: str, position: types.Position
    ) -> tuple[FunctionTarget, str | None, Pos] | None:
        """The stub the cursor completes, its verified body (None: not yet) and the cursor."""
        doc = self.docs.get(uri)
        if doc is None or not self.services.settings.completion.enabled:
            return None
        snap = background.snapshot(doc)  # its stub is found in a thread, while edits may come
        found = await background.read(_target, snap, self.codec(), position)
        if found is None:
            return None
        target, pos = found
        return target, await _body(self.services, self.tasks, snap, target), pos

    async def complete(self, params: types.CompletionParams) -> types.CompletionList:
        found = await self._found(params.text_document.uri, params.position)
        if found is None:
            return types.CompletionList(is_incomplete=False, items=[])
        target, body, pos = found
        if body is None:  # still searching: ask again
            return types.CompletionList(is_incomplete=True, items=[])
        if not body:  # done, and nothing to offer: the client need not ask again
            return types.CompletionList(is_incomplete=False, items=[])
        return types.CompletionList(is_incomplete=False, items=[_item(target, body, pos, params)])

    async def inline(self, params: types.InlineCompletionParams) -> types.InlineCompletionList:
        found = await self._found(params.text_document.uri, params.position)
        if found is None or not found[1]:
            return types.InlineCompletionList(items=[])
        target, body, pos = found[0], found[1], found[2]
        rng = types.Range(params.position, params.position)
        return types.InlineCompletionList(
            items=[types.InlineCompletionItem(insert_text=_text(target, body, pos), range=rng)]
        )


def _item(
    target: FunctionTarget, body: str, pos: Pos, params: types.CompletionParams
) -> types.CompletionItem:
    return types.CompletionItem(
        label=body.strip().splitlines()[0],
        kind=types.CompletionItemKind.Snippet,
        detail="synthls: fits the docstring's examples (the search: nothing read the description)",
        documentation=types.MarkupContent(
            kind=types.MarkupKind.Markdown, value=f"```python\n{body}\n```"
        ),
        insert_text_format=types.InsertTextFormat.PlainText,
        text_edit=types.TextEdit(
            range=types.Range(params.position, params.position), new_text=_text(target, body, pos)
        ),
        filter_text="",
        sort_text="0",
        preselect=True,
    )
