"""The OpenAI-compatible engine: streamed completions from any endpoint, cleaned into candidates.

``openai.mode`` says how the model is asked: ``chat`` (``/chat/completions``), ``completion``
(``/completions``: the model continues the function, ``synthls.synth.openai.completion``) or
``auto`` (the default: completion for llama.cpp's and vLLM's servers, chat for the rest; see
``synthls.synth.openai.quirks``).

Works with OpenAI and anything that speaks its Chat Completions API (Azure-style proxies, Ollama,
vLLM, llama.cpp's server, LM Studio, hosted providers) through the official async ``openai``
client, so cancelling the consuming task aborts the HTTP requests. Each round sends the requests
of ``synthls.synth.openai.schedule`` (greedy first, then repairs, then samples) and streams them
(``synthls.synth.openai.stream``): each answer becomes a candidate the moment its code is
complete, and the stream is closed then. A request for ``n`` > 1 choices goes to a server that
honours ``n``; one that ignores it (returns fewer choices) or rejects it gets the rest as
parallel single requests, and is remembered. Rate limits and server errors are retried with
exponential backoff (honouring ``Retry-After``); everything else fails fast with an
:class:`EngineError` that names the fix. The API key comes only from the environment variable
named in the settings and is never logged.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, cast

import openai

from synthls.config import OpenAISettings, Settings
from synthls.intent.model import Spec
from synthls.synth.engine_protocol import Candidate, Trial
from synthls.synth.openai.clean import clean_reply
from synthls.synth.openai.completion import STOPS, body_complete_at, body_of, completion_prompt
from synthls.synth.openai.ending import complete_at
from synthls.synth.openai.errors import EngineError, describe, redact, retry_after, retryable
from synthls.synth.openai.prompt import MARKER, conversations, is_stub_body
from synthls.synth.openai.quirks import quirks_for, refuses_completions, serves_raw_completions
from synthls.synth.openai.schedule import Request, plan
from synthls.synth.openai.stream import NO_MESSAGE, Reply, Usage, replies

if TYPE_CHECKING:
    from openai.types.chat import ChatCompletionMessageParam

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.openai.com/v1"
MAX_BACKOFF = 30.0
_DONE = object()
READING_SAMPLES = 4  # a docstring reading's samples: one greedy, three at a higher temperature
READING_TOKENS = 160  # per sample: a few short assert lines


class OpenAISynthesizer:
    """Implements :class:`synthls.synth.engine_protocol.Synthesizer` over an OpenAI-compatible endpoint."""

    name = "openai"
    chat_when_stub = True  # a greedy raw completion that leaves a stub is asked again as a chat
    stops = STOPS  # where a raw completion ends
    uses_feedback = True  # later rounds repair failing candidates (see synthls.synth.loop)
    needs_examples = False  # the docstring alone is a prompt (the body is then unverified)
    votes_once_per_behaviour = False  # independent samples: agreeing ones add up
    holds_out = False  # another sampling costs another model call: no held-out search
    language_model = True

    @classmethod
    def from_settings(cls, settings: Settings, env: Mapping[str, str]) -> OpenAISynthesizer:
        return cls(settings.openai, env)

    def __init__(
        self,
        settings: OpenAISettings,
        env: Mapping[str, str] | None = None,
        *,
        backoff: float = 1.0,
    ) -> None:
        self.settings = settings
        self._env = os.environ if env is None else env
        self.backoff = backoff
        url = settings.base_url or self._env.get("OPENAI_BASE_URL") or DEFAULT_BASE_URL
        self.base_url = url.rstrip("/")
        self.quirks = quirks_for(self.base_url, settings.model)
        self.usage = Usage()  # tokens streamed by this engine, for benchmarks and logs

    @property
    def n_supported(self) -> bool | None:
        """Whether the endpoint honours ``n`` > 1 (None until a multi-choice request was made)."""
        return self.quirks.n

    def _key(self) -> str | None:
        return self._env.get(self.settings.api_key_env) or None

    def _client(self) -> openai.AsyncOpenAI:
        # Local servers need no key; the placeholder makes a missing key an HTTP 401 we can explain.
        return openai.AsyncOpenAI(
            api_key=self._key() or "synthls-no-key",
            base_url=self.base_url,
            timeout=self.settings.timeout,
            max_retries=0,
        )

    def _error(self, exc: BaseException, attempts: int = 1) -> EngineError:
        text = describe(
            exc,
            url=self.base_url,
            key_env=self.settings.api_key_env,
            key_set=self._key() is not None,
            model=self.settings.model,
            attempts=attempts,
        )
        return EngineError(redact(text, self._key()))

    def _options(self, request: Request, n: int) -> dict[str, Any]:
        options: dict[str, Any] = {self.quirks.token_param: self.settings.max_tokens}
        if self.quirks.temperature:
            options["temperature"] = 0 if request.greedy else self.settings.temperature
        if n > 1:
            options["n"] = n
        if self.quirks.cache_prompt:  # llama.cpp: reuse the shared prefix's evaluation
            options["extra_body"] = {"cache_prompt": True}
        return options

    async def _raw(self, client: openai.AsyncOpenAI) -> bool:
        """Whether requests go to ``/v1/completions`` (``openai.mode``; auto asks the server once)."""
        if self.settings.mode != "auto":
            return self.settings.mode == "completion"
        if self.quirks.completion is None:
            self.quirks.completion = await serves_raw_completions(client)
            log.info(
                "%s: asking for %s",
                self.base_url,
                "raw completions (/completions)" if self.quirks.completion else "chat completions",
            )
        return self.quirks.completion

    async def _open(
        self, client: openai.AsyncOpenAI, request: Request, n: int, spec: Spec, raw: bool
    ) -> Any:
        if raw:
            options = self._options(request, n)
            options["max_tokens"] = options.pop(self.quirks.token_param)
            return await client.completions.create(
                model=self.settings.model,
                prompt=self._raw_prompt(spec, request),
                stop=self.stops,
                stream=True,
                **options,
            )
        return await client.chat.completions.create(
            model=self.settings.model,
            messages=cast("list[ChatCompletionMessageParam]", request.messages),
            stream=True,
            **self._options(request, n),
        )

    def _raw_prompt(self, spec: Spec, request: Request) -> str:
        """The text a raw completion continues (``completion.completion_prompt``)."""
        return completion_prompt(spec, request.repair)

    async def _connect(
        self, client: openai.AsyncOpenAI, request: Request, n: int, spec: Spec
    ) -> tuple[Any, bool]:
        """The open stream for ``n`` choices and whether it is a raw completion, retried with
        backoff on 429/5xx/dropped connections, and re-sent at once without a parameter the
        server refused (``quirks``), or as a chat when mode auto's server has no raw completions."""
        attempt = 0
        while True:
            raw = not request.chat and await self._raw(client)
            try:
                return await self._open(client, request, n, spec, raw), raw
            except openai.OpenAIError as exc:
                if self.quirks.adapt(exc):
                    log.info("%s refused a parameter; now %s", self.base_url, self.quirks)
                    continue
                if raw and self.settings.mode == "auto" and refuses_completions(exc):
                    log.info("%s has no raw completions (%s); asking as a chat", self.base_url, exc)
                    self.quirks.completion = False
                    continue
                if attempt >= self.settings.retries or not retryable(exc):
                    raise self._error(exc, attempt + 1) from exc
                wait = min(retry_after(exc) or self.backoff * 2**attempt, MAX_BACKOFF)
                log.warning(
                    "%s (attempt %d of %d), retrying in %.2fs",
                    self._error(exc),
                    attempt + 1,
                    self.settings.retries + 1,
                    wait,
                )
                await asyncio.sleep(wait)
                attempt += 1

    async def complete(
        self, client: openai.AsyncOpenAI, request: Request, n: int, spec: Spec
    ) -> AsyncIterator[Reply]:
        """The replies to one request for ``n`` choices, each as soon as it is complete."""
        stream, raw = await self._connect(client, request, n, spec)
        try:
            async for text, finish in replies(
                stream,
                n,
                url=self.base_url,
                first=self.settings.timeout,
                stall=self.settings.stall_timeout,
                done_at=body_complete_at if raw else (lambda text: complete_at(text, spec.name)),
                usage=self.usage,
            ):
                yield (body_of(text) if raw else text), finish
        except openai.OpenAIError as exc:  # the connection broke mid-stream
            raise self._error(exc) from exc

    async def _deliver(
        self, out: asyncio.Queue[object], request: AsyncIterator[Reply]
    ) -> int | None:
        """Put the request's replies on ``out`` as they come; None (and the error) on failure
        before any reply, else how many came."""
        got = 0
        try:
            async for reply in request:
                got += 1
                await out.put(reply)
        except EngineError as exc:
            await out.put(exc)
            return got or None
        except Exception as exc:  # a reply the client could not make sense of
            log.debug("request to %s failed", self.base_url, exc_info=True)
            await out.put(
                EngineError(f"request to {self.base_url} failed: {type(exc).__name__}: {exc}")
            )
            return got or None
        return got

    async def _multi(
        self, client: openai.AsyncOpenAI, request: Request, n: int, spec: Spec
    ) -> AsyncIterator[Reply]:
        """``n`` choices in one request, learning whether the server honours ``n``."""
        got = 0
        try:
            async for reply in self.complete(client, request, n, spec):
                got += 1
                yield reply
        except EngineError as exc:
            if n == 1 or got or not _rejects_n(exc):
                raise
        if n > 1:
            self.quirks.n = got >= n
            if not self.quirks.n:
                log.info("%s ignores n=%d; sending parallel requests", self.base_url, n)

    async def _ask(
        self, client: openai.AsyncOpenAI, request: Request, spec: Spec, out: asyncio.Queue[object]
    ) -> None:
        """Put every reply (or the EngineError) for the request's choices on ``out``."""
        greedy_raw = self.chat_when_stub and request.greedy and not request.chat
        if greedy_raw and request.n == 1 and await self._raw(client):
            await self._ask_raw_greedy(client, request, spec, out)
            return
        n = request.n
        missing: int | None = n
        if n == 1 or self.quirks.n is not False:
            got = await self._deliver(out, self._multi(client, request, n, spec))
            missing = None if got is None else n - got
        if missing:
            singles = (self.complete(client, request, 1, spec) for _ in range(missing))
            await asyncio.gather(*(self._deliver(out, r) for r in singles))

    async def _ask_raw_greedy(
        self, client: openai.AsyncOpenAI, request: Request, spec: Spec, out: asyncio.Queue[object]
    ) -> None:
        """A greedy raw completion; when it leaves the body a stub (an instruct model continuing
        a docstring often writes ``# Your code here`` / ``pass``), the same request as a chat
        for the whole function (as instruct models are scored: right more often than the body
        alone, docs/benchmarks.md "The first answer"), whose answer replaces the stub (the stub is
        kept only when the chat brings nothing)."""
        held: asyncio.Queue[object] = asyncio.Queue()
        await self._deliver(held, self._multi(client, request, 1, spec))
        items = [held.get_nowait() for _ in range(held.qsize())]
        if not any(isinstance(i, tuple) and is_stub_body(str(i[0])) for i in items):
            for item in items:
                await out.put(item)
            return
        log.info(
            "%s: the raw completion left %s a stub; asking as a chat", self.base_url, spec.name
        )
        repairs = [request.repair] if request.repair is not None else []
        [messages] = conversations(spec, repairs, whole_function=True)[:1]
        chat = replace(request, chat=True, messages=messages)
        if await self._deliver(out, self.complete(client, chat, 1, spec)):
            return
        for item in items:
            await out.put(item)

    async def _run(
        self,
        client: openai.AsyncOpenAI,
        spec: Spec,
        feedback: Sequence[Trial],
        out: asyncio.Queue[object],
    ) -> None:
        """The round's stages one after the other (see ``schedule``), then _DONE."""
        try:
            for stage in plan(spec, feedback, self.settings.candidates):
                await asyncio.gather(*(self._ask(client, r, spec, out) for r in stage))
        finally:
            out.put_nowait(_DONE)

    def _candidate(self, reply: Reply, spec: Spec) -> Candidate:
        text, finish = reply
        if finish == NO_MESSAGE:
            note = "the server sent a choice without a text message (message: null); no code"
            return Candidate(body="", engine=self.name, note=note)
        text = "\n".join(ln for ln in text.splitlines() if ln.strip() != MARKER)
        body, note = clean_reply(text, spec.name, spec.imports, spec.is_async)
        if finish == "length":
            limit = f"the reply was cut off at openai.maxTokens ({self.settings.max_tokens})"
            note = f"{limit}; {note}" if note else limit
        elif finish == "content_filter" and note:
            note = f"the reply was withheld by the server's content filter; {note}"
        return Candidate(body=body or text.strip(), engine=self.name, note=note)

    async def propose(self, spec: Spec, feedback: Sequence[Trial]) -> AsyncIterator[Candidate]:
        """Yield one candidate per choice as replies arrive; EngineError when none came."""
        self._check_key()
        out: asyncio.Queue[object] = asyncio.Queue()
        errors: list[str] = []
        produced = 0
        log.debug("asking %s (%s), %d feedback", self.base_url, self.settings.model, len(feedback))
        async with self._client() as client:
            task = asyncio.ensure_future(self._run(client, spec, feedback, out))
            try:
                while (item := await out.get()) is not _DONE:
                    if isinstance(item, EngineError):
                        errors.append(str(item))
                    else:
                        produced += 1
                        yield self._candidate(cast(Reply, item), spec)
            finally:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        log.debug(
            "%s: %d tokens at %.1f/s so far",
            self.base_url,
            self.usage.tokens,
            self.usage.per_second,
        )
        self._settle(errors, produced)

    def docstring_reader(self) -> Any:
        """A reader of docstrings on this engine's endpoint (``synthls.synth.docstring_reading``):
        one short answer per sample, greedy first."""
        from synthls.synth.openai.reading import Reader  # it builds on this module

        return Reader.of(self, samples=READING_SAMPLES, max_tokens=READING_TOKENS)

    def _check_key(self) -> None:
        """OpenAI itself always needs a key: say so before any request."""
        if self.base_url == DEFAULT_BASE_URL and self._key() is None:
            raise EngineError(
                f"${self.settings.api_key_env} is not set: set it to your OpenAI API key, or point "
                "openai.baseUrl / $OPENAI_BASE_URL at a local OpenAI-compatible server"
            )

    def _settle(self, errors: list[str], produced: int) -> None:
        """Raise the errors when nothing came; only log them when some candidates did."""
        unique = "; ".join(dict.fromkeys(errors))
        if not produced:
            raise EngineError(unique or f"{self.base_url} answered without any choices")
        if unique:
            log.warning("some requests failed: %s", unique)


def _rejects_n(exc: EngineError) -> bool:
    return str(exc).startswith(("400 ", "422 "))
