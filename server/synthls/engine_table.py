"""The engines by name: which exist, where each lives, and the choices the ``engine`` setting takes.

Plain data below both the settings (which check a choice, and what a project file may choose) and
``synthls.synth.engines`` (which builds the engines), so neither imports the other for it.
"""

from __future__ import annotations

ENGINES: dict[str, str] = {  # setting name -> "module:class"
    "embedded": "synthls.synth.embedded:EmbeddedSynthesizer",
    "openai": "synthls.synth.openai:OpenAISynthesizer",
    "local": "synthls.synth.openai.local:LocalModelSynthesizer",
}
ALL = "all"  # the choice that runs the search and the endpoint together
RUN_BY_ALL = ("embedded", "openai")
AUTO = "auto"  # the choice that picks one engine per request (synthls.synth.engines.auto)
CHOICES = (AUTO, *ENGINES, ALL)
FREE = ("embedded",)  # engines that send no request anywhere: the only ones a project may choose
NO_LOCAL_ENV = "SYNTHLS_NO_LOCAL_MODEL"  # set (tests, CI): auto never picks the local model
INLINE = "embedded"  # what inline completion runs: local, free, bounded by its budget


def names(choice: str) -> list[str]:
    """The engines ``choice`` (a name, ``all`` or ``auto``) may run; ValueError for an unknown
    choice. For ``auto`` that is every engine it can pick (``synth.engines.resolve`` picks one)."""
    if choice == ALL:
        return list(RUN_BY_ALL)
    if choice == AUTO:
        return list(ENGINES)
    if choice not in ENGINES:
        raise ValueError(f"unknown engine {choice!r}: expected one of {', '.join(CHOICES)}")
    return [choice]
