"""Failing examples as diagnostics, and the code lenses that summarise them.

Functions with a question waiting for the user also get its lenses (``synthls.lsp.pending``).

Runs on open and save, and on change after a debounce (a newer edit cancels the pending run).
Functions are checked nearest the focus first (the line of the client's last change or request:
LSP has no viewport), a few at a time, between which other requests are answered; a run that takes
long publishes what it has every ``PROGRESS_S`` seconds.
Results are cached per module text and function: a run executes the whole module, so a change
anywhere (a helper's body) re-runs the functions whose examples may depend on it; at most
``diagnostics.maxFunctions`` functions are checked per run so a large file cannot flood the sandbox.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections import OrderedDict
from pathlib import Path
from typing import Any, Protocol

from lsprotocol import types
from pygls import uris
from pygls.workspace.position_codec import PositionCodec

from synthls.intent.collected import is_nested
from synthls.intent.document import Document
from synthls.intent.model import FunctionTarget
from synthls.intent.nearby import Nearby
from synthls.intent.targets import function_at, function_nodes, function_target, module_context
from synthls.lsp import background
from synthls.lsp.convert import line_range
from synthls.lsp.documents import Documents
from synthls.lsp.pending import Questions, question_lenses
from synthls.lsp.pull import Reports
from synthls.lsp.services import EnginesAndSandbox
from synthls.sandbox.types import RunResult
from synthls.synth.report import describe_result
from synthls.synth.service import check_target

log = logging.getLogger(__name__)
CACHE_SIZE = 1024
PROGRESS_S = 0.3  # a long run publishes the results it has this often
Pair = tuple[FunctionTarget, RunResult]


def _key(digest: str, t: FunctionTarget) -> str:
    """What a check depends on: the module it runs in, and which function of it."""
    return f"{digest}:{t.span.start.line}:{t.span.start.col}:{t.spec.name}"


class Publisher(Protocol):
    """What the checker needs of the editor."""

    def codec(self) -> PositionCodec: ...

    def root_path(self) -> str | None: ...

    def publish(
        self, uri: str, diagnostics: list[types.Diagnostic], version: int | None
    ) -> None: ...

    def refresh_lenses(self) -> None: ...


class Checker:
    def __init__(
        self, services: EnginesAndSandbox, docs: Documents, editor: Publisher, questions: Questions
    ) -> None:
        self.services = services  # the settings and the sandbox
        self.docs = docs
        self.editor = editor
        self.questions = questions
        self.pending: dict[str, asyncio.Task[dict[str, Any]]] = {}
        self.cache: OrderedDict[str, RunResult] = OrderedDict()
        self.results: dict[str, list[tuple[FunctionTarget, RunResult]]] = {}
        self.unverified: dict[str, set[str]] = {}
        self.focus: dict[str, int] = {}  # line of the client's last change or request
        self.known: dict[str, tuple[str, int | None, dict[str, Pair]]] = {}  # digest, version
        # the last full publication, with the text of each diagnostic's line then
        self.shown: dict[str, tuple[dict[int, str], list[types.Diagnostic]]] = {}
        self.pull: Reports | None = None  # the client pulls diagnostics: kept there, not sent

    # -- scheduling ------------------------------------------------------------------------------
    def schedule(self, uri: str, delay: float) -> asyncio.Task[dict[str, Any]] | None:
        self.cancel(uri)
        if not self.services.settings.diagnostics.enabled:
            self._publish(uri, [], None)
            return None
        task = asyncio.ensure_future(self._run(uri, delay))
        self.pending[uri] = task
        task.add_done_callback(
            lambda t: self.pending.pop(uri, None) if self.pending.get(uri) is t else None
        )
        return task

    def cancel(self, uri: str) -> None:
        task = self.pending.pop(uri, None)
        if task is not None:
            task.cancel()

    def cancel_all(self) -> None:
        for uri in list(self.pending):
            self.cancel(uri)

    def forget(self, uri: str) -> None:
        self.cancel(uri)
        self.results.pop(uri, None)
        self.unverified.pop(uri, None)
        self.known.pop(uri, None)
        self.shown.pop(uri, None)
        self.focus.pop(uri, None)
        self._publish(uri, [], None)

    def mark_unverified(self, uri: str, name: str) -> None:
        self.unverified.setdefault(uri, set()).add(name)

    async def check_now(self, uri: str) -> dict[str, Any]:
        task = self.schedule(uri, 0)
        if task is None:
            return {
                "functions": 0,
                "examples": 0,
                "failed": 0,
                "message": "diagnostics are disabled",
            }
        return await asyncio.shield(task)

    # -- work ------------------------------------------------------------------------------------
    def _project(self, uri: str) -> str | None:
        """The user's code may read the workspace root, or its own directory outside it."""
        fs_path = uris.to_fs_path(uri)
        if not fs_path:
            return None  # an unsaved buffer: no project to read
        path = Path(fs_path).resolve()
        root = self.editor.root_path()
        if root and path.is_relative_to(Path(root).resolve()):
            return str(Path(root).resolve())
        return str(path.parent)

    async def _result(
        self, text: str, digest: str, t: FunctionTarget, path: str | None, project: str | None
    ) -> RunResult:
        key = f"{_key(digest, t)}\0{path or ''}"  # __file__ is part of what the run sees
        cached = self.cache.get(key)
        if cached is not None:
            self.cache.move_to_end(key)
            return cached
        sandbox = await self.services.sandbox()
        timeout = self.services.settings.sandbox.timeout
        result = await check_target(
            text, t, sandbox, timeout, path=path, trust="user", project=project
        )
        self.cache[key] = result
        while len(self.cache) > CACHE_SIZE:
            self.cache.popitem(last=False)
        return result

    async def _run(self, uri: str, delay: float) -> dict[str, Any]:
        if delay:
            await asyncio.sleep(delay)
        doc = self.docs.get(uri)
        if doc is None:
            return {"functions": 0, "examples": 0, "failed": 0}
        version, text = doc.version, doc.text  # the snapshot every check of this run uses
        snap = background.snapshot(doc)  # the same text, for reading its functions off the loop
        path = uris.to_fs_path(uri) if uri.startswith("file:") else None  # the module's __file__
        project = self._project(uri)
        digest = await background.digest(text)
        await background.precompile(text)  # meanwhile the client's requests say where to look first
        known = self.known.get(uri)
        pairs: dict[str, Pair] = dict(known[2]) if known and known[0] == digest else {}
        todo = await background.read(lambda: Nearby(snap).visit(lambda: self.focus.get(uri, 0)))
        limit, claimed = self.services.settings.diagnostics.max_functions, 0
        loop = asyncio.get_running_loop()
        shown_at = loop.time()
        reading = asyncio.Lock()  # one thread at a time advances the generator

        async def next_target() -> FunctionTarget | None:
            """The next function to check, its examples read in a thread: a big docstring, or
            many of them, never holds up the other requests."""
            async with reading:
                return await background.read(next, todo, None)

        async def worker() -> None:
            nonlocal claimed, shown_at
            while (t := await next_target()) is not None:
                if not t.spec.examples or t.is_stub or _key(digest, t) in pairs:
                    continue
                if is_nested(snap, t):  # doctest never collects it: no false failures
                    continue
                if claimed >= limit:
                    return
                claimed += 1
                pairs[_key(digest, t)] = (t, await self._result(text, digest, t, path, project))
                if loop.time() - shown_at >= PROGRESS_S and doc.version == version:
                    shown_at = loop.time()
                    self._show(uri, doc, version, list(pairs.values()), partial=True)

        workers = max(1, min(self.services.settings.sandbox.parallel or os.cpu_count() or 1, 8))
        await asyncio.gather(*(worker() for _ in range(workers)))
        if doc.version != version or self.docs.get(uri) is not doc:
            return {"stale": True}
        self.known[uri] = (digest, version, pairs)
        diagnostics = self._show(uri, doc, version, list(pairs.values()), partial=False)
        if claimed:  # the focus moved during the run to a function not checked: once it ended
            loop.call_soon(self._follow_focus, uri)
        failed = sum(1 for d in diagnostics if d.code == "example-failed")
        total = sum(len(t.spec.examples) for t, _ in pairs.values())
        return {"functions": len(pairs), "examples": total, "failed": failed}

    def _show(
        self, uri: str, doc: Document, version: int | None, pairs: list[Pair], partial: bool
    ) -> list[types.Diagnostic]:
        """Publish ``pairs``; a partial publication keeps the earlier diagnostics of the functions
        not checked yet whose line still reads the same."""
        pairs.sort(key=lambda p: p[0].def_line)
        self.results[uri] = pairs
        diagnostics = [d for t, r in pairs for d in self._diagnostics(uri, doc, t, r)]
        diagnostics += self._unverified(uri, doc)
        if partial and uri in self.shown:
            old_lines, old = self.shown[uri]
            done = {t.spec.name for t, _ in pairs}
            diagnostics += [
                d
                for d in old
                if isinstance(d.data, dict)
                and d.data.get("function") not in done
                and old_lines.get(d.range.start.line) == doc.line_text(d.range.start.line)
            ]
        else:
            lines = {d.range.start.line: doc.line_text(d.range.start.line) for d in diagnostics}
            self.shown[uri] = (lines, diagnostics)
        self._publish(uri, diagnostics, version)
        self.editor.refresh_lenses()
        return diagnostics

    def published(self, uri: str) -> list[types.Diagnostic]:
        """The diagnostics last published in full for ``uri`` (none: not checked yet)."""
        shown = self.shown.get(uri)
        return list(shown[1]) if shown else []

    def set_focus(self, uri: str, line: int) -> None:
        """Move the focus; a function there that the last run did not reach gets checked."""
        self.focus[uri] = line
        if uri not in self.pending:
            self._follow_focus(uri)

    def _follow_focus(self, uri: str) -> None:
        doc, known, line = self.docs.get(uri), self.known.get(uri), self.focus.get(uri, 0)
        if doc is None or known is None or known[1] != doc.version:
            return
        t = function_at(doc, line)
        if (
            t is not None
            and t.spec.examples
            and not t.is_stub
            and not is_nested(doc, t)
            and _key(known[0], t) not in known[2]
        ):
            self.schedule(uri, 0)

    def _diagnostics(
        self, uri: str, doc: Document, t: FunctionTarget, run: RunResult
    ) -> list[types.Diagnostic]:
        codec = self.editor.codec()
        out = []
        for ex, res in run.per_example(t.spec.examples):
            if res.passed:
                continue
            message = describe_result(ex, res)
            if run.status == "setup_error" and run.setup_error:
                message = f"could not run the example: {run.setup_error.strip().splitlines()[-1]}"
            where = types.Location(uri=uri, range=line_range(codec, doc, t.def_line))
            out.append(
                types.Diagnostic(
                    range=line_range(codec, doc, ex.line),
                    message=message,
                    severity=types.DiagnosticSeverity.Warning,
                    source="synthls",
                    code="example-failed",
                    related_information=[
                        types.DiagnosticRelatedInformation(where, f"example of {t.spec.name}")
                    ],
                    data={"function": t.spec.name, "line": t.def_line},
                )
            )
        return out

    def _unverified(self, uri: str, doc: Document) -> list[types.Diagnostic]:
        names = self.unverified.get(uri, set())
        out = []
        functions = (
            function_target(doc, node, module_context(doc))
            for node in function_nodes(doc)
            if names and (name := node.child_by_field_name("name")) and doc.node_text(name) in names
        )
        for t in functions:
            if t is None:
                continue
            if t.spec.name in names and not t.spec.examples and not t.is_stub:
                out.append(
                    types.Diagnostic(
                        range=line_range(self.editor.codec(), doc, t.def_line),
                        message=f"the body of {t.spec.name} was inserted unverified: the docstring has "
                        "no examples. Add one (>>> call / expected result) so synthls can check it.",
                        severity=types.DiagnosticSeverity.Information,
                        source="synthls",
                        code="unverified",
                    )
                )
        return out

    def _publish(self, uri: str, diagnostics: list[types.Diagnostic], version: int | None) -> None:
        if self.pull is not None:
            if self.docs.get(uri) is not None:
                self.pull.put(uri, diagnostics)
            else:
                self.pull.forget(uri)  # closed: the client drops pulled diagnostics itself
            return
        self.editor.publish(uri, diagnostics, version)

    async def lenses(self, uri: str) -> list[types.CodeLens]:
        """The lenses of ``uri``, read in a thread (a question's lenses read every function)."""
        doc = self.docs.get(uri)
        if doc is None:
            return []
        return await background.read(self._lenses, uri, background.snapshot(doc))

    def _lenses(self, uri: str, doc: Document) -> list[types.CodeLens]:
        out = []
        n_lines = doc.text.count("\n") + 1
        for t, run in self.results.get(uri, []):
            total, passed = len(t.spec.examples), run.passed
            if t.def_line >= n_lines:  # the file shrank since the last check
                continue
            rng = line_range(self.editor.codec(), doc, t.def_line)
            if passed == total:
                cmd = types.Command(
                    title=f"✓ {passed}/{total} examples",
                    command="synthls.checkFile",
                    arguments=[uri],
                )
            else:
                cmd = types.Command(
                    title=f"✗ {passed}/{total} examples — regenerate",
                    command="synthls.regenerate",
                    arguments=[uri, t.def_line],
                )
            out.append(types.CodeLens(range=rng, command=cmd))
        return out + question_lenses(self.questions, self.editor.codec(), uri, doc)
