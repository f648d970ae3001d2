"""The one place synthls reaches into pygls' JSON-RPC bookkeeping: the open requests.

pygls keeps one future per request in flight, for the requests it handles (``$/cancelRequest``
cancels it) and for the requests it sent (the client's response resolves it), in the private
``JsonRPCProtocol._request_futures``. synthls needs it twice: to hear that an ``executeCommand`` it
handles was cancelled (pygls cancels the handler's future, not the work the handler started), and to
forget a request it sent and then withdrew. pygls has no public API for either, so the attribute is
read here only; ``tests/test_lsp_rpc.py`` fails if pygls changes it.

For a request it sent pygls also keeps the type of the expected result, in
``JsonRPCProtocol._result_types``, and takes it out when the response arrives, before it reads the
result. A response it cannot read as that type (a string where a ``MessageActionItem`` belongs) is
logged and dropped with the future still open: :func:`response_dropped` tells that from a response
still awaited.
"""

from __future__ import annotations

from typing import Any

from pygls.protocol import JsonRPCProtocol


def request_futures(protocol: JsonRPCProtocol) -> dict[int | str, Any]:
    """pygls' futures of the requests in flight (handled and sent), by message id."""
    futures = getattr(protocol, "_request_futures", None)
    if not isinstance(futures, dict):
        raise RuntimeError(
            "pygls no longer keeps JsonRPCProtocol._request_futures: update synthls.lsp.rpc"
        )
    return futures


def response_dropped(protocol: JsonRPCProtocol, msg_id: int | str) -> bool:
    """Whether the response to the request ``msg_id`` sent came and pygls dropped it unread (its
    result type was taken out to read it, yet its future is still waiting)."""
    types = getattr(protocol, "_result_types", None)
    if not isinstance(types, dict):
        raise RuntimeError(
            "pygls no longer keeps JsonRPCProtocol._result_types: update synthls.lsp.rpc"
        )
    return msg_id not in types and msg_id in request_futures(protocol)
