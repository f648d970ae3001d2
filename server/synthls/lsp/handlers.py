"""LSP feature registration: each handler is a few lines over the domain and the job managers.

The handlers reach synthls' parts through ``parts`` (built by ``synthls.lsp.wiring``), never through
the pygls server they are registered on.
"""

from __future__ import annotations

import asyncio
import logging
import platform
from typing import Any

from lsprotocol import types

from synthls.localmodel.doctor import engine_status
from synthls.lsp import actions, background, clientcaps, pull, resolve, warmup
from synthls.lsp.llm_tag import tags_for
from synthls.lsp.parts import Parts
from synthls.lsp.pending import ANSWER_COMMAND
from synthls.lsp.server import SynthServer

log = logging.getLogger("synthls")
COMMANDS = (
    "synthls.synthesize",
    "synthls.regenerate",
    "synthls.generateFromComment",
    "synthls.checkFile",
    "synthls.sandboxStatus",
    ANSWER_COMMAND,
)


def configure(parts: Parts, raw: Any) -> None:
    """Take new settings; tell the user which were ignored, and (once) what the project's
    pyproject.toml changed and was refused."""
    problems, note = parts.services.configure(raw)
    if note is not None:
        kind = types.MessageType.Warning if note.warns else types.MessageType.Info
        parts.editor.message(f"synthls: {note.text()}", kind)
        log.log(logging.WARNING if note.warns else logging.INFO, "%s", note.text())
    if problems:
        text = "synthls: some settings were ignored (defaults used instead):\n" + "\n".join(
            problems
        )
        parts.editor.message(text, types.MessageType.Warning)
        log.warning(text)


def register(ls: SynthServer, parts: Parts) -> None:
    services, docs, checker, jobs = parts.services, parts.docs, parts.checker, parts.jobs
    client = clientcaps.Conventions()  # what the client supports, from initialize
    resolver = resolve.Resolver(
        docs.get,
        lambda uri, line, kind, deliver: jobs.run(uri, line, kind, deliver=deliver),
        parts.editor.message,
        lambda: client.tag_model_actions,
    )
    warm = warmup.Warmup(parts.completions.body_task, lambda: services.settings.completion.enabled)

    @ls.feature(types.INITIALIZE)
    def initialize(ls: SynthServer, params: types.InitializeParams) -> None:
        services.set_root(params)
        configure(parts, params.initialization_options)
        client.take(params.capabilities)
        if client.pull_diagnostics:
            refresh = parts.editor.refresh_diagnostics if client.refresh_diagnostics else None
            checker.pull = pull.Reports(refresh)

    @ls.feature(types.INITIALIZED)
    async def initialized(ls: SynthServer, params: types.InitializedParams) -> None:
        await services.sandbox()

    @ls.feature(types.SHUTDOWN)
    async def shutdown(ls: SynthServer, params: None) -> None:
        warm.cancel_all()
        checker.cancel_all()
        jobs.cancel_all()
        await services.close()

    @ls.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    def did_change_configuration(
        ls: SynthServer, params: types.DidChangeConfigurationParams
    ) -> None:
        configure(parts, params.settings)
        for uri in docs.uris():
            checker.schedule(uri, 0)

    @ls.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: SynthServer, params: types.DidOpenTextDocumentParams) -> None:
        docs.open(params.text_document)
        checker.schedule(params.text_document.uri, 0)

    @ls.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: SynthServer, params: types.DidChangeTextDocumentParams) -> None:
        uri = params.text_document.uri
        doc = docs.change(params, parts.editor.codec())
        if doc is None:
            return
        last = params.content_changes[-1] if params.content_changes else None
        if isinstance(last, types.TextDocumentContentChangePartial):
            checker.focus[uri] = last.range.start.line
            warm.changed(uri, doc, last.range.start.line + last.text.count("\n"))
        diagnostics = services.settings.diagnostics
        if diagnostics.on_change:
            checker.schedule(uri, diagnostics.debounce_ms / 1000)
        else:
            checker.cancel(uri)

    @ls.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: SynthServer, params: types.DidSaveTextDocumentParams) -> None:
        checker.schedule(params.text_document.uri, 0)

    @ls.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: SynthServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        docs.close(uri)
        checker.forget(uri)
        parts.questions.forget(uri)
        warm.forget(uri)

    @ls.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(
            code_action_kinds=[types.CodeActionKind.RefactorRewrite, types.CodeActionKind.QuickFix],
            resolve_provider=True,
        ),
    )
    async def code_action(
        ls: SynthServer, params: types.CodeActionParams
    ) -> list[types.CodeAction]:
        uri = params.text_document.uri
        checker.set_focus(uri, params.range.start.line)
        tagging = client.tag_model_actions  # engines are built only for a tag
        tags = tags_for([e.name for e in services.engines()], True) if tagging else None
        doc = docs.get(uri)
        snap = background.snapshot(doc) if doc is not None else None
        published = checker.published(uri)
        listed = await background.read(actions.list_actions, services, snap, params, published)
        return resolve.shape(listed, docs.get(uri), client.resolve_edits, tags)

    @ls.feature(types.CODE_ACTION_RESOLVE)
    async def resolve_action(ls: SynthServer, action: types.CodeAction) -> types.CodeAction:
        return await resolver.resolve(action)

    @ls.feature(
        types.TEXT_DOCUMENT_DIAGNOSTIC,
        types.DiagnosticOptions(
            identifier="synthls", inter_file_dependencies=False, workspace_diagnostics=False
        ),
    )
    async def diagnostic(ls: SynthServer, params: types.DocumentDiagnosticParams) -> pull.Report:
        uri = params.text_document.uri
        if checker.pull is None:  # a client that did not say it pulls: it is sent them
            return types.RelatedFullDocumentDiagnosticReport(items=[])
        return await checker.pull.answer(
            uri, params.previous_result_id, lambda: checker.pending.get(uri)
        )

    @ls.feature(types.TEXT_DOCUMENT_CODE_LENS, types.CodeLensOptions(resolve_provider=False))
    async def code_lens(ls: SynthServer, params: types.CodeLensParams) -> list[types.CodeLens]:
        return await checker.lenses(params.text_document.uri)

    @ls.feature(types.TEXT_DOCUMENT_COMPLETION, types.CompletionOptions(trigger_characters=["\n"]))
    async def complete(ls: SynthServer, params: types.CompletionParams) -> types.CompletionList:
        checker.focus[params.text_document.uri] = params.position.line
        return await parts.completions.complete(params)

    @ls.feature(types.TEXT_DOCUMENT_INLINE_COMPLETION, types.InlineCompletionOptions())
    async def inline(
        ls: SynthServer, params: types.InlineCompletionParams
    ) -> types.InlineCompletionList:
        checker.focus[params.text_document.uri] = params.position.line
        return await parts.completions.inline(params)

    @ls.command("synthls.synthesize")
    async def synthesize(ls: SynthServer, uri: str, line: int) -> dict[str, Any]:
        return await jobs.run(uri, line, "synthesize")

    @ls.command("synthls.regenerate")
    async def regenerate(ls: SynthServer, uri: str, line: int) -> dict[str, Any]:
        return await jobs.run(uri, line, "regenerate")

    @ls.command("synthls.generateFromComment")
    async def from_comment(ls: SynthServer, uri: str, line: int) -> dict[str, Any]:
        return await jobs.run(uri, line, "comment")

    @ls.command(ANSWER_COMMAND)
    async def answer(ls: SynthServer, uri: str, line: int, call: str, value: str) -> dict[str, Any]:
        """A code lens' answer to a pending question: resume with it (see synthls.lsp.pending)."""
        return await jobs.run(uri, line, "answer", (str(call), str(value)))

    @ls.command("synthls.checkFile")
    async def check_file(ls: SynthServer, uri: str) -> dict[str, Any]:
        return await checker.check_now(uri)

    @ls.command("synthls.sandboxStatus")
    async def sandbox_status(ls: SynthServer) -> dict[str, Any]:
        """The engine setting, the engine a request would use now and why, the local model's
        state (not installed / stopped / starting / ready), and the sandbox's layers."""
        sandbox = await services.sandbox()
        engine = await asyncio.to_thread(engine_status, services.settings)
        return {
            "engine": services.settings.engine,
            **engine,
            "layers": list(sandbox.layers),
            "platform": platform.platform(),
        }
