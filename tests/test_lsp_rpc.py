"""``synthls.lsp.rpc`` against the real pygls protocol: the futures of requests in flight.

synthls reads pygls' private bookkeeping of open requests in one function; these tests drive a real
``LanguageServerProtocol`` (messages in, bytes out) and fail if pygls stops keeping the futures there.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from pygls.exceptions import JsonRpcException
from pygls.lsp.server import LanguageServer

from synthls.lsp.progress import cancellable
from synthls.lsp.rpc import request_futures, response_dropped


class Wire:
    """A writer that keeps what the protocol sends."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    def write(self, data: bytes) -> None:
        self.sent.append(json.loads(data.decode()))

    def close(self) -> None:
        pass


def server() -> tuple[LanguageServer, Wire]:
    ls = LanguageServer("rpc-test", "0")
    wire = Wire()
    ls.protocol.set_writer(wire, include_headers=False)
    return ls, wire


def receive(ls: LanguageServer, message: dict[str, Any]) -> None:
    ls.protocol.handle_message(ls.protocol.structure_message({"jsonrpc": "2.0", **message}))


async def test_cancel_request_for_a_command_cancels_the_work_it_started() -> None:
    ls, wire = server()
    started, work_cancelled = asyncio.Event(), asyncio.Event()

    async def work() -> str:
        started.set()
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            work_cancelled.set()
            raise
        return "finished"

    @ls.command("test.wait")
    async def wait(ls: LanguageServer) -> str:
        return await cancellable(ls.protocol, work())

    command = {"command": "test.wait", "arguments": []}
    receive(ls, {"id": 7, "method": "workspace/executeCommand", "params": command})
    await asyncio.wait_for(started.wait(), 10)
    assert 7 in request_futures(ls.protocol)  # the handled request, under its id
    receive(ls, {"method": "$/cancelRequest", "params": {"id": 7}})
    await asyncio.wait_for(work_cancelled.wait(), 10)
    assert 7 not in request_futures(ls.protocol)


async def test_a_sent_request_waits_under_its_id_until_answered_or_forgotten() -> None:
    ls, wire = server()
    answered = ls.protocol.send_request_async("test/ask", None, msg_id="a")
    forgotten = ls.protocol.send_request_async("test/ask", None, msg_id="b")
    assert [m["id"] for m in wire.sent] == ["a", "b"]
    assert {"a", "b"} <= set(request_futures(ls.protocol))
    request_futures(ls.protocol).pop("b")  # withdrawn: a late response is ignored
    receive(ls, {"id": "a", "result": 42})
    receive(ls, {"id": "b", "result": 43})
    assert await asyncio.wait_for(answered, 10) == 42
    assert not forgotten.done()
    assert not {"a", "b"} & set(request_futures(ls.protocol))
    forgotten.cancel()


def test_a_response_pygls_cannot_read_is_told_from_one_still_awaited() -> None:
    ls, wire = server()
    for msg_id in ("unread", "read", "waiting"):
        ls.protocol.send_request(
            "window/showMessageRequest", {"type": 3, "message": "?"}, msg_id=msg_id
        )
    assert not any(response_dropped(ls.protocol, i) for i in ("unread", "read", "waiting"))
    with pytest.raises(JsonRpcException):  # a string where a MessageActionItem belongs
        receive(ls, {"id": "unread", "result": "a string"})
    receive(ls, {"id": "read", "result": {"title": "yes"}})
    assert response_dropped(ls.protocol, "unread")
    assert not response_dropped(ls.protocol, "read") and not response_dropped(
        ls.protocol, "waiting"
    )
