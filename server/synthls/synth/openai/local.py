"""The ``local`` engine: the OpenAI-compatible engine on the user's own shared local model.

Before its first request it makes sure the one llama.cpp server of ``synthls.localmodel`` runs
(started on first need, off the event loop, with the request's progress saying so, and shared with
every other editor window and CLI run), then asks it as it asks any llama.cpp server, with the
server's private key. Its bodies are a language model's, like ``openai``'s; it costs nothing.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Mapping, Sequence

from synthls.config import Settings
from synthls.intent.model import Spec
from synthls.localmodel import shared
from synthls.localmodel.weights import ModelError, source
from synthls.synth.engine_protocol import Candidate, Trial, waiting
from synthls.synth.openai.engine import OpenAISynthesizer
from synthls.synth.openai.errors import EngineError
from synthls.synth.openai.quirks import quirks_for

KEY_ENV = "SYNTHLS_LOCAL_MODEL_KEY"  # only in this engine's own copy of the environment


class LocalModelSynthesizer(OpenAISynthesizer):
    """Implements :class:`synthls.synth.engine_protocol.Synthesizer` on the shared local model."""

    name = "local"

    @classmethod
    def from_settings(cls, settings: Settings, env: Mapping[str, str]) -> LocalModelSynthesizer:
        # the local server decodes one request at a time and queues the rest: a request's wait
        # for its first token includes the queue, which the request's deadline bounds anyway
        waits = max(settings.openai.timeout, settings.deadline)
        engine = cls(dataclasses.replace(settings.openai, timeout=waits), env)
        engine.model = settings.model
        return engine

    model = Settings().model

    async def propose(self, spec: Spec, feedback: Sequence[Trial]) -> AsyncIterator[Candidate]:
        await self._connect_local()
        async for candidate in super().propose(spec, feedback):
            yield candidate

    async def _connect_local(self) -> None:
        loop = asyncio.get_running_loop()

        def told(message: str) -> None:  # from the starting thread to the request's progress
            loop.call_soon_threadsafe(waiting, message)

        model = source(self.model.path or None)
        options = shared.Options(idle=self.model.idle_minutes * 60, threads=self.model.threads)
        try:
            record = await asyncio.to_thread(shared.ensure, model, options, on_wait=told)
        except ModelError as exc:
            raise EngineError(f"the local model: {exc}") from None
        if record.base_url.rstrip("/") != self.base_url or self.settings.model != record.name:
            self.base_url = record.base_url.rstrip("/")
            self.settings = dataclasses.replace(
                self.settings, base_url=self.base_url, model=record.name, api_key_env=KEY_ENV
            )
            self.quirks = quirks_for(self.base_url, record.name)
        self._env = {**self._env, KEY_ENV: record.api_key or "synthls-no-key"}
