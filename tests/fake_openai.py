"""A real local HTTP server speaking the OpenAI Chat Completions API, scripted per test.

Tests point the official ``openai`` client (or the CLI / language server through
``OPENAI_BASE_URL``) at it instead of patching the client, so the engine's HTTP behaviour —
status codes, timeouts, dropped connections, ``n`` handling — is exercised for real.

A script is a list of steps answered in order (the last one repeats), or a function from the
request body to a step, so tests with parallel requests can answer by content. A request with
``"stream": true`` gets its answer as server-sent events (each choice's text in a few interleaved
pieces, as real servers send tokens); :class:`Stream` scripts the pieces, their pace and a stall.
"""

from __future__ import annotations

import json
import re
import select
import socket
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Reply:
    """A 200 answer with these message contents as choices (exactly these, whatever ``n`` is)."""

    contents: tuple[str, ...]
    finish_reason: str = "stop"


@dataclass(frozen=True)
class PerN:
    """A 200 answer honouring ``n``: ``n`` copies built by ``make(i)`` for i in range(n)."""

    make: Callable[[int], str]


@dataclass(frozen=True)
class Status:
    """An error answer, e.g. 401 with an OpenAI-style error body."""

    code: int
    message: str = "error"
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Hang:
    """Never answer; record when the client drops the connection (up to ``limit`` seconds)."""

    limit: float = 30.0


@dataclass(frozen=True)
class Raw:
    """A 200 answer with this body as is (for servers that answer something else than JSON)."""

    body: str
    content_type: str = "text/html"


@dataclass(frozen=True)
class Drop:
    """Close the connection without answering."""


@dataclass(frozen=True)
class Stream:
    """A streamed answer for choice 0: these pieces, ``delay`` seconds apart; after
    ``stall_after`` pieces (when set) nothing more is sent until the client drops the
    connection. The server records how many pieces it sent and whether the client left early."""

    pieces: tuple[str, ...]
    delay: float = 0.0
    stall_after: int | None = None
    finish_reason: str = "stop"


Step = Reply | PerN | Status | Hang | Raw | Drop | Stream
Script = Sequence[Step] | Callable[[dict[str, Any]], Step]


def reply(*contents: str, finish_reason: str = "stop") -> Reply:
    return Reply(tuple(contents), finish_reason)


def fenced(code: str) -> str:
    return f"Here you go:\n```python\n{code}\n```\n"


def after_a_wrong_greedy_answer(then: Script, wrong: str = "return None") -> Script:
    """The engine's first request is one greedy answer to the task alone (temperature 0, two
    messages, ``synth/openai/schedule.py``): it gets ``wrong`` (a body failing the examples), so
    the samples of ``then`` come in the feedback round. ``then`` is one step, a list or a script."""

    def script(body: dict[str, Any]) -> Step:
        if len(body["messages"]) == 2 and not body.get("temperature"):
            return PerN(lambda i: fenced(wrong))
        if callable(then):
            return then(body)
        return then[0] if len(then) == 1 else then[min(len(then) - 1, _index(then, body))]

    return script


READING = "(its body is not shown)"  # a docstring reading's request (``docstring_reading``)


def is_reading(body: dict[str, Any]) -> bool:
    """Whether ``body`` asks for the model's reading of a docstring, not for a body."""
    return any(READING in str(m.get("content", "")) for m in body.get("messages", ()))


def asked_for(body: dict[str, Any]) -> str | None:
    """The name of the function a chat request for a body asks about: the last function in the
    task's code (the whole-function prompt), or the one named in "Write the body of `f`" (the
    body prompt, for a comment)."""
    task = str(body["messages"][1].get("content", ""))
    named = re.search(r"Write the body of `(\w+)`", task)
    if named:
        return named.group(1)
    defs = re.findall(r"^\s*(?:async\s+)?def (\w+)\(", task, re.M)
    return defs[-1] if defs else None


def searches(requests: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The requests for bodies among ``requests`` (the docstring readings left out)."""
    return [r for r in requests if not is_reading(r)]


def _index(steps: Sequence[Step], body: dict[str, Any]) -> int:
    """Which of ``steps`` answers ``body``: one more after each answered question (an example the
    task lists beyond the docstring's two, ``synth/openai/prompt.py``)."""
    task = str(body["messages"][1].get("content", ""))
    return max(0, task.count("` gives `") - 2)


class FakeOpenAI:
    """``with FakeOpenAI(script) as server:`` serves on 127.0.0.1; ``server.url`` is the base URL."""

    def __init__(
        self,
        script: Script = (),
        *,
        server: str | None = None,
        owned_by: str | None = None,
        raw_completions: bool = True,
    ) -> None:
        """``server`` / ``owned_by``: what ``GET /models`` says the server is (its ``Server``
        header, its models' ``owned_by``); with neither, it has no ``/models`` (404).
        ``raw_completions=False``: ``/v1/completions`` answers 404, as OpenAI's does for chat
        models."""
        self.script = script
        self.server = server
        self.owned_by = owned_by
        self.raw_completions = raw_completions
        self.probes = 0  # GET /models requests
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.paths: list[str] = []  # the request paths, in order
        self.disconnected = threading.Event()
        self.hanging = threading.Event()
        self.sent: list[int] = []  # pieces sent per streamed answer, in the order they ended
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def __enter__(self) -> FakeOpenAI:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def next_step(self, body: dict[str, Any]) -> Step:
        with self._lock:
            self.requests.append(body)
            if callable(self.script):
                return self.script(body)
            steps = list(self.script)
            if not steps:
                return Status(500, "no script")
            return steps[min(len(self.requests), len(steps)) - 1]


def _completion(body: dict[str, Any], contents: Sequence[str], finish: str) -> bytes:
    choices = [
        {
            "index": i,
            "message": {"role": "assistant", "content": text},
            "finish_reason": finish,
            "logprobs": None,
        }
        for i, text in enumerate(contents)
    ]
    return json.dumps(
        {
            "id": "chatcmpl-fake",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", "fake"),
            "choices": choices,
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        }
    ).encode()


def _chunk(body: dict[str, Any], index: int, text: str | None, finish: str | None) -> bytes:
    choice: dict[str, Any] = {"index": index, "finish_reason": finish, "logprobs": None}
    if "prompt" in body:  # a text completion (/v1/completions): the piece is the choice's text
        choice["text"] = text or ""
    else:
        choice["delta"] = {} if text is None else {"content": text}
    chunk = {
        "id": "chatcmpl-fake",
        "object": "text_completion" if "prompt" in body else "chat.completion.chunk",
        "created": int(time.time()),
        "model": body.get("model", "fake"),
        "choices": [choice],
    }
    return b"data: " + json.dumps(chunk).encode() + b"\n\n"


def pieces_of(text: str, parts: int = 3) -> list[str]:
    """``text`` cut into ``parts`` pieces (the last takes the rest)."""
    size = max(1, len(text) // parts)
    return [
        text[i * size : (i + 1) * size] if i < parts - 1 else text[i * size :] for i in range(parts)
    ]


def _wait_for_drop(sock: socket.socket, limit: float) -> bool:
    """True when the peer closed the connection within ``limit`` seconds."""
    end = time.monotonic() + limit
    while time.monotonic() < end:
        ready, _, _ = select.select([sock], [], [], 0.05)
        if ready:
            try:
                if not sock.recv(1, socket.MSG_PEEK):
                    return True
            except OSError:
                return True
    return False


def _handler(fake: FakeOpenAI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        timeout = 30

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _send(
            self,
            code: int,
            payload: bytes,
            headers: dict[str, str] | None = None,
            kind: str = "application/json",
        ) -> None:
            self.send_response(code)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(payload)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(payload)

        def _start_events(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True

        def _events(self, body: dict[str, Any], contents: Sequence[str], finish: str) -> None:
            """Each choice's text in interleaved pieces, then the finish reasons and [DONE]."""
            self._start_events()
            split = [pieces_of(text) for text in contents]
            for part in range(3):
                for i, pieces in enumerate(split):
                    self.wfile.write(_chunk(body, i, pieces[part], None))
            for i in range(len(contents)):
                self.wfile.write(_chunk(body, i, None, finish))
            self.wfile.write(b"data: [DONE]\n\n")

        def _stream(self, body: dict[str, Any], step: Stream) -> None:
            self._start_events()
            sent = 0
            try:
                for piece in step.pieces:
                    if step.stall_after is not None and sent >= step.stall_after:
                        fake.hanging.set()
                        if _wait_for_drop(self.connection, 30):
                            fake.disconnected.set()
                        return
                    self.wfile.write(_chunk(body, 0, piece, None))
                    self.wfile.flush()
                    sent += 1
                    time.sleep(step.delay)
                self.wfile.write(_chunk(body, 0, None, step.finish_reason))
                self.wfile.write(b"data: [DONE]\n\n")
            except OSError:  # the client closed the stream
                fake.disconnected.set()
            finally:
                fake.sent.append(sent)

        def version_string(self) -> str:
            return fake.server or super().version_string()

        def do_GET(self) -> None:
            if not self.path.endswith("/models") or not (fake.server or fake.owned_by):
                self._send(404, b'{"error": {"message": "unknown path"}}')
                return
            fake.probes += 1
            model = {"id": "fake", "object": "model", "owned_by": fake.owned_by or "fake"}
            self._send(200, json.dumps({"object": "list", "data": [model]}).encode())

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length) or b"{}")
            if not self.path.endswith("/completions"):  # chat, or text with a "prompt"
                self._send(404, b'{"error": {"message": "unknown path"}}')
                return
            if not fake.raw_completions and not self.path.endswith("/chat/completions"):
                fake.paths.append(self.path)
                message = "This is a chat model and not supported in the v1/completions endpoint."
                self._send(404, json.dumps({"error": {"message": message}}).encode())
                return
            fake.paths.append(self.path)
            fake.headers.append({k.lower(): v for k, v in self.headers.items()})
            self._answer(body, fake.next_step(body))

        def _answer(self, body: dict[str, Any], step: Step) -> None:
            streamed = bool(body.get("stream"))
            if isinstance(step, Stream):
                self._stream(body, step)
            elif isinstance(step, Reply) and streamed:
                self._events(body, step.contents, step.finish_reason)
            elif isinstance(step, PerN) and streamed:
                n = int(body.get("n") or 1)
                self._events(body, [step.make(i) for i in range(n)], "stop")
            elif isinstance(step, Reply):
                self._send(200, _completion(body, step.contents, step.finish_reason))
            elif isinstance(step, PerN):
                n = int(body.get("n") or 1)
                self._send(200, _completion(body, [step.make(i) for i in range(n)], "stop"))
            elif isinstance(step, Status):
                error = {"error": {"message": step.message, "type": "fake_error", "code": None}}
                self._send(step.code, json.dumps(error).encode(), step.headers)
            elif isinstance(step, Raw):
                self._send(200, step.body.encode(), kind=step.content_type)
            elif isinstance(step, Hang):
                fake.hanging.set()
                if _wait_for_drop(self.connection, step.limit):
                    fake.disconnected.set()
                self.close_connection = True
            else:
                self.close_connection = True

    return Handler


def free_port() -> int:
    """A port nothing listens on (bound then released), for connection-refused tests."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port
