"""Build the engines a request runs with, from the settings and an optional override.

``embedded``: the local search (no network). ``openai``: any OpenAI-compatible endpoint. ``all``:
both, run concurrently by the loop; a verified answer from either wins. Engines are imported
lazily so that a CLI run with one engine never pays for the other's imports.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from synthls.config import ENGINES, Settings
from synthls.synth.base import Synthesizer


def make_engines(
    settings: Settings, engine: str | None = None, env: Mapping[str, str] | None = None
) -> list[Synthesizer]:
    """The engines for ``engine`` (``embedded``, ``openai`` or ``all``; None: the settings')."""
    choice = engine or settings.engine
    if choice not in ENGINES:
        raise ValueError(f"unknown engine {choice!r}: expected one of {', '.join(ENGINES)}")
    engines: list[Synthesizer] = []
    if choice in ("embedded", "all"):
        from synthls.synth.embedded import EmbeddedSynthesizer

        engines.append(
            EmbeddedSynthesizer(
                budget=settings.embedded.budget, memory_mb=settings.sandbox.memory_mb
            )
        )
    if choice in ("openai", "all"):
        from synthls.synth.openai import OpenAISynthesizer

        engines.append(OpenAISynthesizer(settings.openai, os.environ if env is None else env))
    return engines
