"""A recording HTTP proxy in front of an OpenAI-compatible server: what synthls asked, what came back.

The benchmark (``bench_model.py``) and the real-model e2e test put it between synthls and the
model server to observe the product from outside, without touching its code: every request's
JSON body (the messages: a feedback round is a conversation that holds the model's earlier
answer and the failing examples), the status, the text that came back, streamed or not, the
tokens (``usage``, or llama.cpp's ``timings``, or the streamed chunks when the client hung up
early) and when it started and ended. Bytes are relayed as they arrive, so streaming and early
stops behave as without the proxy: when the client closes its connection the upstream one is
closed too, which is how llama.cpp learns to stop generating.

    with RecordingProxy("http://127.0.0.1:8080/v1") as proxy:
        ...  # point synthls at proxy.url; then read proxy.exchanges
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

HEAD_LIMIT = 1 << 16


@dataclass
class Exchange:
    """One request through the proxy and what the server answered."""

    path: str
    request: dict[str, Any]
    started: float
    ended: float = 0.0
    status: int = 0
    content: str = ""  # the first choice's text (message or streamed deltas)
    completion_tokens: int = 0
    prompt_tokens: int = 0
    predicted_ms: float = 0.0  # llama.cpp's own generation time (0: not reported)
    aborted: bool = False  # the client closed the connection before the answer was complete
    first_byte: float = 0.0  # when the first and the last piece of the body arrived
    last_byte: float = 0.0
    raw: bytes = field(default=b"", repr=False)

    @property
    def messages(self) -> list[dict[str, Any]]:
        found = self.request.get("messages")
        return found if isinstance(found, list) else []

    @property
    def streaming_seconds(self) -> float:
        """From the first to the last piece of the reply: generation time, prompt reading not."""
        return max(self.last_byte - self.first_byte, 0.0)

    @property
    def is_feedback(self) -> bool:
        """A repair request: the conversation carries an earlier answer of the model."""
        return any(m.get("role") == "assistant" for m in self.messages if isinstance(m, dict))


def _headers(head: bytes) -> tuple[str, list[tuple[str, str]]]:
    first, *lines = head.decode("latin-1").split("\r\n")
    pairs = [tuple(p.strip() for p in ln.split(":", 1)) for ln in lines if ":" in ln]
    return first, [(k, v) for k, v in pairs]


def _head(first: str, headers: list[tuple[str, str]], **replace: str) -> bytes:
    drop = {k.lower().replace("_", "-") for k in replace} | {"connection", "keep-alive"}
    kept = [(k, v) for k, v in headers if k.lower() not in drop]
    kept += [(k.replace("_", "-"), v) for k, v in replace.items()] + [("Connection", "close")]
    return ("\r\n".join([first, *(f"{k}: {v}" for k, v in kept)]) + "\r\n\r\n").encode("latin-1")


def _complete(reply: bytes) -> bool:
    """Whether ``reply`` holds a whole HTTP response: its Content-Length of body, or a chunked
    body's last chunk."""
    head, sep, body = reply.partition(b"\r\n\r\n")
    if not sep:
        return False
    fields = {k.lower(): v for k, v in _headers(head)[1]}
    if "content-length" in fields:
        try:
            return len(body) >= int(fields["content-length"])
        except ValueError:
            return False
    return "chunked" in fields.get("transfer-encoding", "").lower() and body.endswith(b"0\r\n\r\n")


def dechunk(body: bytes) -> bytes:
    """The payload of a chunked body (as much as arrived when it was cut short)."""
    out, pos = bytearray(), 0
    while True:
        end = body.find(b"\r\n", pos)
        if end < 0:
            return bytes(out)
        try:
            size = int(body[pos:end].split(b";")[0], 16)
        except ValueError:
            return bytes(out)
        if size == 0:
            return bytes(out)
        out += body[end + 2 : end + 2 + size]
        pos = end + 2 + size + 2


def record_reply(ex: Exchange, payload: bytes, stream: bool) -> None:
    """Fill ``ex``'s text and token counts from the reply ``payload``."""
    events: list[dict[str, Any]] = []
    if stream:
        for line in payload.decode("utf-8", "replace").splitlines():
            if line.startswith("data:") and line[5:].strip() not in ("", "[DONE]"):
                with contextlib.suppress(ValueError):
                    events.append(json.loads(line[5:]))
    else:
        with contextlib.suppress(ValueError):
            events.append(json.loads(payload))
    chunks = 0
    for event in (e for e in events if isinstance(e, dict)):
        for choice in event.get("choices") or []:
            if choice.get("index", 0) != 0:
                continue
            part = choice.get("delta") or choice.get("message") or {}
            text = part.get("content") if isinstance(part, dict) else None
            text = text if isinstance(text, str) else choice.get("text")
            if isinstance(text, str) and text:
                ex.content += text
                chunks += 1
        usage = event.get("usage") or {}
        ex.completion_tokens = int(usage.get("completion_tokens") or ex.completion_tokens)
        ex.prompt_tokens = int(usage.get("prompt_tokens") or ex.prompt_tokens)
        timings = event.get("timings") or {}
        ex.predicted_ms = float(timings.get("predicted_ms") or ex.predicted_ms)
        ex.completion_tokens = int(timings.get("predicted_n") or ex.completion_tokens)
    if not ex.completion_tokens and stream:
        ex.completion_tokens = chunks  # llama.cpp streams a token per chunk


class RecordingProxy:
    """Serves on 127.0.0.1 (a thread of its own); ``url`` is the upstream's base URL through it."""

    def __init__(self, upstream: str) -> None:
        parts = urlsplit(upstream)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        self.prefix = parts.path.rstrip("/")
        self.url = ""
        self.exchanges: list[Exchange] = []
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.Server | None = None

    def __enter__(self) -> RecordingProxy:
        self._thread.start()
        start = asyncio.run_coroutine_threadsafe(self._start(), self._loop)
        port = start.result(10)
        self.url = f"http://127.0.0.1:{port}{self.prefix}"
        return self

    async def _start(self) -> int:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        return int(self._server.sockets[0].getsockname()[1])

    def __exit__(self, *exc: object) -> None:
        async def stop() -> None:
            if self._server is not None:
                self._server.close()

        asyncio.run_coroutine_threadsafe(stop(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def since(self, start: int) -> list[Exchange]:
        with self._lock:
            return list(self.exchanges[start:])

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await self._relay(reader, writer)
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass
        finally:
            writer.close()

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        first, headers = _headers((await reader.readuntil(b"\r\n\r\n"))[:-4])
        length = int(dict((k.lower(), v) for k, v in headers).get("content-length", "0"))
        body = await reader.readexactly(length)
        try:
            request = json.loads(body) if body else {}
        except ValueError:
            request = {}
        ex = Exchange(path=first.split(" ")[1] if " " in first else "", request=request, started=0)
        ex.started = time.monotonic()
        up_r, up_w = await asyncio.open_connection(self.host, self.port)
        reply = bytearray()
        try:
            up_w.write(_head(first, headers, Host=f"{self.host}:{self.port}") + body)
            await up_w.drain()
            watch = asyncio.ensure_future(reader.read(1))  # b"": the client hung up
            await self._copy(up_r, writer, reply, watch, ex)
            watch.cancel()
        finally:
            up_w.close()
            ex.ended = time.monotonic()
            self._finish(ex, bytes(reply))

    async def _copy(
        self,
        up: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        reply: bytearray,
        watch: asyncio.Future[bytes],
        ex: Exchange,
    ) -> None:
        sent_head = False
        while True:
            read = asyncio.ensure_future(up.read(HEAD_LIMIT))
            done, _ = await asyncio.wait({read, watch}, return_when=asyncio.FIRST_COMPLETED)
            if read not in done:
                read.cancel()
                ex.aborted = not _complete(bytes(reply))  # a client may hang up once it has all
                return
            chunk = read.result()
            if not chunk:
                return
            reply += chunk
            ex.last_byte = time.monotonic()
            ex.first_byte = ex.first_byte or ex.last_byte
            if not sent_head:
                if b"\r\n\r\n" not in reply:
                    continue
                head, _, rest = bytes(reply).partition(b"\r\n\r\n")
                status, headers = _headers(head)
                writer.write(_head(status, headers) + rest)
                sent_head = True
            else:
                writer.write(chunk)
            await writer.drain()

    def _finish(self, ex: Exchange, reply: bytes) -> None:
        head, _, payload = reply.partition(b"\r\n\r\n")
        status, headers = _headers(head) if head else ("", [])
        with contextlib.suppress(ValueError, IndexError):
            ex.status = int(status.split(" ")[1])
        lower = {k.lower(): v.lower() for k, v in headers}
        if "chunked" in lower.get("transfer-encoding", ""):
            payload = dechunk(payload)
        ex.raw = payload
        record_reply(ex, payload, "event-stream" in lower.get("content-type", ""))
        with self._lock:
            self.exchanges.append(ex)
