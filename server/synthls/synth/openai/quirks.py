"""What an endpoint turned out not to support, learned once per (base URL, model).

OpenAI-compatible servers differ in small ways: some ignore or refuse ``n`` > 1, OpenAI's reasoning
models refuse ``max_tokens`` (they want ``max_completion_tokens``) and any ``temperature`` but the
default; llama.cpp's server reuses its prompt cache when asked (``cache_prompt``), which others may
refuse as an unknown field. The engine adapts on the first refusal and remembers it for the life of the process, so
later requests (and later rounds, and other functions) go straight to what works.
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


_LEARNED: dict[tuple[str, str], Quirks] = {}


def quirks_for(base_url: str, model: str) -> Quirks:
    """The shared, mutable record for this endpoint and model."""
    host = urlsplit(base_url).hostname or ""
    return _LEARNED.setdefault((base_url, model), Quirks(cache_prompt=host != "api.openai.com"))
