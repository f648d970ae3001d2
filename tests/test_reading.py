"""The model's reading of a docstring (synth/openai/reading.py): parsing its replies, and the
requests against a real local HTTP server speaking the OpenAI API (tests/fake_openai.py)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest

from synthls.config import OpenAISettings
from synthls.intent.examples import extract_examples
from synthls.intent.model import Spec
from synthls.synth.openai import OpenAISynthesizer
from synthls.synth.openai.reading import (
    MAX_LINE,
    MAX_TESTS,
    Reader,
    ReadTest,
    completion_text,
    done_at,
    merge,
    messages,
    parse_line,
    parse_reply,
    read_tests,
)
from tests.fake_openai import FakeOpenAI, Hang, PerN, Raw, Status, Step, reply

DOC = "Add two numbers.\n\n    >>> add(1, 2)\n    3\n    "
SPEC = Spec(
    name="add",
    signature="def add(a: int, b: int) -> int:",
    docstring=DOC,
    examples=extract_examples(DOC, 1, "add"),
    current_body="return a + b  # the secret body",
)
KEY = "sk-test-secret-value-1234"
GOOD = "```python\nassert add(2, 3) == 5\nassert add(-1, 1) == 0\n```"


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as fake:
        yield fake


def reader(url: str, **kw: Any) -> Reader:
    settings = OpenAISettings(
        base_url=url,
        model="fake-model",
        mode=kw.pop("engine_mode", "auto"),
        retries=kw.pop("retries", 1),
        timeout=kw.pop("timeout", 10.0),
    )
    return Reader(settings, {"OPENAI_API_KEY": KEY}, backoff=0.01, **kw)


# ----------------------------------------------------------------------------- one line


@pytest.mark.parametrize(
    ("line", "parsed"),
    [
        ("assert add(2, 3) == 5", ("add(2, 3)", "5")),
        ('  assert add( 1 ,"a" ) == "1a"  # why', ("add(1, 'a')", "'1a'")),
        ("assert 5 == add(2, 3)", ("add(2, 3)", "5")),
        ("1. assert add(0, 0) == 0", ("add(0, 0)", "0")),
        ("- `assert add(a=[1, 2], b=()) == [1, 2]`", ("add(a=[1, 2], b=())", "[1, 2]")),
        ("assert add(1, 2) is None", ("add(1, 2)", "None")),
        ("assert add(1, 2) is False", ("add(1, 2)", "False")),
        ("assert add({1: 'x'}, -2.5) == {'x'}", ("add({1: 'x'}, -2.5)", "{'x'}")),
        ("assert add(1, 2) == set()", ("add(1, 2)", "set()")),
        ('assert add(1, 2) == 3, "message"', ("add(1, 2)", "3")),
        (">>> assert add(1, 2) == 3", ("add(1, 2)", "3")),
    ],
)
def test_a_literal_assert_of_the_function_is_read(line: str, parsed: tuple[str, str]) -> None:
    assert parse_line(line, "add") == parsed


@pytest.mark.parametrize(
    "line",
    [
        "assert sub(2, 3) == -1",  # another function
        "assert math.add(2, 3) == 5",
        "assert add(x, 3) == 5",  # a name, not a literal
        "assert add(*[2, 3]) == 5",
        "assert add(**{'a': 2, 'b': 3}) == 5",
        "assert add(2, 3) == add(3, 2)",
        "assert add(2, 3) == sum([2, 3])",
        "assert add(2, 3) == __import__('os').system('rm -rf /')",
        "assert add(__import__('os').getcwd(), 1) == 1",
        "assert add(2, 3) == 5 == 5",  # chained
        "assert add(2, 3) != 4",
        "assert add(2, 3) > 4",
        "assert add(2, 3) is 5",
        "assert add(2, 3)",
        "assert add(2, 3) == 5; import os",
        "assert add(2, 3) == 5 and True",
        "assert add(lambda: 1, 2) == 3",
        "assert add(f'{1}', 2) == 3",
        "assert add((x := 1), 2) == 3",
        "assert add(2, 3) == 5 if True else 0",
        "add(2, 3) == 5",  # no assert
        "print(add(2, 3))",
        "assert add(2, 3) ==",
        "assert add(" + "[" * 300 + "]" * 300 + ", 1) == 1",  # nesting beyond the parser
        "assert add(1, 2) == " + "9" * (MAX_LINE + 1),  # too long to read
        "assert add(1, 2) == 3\x00",
        "",
    ],
)
def test_anything_else_is_dropped(line: str) -> None:
    assert parse_line(line, "add") is None


def test_a_method_is_read_as_its_examples_call_it() -> None:
    assert parse_line("assert Shape().area(2) == 4", "Shape().area") == ("Shape().area(2)", "4")
    assert parse_line("assert area(2) == 4", "Shape().area") is None


# ----------------------------------------------------------------------------- one reply


def test_a_reply_gives_its_distinct_tests_in_order() -> None:
    text = (
        "Sure! Here are the tests:\n```python\nassert add(2, 3) == 5\nassert add(2,3) == 5\n"
        "assert add(2, 3) == 6\n# an edge case\n  assert add(0, 0) == 0\nimport os\n"
        "assert os.system('x') == 0\n```\nThese cover it."
    )
    assert parse_reply(text, "add") == [("add(2, 3)", "5"), ("add(2, 3)", "6"), ("add(0, 0)", "0")]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "I cannot help with that.",
        "\x00\xff\ufffd" * 1000,
        "assert " * 10_000,
        "```python\n" + "(" * 100_000 + "\n```",
        "def add(a, b):\n    return a + b\n",
        "assert add(1, 2) == 3" + " " * 1_000_000,  # one endless line
    ],
)
def test_garbage_gives_nothing(text: str) -> None:
    assert parse_reply(text, "add") == []


def test_a_huge_reply_is_read_boundedly() -> None:
    text = "".join(f"assert add({i}, 1) == {i + 1}\n" for i in range(200_000))
    start = time.monotonic()
    got = parse_reply(text, "add")
    assert len(got) == MAX_TESTS and got[0] == ("add(0, 1)", "1")
    assert time.monotonic() - start < 1.0
    assert len(parse_reply(text, "add", limit=3)) == 3


# ----------------------------------------------------------------------------- samples merged


def test_samples_are_merged_by_call_and_value() -> None:
    samples = [
        [("add(2, 3)", "5"), ("add(0, 0)", "0")],
        [("add(2, 3)", "5"), ("add(0, 0)", "1")],
        [("add(2, 3)", "5.0"), ("add(1, 1)", "2")],
        [],
    ]
    assert merge(samples) == [
        ReadTest("add(2, 3)", "5", 3),  # 5 and 5.0 are one value
        ReadTest("add(0, 0)", "0", 1),
        ReadTest("add(0, 0)", "1", 1),
        ReadTest("add(1, 1)", "2", 1),
    ]


def test_a_sample_counts_once_per_call_and_value() -> None:
    assert merge([[("add(1, 1)", "2"), ("add(1, 1)", "2.0")]]) == [ReadTest("add(1, 1)", "2", 1)]
    assert merge([[("add(1, 1)", "True")], [("add(1, 1)", "1")]]) == [
        ReadTest("add(1, 1)", "True", 1),
        ReadTest("add(1, 1)", "1", 1),
    ]


# ----------------------------------------------------------------------------- prompts


def test_the_prompt_shows_the_signature_and_docstring_but_no_body() -> None:
    system, user = messages(SPEC, tests=5)
    assert system["role"] == "system" and user["role"] == "user"
    assert "def add(a: int, b: int) -> int:" in user["content"]
    assert "Add two numbers." in user["content"] and "secret" not in user["content"]
    assert "Write 5 tests" in user["content"] and "assert add(arguments) ==" in user["content"]
    text = completion_text(SPEC)
    assert text.endswith("\nassert add(") and "secret" not in text


def test_done_at_cuts_after_the_tests() -> None:
    assert done_at("```python\nassert add(1, 2) == 3\nassert add(") is None  # still growing
    text = "```python\nassert add(1, 2) == 3\n# note\nassert add(2, 2) == 4\n```\nMore prose\n"
    assert text[: done_at(text)].endswith("== 4\n")
    many = "assert add(1, 2) == 3\n" * (MAX_TESTS + 5)
    assert done_at(many) == len("assert add(1, 2) == 3\n") * MAX_TESTS
    assert done_at("x" * 100_000) is not None


# ----------------------------------------------------------------------------- requests


def by_temperature(greedy: str, sampled: str) -> Any:
    return lambda body: PerN(lambda i: greedy if not body.get("temperature") else sampled)


async def test_a_reading_asks_one_greedy_answer_and_samples(server: FakeOpenAI) -> None:
    server.script = by_temperature(
        GOOD, "```python\nassert add(2, 3) == 5\nassert add(10, 5) == 15\n```"
    )
    got = await reader(server.url, samples=4).read(SPEC, budget=10)
    assert got.samples == 4 and not got.errors and not got.timed_out
    assert got.tests == (
        ReadTest("add(2, 3)", "5", 4),
        ReadTest("add(10, 5)", "15", 3),
        ReadTest("add(-1, 1)", "0", 1),
    )
    assert got.tokens > 0 and got.seconds > 0
    bodies = sorted(server.requests, key=lambda b: b.get("n") or 1)
    assert [(b.get("n"), b["temperature"], b["max_tokens"]) for b in bodies] == [
        (None, 0, 200),
        (3, 0.8, 200),
    ]
    assert all(b["model"] == "fake-model" and b["stream"] for b in bodies)
    assert bodies[0]["messages"][0]["content"].startswith("You test Python functions")
    assert server.paths == ["/v1/chat/completions"] * 2  # chat, whatever the engine's mode
    assert server.headers[0]["authorization"] == f"Bearer {KEY}"


async def test_a_server_ignoring_n_gets_single_requests(server: FakeOpenAI) -> None:
    server.script = [reply(GOOD)]
    got = await reader(server.url, samples=3).read(SPEC, budget=10)
    assert got.samples == 3 and got.tests[0] == ReadTest("add(2, 3)", "5", 3)
    assert sorted(b.get("n") or 1 for b in server.requests) == [
        1,
        1,
        2,
    ]  # greedy; n=2 got one; one more single


async def test_a_runaway_answer_is_cut_and_read_boundedly(server: FakeOpenAI) -> None:
    server.script = [PerN(lambda i: "assert add(1, 2) == 3\n" * 50_000 + "junk " * 100_000)]
    got = await reader(server.url, samples=2).read(SPEC, budget=10)
    assert got.samples == 2 and got.tests == (ReadTest("add(1, 2)", "3", 2),)


async def test_a_huge_json_answer_is_read_boundedly(server: FakeOpenAI) -> None:
    # a server answering the streamed request with one JSON completion
    junk = "\n".join(["assert add(1, 2) == 3", "x" * 2_000_000, "assert add(2, 2) == 4"])
    choice = {"index": 0, "message": {"content": junk}, "finish_reason": "stop"}
    body = json.dumps({"choices": [choice]})
    server.script = lambda _: Raw(body, content_type="application/json")
    got = await reader(server.url, samples=1).read(SPEC, budget=10)
    assert got.tests == (ReadTest("add(1, 2)", "3", 1),)


async def test_hostile_answers_give_no_tests_and_no_error(server: FakeOpenAI) -> None:
    answers = [
        "import os; os.system('rm -rf /')",
        "assert add(__import__('os').getcwd(), 1) == 2",
        "assert sub(1, 2) == -1",
        "```python\n" + "[" * 5000 + "\n```",
    ]
    server.script = [PerN(lambda i: answers[i % len(answers)])]
    got = await reader(server.url, samples=4).read(SPEC, budget=10)
    assert got.samples == 4 and got.tests == () and got.errors == ()


async def test_endpoint_failures_are_reported_not_raised(server: FakeOpenAI) -> None:
    server.script = [Status(401, f"bad key {KEY}")]
    got = await reader(server.url, samples=2).read(SPEC, budget=10)
    assert got.tests == () and got.samples == 0 and got.errors
    assert "401" in got.errors[0] and KEY not in " ".join(got.errors)
    server.script = [Raw("<html>hello</html>")]
    got = await reader(server.url, samples=1).read(SPEC, budget=10)
    assert got.tests == () and "not a chat completion" in got.errors[0]


async def test_retries_server_errors_like_the_engine(server: FakeOpenAI) -> None:
    server.script = [Status(503, "busy"), reply(GOOD)]
    got = await reader(server.url, samples=1).read(SPEC, budget=10)
    assert got.tests[0] == ReadTest("add(2, 3)", "5", 1) and len(server.requests) == 2


async def test_openai_without_a_key_sends_nothing() -> None:
    settings = OpenAISettings(base_url=None, model="gpt-4o-mini")
    got = await read_tests(SPEC, settings, {}, budget=5)
    assert got.tests == () and "OPENAI_API_KEY is not set" in got.errors[0]


async def test_the_budget_keeps_the_answers_that_came(server: FakeOpenAI) -> None:
    server.script = lambda body: Hang(5) if body.get("temperature") else reply(GOOD)
    start = time.monotonic()
    got = await reader(server.url, samples=3).read(SPEC, budget=0.8)
    assert time.monotonic() - start < 3
    assert got.timed_out and got.samples == 1
    assert got.tests == (ReadTest("add(2, 3)", "5", 1), ReadTest("add(-1, 1)", "0", 1))
    assert server.disconnected.wait(3)  # the waiting request was dropped


async def test_cancelling_the_reading_drops_the_requests(server: FakeOpenAI) -> None:
    server.script = [Hang(10)]
    task = asyncio.ensure_future(reader(server.url, samples=2).read(SPEC, budget=30))
    assert await asyncio.to_thread(server.hanging.wait, 5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, 3)
    assert await asyncio.to_thread(server.disconnected.wait, 3)


async def test_completion_mode_continues_the_tests() -> None:
    def script(body: dict[str, Any]) -> Step:
        return PerN(lambda i: "2, 3) == 5\nassert add(1, 1) == 2\n\nprint('done')\n")

    with FakeOpenAI(script, server="llama.cpp") as fake:
        got = await reader(fake.url, samples=2, mode="auto").read(SPEC, budget=10)
    assert fake.paths == ["/v1/completions"] * 2
    assert all(
        b["prompt"].endswith("assert add(") and b["max_tokens"] == 200 for b in fake.requests
    )
    assert got.tests == (ReadTest("add(2, 3)", "5", 2), ReadTest("add(1, 1)", "2", 2))


async def test_completion_mode_falls_back_to_a_chat_when_refused() -> None:
    with FakeOpenAI([reply(GOOD)], raw_completions=False) as fake:
        got = await reader(fake.url, samples=1, mode="completion").read(SPEC, budget=10)
    assert fake.paths == ["/v1/completions", "/v1/chat/completions"]
    assert got.tests[0] == ReadTest("add(2, 3)", "5", 1)


async def test_a_reader_of_the_engine_uses_its_endpoint_and_key(server: FakeOpenAI) -> None:
    server.script = [reply(GOOD)]
    settings = OpenAISettings(base_url=server.url, model="m", api_key_env="MY_KEY", mode="chat")
    engine = OpenAISynthesizer(settings, {"MY_KEY": KEY}, backoff=0.01)
    got = await Reader.of(engine, samples=1).read(SPEC, budget=10)
    assert got.samples == 1 and server.requests[0]["model"] == "m"
    assert server.headers[0]["authorization"] == f"Bearer {KEY}"
    assert engine.settings.max_tokens == 768  # the engine's own settings are untouched


async def test_no_budget_or_no_samples_asks_nothing(server: FakeOpenAI) -> None:
    assert (await reader(server.url).read(SPEC, budget=0)).samples == 0
    assert (await reader(server.url, samples=0).read(SPEC, budget=5)).samples == 0
    assert server.requests == []
