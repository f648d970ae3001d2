"""The model's reading of a docstring: test calls with expected results, from the words alone.

The model is shown the function's signature and docstring (never a body) and asked for a few
lines ``assert f(args) == expected``: one greedy answer and a few samples at a higher
temperature, each short (``max_tokens`` about 200). The same call with the same expected value
written by several samples is one :class:`ReadTest` whose ``samples`` says how many wrote it;
``synthls.synth.reading_votes`` weighs them against the candidates' behaviours (the CodeT idea).

The requests go through the OpenAI engine's own machinery (``synthls.synth.openai.engine``): its
client (key from the environment variable the settings name, never logged), its retries with
backoff, what it learned about the endpoint (``n``, ``max_tokens`` / ``max_completion_tokens``,
``cache_prompt``: ``quirks``), its fallback from one request for ``n`` choices to parallel
single ones, and its streaming with the ``openai.timeout`` / ``openai.stallTimeout`` deadlines.
Only the prompt, the sampling options and where an answer ends differ. Asked as a chat by
default; ``mode="completion"`` continues the function's text instead (``# Tests ...`` then
``assert f(``), ``mode="auto"`` does what the engine's ``openai.mode`` does.

The reply is read line by line, boundedly and without running anything: only lines that are
one ``assert <callee>(<literals>) == <literal>`` (or ``is None`` / ``is True`` / ``is False``)
count, parsed with :mod:`ast` and evaluated with :func:`ast.literal_eval`; a line longer than
``MAX_LINE`` characters, a call of anything else, a non-literal argument or value, ``*args``, a
chained comparison or a second statement is dropped. At most ``MAX_TESTS`` tests are read from
one sample and ``MAX_REPLY`` characters of it; a stream is cut there too, so a runaway server
costs nothing more. Bad output is never an error: it gives no tests.

:meth:`Reader.read` never raises for the endpoint's failures (they are in
``Reading.errors``), stops at its time ``budget`` with the samples that came by then, and lets
cancellation through (closing the streams, so the server stops generating).
"""

from __future__ import annotations

import ast
import asyncio
import dataclasses
import logging
import re
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

import openai

from synthls.config import OpenAISettings
from synthls.intent.model import Spec
from synthls.synth.answers import same_value
from synthls.synth.inputs import callee_of
from synthls.synth.openai.engine import OpenAISynthesizer
from synthls.synth.openai.errors import EngineError
from synthls.synth.openai.prompt import Message, _fence, _header
from synthls.synth.openai.schedule import Request
from synthls.synth.openai.stream import Reply, replies
from synthls.synth.reading_votes import Reading, ReadTest, call_of, canonical_call

if TYPE_CHECKING:
    pass

__all__ = ["ReadTest", "Reader", "Reading", "merge", "parse_line", "parse_reply", "read_tests"]

log = logging.getLogger(__name__)

TESTS = 5  # test lines asked for per sample
SAMPLES = 4  # samples per reading: one greedy, the rest at TEMPERATURE
TEMPERATURE = 0.8
MAX_TOKENS = 200  # per sample: five short assert lines fit
BUDGET = 20.0  # seconds for the whole reading unless the caller says otherwise
MAX_LINE = 400  # characters: a longer line is not read
MAX_TESTS = 20  # tests read from one sample, at most
MAX_REPLY = MAX_TESTS * MAX_LINE  # characters of one sample read, at most
STOPS = ["\ndef ", "\nclass ", "\nif __name__", "\n```", "\n@"]  # completion mode

Mode = Literal["chat", "completion", "auto"]
Parsed = tuple[str, str]  # (canonical call, repr of the expected value)

SYSTEM = (
    "You test Python functions. From a function's signature and docstring alone, you write "
    "test calls with the results the docstring asks for. Reply with assert lines only, in one "
    "```python code block, with no explanation."
)


# ----------------------------------------------------------------------------- parsing

_LEAD = re.compile(r"\s*(?:\d{1,3}[.)]\s+|[-*+]\s+|>>>\s*)?")
_IS = (None, True, False)


def _literal(node: ast.expr) -> str | None:
    try:
        return repr(ast.literal_eval(node))
    except (SyntaxError, ValueError, TypeError, MemoryError, RecursionError):
        return None


def parse_line(line: str, callee: str) -> Parsed | None:
    """(canonical call, repr of the expected value) of one reply line that is exactly one
    ``assert callee(literals) == literal`` (either side; ``is None/True/False`` too), else None."""
    if len(line) > MAX_LINE:
        return None
    text = _LEAD.sub("", line, count=1).strip().strip("`").strip()
    if not text.startswith("assert"):
        return None
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, TypeError, MemoryError, RecursionError):
        return None
    if len(tree.body) != 1 or not isinstance(tree.body[0], ast.Assert):
        return None
    test = tree.body[0].test
    if not isinstance(test, ast.Compare) or len(test.ops) != 1 or len(test.comparators) != 1:
        return None
    op, left, right = test.ops[0], test.left, test.comparators[0]
    if isinstance(op, ast.Eq):
        sides = [(left, right), (right, left)]
    elif isinstance(op, ast.Is) and isinstance(right, ast.Constant) and right.value in _IS:
        sides = [(left, right)]
    else:
        return None
    for call_node, value_node in sides:
        call = call_of(call_node, callee)
        if call is None:
            continue
        expected = _literal(value_node)
        return None if expected is None else (call, expected)
    return None


def parse_reply(text: str, callee: str, limit: int = MAX_TESTS) -> list[Parsed]:
    """The distinct tests of one sample's reply, in order, at most ``limit``, read from its
    first ``MAX_REPLY`` characters; the rest of the reply (prose, fences, bad lines) is dropped."""
    out: list[Parsed] = []
    for line in text[:MAX_REPLY].splitlines():
        if len(out) >= limit:
            break
        parsed = parse_line(line, callee)
        if parsed is not None and parsed not in out:
            out.append(parsed)
    return out


def merge(samples: Sequence[Sequence[Parsed]]) -> list[ReadTest]:
    """The tests of every sample merged: one :class:`ReadTest` per call and expected value
    (values equal as literals are one), ``samples`` counting the samples that wrote it; most
    written first, then in the order they first came."""
    counts: dict[str, list[tuple[str, int]]] = {}
    for sample in samples:
        wrote: set[tuple[str, int]] = set()  # a sample counts once per (call, value)
        for call, expected in sample:
            seen = counts.setdefault(call, [])
            index = next((i for i, (v, _) in enumerate(seen) if same_value(v, expected)), None)
            if index is None:
                seen.append((expected, 0))
                index = len(seen) - 1
            if (call, index) not in wrote:
                wrote.add((call, index))
                value, count = seen[index]
                seen[index] = (value, count + 1)
    tests = [ReadTest(call, v, n) for call, seen in counts.items() for v, n in seen]
    return sorted(tests, key=lambda t: -t.samples)  # stable: first come first among equals


# ----------------------------------------------------------------------------- prompts


def messages(
    spec: Spec, tests: int = TESTS, call: str | None = None, calls: Sequence[str] = ()
) -> list[Message]:
    """The chat: the signature and docstring (no body), and the request for ``tests`` lines,
    or, with ``call``, for that one call's result, or, with ``calls``, for each of theirs."""
    callee = callee_of(spec)
    if calls:
        listed = "\n".join(f"assert {c} == ?" for c in calls)
        user = (
            f"Here are the signature and docstring of `{spec.name}` (its body is not shown):\n\n"
            f"{_fence(_header(spec, '...'))}\n\n"
            "By the docstring, what does each of these calls return?\n\n"
            f"{_fence(listed)}\n\n"
            "Reply with the same lines, each `?` replaced by the result as a Python literal."
        )
        return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": user}]
    if call is not None:
        user = (
            f"Here are the signature and docstring of `{spec.name}` (its body is not shown):\n\n"
            f"{_fence(_header(spec, '...'))}\n\n"
            f"By the docstring, what does `{call}` return? Reply with one line "
            f"`assert {call} == expected_result`, the result as a Python literal."
        )
        return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": user}]
    user = (
        f"Here are the signature and docstring of `{spec.name}` (its body is not shown):\n\n"
        f"{_fence(_header(spec, '...'))}\n\n"
        f"Write {tests} tests of `{spec.name}`, one per line, each as "
        f"`assert {callee}(arguments) == expected_result`, with the result the docstring asks "
        "for. Use literal values only (numbers, strings, lists, tuples, dicts, sets, True, False, "
        "None) for the arguments and the results. Cover typical inputs and the edge cases the "
        f"docstring mentions; do not repeat its examples. Reply with the {tests} assert lines only."
    )
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": user}]


def completion_text(spec: Spec) -> str:
    """Completion mode: the function with an elided body, then the start of its tests."""
    return (
        f"{_header(spec, '...')}\n\n\n"
        f"# Tests of {spec.name}: the results its docstring asks for.\n"
        f"assert {callee_of(spec)}("
    )


def done_at(text: str) -> int | None:
    """Where a sample's answer is complete (None: not yet): after ``MAX_TESTS`` assert lines,
    before the first line after an assert line that is neither an assert nor a comment (the
    closing fence, prose, other code), or at ``MAX_REPLY`` characters."""
    if len(text) > MAX_REPLY:
        return MAX_REPLY
    offset = asserts = 0
    for line in text.split("\n")[:-1]:  # the last piece may still grow
        stripped = line.strip()
        if stripped.startswith("assert"):
            asserts += 1
            if asserts >= MAX_TESTS:
                return offset + len(line) + 1
        elif asserts and stripped and not stripped.startswith("#"):
            return offset
        offset += len(line) + 1
    return None


# ----------------------------------------------------------------------------- requests


class _Asker(OpenAISynthesizer):
    """The engine with the reading's prompt and where its answers end; everything else (client,
    retries, quirks, ``n`` fallback, streaming deadlines) is the engine's."""

    chat_when_stub = False  # its answers are assert lines, never a body
    stops = STOPS

    def __init__(
        self,
        settings: OpenAISettings,
        env: Mapping[str, str] | None,
        *,
        backoff: float,
        mode: Mode,
    ) -> None:
        super().__init__(settings, env, backoff=backoff)
        self.mode = mode

    async def _raw(self, client: openai.AsyncOpenAI) -> bool:
        if self.mode == "chat":
            return False
        if self.mode == "completion":  # unless the server refused /completions (then a chat)
            return self.quirks.completion is not False
        return await super()._raw(client)

    def _raw_prompt(self, spec: Spec, request: Request) -> str:
        return completion_text(spec)

    async def complete(
        self, client: openai.AsyncOpenAI, request: Request, n: int, spec: Spec
    ) -> AsyncIterator[Reply]:
        stream, raw = await self._connect(client, request, n, spec)
        start = f"assert {callee_of(spec)}(" if raw else ""  # the prompt's last, unfinished line
        try:
            async for text, finish in replies(
                stream,
                n,
                url=self.base_url,
                first=self.settings.timeout,
                stall=self.settings.stall_timeout,
                done_at=done_at,
                usage=self.usage,
            ):
                yield start + text, finish
        except openai.OpenAIError as exc:
            raise self._error(exc) from exc


class Reader:
    """Asks an OpenAI-compatible endpoint for the reading of a docstring (see the module)."""

    def __init__(
        self,
        settings: OpenAISettings,
        env: Mapping[str, str] | None = None,
        *,
        backoff: float = 1.0,
        mode: Mode = "chat",
        samples: int = SAMPLES,
        tests: int = TESTS,
        max_tokens: int = MAX_TOKENS,
        temperature: float = TEMPERATURE,
    ) -> None:
        """``settings`` / ``env`` as the engine gets them (``OpenAISettings``, the environment
        holding the key); ``samples`` answers per reading (the first greedy), ``tests`` lines
        asked for in each, ``max_tokens`` and ``temperature`` for each answer."""
        short = dataclasses.replace(settings, max_tokens=max_tokens, temperature=temperature)
        self._asker = _Asker(short, env, backoff=backoff, mode=mode)
        self.samples = samples
        self.tests = tests

    @classmethod
    def of(cls, engine: OpenAISynthesizer, **options: Any) -> Reader:
        """A reader for the endpoint, model and key of ``engine`` (what it learned is shared)."""
        return cls(engine.settings, engine._env, backoff=engine.backoff, **options)

    async def read(
        self,
        spec: Spec,
        *,
        budget: float = BUDGET,
        call: str | None = None,
        samples: int | None = None,
        tests: int | None = None,
        calls: Sequence[str] = (),
        greedy: bool = True,
    ) -> Reading:
        """The reading of ``spec``'s docstring, within ``budget`` seconds (the samples that came
        by then); with ``call``, only what it says that call returns. Never raises for the
        endpoint or its output; cancellation goes through. ``samples`` and ``tests`` override the
        reader's own for this reading; ``calls``: only what it says those calls return;
        ``greedy``: False leaves the greedy answer out (every answer sampled)."""
        started = time.monotonic()
        asker, tokens = self._asker, self._asker.usage.tokens
        samples = self.samples if samples is None else samples
        tests = self.tests if tests is None else tests
        if budget <= 0 or samples <= 0:
            return Reading()
        try:
            asker._check_key()
        except EngineError as exc:
            return Reading(errors=(str(exc),))
        chat = messages(spec, tests, call, calls)
        greedy_answer: asyncio.Queue[object] = asyncio.Queue()
        sampled: asyncio.Queue[object] = asyncio.Queue()
        sampling = samples - 1 if greedy else samples
        requests = [(Request(chat, 1, True), greedy_answer)] if greedy else []
        if sampling > 0:
            requests.append((Request(chat, sampling, False), sampled))
        timed_out = False
        async with asker._client() as client:
            work = asyncio.gather(*(asker._ask(client, r, spec, q) for r, q in requests))
            try:
                await asyncio.wait_for(work, budget)
            except asyncio.TimeoutError:
                timed_out = True
                log.debug("reading %s: the budget (%.1fs) ran out", spec.name, budget)
        texts: list[str] = []
        errors: list[str] = []
        for queue in (greedy_answer, sampled):  # the greedy answer first
            while not queue.empty():
                item = queue.get_nowait()
                if isinstance(item, EngineError):
                    errors.append(str(item))
                elif isinstance(item, tuple):
                    texts.append(str(item[0]))
        callee = callee_of(spec)
        found = merge([parse_reply(text, callee) for text in texts])
        if call is not None or calls:
            wanted = {canonical_call(c, callee) for c in ([call] if call is not None else calls)}
            found = [t for t in found if t.call in wanted]
        log.debug("reading %s: %d samples, %d tests", spec.name, len(texts), len(found))
        return Reading(
            tests=tuple(found),
            samples=len(texts),
            errors=tuple(dict.fromkeys(errors)),
            timed_out=timed_out,
            seconds=time.monotonic() - started,
            tokens=asker.usage.tokens - tokens,
        )


async def read_tests(
    spec: Spec,
    settings: OpenAISettings,
    env: Mapping[str, str] | None = None,
    *,
    budget: float = BUDGET,
    **options: Any,
) -> Reading:
    """One reading with a new :class:`Reader` (``options`` go to it)."""
    return await Reader(settings, env, **options).read(spec, budget=budget)
