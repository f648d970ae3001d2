"""scripts/recording_proxy.py: requests and replies recorded as they pass, streamed replies relayed
as they come, and a client that hangs up early hangs up on the server too."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import openai
import pytest
from scripts.recording_proxy import RecordingProxy, dechunk

from tests.fake_openai import FakeOpenAI, reply


class Streamer:
    """A server that streams ``tokens`` chunks, one every ``gap`` seconds, and notes a drop."""

    def __init__(self, tokens: int, gap: float) -> None:
        self.tokens, self.gap = tokens, gap
        self.sent = 0
        self.dropped = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                try:
                    for i in range(outer.tokens):
                        delta = {"choices": [{"index": 0, "delta": {"content": f"t{i} "}}]}
                        self._chunk(f"data: {json.dumps(delta)}\n\n")
                        outer.sent += 1
                        time.sleep(outer.gap)
                    done = {"choices": [], "timings": {"predicted_n": 7, "predicted_ms": 350.0}}
                    self._chunk(f"data: {json.dumps(done)}\n\ndata: [DONE]\n\n")
                    self.wfile.write(b"0\r\n\r\n")
                except OSError:
                    outer.dropped.set()

            def _chunk(self, text: str) -> None:
                data = text.encode()
                self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                self.wfile.flush()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def streamer() -> Iterator[Streamer]:
    server = Streamer(tokens=200, gap=0.02)
    yield server
    server.close()


def test_a_plain_reply_is_relayed_and_its_text_and_usage_recorded() -> None:
    with FakeOpenAI([reply("hello there")]) as server, RecordingProxy(server.url) as proxy:
        client = openai.OpenAI(base_url=proxy.url, api_key="x", max_retries=0)
        answer = client.chat.completions.create(
            model="m", messages=[{"role": "user", "content": "hi"}]
        )
        assert answer.choices[0].message.content == "hello there"
    [ex] = proxy.exchanges
    assert ex.path == "/v1/chat/completions" and ex.status == 200
    assert ex.request["messages"] == [{"role": "user", "content": "hi"}]
    assert (ex.content, ex.completion_tokens, ex.prompt_tokens) == ("hello there", 1, 1)
    assert not ex.is_feedback and not ex.aborted


def test_a_stream_read_to_the_end_is_recorded_with_the_servers_timings() -> None:
    server = Streamer(tokens=7, gap=0.0)
    try:
        with RecordingProxy(server.url) as proxy:
            client = openai.OpenAI(base_url=proxy.url, api_key="x", max_retries=0)
            messages: Any = [
                {"role": "user", "content": "task"},
                {"role": "assistant", "content": "old answer"},
                {"role": "user", "content": "fix it"},
            ]
            stream = client.chat.completions.create(model="m", messages=messages, stream=True)
            text = "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
    finally:
        server.close()
    assert text == "".join(f"t{i} " for i in range(7))
    [ex] = proxy.exchanges
    assert ex.content == text and ex.completion_tokens == 7 and ex.predicted_ms == 350.0
    assert ex.is_feedback and not ex.aborted


def test_a_client_that_stops_reading_early_stops_the_server(streamer: Streamer) -> None:
    with RecordingProxy(streamer.url) as proxy:
        client = openai.OpenAI(base_url=proxy.url, api_key="x", max_retries=0)
        stream = client.chat.completions.create(
            model="m", messages=[{"role": "user", "content": "go"}], stream=True
        )
        for i, _ in enumerate(stream):
            if i == 3:
                break
        stream.close()
        assert streamer.dropped.wait(5), "the upstream connection stayed open"
        deadline = time.monotonic() + 5
        while not proxy.exchanges and time.monotonic() < deadline:
            time.sleep(0.02)
    [ex] = proxy.exchanges
    assert ex.aborted and 4 <= ex.completion_tokens < 200
    assert ex.streaming_seconds >= 3 * streamer.gap  # the pieces came token by token
    assert streamer.sent < 200


def test_dechunk_keeps_what_arrived_of_a_body_cut_short() -> None:
    assert dechunk(b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n") == b"hello world"
    assert dechunk(b"5\r\nhello\r\n6\r\n wo") == b"hello wo"
