"""What a project file may change: it may make a request cheaper and its limits tighter, never
the other way.

The project file comes with the code, so it may be someone else's; the editor's settings and the
environment are the user's own. ``FROM_PROJECT`` names the settings a project may not simply set,
and ``guard`` puts each one it may not give back to the user's value, saying what the file
changed and what it was refused (``ProjectNote``, told to the user once).
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
from dataclasses import dataclass
from typing import Any, TypeVar

from synthls.engine_table import FREE, names

S = TypeVar("S")  # the settings tree (synthls.config.Settings): any tree of dataclasses

# What a project file may do to a setting beyond the user's own value (defaults, editor,
# environment); a setting not named here it may set freely. "never": only the user's value counts
# (where the key is sent, which variable is sent as the key, which model is billed); "free": only
# an engine that sends no request; "lower": only a number below the user's.
FROM_PROJECT: dict[str, str] = {
    "openai.base_url": "never",
    "openai.api_key_env": "never",
    "openai.model": "never",
    "model.path": "never",  # the local model's file: one in the repository would be loaded
    "engine": "free",
    **dict.fromkeys(
        (
            "rounds",
            "deadline",
            "openai.candidates",
            "openai.max_tokens",
            "openai.retries",
            "openai.timeout",
            "openai.stall_timeout",
            "embedded.budget",
            "completion.budget",
            "sandbox.timeout",
            "sandbox.memory_mb",
            "sandbox.parallel",
            "diagnostics.max_functions",
            "model.idle_minutes",
            "model.threads",
            "ask.read_docstring",  # a request of its own: a project may only turn it off
        ),
        "lower",
    ),
}
_WHY = {
    "never": "only your settings choose it",
    "free": "a project may only choose an engine that sends no request",
    "lower": "a project may only lower it",
}


@dataclass(frozen=True)
class ProjectNote:
    """What a project file did to the settings: for the user, once."""

    source: str  # "/path/pyproject.toml [tool.synthls]"
    key: str  # the file and its version: told once each
    changed: tuple[str, ...] = ()  # "sandbox.timeout = 2"
    refused: tuple[str, ...] = ()  # "openai.candidates = 128 (a project may only lower it; ...)"
    problems: tuple[str, ...] = ()  # values that are not settings, or the file unreadable

    @property
    def warns(self) -> bool:
        return bool(self.refused or self.problems)

    def lines(self) -> list[str]:
        """The refusals and problems, each naming the file (for a list of problems)."""
        return [f"{self.source}: {r}" for r in (*self.refused, *self.problems)]

    def text(self) -> str:
        """One line: what the file changed, what was refused and what could not be used."""
        parts = []
        if self.changed:
            parts.append("changes " + ", ".join(self.changed))
        if self.refused:
            parts.append(
                "refused (set these in the editor or the environment): " + ", ".join(self.refused)
            )
        if self.problems:
            parts.append("ignored: " + "; ".join(self.problems))
        return f"{self.source}: " + "; ".join(parts)


def _leaves(obj: Any, prefix: str = "") -> dict[str, Any]:
    """Each setting of ``obj`` by its dotted snake_case path."""
    out: dict[str, Any] = {}
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        if dataclasses.is_dataclass(value):
            out |= _leaves(value, f"{prefix}{f.name}.")
        else:
            out[f"{prefix}{f.name}"] = value
    return out


def _replace(obj: Any, path: str, value: Any) -> Any:
    head, _, rest = path.partition(".")
    inner = _replace(getattr(obj, head), rest, value) if rest else value
    return dataclasses.replace(obj, **{head: inner})


def _camel(path: str) -> str:
    """A dotted snake_case path as the settings name it (``sandbox.memoryMb``)."""
    return re.sub(r"_([a-z])", lambda m: m.group(1).upper(), path)


def _toml_value(value: Any) -> str:
    return "unset" if value is None else json.dumps(value)


def _amount(path: str, value: Any) -> float:
    if path in ("sandbox.parallel", "model.threads") and value == 0:  # 0: one per core
        return os.cpu_count() or 1
    return float(value)


def _allowed(rule: str, path: str, project: Any, user: Any) -> bool:
    if rule == "free":
        return all(n in FREE for n in names(project))
    if rule == "lower":
        return _amount(path, project) <= _amount(path, user)
    return False


def guard(merged: S, user: S) -> tuple[S, list[str], list[str]]:
    """``merged`` (the project's layer under the user's) with each setting the project may not
    give put back to the user's; (those settings, what the project changed, what it was refused)."""
    mine = _leaves(user)
    changed, refused = [], []
    for path, value in _leaves(merged).items():
        if value == mine[path]:
            continue
        shown = f"{_camel(path)} = {_toml_value(value)}"
        rule = FROM_PROJECT.get(path)
        if rule is None or _allowed(rule, path, value, mine[path]):
            changed.append(shown)
        else:
            refused.append(f"{shown} ({_WHY[rule]}; yours: {_toml_value(mine[path])})")
            merged = _replace(merged, path, mine[path])
    return merged, changed, refused
