"""One question to the user when several behaviours pass the examples, and its code-lens fallback.

The synthesis loop calls an ``ask`` callback with a question ("What should `safe_div(2, 4)`
return?"); :class:`ClientAsk` puts it to the user as ``window/showMessageRequest`` with the
candidates' answers as buttons plus "Not a valid input" (the call is outside the function's
domain: the loop asks about another input) and "None of these". While the dialog waits the request's progress
says so and stays cancellable: cancelling the work withdraws the dialog (``$/cancelRequest`` to the
client) and forgets its pending response.

A client without ``window.showMessage`` support, or a user who dismisses the dialog, gets the
question as code lenses above the function instead (``synthls.lsp.pending``). So does a dialog
the client answers with something that is not an action item (pygls drops such a response unread:
it is noticed within a fraction of a second) and one left unanswered for ``SYNTHLS_ASK_TIMEOUT``
seconds (10 minutes unless set): it is withdrawn and counts as dismissed, so the job ends instead
of waiting for an answer that never comes.
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import uuid
from collections.abc import Callable

from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pygls.protocol import JsonRPCProtocol

from synthls.lsp.rpc import request_futures, response_dropped
from synthls.synth.ambiguity import Question
from synthls.synth.answers import INVALID

log = logging.getLogger(__name__)

NONE_OF_THESE = "None of these"
NOT_VALID = "Not a valid input"
ASK_TIMEOUT = 600.0  # seconds a dialog waits for the user before it counts as dismissed
TIMEOUT_VARIABLE = "SYNTHLS_ASK_TIMEOUT"
POLL = 0.25  # seconds between looks for a response pygls dropped


def ask_timeout() -> float:
    """``SYNTHLS_ASK_TIMEOUT`` (seconds, a positive number) when set to one, else ``ASK_TIMEOUT``."""
    try:
        value = float(os.environ.get(TIMEOUT_VARIABLE, ""))
    except ValueError:
        return ASK_TIMEOUT
    return value if math.isfinite(value) and value > 0 else ASK_TIMEOUT


def question_message(question: Question) -> str:
    """The dialog's text: the question and how many behaviours it settles between."""
    if question.raises:  # no candidate answers: "None of these" lets the user say so
        return f"{question.text} Add the result you expect as a `>>>` example to fix it."
    return f"{question.text} ({question.context})"


def can_ask(capabilities: types.ClientCapabilities) -> bool:
    """Whether the client shows ``window/showMessageRequest`` with action items."""
    window = capabilities.window
    return window is not None and window.show_message is not None


class ClientAsk:
    """The loop's ``ask`` callback over ``window/showMessageRequest``.

    Returns the chosen answer (``INVALID`` for "Not a valid input"), or None when the user picked
    "None of these" (``rejected``) or dismissed the dialog (``dismissed``), or the client failed to
    answer, answered something unreadable or nothing within ``timeout`` seconds (``dismissed``).
    """

    def __init__(
        self,
        protocol: JsonRPCProtocol,
        report: Callable[[str], None],
        timeout: float | None = None,
    ) -> None:
        self.protocol = protocol
        self.report = report
        self.timeout = ask_timeout() if timeout is None else timeout
        self.asked = 0
        self.dismissed: Question | None = None
        self.rejected: Question | None = None

    async def __call__(self, question: Question) -> str | None:
        self.asked += 1
        self.report(f"waiting for your answer: {question.text}")
        params = types.ShowMessageRequestParams(
            type=types.MessageType.Info,
            message=question_message(question),
            actions=[types.MessageActionItem(title=c) for c in question.choices]
            + [
                types.MessageActionItem(title=NOT_VALID),
                types.MessageActionItem(title=NONE_OF_THESE),
            ],
        )
        item = await self._request(params)
        title = item.title if isinstance(item, types.MessageActionItem) else None
        if title in question.choices:
            self.report(f"{question.call} → {title}: continuing")
            return title
        if title == NOT_VALID:
            self.report(f"{question.call} is not a valid input: asking about another")
            return INVALID
        if title == NONE_OF_THESE:
            self.rejected = question
        else:
            self.dismissed = question
        return None

    async def _request(self, params: types.ShowMessageRequestParams) -> object:
        protocol = self.protocol
        msg_id = f"synthls-ask-{uuid.uuid4()}"
        future = protocol.send_request_async(
            types.WINDOW_SHOW_MESSAGE_REQUEST, params, msg_id=msg_id
        )
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout
        try:
            while not future.done():
                left = deadline - loop.time()
                if left <= 0:  # nobody answers: withdraw the dialog, as if dismissed
                    log.info("showMessageRequest unanswered after %.0f s", self.timeout)
                    self._withdraw(msg_id)
                    future.cancel()
                    return None
                await asyncio.wait({future}, timeout=min(POLL, left))
                if not future.done() and response_dropped(protocol, msg_id):
                    log.info("showMessageRequest answered with something unreadable")
                    request_futures(protocol).pop(msg_id, None)
                    future.cancel()
                    return None
            return future.result()
        except asyncio.CancelledError:  # the work was cancelled: withdraw the dialog
            self._withdraw(msg_id)
            future.cancel()
            raise
        except JsonRpcException as exc:  # the client failed the request: as if dismissed
            log.info("showMessageRequest failed: %s", exc)
            return None

    def _withdraw(self, msg_id: str) -> None:
        """Forget the dialog's pending response and ask the client to close it."""
        request_futures(self.protocol).pop(msg_id, None)
        self.protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id=msg_id))
