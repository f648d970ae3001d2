"""The OpenAI engine against a real local HTTP server speaking the Chat Completions API."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest

from synthls.config import OpenAISettings, load_settings
from synthls.intent.examples import extract_examples
from synthls.intent.model import Spec
from synthls.sandbox.types import RunResult
from synthls.synth.engine_protocol import Candidate, Trial
from synthls.synth.openai import EngineError, OpenAISynthesizer
from tests.fake_openai import (
    Drop,
    FakeOpenAI,
    Hang,
    PerN,
    Raw,
    Script,
    Status,
    fenced,
    free_port,
    reply,
)

DOC = "Add.\n\n    >>> add(1, 2)\n    3\n    "
SPEC = Spec(
    name="add",
    signature="def add(a, b):",
    docstring=DOC,
    examples=extract_examples(DOC, 1, "add"),
)
KEY = "sk-test-secret-value-1234"


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as fake:
        yield fake


def engine(url: str, env: dict[str, str] | None = None, **kw: Any) -> OpenAISynthesizer:
    settings = OpenAISettings(
        base_url=url,
        model="fake-model",
        candidates=kw.pop("candidates", 3),
        retries=kw.pop("retries", 2),
        timeout=kw.pop("timeout", 10.0),
        **kw,
    )
    return OpenAISynthesizer(
        settings, env={"OPENAI_API_KEY": KEY} if env is None else env, backoff=0.01
    )


# a round with feedback: the greedy repair, then candidates - 1 samples (see openai.schedule)
FEEDBACK = (Trial(Candidate("return a - b", "openai"), RunResult(status="ok")),)


async def collect(
    synth: OpenAISynthesizer, spec: Spec = SPEC, feedback: tuple[Trial, ...] = ()
) -> list[Candidate]:
    return [c async for c in synth.propose(spec, feedback)]


async def fails(server: FakeOpenAI, script: Script, **kw: Any) -> str:
    server.script = script
    with pytest.raises(EngineError) as info:
        await collect(engine(server.url, **kw))
    message = str(info.value)
    assert KEY not in message
    return message


async def test_n_candidates_in_one_request_with_the_settings(server: FakeOpenAI) -> None:
    server.script = [PerN(lambda i: fenced(f"return a + b + {i}"))]
    synth = engine(server.url, candidates=5, temperature=0.3, max_tokens=99)
    cands = await collect(synth, feedback=FEEDBACK)
    assert sorted(c.body for c in cands) == ["return a + b + 0"] * 3 + ["return a + b + 1"] * 2
    assert all(c.engine == "openai" and not c.note for c in cands)
    greedy, *samples = server.requests
    assert (greedy.get("n"), greedy["temperature"], greedy["max_tokens"]) == (None, 0, 99)
    assert [(b["n"], b["model"], b["temperature"], b["max_tokens"]) for b in samples] == [
        (2, "fake-model", 0.3, 99)
    ] * 2
    assert (
        greedy["messages"][0]["role"] == "system"
        and "def add(a, b):" in greedy["messages"][1]["content"]
    )
    assert server.headers[0]["authorization"] == f"Bearer {KEY}"


async def test_server_ignoring_n_gets_parallel_single_requests(server: FakeOpenAI) -> None:
    server.script = [reply(fenced("return a + b"))]
    synth = engine(server.url, candidates=5)
    cands = await collect(synth, feedback=FEEDBACK)
    assert len(cands) == 5
    assert sorted(r.get("n") or 1 for r in server.requests) == [1, 1, 1, 2, 2]
    assert synth.n_supported is False
    await collect(synth, feedback=FEEDBACK)  # remembered: next round, straight to single requests
    assert [r.get("n") for r in server.requests[5:]] == [None] * 5


async def test_server_rejecting_n_falls_back_to_single_requests(server: FakeOpenAI) -> None:
    server.script = lambda body: (
        Status(400, "n must be 1") if body.get("n") else reply("return a + b")
    )
    cands = await collect(engine(server.url, candidates=5), feedback=FEEDBACK)
    assert [c.body for c in cands] == ["return a + b"] * 5


async def test_key_comes_from_the_named_variable_and_model_from_synthls_model(
    server: FakeOpenAI,
) -> None:
    server.script = [reply("return a + b")]
    settings, problems = load_settings(
        {"openai": {"apiKeyEnv": "MY_KEY", "candidates": 1}},
        env={"OPENAI_BASE_URL": server.url, "SYNTHLS_MODEL": "local-coder"},
    )
    assert problems == []
    await collect(
        OpenAISynthesizer(
            settings.openai, env={"MY_KEY": "k-123", "OPENAI_BASE_URL": "http://wrong"}
        )
    )
    assert server.requests[0]["model"] == "local-coder"
    assert server.headers[0]["authorization"] == "Bearer k-123"


async def test_base_url_from_openai_base_url_when_not_set(server: FakeOpenAI) -> None:
    server.script = [reply("return a + b")]
    synth = OpenAISynthesizer(OpenAISettings(candidates=1), env={"OPENAI_BASE_URL": server.url})
    assert [c.body for c in await collect(synth)] == ["return a + b"]


async def test_401_names_the_key_variable_and_never_the_key(server: FakeOpenAI) -> None:
    message = await fails(server, [Status(401, f"Incorrect API key provided: {KEY}")])
    assert message.startswith("401 Unauthorized") and "$OPENAI_API_KEY" in message
    assert "***" in message
    assert len(server.requests) == 1  # not retried


async def test_401_without_a_key_says_it_is_not_set(server: FakeOpenAI) -> None:
    server.script = [Status(401, "missing key")]
    with pytest.raises(EngineError, match=r"check \$OPENAI_API_KEY \(it is not set\)"):
        await collect(engine(server.url, env={}))


async def test_403_and_404_name_what_to_change(server: FakeOpenAI) -> None:
    assert "403 Forbidden" in await fails(server, [Status(403, "no access")])
    message = await fails(server, [Status(404, "The model `fake-model` does not exist")])
    assert (
        message.startswith("404 Not Found")
        and "'fake-model'" in message
        and "SYNTHLS_MODEL" in message
    )


@pytest.mark.parametrize("code", [429, 500, 503])
async def test_rate_limits_and_server_errors_are_retried_then_explained(
    server: FakeOpenAI, code: int
) -> None:
    message = await fails(server, [Status(code, "busy", {"retry-after-ms": "5"})], retries=2)
    assert message.startswith(str(code)) and "after 3 attempts" in message and "busy" in message
    assert len(server.requests) == 3


async def test_retry_succeeds_after_a_transient_error(server: FakeOpenAI) -> None:
    server.script = [
        Status(429, "slow down"),
        Status(502, "bad gateway"),
        PerN(lambda i: "return a + b"),
    ]
    cands = await collect(engine(server.url, candidates=2, retries=2))
    assert [c.body for c in cands] == ["return a + b"]  # round 1: the greedy answer only
    assert len(server.requests) == 3


async def test_connection_refused() -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    with pytest.raises(EngineError) as info:
        await collect(engine(url))
    assert str(info.value) == f"cannot reach {url}: connection refused (is the server running?)"


async def test_dns_failure() -> None:
    with pytest.raises(EngineError, match="DNS lookup failed for no-such-host.invalid"):
        await collect(engine("http://no-such-host.invalid/v1"))


async def test_hanging_server_times_out(server: FakeOpenAI) -> None:
    message = await fails(server, [Hang(10)], timeout=0.3)
    assert "did not answer in time" in message
    assert await asyncio.to_thread(server.disconnected.wait, 5)


async def test_dropped_connection_is_retried_then_explained(server: FakeOpenAI) -> None:
    message = await fails(server, [Drop()], retries=1)
    assert message.startswith(f"cannot reach {server.url}")
    assert len(server.requests) == 2


async def test_prose_and_truncated_output_become_failed_candidates(server: FakeOpenAI) -> None:
    server.script = [
        reply(
            "I am sorry, I cannot write that function.",
            fenced("return a + b")[:-6],
            "```python\nreturn (a +",
            finish_reason="length",
        )
    ]
    cands = await collect(engine(server.url))
    assert all(c.note.startswith("the reply was cut off at openai.maxTokens (768)") for c in cands)
    assert "no code in the reply" in cands[0].note
    assert "does not parse" in cands[2].note


async def test_prose_reply_is_a_failed_candidate_with_its_reason(server: FakeOpenAI) -> None:
    server.script = [reply("I cannot help with that.")]
    [cand, *_] = await collect(engine(server.url, candidates=1))
    assert cand.note == "no code in the reply: 'I cannot help with that.'"


async def test_cancelling_mid_request_drops_the_connection(server: FakeOpenAI) -> None:
    server.script = [Hang(20)]
    task = asyncio.ensure_future(collect(engine(server.url)))
    assert await asyncio.to_thread(server.hanging.wait, 5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await asyncio.to_thread(server.disconnected.wait, 5)


async def test_partial_failure_still_yields_the_candidates_that_came(server: FakeOpenAI) -> None:
    calls: list[int] = []

    def script(body: dict[str, Any]) -> Any:
        calls.append(1)
        return reply("return a + b") if len(calls) <= 2 else Status(401, "revoked")

    server.script = script
    cands = await collect(engine(server.url, candidates=3), feedback=FEEDBACK)
    assert [c.body for c in cands] == ["return a + b"] * 2


async def test_reasoning_model_parameters_are_adapted_once_and_remembered(
    server: FakeOpenAI,
) -> None:
    def script(body: dict[str, Any]) -> Any:
        if "max_tokens" in body:
            return Status(
                400,
                "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
            )
        if "temperature" in body:
            return Status(
                400,
                "Unsupported value: 'temperature' does not support 0.8 with this model. Only the default (1) value is supported.",
            )
        return PerN(lambda i: "return a + b")

    server.script = script
    assert len(await collect(engine(server.url, candidates=2))) == 1
    assert len(server.requests) == 3
    last = server.requests[-1]
    assert (
        last["max_completion_tokens"] == 768
        and "temperature" not in last
        and "max_tokens" not in last
    )
    assert len(await collect(engine(server.url, candidates=2))) == 1  # a new engine, same endpoint
    assert len(server.requests) == 4


async def test_other_bad_requests_are_not_retried(server: FakeOpenAI) -> None:
    message = await fails(server, [Status(400, "messages: too long")], candidates=1)
    assert message.startswith("400 from") and "messages: too long" in message
    assert len(server.requests) == 1


async def test_openai_without_a_key_fails_before_any_request() -> None:
    synth = OpenAISynthesizer(OpenAISettings(api_key_env="NO_SUCH_KEY"), env={})
    with pytest.raises(EngineError, match=r"^\$NO_SUCH_KEY is not set"):
        await collect(synth)


async def test_the_key_is_never_logged(
    server: FakeOpenAI, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    await fails(
        server, [Status(429, f"key {KEY} over quota"), Status(401, f"bad key {KEY}")], retries=1
    )
    assert "over quota" in caplog.text and "retrying" in caplog.text
    assert KEY not in caplog.text


async def test_an_echoed_insertion_marker_is_dropped(server: FakeOpenAI) -> None:
    server.script = [reply(fenced("    # <-- the new code goes here\n    return a + b"))]
    [cand] = await collect(engine(server.url, candidates=1))
    assert (cand.body, cand.note) == ("return a + b", "")


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        ("<html>proxy login</html>", "text/html"),
        ('{"object": "chat.completion"}', "application/json"),
    ],
)
async def test_a_reply_that_is_not_a_chat_completion_is_explained(
    server: FakeOpenAI, body: str, kind: str
) -> None:
    message = await fails(server, [Raw(body, kind)], candidates=1)
    assert message.startswith(f"unexpected reply from {server.url}: not a chat completion")


def _choices(*messages: object) -> str:
    choices = [
        {"index": i, "message": m, "finish_reason": "stop", "logprobs": None}
        for i, m in enumerate(messages)
    ]
    return json.dumps(
        {"id": "x", "object": "chat.completion", "created": 0, "model": "m", "choices": choices}
    )


async def test_a_choice_without_a_message_is_a_failed_candidate_with_a_note(
    server: FakeOpenAI, caplog: pytest.LogCaptureFixture
) -> None:
    good = {"role": "assistant", "content": fenced("return a + b")}
    server.script = [Raw(_choices(None, good), "application/json")]
    cands = await collect(engine(server.url, candidates=2))
    assert [c.body for c in cands] == ["", "return a + b"]
    assert "without a text message" in cands[0].note and cands[1].note == ""
    assert not [r for r in caplog.records if r.exc_info]  # no traceback logged
