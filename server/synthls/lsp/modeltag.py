"""Which code actions are marked as written by a language model (``CodeActionTag.LLMGenerated``).

The one place that decides whether an engine writes with a language model; everything else asks
:func:`from_language_model` (an attribute of the engine interface can replace its body).
"""

from __future__ import annotations

from collections.abc import Iterable

from lsprotocol import types

LANGUAGE_MODEL_ENGINES = frozenset({"openai"})


def from_language_model(engine: str) -> bool:
    """Whether engine ``engine`` (a ``Synthesizer.name`` or ``Candidate.engine``) is a model."""
    return engine in LANGUAGE_MODEL_ENGINES


def tags_for(engines: Iterable[str], supported: bool) -> list[types.CodeActionTag] | None:
    """The tags of an action whose body comes (or will come) from ``engines``: LLMGenerated when
    every one of them is a language model and the client understands the tag; none otherwise."""
    names = list(engines)
    if supported and names and all(from_language_model(n) for n in names):
        return [types.CodeActionTag.LlmGenerated]
    return None
