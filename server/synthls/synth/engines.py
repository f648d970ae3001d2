"""The engines synthls knows: each is one module implementing ``synthls.synth.base.Synthesizer``
plus one line in ``ENGINES`` here.

``embedded``: the local search (no network). ``openai``: any OpenAI-compatible endpoint. ``all``:
every engine, run concurrently by the loop; a verified answer from any wins. A line gives the
setting's name and where the class lives; the class is imported on first use, so a CLI run with
one engine never pays for another's imports. An engine's rules are attributes of its class (see
``Synthesizer``) and it builds itself with ``from_settings``; the functions below read those
rules for callers that hold a name (the settings' choice, a candidate's ``engine``), so no other
module tests an engine's name.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping
from functools import cache
from typing import TYPE_CHECKING, Protocol, cast

from synthls.synth.base import Synthesizer

if TYPE_CHECKING:  # config imports this module for the names
    from synthls.config import Settings

ENGINES: dict[str, str] = {  # setting name -> "module:class"
    "embedded": "synthls.synth.embedded:EmbeddedSynthesizer",
    "openai": "synthls.synth.openai:OpenAISynthesizer",
}
ALL = "all"  # the choice that runs every engine
CHOICES = (*ENGINES, ALL)
INLINE = "embedded"  # what inline completion runs: local, free, bounded by its budget


class EngineClass(Protocol):
    """An engine's class as the table names it: its rules, and how it is built."""

    name: str
    needs_examples: bool
    uses_feedback: bool
    votes_once_per_behaviour: bool
    holds_out: bool
    language_model: bool

    def from_settings(self, settings: Settings, env: Mapping[str, str]) -> Synthesizer: ...


@cache
def engine_class(name: str) -> EngineClass | None:
    """The class of the engine ``name`` (imported now), or None for a name not in the table."""
    where = ENGINES.get(name)
    if where is None:
        return None
    module, _, attr = where.partition(":")
    return cast(EngineClass, getattr(importlib.import_module(module), attr))


def names(choice: str) -> list[str]:
    """The engines ``choice`` (a name or ``all``) runs; ValueError for an unknown choice."""
    if choice == ALL:
        return list(ENGINES)
    if choice not in ENGINES:
        raise ValueError(f"unknown engine {choice!r}: expected one of {', '.join(CHOICES)}")
    return [choice]


def make_engines(
    settings: Settings, engine: str | None = None, env: Mapping[str, str] | None = None
) -> list[Synthesizer]:
    """The engines for ``engine`` (a name or ``all``; None: the settings')."""
    environ = os.environ if env is None else env
    return [_class(n).from_settings(settings, environ) for n in names(engine or settings.engine)]


def needs_examples(choice: str) -> bool:
    """Whether every engine of ``choice`` needs examples (so a request without any is refused)."""
    return all(_class(n).needs_examples for n in names(choice))


def votes_once_per_behaviour(engine: str) -> bool:
    """Whether the candidates of ``engine`` (a ``Candidate.engine``) count once per behaviour;
    False for names that are not engines ("current", a test's engine)."""
    cls = engine_class(engine)
    return cls is not None and cls.votes_once_per_behaviour


def language_model(engine: str) -> bool:
    """Whether ``engine`` (a ``Candidate.engine`` or settings name) writes with a language model
    (its code actions carry the LLM-generated tag); False for names that are not engines."""
    cls = engine_class(engine)
    return cls is not None and cls.language_model


def _class(name: str) -> EngineClass:
    cls = engine_class(name)
    assert cls is not None, name  # names() checked it
    return cls
