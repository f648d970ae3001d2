"""Settings: one typed, fully defaulted tree.

Read from the ``[tool.synthls]`` table of the project's pyproject.toml (see ``synthls.project``),
then the client's ``initializationOptions`` / ``workspace/didChangeConfiguration`` (camelCase
keys, nested) on top, then overridden by environment variables. A bad value is reported and replaced by its
default; it never stops the server. ``$SYNTHLS_SETTINGS`` may hold a whole tree as JSON (the CLI
has no client to send one). Secrets are never settings: the API key comes only from the
environment variable named by ``openai.apiKeyEnv``.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from synthls.project import project_settings
from synthls.synth.engines import CHOICES

ENGINES = CHOICES  # the engine names and "all" (one table: synthls.synth.engines)
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
    # where someone can answer: one-token changes, ties, swapped verdicts, exchanged alternatives,
    # ignored values added
    mutants: bool = True


@dataclass(frozen=True)
class Settings:
    engine: str = "embedded"
    rounds: int = 3
    deadline: float = 300.0  # seconds for a whole request; a slow local model needs minutes
    log_level: str = "info"
    embedded: EmbeddedSettings = field(default_factory=EmbeddedSettings)
    openai: OpenAISettings = field(default_factory=OpenAISettings)
    sandbox: SandboxSettings = field(default_factory=SandboxSettings)
    diagnostics: DiagnosticsSettings = field(default_factory=DiagnosticsSettings)
    completion: CompletionSettings = field(default_factory=CompletionSettings)
    ask: AskSettings = field(default_factory=AskSettings)


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
    "candidates",
    "max_tokens",
    "timeout",
    "stall_timeout",
    "memory_mb",
}
_NON_NEGATIVE = {"retries", "parallel", "debounce_ms", "max_functions", "temperature"}
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
    if not isinstance(tree, Mapping):
        errors.append(f"${SETTINGS_ENV}: expected a JSON object, got {text!r}")
        return {}
    inner = tree.get("synthls", tree)
    return inner if isinstance(inner, Mapping) else {}


def _snake(key: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", key).lower().replace("-", "_")


def _coerce(path: str, name: str, value: Any, default: Any) -> Any:
    """Convert ``value`` to the type of ``default`` or raise ValueError with a clear message."""
    if isinstance(default, bool):
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false", "1", "0"):
            return value.lower() in ("true", "1")
        raise ValueError(f"{path}: expected true or false, got {value!r}")
    if isinstance(default, int | float):
        return _number(path, name, value, type(default))
    if value is None and default is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"{path}: expected a string, got {value!r}")
    if name in _CHOICES and value not in _CHOICES[name]:
        raise ValueError(f"{path}: expected one of {', '.join(_CHOICES[name])}, got {value!r}")
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
            raise ValueError(f"{path}: expected a finite number, got {value!r}")
    try:
        if isinstance(value, bool):
            raise TypeError
        number = kind(value)
        if kind is int and isinstance(value, float) and value != int(value):
            raise TypeError
    except (TypeError, ValueError):
        raise ValueError(f"{path}: expected a number, got {value!r}") from None
    if name in _POSITIVE and number <= 0:
        raise ValueError(f"{path}: must be greater than 0, got {value!r}")
    if name in _NON_NEGATIVE and number < 0:
        raise ValueError(f"{path}: must not be negative, got {value!r}")
    if number > maximum(name):
        raise ValueError(f"{path}: must be at most {maximum(name):g}, got {value!r}")
    return number


def _merge(obj: Any, raw: Mapping[str, Any], prefix: str, errors: list[str]) -> Any:
    fields = {f.name: f for f in dataclasses.fields(obj)}
    changes: dict[str, Any] = {}
    for key, value in raw.items():
        name = _snake(str(key))
        path = f"{prefix}{key}"
        if name not in fields:
            errors.append(f"{path}: unknown setting (ignored)")
            continue
        current = getattr(obj, name)
        if dataclasses.is_dataclass(current):
            if isinstance(value, Mapping):
                changes[name] = _merge(current, value, f"{path}.", errors)
            else:
                errors.append(f"{path}: expected an object, got {value!r}")
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


def load_settings(
    raw: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
    base: Settings | None = None,
    root: Path | None = None,
) -> tuple[Settings, list[str]]:
    """Settings from the project under ``root`` (when given), a raw client tree on top, then the
    environment; returns (settings, problems)."""
    errors: list[str] = []
    settings = base or Settings()
    if root is not None:
        table, source, errors = project_settings(root)
        settings = _merge(settings, table or {}, source, errors)
    if isinstance(raw, list | tuple) and not raw:
        raw = None  # Lua clients send an empty table as []
    if raw is not None and not isinstance(raw, Mapping):
        errors.append(f"settings: expected an object, got {raw!r}")
        raw = None
    if raw:
        inner = raw.get("synthls", raw)
        settings = _merge(settings, inner if isinstance(inner, Mapping) else {}, "", errors)
    environ = os.environ if env is None else env
    if environ.get(SETTINGS_ENV):
        settings = _merge(
            settings, _env_tree(environ[SETTINGS_ENV], errors), f"${SETTINGS_ENV} -> ", errors
        )
    for var, path in ENV_OVERRIDES.items():
        if environ.get(var):
            settings = _merge(settings, _nest(path, environ[var]), f"${var} -> ", errors)
    return settings, errors
