"""A real LSP client (pytest-lsp) driving `python -m synthls` over stdio, plus small helpers."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Union

import pygls.protocol
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

DATA = Path(__file__).parent / "data"


def _converter() -> Any:
    conv = pygls.protocol.default_converter()
    # lsprotocol 2025.0.0 turns a CodeAction that carries a command into a Command; fix that.
    conv.register_structure_hook(
        Union[types.Command, types.CodeAction],  # noqa: UP007
        lambda o, _: conv.structure(
            o, types.Command if isinstance(o.get("command"), str) else types.CodeAction
        ),
    )
    return conv


class Client(LanguageClient):
    """Records `workspace/applyEdit` requests; answers them with `self.apply_result`."""

    edits: list[types.ApplyWorkspaceEditParams]
    apply_result: bool
    on_apply: Callable[[types.ApplyWorkspaceEditParams], None] | None
    lens_refreshes: int
    diagnostic_refreshes: int
    published: list[types.PublishDiagnosticsParams]


def make_client() -> Client:
    client = Client(converter_factory=_converter)
    defaults = dict(DEFAULT_CLIENT_FEATURES)
    keep_latest = defaults.pop(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    defaults.pop(types.WORKSPACE_DIAGNOSTIC_REFRESH, None)  # counted below
    register_lsp_features(client, defaults)
    client.published = []

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def publish(c: Client, params: types.PublishDiagnosticsParams) -> None:
        c.published.append(params)  # every publication, in order
        keep_latest(c, params)

    client.edits = []
    client.apply_result = True
    client.on_apply = None

    @client.feature(types.WORKSPACE_APPLY_EDIT)
    def apply_edit(
        c: Client, params: types.ApplyWorkspaceEditParams
    ) -> types.ApplyWorkspaceEditResult:
        c.edits.append(params)
        if c.on_apply:
            c.on_apply(params)
        return types.ApplyWorkspaceEditResult(applied=c.apply_result)

    @client.feature(types.WORKSPACE_CODE_LENS_REFRESH)
    def lens_refresh(c: Client, params: None) -> None:
        c.lens_refreshes += 1

    client.lens_refreshes = 0

    @client.feature(types.WORKSPACE_DIAGNOSTIC_REFRESH)
    def diagnostic_refresh(c: Client, params: None) -> None:
        c.diagnostic_refreshes += 1

    client.diagnostic_refreshes = 0
    return client


def capabilities(
    resolve: bool = False, tags: bool = False, pull: bool = False
) -> types.ClientCapabilities:
    """VS Code 1.65's capabilities, with or without what synthls adapts to.

    ``resolve``: ``codeAction.resolveSupport`` for ``edit`` (VS Code advertises it; without it the
    actions carry commands, which every client runs). ``tags``: ``codeAction.tagSupport`` with
    ``LLMGenerated``. ``pull``: ``textDocument.diagnostic`` (pull diagnostics, with refresh).
    """
    caps = client_capabilities("visual-studio-code")
    assert caps.workspace is not None and caps.text_document is not None
    caps.workspace.apply_edit = True
    action = caps.text_document.code_action
    assert action is not None and action.resolve_support is not None and action.data_support
    if not resolve:
        action.resolve_support = None
    if tags:
        action.tag_support = types.CodeActionTagOptions(
            value_set=[types.CodeActionTag.LlmGenerated]
        )
    if pull:
        caps.text_document.diagnostic = types.DiagnosticClientCapabilities()
        caps.workspace.diagnostics = types.DiagnosticWorkspaceClientCapabilities(
            refresh_support=True
        )
    return caps


@asynccontextmanager
async def session(
    init_options: dict[str, Any] | None = None,
    env: dict[str, str] | None = None,
    caps: types.ClientCapabilities | None = None,
) -> AsyncIterator[Client]:
    """A client with ``caps`` (default: :func:`capabilities`, the command path, push diagnostics)."""
    config = ClientServerConfig(
        server_command=[sys.executable, "-m", "synthls"], client_factory=make_client, server_env=env
    )
    client = await config.start()
    assert isinstance(client, Client)
    caps = caps or capabilities()
    try:
        await asyncio.wait_for(
            client.initialize_session(
                types.InitializeParams(capabilities=caps, initialization_options=init_options)
            ),
            60,
        )
        yield client
    finally:
        try:
            await asyncio.wait_for(client.shutdown_session(), 30)
        finally:
            await client.stop()


@asynccontextmanager
async def initialized(
    client: LanguageClient, params: types.InitializeParams
) -> AsyncIterator[None]:
    """Initialize a started client's session; shut it down and stop the server on the way out."""
    try:
        await asyncio.wait_for(client.initialize_session(params), 60)
        yield
    finally:
        try:
            await asyncio.wait_for(client.shutdown_session(), 30)
        finally:
            await client.stop()


async def synthesize_at(client: LanguageClient, uri: str, line: int) -> Any:
    """Run the one code action offered at ``line`` (its command), as an editor would."""
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(types.Position(line, 0), types.Position(line, 0)),
            context=types.CodeActionContext(diagnostics=[]),
        )
    )
    [action] = [a for a in actions or [] if isinstance(a, types.CodeAction)]
    assert action.command is not None
    return await client.workspace_execute_command_async(
        types.ExecuteCommandParams(
            command=action.command.command, arguments=action.command.arguments
        )
    )


def open_doc(client: LanguageClient, uri: str, text: str, version: int = 1) -> None:
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            types.TextDocumentItem(uri=uri, language_id="python", version=version, text=text)
        )
    )


def change_doc(client: LanguageClient, uri: str, version: int, text: str) -> None:
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


def offset(text: str, pos: types.Position) -> int:
    lines = text.splitlines(keepends=True)
    start = sum(len(ln) for ln in lines[: pos.line])
    line = lines[pos.line] if pos.line < len(lines) else ""
    units = line.encode("utf-16-le")[: pos.character * 2].decode("utf-16-le")
    return start + len(units)


def apply_text_edits(text: str, edits: list[types.TextEdit]) -> str:
    for edit in sorted(
        edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True
    ):
        text = (
            text[: offset(text, edit.range.start)]
            + edit.new_text
            + text[offset(text, edit.range.end) :]
        )
    return text


def apply_workspace_edit(
    text: str, params: types.ApplyWorkspaceEditParams
) -> tuple[str, int | None]:
    """Apply the single TextDocumentEdit; returns (new text, version it was made for)."""
    changes = params.edit.document_changes or []
    assert len(changes) == 1 and isinstance(changes[0], types.TextDocumentEdit)
    edit = changes[0]
    return apply_text_edits(text, list(edit.edits)), edit.text_document.version  # type: ignore[arg-type]


def run_examples(source: str, calls: dict[str, object]) -> None:
    """Execute ``source`` and assert each call expression evaluates to its value."""
    ns: dict[str, object] = {}
    exec(compile(source, "<synthesized>", "exec"), ns)
    for call, expected in calls.items():
        assert eval(call, ns) == expected, call


async def wait_for(predicate: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.05)
