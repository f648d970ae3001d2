"""The one place synthls reaches into pygls' JSON-RPC bookkeeping: the futures of open requests.

pygls keeps one future per request in flight, for the requests it handles (``$/cancelRequest``
cancels it) and for the requests it sent (the client's response resolves it), in the private
``JsonRPCProtocol._request_futures``. synthls needs it twice: to hear that an ``executeCommand`` it
handles was cancelled (pygls cancels the handler's future, not the work the handler started), and to
forget a request it sent and then withdrew. pygls has no public API for either, so the attribute is
read here only; ``tests/test_lsp_rpc.py`` fails if pygls changes it.
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
