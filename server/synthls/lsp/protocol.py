"""The JSON-RPC protocol, with malformed requests answered instead of dropped, and no second
copy of the documents.

pygls raises ``JsonRpcInvalidParams`` while deserializing a request whose params do not fit the
method's type (a ``codeAction`` without ``range``); its reader loop logs that and drops the message,
so the client waits for an answer forever. Here such a request gets InvalidParams (-32602) with a
message naming what was wrong; the server carries on.

pygls' built-in ``didOpen``/``didChange``/``didClose`` keep the text in its workspace; synthls keeps
it once, in ``synthls.lsp.documents`` (see there why), so these only call synthls' handlers.
"""

from __future__ import annotations

import logging
from collections.abc import Generator
from typing import Any

import cattrs
from lsprotocol import types
from lsprotocol.types import ResponseError
from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams
from pygls.protocol import LanguageServerProtocol, lsp_method

log = logging.getLogger(__name__)
_ANSWERED = object()  # a request already answered with an error: nothing more to do
Handlers = Generator[Any, Any, None]


def _describe(method: str, exc: BaseException | None) -> str:
    problems: list[str] = []
    if isinstance(exc, cattrs.ClassValidationError):
        problems = cattrs.transform_error(exc, path="request")
    elif exc is not None:
        problems = [str(exc)]
    return f"{JsonRpcInvalidParams.MESSAGE}: {method}: " + ("; ".join(problems) or "malformed")


class SynthProtocol(LanguageServerProtocol):
    def structure_message(self, data: dict[str, Any]) -> Any:
        try:
            return super().structure_message(data)
        except JsonRpcException as exc:
            if not ("id" in data and isinstance(data.get("method"), str)):
                raise  # a notification or a response: there is no one to answer
            message = _describe(data["method"], exc.__cause__)
            log.warning("%s (request %r)", message, data["id"])
            error = ResponseError(code=JsonRpcInvalidParams.CODE, message=message)
            self._send_response(data["id"], None, error)
            return _ANSWERED

    def handle_message(self, message: Any) -> None:
        if message is _ANSWERED:
            return
        super().handle_message(message)

    def _only_user_handler(self, method: str, params: Any) -> Handlers:
        if (handler := self.fm.features.get(method)) is not None:
            yield handler, (params,), None

    @lsp_method(types.TEXT_DOCUMENT_DID_OPEN)
    def lsp_text_document__did_open(self, params: types.DidOpenTextDocumentParams) -> Handlers:
        yield from self._only_user_handler(types.TEXT_DOCUMENT_DID_OPEN, params)

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: types.DidChangeTextDocumentParams) -> Handlers:
        yield from self._only_user_handler(types.TEXT_DOCUMENT_DID_CHANGE, params)

    @lsp_method(types.TEXT_DOCUMENT_DID_CLOSE)
    def lsp_text_document__did_close(self, params: types.DidCloseTextDocumentParams) -> Handlers:
        yield from self._only_user_handler(types.TEXT_DOCUMENT_DID_CLOSE, params)
