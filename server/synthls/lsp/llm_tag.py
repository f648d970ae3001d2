"""Which code actions are marked as written by a language model (``CodeActionTag.LLMGenerated``).

Whether an engine writes with a language model is its own ``language_model`` attribute
(``synthls.synth.engines.language_model``); everything here asks :func:`from_language_model`.
"""

from __future__ import annotations

from collections.abc import Iterable

from lsprotocol import types

from synthls.synth.engines import language_model


def from_language_model(engine: str) -> bool:
    """Whether engine ``engine`` (a ``Synthesizer.name`` or ``Candidate.engine``) is a model."""
    return language_model(engine)


def tags_for(engines: Iterable[str], supported: bool) -> list[types.CodeActionTag] | None:
    """The tags of an action whose body comes (or will come) from ``engines``: LLMGenerated when
    every one of them is a language model and the client understands the tag; none otherwise."""
    names = list(engines)
    if supported and names and all(from_language_model(n) for n in names):
        return [types.CodeActionTag.LlmGenerated]
    return None
