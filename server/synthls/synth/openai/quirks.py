"""What an endpoint turned out not to support, learned once per (base URL, model).

OpenAI-compatible servers differ in small ways: some ignore or refuse ``n`` > 1, OpenAI's reasoning
models refuse ``max_tokens`` (they want ``max_completion_tokens``) and any ``temperature`` but the
default; llama.cpp's server reuses its prompt cache when asked (``cache_prompt``), which others may
refuse as an unknown field. The engine adapts on the first refusal and remembers it for the life of the process, so
later requests (and later rounds, and other functions) go straight to what works.

``openai.mode: auto`` asks the server once what it is (``GET /models``): llama.cpp's server (its
``Server: llama.cpp`` header, or models ``owned_by`` "llamacpp") and vLLM (``owned_by`` "vllm")
continue raw code on ``/v1/completions`` without a chat template, which measured better with a
local code model (docs/benchmarks.md); anything else, or a server that does not answer, is asked
as a chat. A server that then refuses ``/v1/completions`` (404, 405, 501) is asked as a chat from
then on.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import urlsplit

import openai


@dataclass
class Quirks:
    n: bool | None = None  # does the server honour `n` > 1? None: not known yet
    token_param: str = "max_tokens"
    temperature: bool = True
    cache_prompt: bool = True  # send llama.cpp's `cache_prompt: true`
    completion: bool | None = None  # mode auto: raw /completions? None: not asked yet

    def adapt(self, exc: BaseException) -> bool:
        """Learn from a 400 naming an unsupported parameter; True when the request should be re-sent."""
        if not isinstance(exc, openai.BadRequestError):
            return False
        text = f"{exc.message} {json.dumps(exc.body, default=str)}".lower()
        if self.cache_prompt and "cache_prompt" in text:
            self.cache_prompt = False
            return True
        if self.token_param == "max_tokens" and "max_completion_tokens" in text:
            self.token_param = "max_completion_tokens"
            return True
        unsupported = ("unsupported", "not support", "only the default")
        if self.temperature and "temperature" in text and any(u in text for u in unsupported):
            self.temperature = False
            return True
        return False


RAW_SERVERS = ("llamacpp", "llama.cpp", "vllm")  # `owned_by` / `Server` of raw-completion servers
PROBE_TIMEOUT = 10.0  # seconds for the one GET /models of mode auto


async def serves_raw_completions(client: openai.AsyncOpenAI) -> bool:
    """Whether the endpoint is a server that continues raw code on ``/v1/completions`` (see the
    module's docstring); False when it does not say or cannot be asked."""
    try:
        raw = await client.models.with_raw_response.list(timeout=PROBE_TIMEOUT)
        text = raw.http_response.text
    except (openai.OpenAIError, OSError):
        return False
    if any(name in raw.headers.get("server", "").lower() for name in RAW_SERVERS):
        return True
    try:
        models = json.loads(text).get("data") or []
        owners = {str(m.get("owned_by", "")).lower() for m in models if isinstance(m, dict)}
    except (ValueError, AttributeError):
        return False
    return bool(owners & set(RAW_SERVERS))


def refuses_completions(exc: BaseException) -> bool:
    """A server's answer that it has no ``/v1/completions`` (or not for this model)."""
    return isinstance(exc, openai.APIStatusError) and exc.status_code in (404, 405, 501)


_LEARNED: dict[tuple[str, str], Quirks] = {}


def quirks_for(base_url: str, model: str) -> Quirks:
    """The shared, mutable record for this endpoint and model."""
    host = urlsplit(base_url).hostname or ""
    return _LEARNED.setdefault((base_url, model), Quirks(cache_prompt=host != "api.openai.com"))
