"""Settings: one typed, fully defaulted tree.

Read from the ``[tool.synthls]`` table of the project's pyproject.toml (see ``synthls.project``),
then the client's ``initializationOptions`` / ``workspace/didChangeConfiguration`` (camelCase
keys, nested) on top, then overridden by environment variables. A bad value is reported and
replaced by its default; it never stops the server. ``$SYNTHLS_SETTINGS`` may hold a whole tree as
JSON (the CLI has no client to send one). Secrets are never settings: the API key comes only from
the environment variable named by ``openai.apiKeyEnv``.

The project file comes with the code, so it may be someone else's; the editor's settings and the
environment are the user's own. A project file may make a request cheaper and its limits tighter,
never the other way (``synthls.project_rules.FROM_PROJECT``): it cannot choose where the key is sent, which variable is
sent as the key or which model is billed; it can choose an engine only if that engine sends no
request; and the numbers that bound what a request costs or holds (rounds, candidates, tokens,
retries, deadlines, budgets, the sandbox's time, memory and parallelism) it can only lower below
the user's. What it changed and what was refused comes back as one ``ProjectNote``.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import re
import reprlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from synthls.engine_table import CHOICES
from synthls.project import find_project
from synthls.project_rules import ProjectNote, guard

ENGINES = CHOICES  # the engine choices (one table: synthls.engine_table)
LOG_LEVELS = ("error", "warning", "info", "debug")


@dataclass(frozen=True)
class OpenAISettings:
    base_url: str | None = None  # None: OPENAI_BASE_URL or the client's default
    model: str = "gpt-4o-mini"
    # "chat" (/chat/completions), "completion" (/completions, raw code) or "auto": completion for
    # llama.cpp's and vLLM's servers, chat for the rest (synthls.synth.openai.quirks)
    mode: str = "auto"
    api_key_env: str = "OPENAI_API_KEY"
    temperature: float = 0.8
    candidates: int = 5
    max_tokens: int = 768
    timeout: float = 60.0  # seconds to the first token (the server reads the prompt first)
    stall_timeout: float = 20.0  # seconds without a token in the middle of an answer
    retries: int = 2


@dataclass(frozen=True)
class EmbeddedSettings:
    budget: float = 2.0


@dataclass(frozen=True)
class SandboxSettings:
    timeout: float = 5.0
    memory_mb: int = 1024
    parallel: int = 0  # 0: number of cores


@dataclass(frozen=True)
class DiagnosticsSettings:
    enabled: bool = True
    on_change: bool = True
    debounce_ms: int = 500
    max_functions: int = 50


@dataclass(frozen=True)
class CompletionSettings:
    enabled: bool = True
    budget: float = 1.0


@dataclass(frozen=True)
class AskSettings:
    max_questions: int = 3  # questions per request when the examples are ambiguous
    ambiguous: str = "ask"  # ambiguous results: "ask", "insert" (best guess) or "never"
    # where someone can answer, a model's body faces its edge cases: one-token changes, ties,
    # swapped verdicts, exchanged alternatives, ignored values added (``ask.mutants`` before)
    edge_cases: bool = True
    # a language model engine reads the docstring's words as tests (``synth.docstring_reading``,
    # ``synth.checks.docstring_tests``); off until it is measured to pay (docs/benchmarks.md)
    read_docstring: bool = False


@dataclass(frozen=True)
class ModelSettings:
    """The local model (``synthls.localmodel``): its file and its shared server."""

    path: str = ""  # a GGUF the user already has; empty: the one of the ``local`` extra
    idle_minutes: float = 10.0  # the shared server stops after this long without a request
    threads: int = 0  # 0: every core


@dataclass(frozen=True)
class Settings:
    # "auto": the endpoint the user set, else the local model if installed, else the search
    engine: str = "auto"
    rounds: int = 3
    deadline: float = 300.0  # seconds for a whole request; a slow local model needs minutes
    log_level: str = "info"
    embedded: EmbeddedSettings = field(default_factory=EmbeddedSettings)
    openai: OpenAISettings = field(default_factory=OpenAISettings)
    sandbox: SandboxSettings = field(default_factory=SandboxSettings)
    diagnostics: DiagnosticsSettings = field(default_factory=DiagnosticsSettings)
    completion: CompletionSettings = field(default_factory=CompletionSettings)
    ask: AskSettings = field(default_factory=AskSettings)
    model: ModelSettings = field(default_factory=ModelSettings)
    # write bodies that only fit the examples (no language model read the description) where
    # nobody picks them: the CLI's --write and completion; the editor's action is a pick
    insert_fitting: bool = False


AMBIGUOUS = ("ask", "insert", "never")
MODES = ("auto", "chat", "completion")
_CHOICES: dict[str, tuple[str, ...]] = {
    "mode": MODES,
    "engine": ENGINES,
    "log_level": LOG_LEVELS,
    "ambiguous": AMBIGUOUS,
}
_POSITIVE = {
    "rounds",
    "deadline",
    "budget",
    "idle_minutes",
    "candidates",
    "max_tokens",
    "timeout",
    "stall_timeout",
    "memory_mb",
}
_NON_NEGATIVE = {
    "retries",
    "parallel",
    "debounce_ms",
    "max_functions",
    "temperature",
    "threads",
}
# the largest accepted value of each number (seconds, counts, MiB, ms); beyond it a value only
# breaks requests later (1e13 s overflows a timer, 1e15 MiB a resource limit)
_MAXIMUM: dict[str, float] = {
    "rounds": 100,
    "deadline": 3600,
    "budget": 3600,
    "candidates": 128,
    "max_tokens": 1_000_000,
    "timeout": 3600,
    "stall_timeout": 3600,
    "memory_mb": 1_048_576,
    "retries": 20,
    "parallel": 1024,
    "debounce_ms": 60_000,
    "max_functions": 100_000,
    "temperature": 2,
    "max_questions": 20,
    "idle_minutes": 1440,
    "threads": 256,
}
_DEFAULT_MAXIMUM = 1_000_000
_NON_NEGATIVE |= {"max_questions"}

# environment variable -> dotted setting path
ENV_OVERRIDES = {
    "SYNTHLS_ENGINE": "engine",
    "SYNTHLS_MODEL": "openai.model",
    "OPENAI_BASE_URL": "openai.base_url",
    "SYNTHLS_BASE_URL": "openai.base_url",
    "SYNTHLS_ROUNDS": "rounds",
    "SYNTHLS_LOG_LEVEL": "log_level",
}


SETTINGS_ENV = (
    "SYNTHLS_SETTINGS"  # a whole JSON tree, for the CLI and tests (no client to send one)
)


def _env_tree(text: str, errors: list[str]) -> Mapping[str, Any]:
    try:
        tree = json.loads(text)
    except ValueError as exc:
        errors.append(f"${SETTINGS_ENV}: not JSON ({exc})")
        return {}
    except RecursionError:
        errors.append(f"${SETTINGS_ENV}: nested too deeply to read")
        return {}
    if not isinstance(tree, Mapping):
        errors.append(f"${SETTINGS_ENV}: expected a JSON object, got {_shown(text)}")
        return {}
    inner = tree.get("synthls", tree)
    return inner if isinstance(inner, Mapping) else {}


_repr = reprlib.Repr()
_repr.maxstring = _repr.maxother = 80  # a value in a message, never a whole file's worth


def _shown(value: Any) -> str:
    """``value`` for a message: its repr, cut short (depth and length) for a huge or deep one."""
    return _repr.repr(value)


def _snake(key: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", key).lower().replace("-", "_")


def _coerce(path: str, name: str, value: Any, default: Any) -> Any:
    """Convert ``value`` to the type of ``default`` or raise ValueError with a clear message."""
    if isinstance(default, bool):
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false", "1", "0"):
            return value.lower() in ("true", "1")
        raise ValueError(f"{path}: expected true or false, got {_shown(value)}")
    if isinstance(default, int | float):
        return _number(path, name, value, type(default))
    if value is None and default is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"{path}: expected a string, got {_shown(value)}")
    if name in _CHOICES and value not in _CHOICES[name]:
        raise ValueError(
            f"{path}: expected one of {', '.join(_CHOICES[name])}, got {_shown(value)}"
        )
    return value or default


def maximum(name: str) -> float:
    """The largest value a number setting (by its snake_case name) accepts."""
    return _MAXIMUM.get(name, _DEFAULT_MAXIMUM)


def _number(path: str, name: str, value: Any, kind: type[int] | type[float]) -> int | float:
    """``value`` as a finite ``kind`` within the setting's range, or ValueError."""
    if isinstance(value, str | float) and not isinstance(value, bool):
        try:
            finite = math.isfinite(float(value))
        except ValueError:
            finite = True  # not a number at all: said below
        if not finite:
            raise ValueError(f"{path}: expected a finite number, got {_shown(value)}")
    try:
        if isinstance(value, bool):
            raise TypeError
        number = kind(value)
        if kind is int and isinstance(value, float) and value != int(value):
            raise TypeError
    except (TypeError, ValueError):
        raise ValueError(f"{path}: expected a number, got {_shown(value)}") from None
    if name in _POSITIVE and number <= 0:
        raise ValueError(f"{path}: must be greater than 0, got {_shown(value)}")
    if name in _NON_NEGATIVE and number < 0:
        raise ValueError(f"{path}: must not be negative, got {_shown(value)}")
    if number > maximum(name):
        raise ValueError(f"{path}: must be at most {maximum(name):g}, got {_shown(value)}")
    return number


# Settings under their old names: (the section, the old snake_case name) -> (the new snake_case name,
# the new name as the settings spell it). The old name is still read, and the user told to move.
RENAMED: dict[tuple[type, str], tuple[str, str]] = {
    (AskSettings, "mutants"): ("edge_cases", "ask.edgeCases"),
}


def _merge(obj: Any, raw: Mapping[str, Any], prefix: str, errors: list[str]) -> Any:
    fields = {f.name: f for f in dataclasses.fields(obj)}
    changes: dict[str, Any] = {}
    given = {_snake(str(key)) for key in raw}
    for key, value in raw.items():
        name = _snake(str(key))
        path = f"{prefix}{key}"
        if (type(obj), name) in RENAMED:
            name, shown = RENAMED[type(obj), name]
            errors.append(f"{path} is deprecated: use {shown}")
            if name in given:
                continue  # the new name is set too: it wins
        if name not in fields:
            errors.append(f"{path}: unknown setting (ignored)")
            continue
        current = getattr(obj, name)
        if dataclasses.is_dataclass(current):
            if isinstance(value, Mapping):
                changes[name] = _merge(current, value, f"{path}.", errors)
            else:
                errors.append(f"{path}: expected an object, got {_shown(value)}")
            continue
        try:
            changes[name] = _coerce(path, name, value, current)
        except ValueError as exc:
            errors.append(str(exc))
    return dataclasses.replace(obj, **changes)


def _nest(path: str, value: Any) -> dict[str, Any]:
    head, _, rest = path.partition(".")
    return {head: _nest(rest, value) if rest else value}


def override(settings: Settings, path: str, value: Any, label: str) -> tuple[Settings, list[str]]:
    """``settings`` with the dotted snake_case ``path`` set to ``value``, checked like any
    setting; a problem is named by ``label`` (e.g. the command-line flag that gave the value)."""
    errors: list[str] = []
    changed = _merge(settings, _nest(path, value), "", errors)
    return changed, [label + e[len(path) :] if e.startswith(path) else e for e in errors]


@dataclass(frozen=True)
class Loaded:
    """Settings, the problems with the editor's and the environment's values, and what the
    project file did (None: there is none, or it changed nothing)."""

    settings: Settings
    problems: list[str]
    project: ProjectNote | None = None


def _users(settings: Settings, raw: Any, environ: Mapping[str, str], errors: list[str]) -> Settings:
    """``settings`` with the user's own layers on top: the client's tree, then the environment."""
    if isinstance(raw, list | tuple) and not raw:
        raw = None  # Lua clients send an empty table as []
    if raw is not None and not isinstance(raw, Mapping):
        errors.append(f"settings: expected an object, got {_shown(raw)}")
        raw = None
    if raw:
        inner = raw.get("synthls", raw)
        settings = _merge(settings, inner if isinstance(inner, Mapping) else {}, "", errors)
    if environ.get(SETTINGS_ENV):
        settings = _merge(
            settings, _env_tree(environ[SETTINGS_ENV], errors), f"${SETTINGS_ENV} -> ", errors
        )
    for var, path in ENV_OVERRIDES.items():
        if environ.get(var):
            settings = _merge(settings, _nest(path, environ[var]), f"${var} -> ", errors)
    return settings


def load(
    raw: Any = None,
    env: Mapping[str, str] | None = None,
    base: Settings | None = None,
    root: Path | None = None,
) -> Loaded:
    """Settings from the project under ``root`` (when given; only as far as ``FROM_PROJECT``
    lets it), a raw client tree on top, then the environment."""
    errors: list[str] = []
    base = base or Settings()
    environ = os.environ if env is None else env
    user = _users(base, raw, environ, errors)
    try:
        project = find_project(root) if root is not None else None
    except (OSError, RuntimeError, ValueError) as exc:  # a symlink loop, a name too long
        errors.append(f"{root}: no pyproject.toml could be looked for ({exc}); none used")
        project = None
    if project is None:
        return Loaded(user, errors)
    key = f"{project.path} {project.stamp}"
    if project.problem is not None:
        note = ProjectNote(project.source, key, problems=(project.problem,))
        return Loaded(user, errors, note)
    bad: list[str] = []
    merged = _users(_merge(base, project.table or {}, "", bad), raw, environ, [])
    settings, changed, refused = guard(merged, user)
    if not (changed or refused or bad):
        return Loaded(settings, errors)
    note = ProjectNote(project.source, key, tuple(changed), tuple(refused), tuple(bad))
    return Loaded(settings, errors, note)


def load_settings(
    raw: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
    base: Settings | None = None,
    root: Path | None = None,
) -> tuple[Settings, list[str]]:
    """``load``'s settings and problems, the project file's refusals and problems among them."""
    loaded = load(raw, env, base, root)
    extra = loaded.project.lines() if loaded.project is not None else []
    return loaded.settings, loaded.problems + extra
