"""The OpenAI engine streaming from a real local HTTP server: pieces, early stops, stalls, order.

A slow local model (a 1.5B model on two cores writes ~5 tokens/s) must not be waited on longer than
needed: each answer is streamed, cut off the moment its code is complete (the stream is closed so
the server stops generating), and a stream that stops sending tokens is abandoned after the stall
timeout while the other requests still count. Requests go greedy first, then the feedback round,
then temperature samples, and all share one prompt prefix so llama.cpp's prompt cache is reused.
"""

from __future__ import annotations

import textwrap
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from synthls.config import OpenAISettings
from synthls.intent.examples import extract_examples
from synthls.intent.model import Param, Spec
from synthls.sandbox import Limits, Sandbox
from synthls.sandbox.types import RunResult
from synthls.synth.engine_protocol import Candidate, Trial
from synthls.synth.loop import synthesize
from synthls.synth.openai import EngineError, OpenAISynthesizer
from synthls.synth.openai.ending import complete_at
from synthls.synth.openai.prompt import SCRIPT_INSTRUCTION
from tests.fake_openai import FakeOpenAI, Status, Stream, fenced, reply

DOC = "Add.\n\n    >>> add(1, 2)\n    3\n    >>> add(5, 7)\n    12\n    "
SPEC = Spec(
    name="add",
    params=(Param("a"), Param("b")),
    signature="def add(a, b):",
    docstring=DOC,
    examples=extract_examples(DOC, 1, "add"),
)
PROSE = tuple(f" word{i}" for i in range(400))  # what a model goes on with after its code


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as fake:
        yield fake


@pytest.fixture
async def box() -> AsyncIterator[Sandbox]:
    sandbox = Sandbox(Limits(timeout=5.0, memory_mb=512, parallel=2))
    await sandbox.start()
    try:
        yield sandbox
    finally:
        await sandbox.close()


def engine(url: str, **kw: Any) -> OpenAISynthesizer:
    settings = OpenAISettings(
        base_url=url,
        model="fake-model",
        candidates=kw.pop("candidates", 1),
        retries=kw.pop("retries", 0),
        timeout=kw.pop("timeout", 10.0),
        **kw,
    )
    return OpenAISynthesizer(settings, env={"OPENAI_API_KEY": "k"}, backoff=0.01)


async def collect(synth: OpenAISynthesizer, feedback: tuple[Trial, ...] = ()) -> list[Candidate]:
    return [c async for c in synth.propose(SPEC, feedback)]


def wait_until_sent(server: FakeOpenAI, count: int = 1) -> list[int]:
    end = time.monotonic() + 10
    while len(server.sent) < count and time.monotonic() < end:
        time.sleep(0.02)
    return server.sent


async def test_a_streamed_answer_is_put_together_from_its_pieces(server: FakeOpenAI) -> None:
    server.script = [Stream(("Here:\n```py", "thon\nret", "urn a", " + b\n", "```"))]
    [cand] = await collect(engine(server.url))
    assert (cand.body, cand.note) == ("return a + b", "")
    assert server.requests[0]["stream"] is True


async def test_the_answer_ends_at_its_closing_fence_and_the_stream_is_closed(
    server: FakeOpenAI,
) -> None:
    pieces = ("```python\n", "return a + b\n", "```\n", "\nThis adds", *PROSE)
    server.script = [Stream(pieces, delay=0.01)]
    [cand] = await collect(engine(server.url))
    assert cand.body == "return a + b"
    [sent] = wait_until_sent(server)
    assert sent < len(pieces) and server.disconnected.is_set()


async def test_a_whole_function_ends_where_the_code_after_it_starts(server: FakeOpenAI) -> None:
    code = ("```python\n", "def add(a, b):\n", "    return a + b\n", "\n", "print(add(1, 2))\n")
    server.script = [Stream((*code, *PROSE), delay=0.01)]
    [cand] = await collect(engine(server.url))
    assert cand.body == "return a + b"
    [sent] = wait_until_sent(server)
    assert sent < len(code) + len(PROSE) and server.disconnected.is_set()


async def test_a_stalled_stream_is_abandoned_with_a_clear_message(server: FakeOpenAI) -> None:
    server.script = [Stream(("```python\n", "return a", " + b\n```"), stall_after=2)]
    synth = engine(server.url, stall_timeout=0.5)
    with pytest.raises(EngineError) as info:
        await collect(synth)
    message = str(info.value)
    assert "stopped sending" in message and "openai.stallTimeout (0.5s)" in message, message
    wait_until_sent(server)
    assert server.disconnected.is_set()


async def test_the_other_candidates_still_count_when_one_stream_stalls(server: FakeOpenAI) -> None:
    def script(body: dict[str, Any]) -> Any:
        if body.get("temperature") == 0:  # the greedy repair stalls
            return Stream(("```python\n", "return a"), stall_after=1)
        return reply(fenced("return a + b"))

    server.script = script
    wrong = Candidate("return a - b", "openai")
    feedback = (Trial(wrong, RunResult(status="ok")),)
    cands = await collect(engine(server.url, candidates=3, stall_timeout=0.5), feedback)
    assert cands and all(c.body == "return a + b" for c in cands)
    assert server.disconnected.is_set()


async def test_greedy_then_feedback_then_samples_share_one_prompt_prefix(
    server: FakeOpenAI, box: Sandbox
) -> None:
    def script(body: dict[str, Any]) -> Any:
        if body.get("temperature") == 0:
            return reply(fenced("return a - b" if len(body["messages"]) == 2 else "return a * b"))
        return reply(fenced("return a + b"))

    server.script = script
    synth = engine(server.url, candidates=3, temperature=0.7)
    outcome = await synthesize(SPEC, build, [synth], box, rounds=3, deadline=60, settle=0)
    assert outcome.status == "verified" and outcome.candidate is not None
    assert outcome.candidate.body == "return a + b"
    first, repair, *samples = server.requests
    assert (first["temperature"], len(first["messages"])) == (0, 2)
    assert (repair["temperature"], len(repair["messages"])) == (0, 4)
    assert "expected 3, got -1" in repair["messages"][3]["content"]
    assert samples and all(r["temperature"] == 0.7 for r in samples)
    prefix = first["messages"]
    assert all(r["messages"][:2] == prefix for r in server.requests)
    assert all(r.get("cache_prompt") is True for r in server.requests)


async def test_a_right_greedy_answer_ends_the_request_at_once(
    server: FakeOpenAI, box: Sandbox
) -> None:
    server.script = [reply(fenced("return a + b"))]
    synth = engine(server.url, candidates=5)
    outcome = await synthesize(SPEC, build, [synth], box, rounds=3, deadline=60, settle=0)
    assert outcome.status == "verified" and outcome.rounds == 1
    [request] = server.requests
    assert request["temperature"] == 0 and request.get("n") is None


def build(body: str) -> str:
    return "def add(a, b):\n" + textwrap.indent(body, "    ") + "\n"


async def test_a_server_refusing_cache_prompt_is_asked_again_without_it(
    server: FakeOpenAI,
) -> None:
    def script(body: dict[str, Any]) -> Any:
        if "cache_prompt" in body:
            return Status(400, "Unrecognized request argument supplied: cache_prompt")
        return reply(fenced("return a + b"))

    server.script = script
    url = server.url.replace("127.0.0.1", "localhost")  # a fresh endpoint: nothing learned yet
    [cand] = await collect(engine(url))
    assert cand.body == "return a + b"
    assert ["cache_prompt" in r for r in server.requests] == [True, False]


@pytest.mark.parametrize(
    ("text", "complete"),
    [
        ("```python\nreturn a + b\n```\nIt adds.", "```python\nreturn a + b\n```"),
        ("```python\nreturn a + b\n``", None),  # the fence may still grow
        (
            "def add(a, b):\n    return a + b\nprint(add(1, 2))\n",
            "def add(a, b):\n    return a + b\n",
        ),
        ("def add(a, b):\n    return a + b\nprint(add(", None),  # only whole lines are judged
        ("def add(a, b):\n    s = '''\nx\n'''\n    return s\n", None),  # inside a string
        ("def add(a, b):\n    return a\n\ndef helper():\n    pass\n", None),  # helpers may follow
        ("total = a\nfor x in b:\n    total += x\nreturn total\n", None),  # a bare body
    ],
)
def test_where_an_answer_is_complete(text: str, complete: str | None) -> None:
    end = complete_at(text, "add")
    assert (None if end is None else text[:end]) == complete


async def test_completion_mode_continues_the_function_and_stops_at_the_margin(
    server: FakeOpenAI, box: Sandbox
) -> None:
    """openai.mode "completion": /v1/completions with the function's head as the prompt; the
    indented continuation is the body, cut at the first line at the margin."""
    seen: list[dict[str, Any]] = []

    def script(body: dict[str, Any]) -> Any:
        seen.append(body)
        if "An earlier version of add was wrong" in body["prompt"]:
            return reply("    total = a + b\n    return total\n\n\nprint(add(1, 2))\n")
        return reply("    return a - b\n\ndef other():\n    pass\n")

    server.script = script
    synth = engine(server.url, candidates=1, mode="completion", temperature=0)
    outcome = await synthesize(SPEC, build, [synth], box, rounds=3, deadline=60, settle=0)
    assert outcome.status == "verified", outcome.reason
    assert outcome.candidate is not None
    assert outcome.candidate.body == "total = a + b\nreturn total"
    assert all(p.endswith("/v1/completions") for p in server.paths)
    first, repair = seen
    assert "messages" not in first and first["prompt"].rstrip().endswith('"""')
    assert first["prompt"].rstrip().startswith("def add(a, b):")
    assert first["temperature"] == 0 and "\ndef " in first["stop"]
    # the repair shows the failing version and what failed, as a comment above the function
    assert "#     return a - b" in repair["prompt"]
    assert "`add(1, 2)`: expected 3, got -1" in repair["prompt"]


def _either(body: dict[str, Any]) -> Any:
    """A right answer in the form the request asks for: a continuation or a chat reply."""
    return reply("    return a + b\n" if "prompt" in body else fenced("return a + b"))


@pytest.mark.parametrize(
    ("identity", "raw"),
    [
        ({"server": "llama.cpp"}, True),  # llama.cpp's server names itself in its header
        ({"owned_by": "vllm"}, True),  # vLLM says so in its model list
        ({"owned_by": "openai"}, False),
        ({}, False),  # no GET /models at all: a chat
    ],
)
async def test_mode_auto_asks_the_server_once_what_it_is(
    box: Sandbox, identity: dict[str, str], raw: bool
) -> None:
    with FakeOpenAI(_either, **identity) as fake:
        synth = engine(fake.url, candidates=1)  # openai.mode defaults to auto
        for _ in range(2):
            outcome = await synthesize(SPEC, build, [synth], box, rounds=1, deadline=60, settle=0)
            assert outcome.status == "verified", outcome.reason
            assert outcome.candidate is not None and outcome.candidate.body == "return a + b"
        want = "/v1/completions" if raw else "/v1/chat/completions"
        assert fake.paths == [want, want]
        assert fake.probes == (1 if identity else 0)


async def test_mode_auto_falls_back_to_chat_when_raw_completions_are_refused(box: Sandbox) -> None:
    with FakeOpenAI(_either, owned_by="vllm", raw_completions=False) as fake:
        synth = engine(fake.url, candidates=1)
        for _ in range(2):
            outcome = await synthesize(SPEC, build, [synth], box, rounds=1, deadline=60, settle=0)
            assert outcome.status == "verified", outcome.reason
        # refused once, then remembered
        assert fake.paths == ["/v1/completions", "/v1/chat/completions", "/v1/chat/completions"]


async def test_mode_chat_never_asks_the_server_what_it_is(box: Sandbox) -> None:
    with FakeOpenAI(_either, server="llama.cpp") as fake:
        synth = engine(fake.url, candidates=1, mode="chat")
        outcome = await synthesize(SPEC, build, [synth], box, rounds=1, deadline=60, settle=0)
        assert outcome.status == "verified", outcome.reason
        assert fake.paths == ["/v1/chat/completions"] and fake.probes == 0


@pytest.mark.parametrize(
    "stub", ["    # Your code here\n    pass\n", "    ...\n", "    raise NotImplementedError\n"]
)
async def test_a_raw_completion_that_leaves_a_stub_is_asked_again_as_a_chat(
    box: Sandbox, stub: str
) -> None:
    """An instruct model continuing a docstring often writes ``# Your code here`` / ``pass``:
    the same request goes out as a chat (the whole function), whose answer replaces the stub."""

    def script(body: dict[str, Any]) -> Any:
        return reply(stub if "prompt" in body else fenced("def add(a, b):\n    return a + b"))

    with FakeOpenAI(script, server="llama.cpp") as fake:
        synth = engine(fake.url, candidates=1)
        outcome = await synthesize(SPEC, build, [synth], box, rounds=1, deadline=60, settle=0)
        assert outcome.status == "verified", outcome.reason
        assert outcome.candidate is not None and outcome.candidate.body == "return a + b"
        assert fake.paths == ["/v1/completions", "/v1/chat/completions"]
        [chat] = [r for r in fake.requests if "messages" in r]
        assert chat["temperature"] == 0  # the greedy request, asked the other way
        # for the whole function, as instruct models are scored
        assert chat["messages"][1]["content"].startswith(SCRIPT_INSTRUCTION)


async def test_a_raw_completion_with_code_is_not_asked_again(box: Sandbox) -> None:
    def script(body: dict[str, Any]) -> Any:  # a wrong body, but code: the loop repairs it
        return reply("    # add them\n    return a - b\n" if "prompt" in body else fenced("x"))

    with FakeOpenAI(script, server="llama.cpp") as fake:
        synth = engine(fake.url, candidates=1)
        outcome = await synthesize(SPEC, build, [synth], box, rounds=1, deadline=60, settle=0)
        assert outcome.status == "failed"
        assert fake.paths == ["/v1/completions"]


async def test_the_stub_is_kept_when_the_chat_brings_nothing(box: Sandbox) -> None:
    def script(body: dict[str, Any]) -> Any:
        return reply("    pass\n") if "prompt" in body else Status(500, "down")

    with FakeOpenAI(script, server="llama.cpp") as fake:
        synth = engine(fake.url, candidates=1, retries=0)
        got = [c async for c in synth.propose(SPEC, [])]
        assert [c.body for c in got] == ["pass"]
        assert fake.paths[0] == "/v1/completions" and "/v1/chat/completions" in fake.paths
