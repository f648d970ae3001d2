"""Read one streamed chat completion: each choice handed on the moment it is complete.

The server sends tokens as server-sent events; the text of each choice grows until the server
finishes it or :func:`synthls.synth.openai.ending.complete_at` says the code is complete, and
then that choice is given out at once (the loop verifies it while the others are still being
written). The stream is closed as soon as every choice is out, so the server stops generating.

Deadlines count progress: the first token may take ``first`` seconds (the server reads the
prompt first), each later one ``stall`` seconds; a stream that goes quiet for longer is
abandoned with a message naming the setting. A server that answers a streamed request with one
JSON completion is understood too.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from synthls.synth.openai.errors import EngineError

Reply = tuple[str, str]  # (message content, finish reason)
NO_MESSAGE = "synthls:no-message"  # the finish reason given to a choice that holds no message
EARLY = "synthls:complete"  # the finish reason of a choice cut off once its code was complete


@dataclass
class Usage:
    """Tokens received and the seconds spent receiving them (first token to last)."""

    tokens: int = 0
    seconds: float = 0.0

    @property
    def per_second(self) -> float:
        return self.tokens / self.seconds if self.seconds > 0 else 0.0


def reply_of(choice: Any) -> Reply:
    """(content, finish reason) of a JSON choice; a choice with no message (some servers send
    ``"message": null``) or with content that is not text gets the NO_MESSAGE reason."""
    if isinstance(choice, dict) and isinstance(choice.get("text"), str):  # a text completion
        return choice["text"], str(choice.get("finish_reason"))
    message = choice.get("message") if isinstance(choice, dict) else None
    content = message.get("content") if isinstance(message, dict) else None
    if not isinstance(message, dict) or not isinstance(content, str | None):
        return "", NO_MESSAGE
    return content or "", str(choice.get("finish_reason"))


def not_completion(url: str) -> EngineError:
    return EngineError(
        f"unexpected reply from {url}: not a chat completion "
        "(check openai.baseUrl; it usually ends in /v1)"
    )


async def _json_replies(stream: Any, url: str) -> list[Reply]:
    try:
        data = json.loads(await stream.response.aread())
    except ValueError:
        raise not_completion(url) from None
    choices = data.get("choices") if isinstance(data, dict) else None
    if not isinstance(choices, list):
        raise not_completion(url)
    return [reply_of(c) for c in choices]


@dataclass
class _Choices:
    """The text of each choice so far, and which were given out."""

    done_at: Callable[[str], int | None]
    texts: dict[int, str]
    out: set[int]

    def add(self, index: int, text: str, finish: str | None) -> Reply | None:
        """Append ``text`` to choice ``index``; its reply when it is now complete."""
        if index in self.out:
            return None
        whole = self.texts.get(index, "") + text
        self.texts[index] = whole
        cut = self.done_at(whole) if text else None
        if cut is None and finish is None:
            return None
        self.out.add(index)
        return (whole, finish or "stop") if cut is None else (whole[:cut], EARLY)


async def replies(
    stream: Any,
    n: int,
    *,
    url: str,
    first: float,
    stall: float,
    done_at: Callable[[str], int | None],
    usage: Usage,
) -> AsyncIterator[Reply]:
    """The replies of ``stream`` (an ``openai.AsyncStream``) as each is complete; closes it."""
    try:
        kind = stream.response.headers.get("content-type", "")
        if "json" in kind:
            for reply in await _json_replies(stream, url):
                yield reply
            return
        if "event-stream" not in kind:
            raise not_completion(url)
        async for reply in _events(stream, n, url, first, stall, done_at, usage):
            yield reply
    finally:
        await stream.close()


async def _events(
    stream: Any,
    n: int,
    url: str,
    first: float,
    stall: float,
    done_at: Callable[[str], int | None],
    usage: Usage,
) -> AsyncIterator[Reply]:
    choices = _Choices(done_at, {}, set())
    chunks = stream.__aiter__()
    started: float | None = None
    while len(choices.out) < max(n, len(choices.texts)) or not choices.texts:
        try:
            chunk = await asyncio.wait_for(chunks.__anext__(), stall if started else first)
        except StopAsyncIteration:
            break
        except asyncio.TimeoutError:
            raise _quiet(url, started is not None, stall, first) from None
        for choice in getattr(chunk, "choices", None) or ():
            delta = getattr(choice, "delta", None)  # a chat chunk; a completion's has ``text``
            text = getattr(delta, "content", None) or getattr(choice, "text", None) or ""
            if text:
                started = started or time.monotonic()
                usage.tokens += 1
            reply = choices.add(int(choice.index), text, choice.finish_reason)
            if reply is not None:
                yield reply
    if started is not None:
        usage.seconds += time.monotonic() - started
    for index, text in sorted(choices.texts.items()):  # ended without a finish reason
        if index not in choices.out:
            yield text, "stop"


def _quiet(url: str, started: bool, stall: float, first: float) -> EngineError:
    if started:
        return EngineError(
            f"{url} stopped sending tokens in the middle of an answer for longer than "
            f"openai.stallTimeout ({stall:g}s); that answer was abandoned"
        )
    return EngineError(
        f"{url} did not start answering within openai.timeout ({first:g}s); "
        "the request was abandoned"
    )
