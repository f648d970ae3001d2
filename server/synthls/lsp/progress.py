"""Work-done progress and cancellation for long requests.

One begin/report/end sequence per request. The work runs as its own task, cancelled when the client
sends ``$/cancelRequest`` for the request or ``window/workDoneProgress/cancel`` for the token;
cancelling the task kills the sandbox children and aborts HTTP requests.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable
from typing import Any, TypeVar

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.protocol import JsonRPCProtocol

from synthls.lsp.rpc import request_futures

log = logging.getLogger(__name__)
T = TypeVar("T")


class Progress:
    def __init__(self, ls: LanguageServer, title: str) -> None:
        self.ls = ls
        self.title = title
        self.token: str | None = None

    async def begin(self) -> None:
        caps = self.ls.client_capabilities.window
        if not (caps and caps.work_done_progress):
            return
        token = f"synthls-{uuid.uuid4()}"
        try:
            await asyncio.wait_for(self.ls.work_done_progress.create_async(token), 5)
        except Exception as exc:  # the client refused or never answered: work without progress
            log.info("no work-done progress: %s", exc)
            return
        self.token = token
        self.ls.work_done_progress.begin(
            token,
            types.WorkDoneProgressBegin(title=self.title, cancellable=True, message="starting"),
        )

    def report(self, message: str) -> None:
        if self.token:
            self.ls.work_done_progress.report(
                token=self.token, value=types.WorkDoneProgressReport(message=message)
            )

    def end(self, message: str) -> None:
        if self.token:
            self.ls.work_done_progress.end(self.token, types.WorkDoneProgressEnd(message=message))
            self.ls.work_done_progress.tokens.pop(self.token, None)
            self.token = None

    def cancel_future(self) -> asyncio.Future[object] | None:
        if self.token is None:
            return None
        return self.ls.work_done_progress.tokens.get(self.token)  # type: ignore[return-value]


async def cancellable(protocol: JsonRPCProtocol, work: Awaitable[T]) -> T:
    """Run ``work`` as a task that the client's ``$/cancelRequest`` for this request cancels.

    (The progress cancel button is wired to the job itself: see ``Progress.cancel_future``.)
    """
    task: asyncio.Future[T] = asyncio.ensure_future(work)

    def cancel(fut: Any) -> None:
        if fut.cancelled():
            task.cancel()

    msg_id = protocol.msg_id
    outer = request_futures(protocol).get(msg_id) if msg_id is not None else None
    if outer is not None:  # executeCommand: pygls only cancels the outer future
        outer.add_done_callback(cancel)
    try:
        return await task
    finally:
        task.cancel()  # no-op when it finished; stops it when we were cancelled
