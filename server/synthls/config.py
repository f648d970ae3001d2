"""Settings: one typed, fully defaulted tree.

Read from the client's ``initializationOptions`` / ``workspace/didChangeConfiguration`` (camelCase
keys, nested), then overridden by environment variables. A bad value is reported and replaced by its
default; it never stops the server. Secrets are never settings: the API key comes only from the
environment variable named by ``openai.apiKeyEnv``.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

ENGINES = ("embedded", "openai", "all")
LOG_LEVELS = ("error", "warning", "info", "debug")


@dataclass(frozen=True)
class OpenAISettings:
    base_url: str | None = None  # None: OPENAI_BASE_URL or the client's default
    model: str = "gpt-4o-mini"
    api_key_env: str = "OPENAI_API_KEY"
    temperature: float = 0.8
    candidates: int = 5
    max_tokens: int = 768
    timeout: float = 60.0
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


@dataclass(frozen=True)
class Settings:
    engine: str = "embedded"
    rounds: int = 3
    deadline: float = 30.0
    log_level: str = "info"
    embedded: EmbeddedSettings = field(default_factory=EmbeddedSettings)
    openai: OpenAISettings = field(default_factory=OpenAISettings)
    sandbox: SandboxSettings = field(default_factory=SandboxSettings)
    diagnostics: DiagnosticsSettings = field(default_factory=DiagnosticsSettings)
    completion: CompletionSettings = field(default_factory=CompletionSettings)
    ask: AskSettings = field(default_factory=AskSettings)


AMBIGUOUS = ("ask", "insert", "never")
_CHOICES: dict[str, tuple[str, ...]] = {
    "engine": ENGINES,
    "log_level": LOG_LEVELS,
    "ambiguous": AMBIGUOUS,
}
_POSITIVE = {"rounds", "deadline", "budget", "candidates", "max_tokens", "timeout", "memory_mb"}
_NON_NEGATIVE = {"retries", "parallel", "debounce_ms", "max_functions", "temperature"}
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


def _snake(key: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", key).lower()


def _coerce(path: str, name: str, value: Any, default: Any) -> Any:
    """Convert ``value`` to the type of ``default`` or raise ValueError with a clear message."""
    if isinstance(default, bool):
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false", "1", "0"):
            return value.lower() in ("true", "1")
        raise ValueError(f"{path}: expected true or false, got {value!r}")
    if isinstance(default, int | float):
        kind = type(default)
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
        return number
    if value is None and default is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"{path}: expected a string, got {value!r}")
    if name in _CHOICES and value not in _CHOICES[name]:
        raise ValueError(f"{path}: expected one of {', '.join(_CHOICES[name])}, got {value!r}")
    return value or default


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


def _nest(path: str, value: str) -> dict[str, Any]:
    head, _, rest = path.partition(".")
    return {head: _nest(rest, value) if rest else value}


def load_settings(
    raw: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
    base: Settings | None = None,
) -> tuple[Settings, list[str]]:
    """Settings from a raw client tree plus the environment; returns (settings, problems)."""
    errors: list[str] = []
    settings = base or Settings()
    if isinstance(raw, list | tuple) and not raw:
        raw = None  # Lua clients send an empty table as []
    if raw is not None and not isinstance(raw, Mapping):
        errors.append(f"settings: expected an object, got {raw!r}")
        raw = None
    if raw:
        inner = raw.get("synthls", raw)
        settings = _merge(settings, inner if isinstance(inner, Mapping) else {}, "", errors)
    environ = os.environ if env is None else env
    for var, path in ENV_OVERRIDES.items():
        if environ.get(var):
            settings = _merge(settings, _nest(path, environ[var]), f"${var} -> ", errors)
    return settings, errors
