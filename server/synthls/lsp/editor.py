"""The editor as synthls' helpers talk to it, over the running pygls server.

Messages, diagnostics, code-lens refreshes, workspace edits, work-done progress, questions to the
user and the cancellation of the request being handled: each is one method here, so the helpers
(``diagnostics``, ``jobs``, ``completion``) never hold the server. The position codec is the
encoding negotiated at ``initialize``; the root is the workspace's.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol, TypeVar

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.workspace.position_codec import PositionCodec

from synthls.lsp.ask import ClientAsk, can_ask
from synthls.lsp.progress import Progress, cancellable

T = TypeVar("T")


class JobEditor(Protocol):
    """What a synthesis job needs of the editor (implemented by :class:`Editor`)."""

    def codec(self) -> PositionCodec: ...

    def message(self, text: str, kind: types.MessageType = ...) -> None: ...

    async def apply_edit(
        self, params: types.ApplyWorkspaceEditParams
    ) -> types.ApplyWorkspaceEditResult: ...

    def progress(self, title: str) -> Progress: ...

    def asker(self, report: Callable[[str], None]) -> ClientAsk | None: ...

    async def cancellable(self, work: Awaitable[T]) -> T: ...

    def refresh_lenses(self) -> None: ...


class Editor:
    def __init__(self, server: LanguageServer) -> None:
        self.server = server

    def codec(self) -> PositionCodec:
        return self.server.workspace.position_codec

    def root_path(self) -> str | None:
        root = self.server.workspace.root_path
        return root if isinstance(root, str) else None

    def message(self, text: str, kind: types.MessageType = types.MessageType.Info) -> None:
        self.server.window_show_message(types.ShowMessageParams(type=kind, message=text))

    def publish(self, uri: str, diagnostics: list[types.Diagnostic], version: int | None) -> None:
        self.server.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=version)
        )

    def refresh_lenses(self) -> None:
        caps = self.server.client_capabilities.workspace
        if caps and caps.code_lens and caps.code_lens.refresh_support:
            self.server.workspace_code_lens_refresh(None)

    def refresh_diagnostics(self) -> None:
        """Ask a client that pulls diagnostics to pull again (``workspace/diagnostic/refresh``)."""
        self.server.workspace_diagnostic_refresh(None)

    async def apply_edit(
        self, params: types.ApplyWorkspaceEditParams
    ) -> types.ApplyWorkspaceEditResult:
        return await self.server.workspace_apply_edit_async(params)

    def progress(self, title: str) -> Progress:
        return Progress(self.server, title)

    def asker(self, report: Callable[[str], None]) -> ClientAsk | None:
        """The dialog that asks the user, or None when the client cannot show one."""
        caps = self.server.client_capabilities
        return ClientAsk(self.server.protocol, report) if can_ask(caps) else None

    async def cancellable(self, work: Awaitable[T]) -> T:
        return await cancellable(self.server.protocol, work)
