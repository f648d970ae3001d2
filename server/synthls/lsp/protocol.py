"""The JSON-RPC protocol, with malformed requests answered instead of dropped.

pygls raises ``JsonRpcInvalidParams`` while deserializing a request whose params do not fit the
method's type (a ``codeAction`` without ``range``); its reader loop logs that and drops the message,
so the client waits for an answer forever. Here such a request gets InvalidParams (-32602) with a
message naming what was wrong; the server carries on.
"""

from __future__ import annotations

import logging
from typing import Any

import cattrs
from lsprotocol.types import ResponseError
from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams
from pygls.protocol import LanguageServerProtocol

log = logging.getLogger(__name__)
_ANSWERED = object()  # a request already answered with an error: nothing more to do


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
