"""The OpenAI-compatible engine: chat completions from any endpoint, cleaned into candidates.

Works with OpenAI and anything that speaks its Chat Completions API (Azure-style proxies, Ollama,
vLLM, llama.cpp's server, LM Studio, hosted providers) through the official async ``openai``
client, so cancelling the consuming task aborts the HTTP requests. A round asks for
``candidates`` completions with the API's ``n``; a server that ignores ``n`` (returns fewer
choices) or rejects it gets the rest as parallel single requests, and is remembered. Rate limits
and server errors are retried with exponential backoff (honouring ``Retry-After``); everything
else fails fast with an :class:`EngineError` that names the fix. The API key comes only from the
environment variable named in the settings and is never logged.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator, Awaitable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

import openai

from synthls.config import OpenAISettings, Settings
from synthls.spec.model import Spec
from synthls.synth.base import Candidate, Trial
from synthls.synth.openai.clean import clean_reply
from synthls.synth.openai.errors import EngineError, describe, redact, retry_after, retryable
from synthls.synth.openai.prompt import MARKER, Message, conversations
from synthls.synth.openai.quirks import quirks_for

if TYPE_CHECKING:
    from openai.types.chat import ChatCompletionMessageParam

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.openai.com/v1"
MAX_BACKOFF = 30.0
_DONE = object()

Reply = tuple[str, str]  # (message content, finish reason)
NO_MESSAGE = "synthls:no-message"  # the finish reason given to a choice that holds no message


def split(total: int, parts: int) -> list[int]:
    """``total`` spread over ``parts`` as evenly as possible, earlier parts first (at least 1)."""
    parts = max(parts, 1)
    total = max(total, parts)
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


class OpenAISynthesizer:
    """Implements :class:`synthls.synth.base.Synthesizer` over an OpenAI-compatible endpoint."""

    name = "openai"
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

    async def _create(
        self, client: openai.AsyncOpenAI, messages: list[Message], n: int
    ) -> list[Reply]:
        options: dict[str, Any] = {self.quirks.token_param: self.settings.max_tokens}
        if self.quirks.temperature:
            options["temperature"] = self.settings.temperature
        response = await client.chat.completions.create(
            model=self.settings.model,
            messages=cast("list[ChatCompletionMessageParam]", messages),
            n=n if n > 1 else openai.omit,
            **options,
        )
        choices = getattr(response, "choices", None)
        if not isinstance(choices, list):
            raise EngineError(
                f"unexpected reply from {self.base_url}: not a chat completion "
                "(check openai.baseUrl; it usually ends in /v1)"
            )
        return [_reply(c) for c in choices]

    async def complete(
        self, client: openai.AsyncOpenAI, messages: list[Message], n: int
    ) -> list[Reply]:
        """One request for ``n`` choices, retried with backoff on 429/5xx/dropped connections,
        and re-sent at once without a parameter the server refused (see ``quirks``)."""
        attempt = 0
        while True:
            try:
                return await self._create(client, messages, n)
            except openai.OpenAIError as exc:
                if self.quirks.adapt(exc):
                    log.info("%s refused a parameter; now %s", self.base_url, self.quirks)
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

    async def _deliver(
        self, out: asyncio.Queue[object], request: Awaitable[list[Reply]]
    ) -> int | None:
        """Put the request's replies on ``out`` as they come; None (and the error) on failure."""
        try:
            replies = await request
        except EngineError as exc:
            await out.put(exc)
            return None
        except Exception as exc:  # a reply the client could not make sense of
            log.debug("request to %s failed", self.base_url, exc_info=True)
            await out.put(
                EngineError(f"request to {self.base_url} failed: {type(exc).__name__}: {exc}")
            )
            return None
        for reply in replies:
            await out.put(reply)
        return len(replies)

    async def _multi(
        self, client: openai.AsyncOpenAI, messages: list[Message], n: int
    ) -> list[Reply]:
        """``n`` choices in one request, learning whether the server honours ``n``."""
        try:
            replies = await self.complete(client, messages, n)
        except EngineError as exc:
            if n == 1 or not _rejects_n(exc):
                raise
            replies = []  # a server that refuses `n` > 1: fall back to single requests
        if n > 1:
            self.quirks.n = len(replies) >= n
            if not self.quirks.n:
                log.info("%s ignores n=%d; sending parallel requests", self.base_url, n)
        return replies

    async def _ask(
        self,
        client: openai.AsyncOpenAI,
        messages: list[Message],
        n: int,
        out: asyncio.Queue[object],
    ) -> None:
        """Put every reply (or the EngineError) for ``n`` choices on ``out`` as it arrives."""
        try:
            missing: int | None = n
            if n == 1 or self.quirks.n is not False:
                got = await self._deliver(out, self._multi(client, messages, n))
                missing = None if got is None else n - got
            if missing:
                singles = (self.complete(client, messages, 1) for _ in range(missing))
                await asyncio.gather(*(self._deliver(out, r) for r in singles))
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
        convs = conversations(spec, feedback)
        counts = split(self.settings.candidates, len(convs))
        out: asyncio.Queue[object] = asyncio.Queue()
        errors: list[str] = []
        produced = 0
        log.debug("asking %s (%s) for %s candidates", self.base_url, self.settings.model, counts)
        async with self._client() as client:
            tasks = [
                asyncio.ensure_future(self._ask(client, conv, n, out))
                for conv, n in zip(convs, counts)
            ]
            try:
                running = len(tasks)
                while running:
                    item = await out.get()
                    if item is _DONE:
                        running -= 1
                    elif isinstance(item, EngineError):
                        errors.append(str(item))
                    else:
                        produced += 1
                        yield self._candidate(cast(Reply, item), spec)
            finally:
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
        self._settle(errors, produced)

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


def _reply(choice: Any) -> Reply:
    """(content, finish reason) of one choice; a choice with no message (some servers send
    ``"message": null``) or with content that is not text gets the NO_MESSAGE reason."""
    message = getattr(choice, "message", None)
    content = getattr(message, "content", None)
    if message is None or not isinstance(content, str | None):
        return "", NO_MESSAGE
    return content or "", str(getattr(choice, "finish_reason", None))


def _rejects_n(exc: EngineError) -> bool:
    return str(exc).startswith(("400 ", "422 "))
