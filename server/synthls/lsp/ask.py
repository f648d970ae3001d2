"""One question to the user when several behaviours pass the examples, and its code-lens fallback.

The synthesis loop calls an ``ask`` callback with a question ("What should `safe_div(2, 4)`
return?"); :class:`ClientAsk` puts it to the user as ``window/showMessageRequest`` with the
candidates' answers as buttons plus "Not a valid input" (the call is outside the function's
domain: the loop asks about another input) and "None of these". While the dialog waits the request's progress
says so and stays cancellable: cancelling the work withdraws the dialog (``$/cancelRequest`` to the
client) and forgets its pending response.

A client without ``window.showMessage`` support, or a user who dismisses the dialog, gets the
question as code lenses above the function instead (``synthls.lsp.pending``).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable

from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pygls.protocol import JsonRPCProtocol

from synthls.lsp.rpc import request_futures
from synthls.synth.ambiguity import Question
from synthls.synth.answers import INVALID

log = logging.getLogger(__name__)

NONE_OF_THESE = "None of these"
NOT_VALID = "Not a valid input"


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

    Returns the chosen answer (``INVALID`` for "Not a valid input"), or None when the user picked "None of these" (``rejected``) or
    dismissed the dialog (``dismissed``), or the client failed to answer.
    """

    def __init__(self, protocol: JsonRPCProtocol, report: Callable[[str], None]) -> None:
        self.protocol = protocol
        self.report = report
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
        try:
            return await future
        except asyncio.CancelledError:  # the work was cancelled: withdraw the dialog
            request_futures(protocol).pop(msg_id, None)
            protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id=msg_id))
            raise
        except JsonRpcException as exc:  # the client failed the request: as if dismissed
            log.info("showMessageRequest failed: %s", exc)
            return None


class KnownAnswers:
    """An ``ask`` that answers the questions already answered (by call), then defers to ``then``.

    Resuming a pending synthesis replays its candidates; the loop asks its questions again and
    this gives the answers the user already chose (in the dialog or a code lens).
    """

    def __init__(self, known: dict[str, str], then: ClientAsk | None) -> None:
        self.known = dict(known)
        self.then = then

    async def __call__(self, question: Question) -> str | None:
        answer = self.known.pop(question.call, None)
        if answer is not None:
            return answer
        return await self.then(question) if self.then is not None else None
