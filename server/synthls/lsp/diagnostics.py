"""Failing examples as diagnostics, and the code lenses that summarise them.

Functions with a question waiting for the user also get its lenses (``synthls.lsp.pending``).

Runs on open and save, and on change after a debounce (a newer edit cancels the pending run).
Results are cached per module text and function: a run executes the whole module, so a change
anywhere (a helper's body) re-runs the functions whose examples may depend on it; at most
``diagnostics.maxFunctions`` functions are checked per run so a large file cannot flood the sandbox.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

from lsprotocol import types

from synthls.lsp.convert import line_range
from synthls.lsp.pending import question_lenses
from synthls.sandbox.types import ExampleResult, RunResult
from synthls.spec.document import Document
from synthls.spec.model import FunctionTarget
from synthls.spec.targets import find_functions
from synthls.synth.jobs import check_target
from synthls.synth.report import describe_result

if TYPE_CHECKING:
    from synthls.lsp.server import SynthServer

log = logging.getLogger(__name__)
CACHE_SIZE = 1024


def module_digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()


def _key(digest: str, t: FunctionTarget) -> str:
    """What a check depends on: the module it runs in, and which function of it."""
    return f"{digest}:{t.span.start.line}:{t.span.start.col}:{t.spec.name}"


class Checker:
    def __init__(self, ls: SynthServer) -> None:
        self.ls = ls
        self.pending: dict[str, asyncio.Task[dict[str, Any]]] = {}
        self.cache: OrderedDict[str, RunResult] = OrderedDict()
        self.results: dict[str, list[tuple[FunctionTarget, RunResult]]] = {}
        self.unverified: dict[str, set[str]] = {}

    # -- scheduling ------------------------------------------------------------------------------
    def schedule(self, uri: str, delay: float) -> asyncio.Task[dict[str, Any]] | None:
        self.cancel(uri)
        if not self.ls.settings.diagnostics.enabled:
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
    async def _result(self, text: str, digest: str, t: FunctionTarget) -> RunResult:
        key = _key(digest, t)
        cached = self.cache.get(key)
        if cached is not None:
            self.cache.move_to_end(key)
            return cached
        sandbox = await self.ls.sandbox()
        result = await check_target(text, t, sandbox, self.ls.settings.sandbox.timeout)
        self.cache[key] = result
        while len(self.cache) > CACHE_SIZE:
            self.cache.popitem(last=False)
        return result

    async def _run(self, uri: str, delay: float) -> dict[str, Any]:
        if delay:
            await asyncio.sleep(delay)
        doc = self.ls.docs.get(uri)
        if doc is None:
            return {"functions": 0, "examples": 0, "failed": 0}
        version = doc.version
        functions = find_functions(doc)
        targets = [t for t in functions if t.spec.examples and not t.is_stub]
        targets = targets[: self.ls.settings.diagnostics.max_functions]
        text = doc.text  # the snapshot every check of this run uses
        digest = module_digest(text)
        results = await asyncio.gather(*(self._result(text, digest, t) for t in targets))
        if doc.version != version or self.ls.docs.get(uri) is not doc:
            return {"stale": True}
        pairs = list(zip(targets, results))
        self.results[uri] = pairs
        diagnostics = [d for t, r in pairs for d in self._diagnostics(uri, doc, t, r)]
        diagnostics += self._unverified(uri, doc, functions)
        self._publish(uri, diagnostics, version)
        self.refresh_lenses()
        failed = sum(1 for d in diagnostics if d.code == "example-failed")
        total = sum(len(t.spec.examples) for t in targets)
        return {"functions": len(targets), "examples": total, "failed": failed}

    def _diagnostics(
        self, uri: str, doc: Document, t: FunctionTarget, run: RunResult
    ) -> list[types.Diagnostic]:
        codec = self.ls.workspace.position_codec
        by_index = {r.index: r for r in run.examples}
        out = []
        for i, ex in enumerate(t.spec.examples):
            res = by_index.get(i) or ExampleResult(i, "not_run")
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

    def _unverified(
        self, uri: str, doc: Document, functions: list[FunctionTarget]
    ) -> list[types.Diagnostic]:
        names = self.unverified.get(uri, set())
        out = []
        for t in functions:
            if t.spec.name in names and not t.spec.examples and not t.is_stub:
                out.append(
                    types.Diagnostic(
                        range=line_range(self.ls.workspace.position_codec, doc, t.def_line),
                        message=f"the body of {t.spec.name} was inserted unverified: the docstring has "
                        "no examples. Add one (>>> call / expected result) so synthls can check it.",
                        severity=types.DiagnosticSeverity.Information,
                        source="synthls",
                        code="unverified",
                    )
                )
        return out

    def _publish(self, uri: str, diagnostics: list[types.Diagnostic], version: int | None) -> None:
        self.ls.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=version)
        )

    def refresh_lenses(self) -> None:
        caps = self.ls.client_capabilities.workspace
        if caps and caps.code_lens and caps.code_lens.refresh_support:
            self.ls.workspace_code_lens_refresh(None)

    def lenses(self, uri: str) -> list[types.CodeLens]:
        doc = self.ls.docs.get(uri)
        if doc is None:
            return []
        out = []
        n_lines = doc.text.count("\n") + 1
        for t, run in self.results.get(uri, []):
            total, passed = len(t.spec.examples), run.passed
            if t.def_line >= n_lines:  # the file shrank since the last check
                continue
            rng = line_range(self.ls.workspace.position_codec, doc, t.def_line)
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
        return out + question_lenses(self.ls, uri, doc)
