"""LSP feature registration: each handler is a few lines over the domain and the job managers."""

from __future__ import annotations

import platform
from typing import Any

from lsprotocol import types

from synthls.lsp import actions, completion
from synthls.lsp.pending import ANSWER_COMMAND
from synthls.lsp.server import SynthServer

COMMANDS = (
    "synthls.synthesize",
    "synthls.regenerate",
    "synthls.generateFromComment",
    "synthls.checkFile",
    "synthls.sandboxStatus",
    ANSWER_COMMAND,
)


def build() -> SynthServer:
    ls = SynthServer()

    @ls.feature(types.INITIALIZE)
    def initialize(ls: SynthServer, params: types.InitializeParams) -> None:
        ls.set_root(params)
        ls.configure(params.initialization_options)

    @ls.feature(types.INITIALIZED)
    async def initialized(ls: SynthServer, params: types.InitializedParams) -> None:
        await ls.sandbox()

    @ls.feature(types.SHUTDOWN)
    async def shutdown(ls: SynthServer, params: None) -> None:
        await ls.shutdown_all()

    @ls.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    def did_change_configuration(
        ls: SynthServer, params: types.DidChangeConfigurationParams
    ) -> None:
        ls.configure(params.settings)
        for uri in ls.docs.uris():
            ls.checker.schedule(uri, 0)

    @ls.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: SynthServer, params: types.DidOpenTextDocumentParams) -> None:
        item = params.text_document
        ls.docs.open(item)
        ls.checker.schedule(item.uri, 0)

    @ls.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: SynthServer, params: types.DidChangeTextDocumentParams) -> None:
        uri = params.text_document.uri
        if ls.docs.change(params, ls.workspace.position_codec) is None:
            return
        last = params.content_changes[-1] if params.content_changes else None
        if isinstance(last, types.TextDocumentContentChangePartial):
            ls.checker.focus[uri] = last.range.start.line
        if ls.settings.diagnostics.on_change:
            ls.checker.schedule(uri, ls.settings.diagnostics.debounce_ms / 1000)
        else:
            ls.checker.cancel(uri)

    @ls.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: SynthServer, params: types.DidSaveTextDocumentParams) -> None:
        ls.checker.schedule(params.text_document.uri, 0)

    @ls.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: SynthServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        ls.docs.close(uri)
        ls.checker.forget(uri)
        ls.questions.forget(uri)

    @ls.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(
            code_action_kinds=[types.CodeActionKind.RefactorRewrite, types.CodeActionKind.QuickFix],
            resolve_provider=False,
        ),
    )
    def code_action(ls: SynthServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        ls.checker.set_focus(params.text_document.uri, params.range.start.line)
        return actions.list_actions(ls, params)

    @ls.feature(types.TEXT_DOCUMENT_CODE_LENS, types.CodeLensOptions(resolve_provider=False))
    def code_lens(ls: SynthServer, params: types.CodeLensParams) -> list[types.CodeLens]:
        return ls.checker.lenses(params.text_document.uri)

    @ls.feature(types.TEXT_DOCUMENT_COMPLETION, types.CompletionOptions(trigger_characters=["\n"]))
    async def complete(ls: SynthServer, params: types.CompletionParams) -> types.CompletionList:
        ls.checker.focus[params.text_document.uri] = params.position.line
        return await completion.complete(ls, params)

    @ls.feature(types.TEXT_DOCUMENT_INLINE_COMPLETION, types.InlineCompletionOptions())
    async def inline(
        ls: SynthServer, params: types.InlineCompletionParams
    ) -> types.InlineCompletionList:
        ls.checker.focus[params.text_document.uri] = params.position.line
        return await completion.inline(ls, params)

    @ls.command("synthls.synthesize")
    async def synthesize(ls: SynthServer, uri: str, line: int) -> dict[str, Any]:
        return await ls.jobs.run(uri, line, "synthesize")

    @ls.command("synthls.regenerate")
    async def regenerate(ls: SynthServer, uri: str, line: int) -> dict[str, Any]:
        return await ls.jobs.run(uri, line, "regenerate")

    @ls.command("synthls.generateFromComment")
    async def from_comment(ls: SynthServer, uri: str, line: int) -> dict[str, Any]:
        return await ls.jobs.run(uri, line, "comment")

    @ls.command(ANSWER_COMMAND)
    async def answer(ls: SynthServer, uri: str, line: int, call: str, value: str) -> dict[str, Any]:
        """A code lens' answer to a pending question: resume with it (see synthls.lsp.pending)."""
        return await ls.jobs.run(uri, line, "answer", (str(call), str(value)))

    @ls.command("synthls.checkFile")
    async def check_file(ls: SynthServer, uri: str) -> dict[str, Any]:
        return await ls.checker.check_now(uri)

    @ls.command("synthls.sandboxStatus")
    async def sandbox_status(ls: SynthServer) -> dict[str, Any]:
        sandbox = await ls.sandbox()
        return {
            "engine": ls.settings.engine,
            "layers": list(sandbox.layers),
            "platform": platform.platform(),
        }

    return ls
