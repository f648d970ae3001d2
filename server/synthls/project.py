"""Project settings: the ``[tool.synthls]`` table of the nearest pyproject.toml.

Python tools keep their per-project settings there, so a project can set, say, a longer sandbox
timeout for its slow examples once for every editor and for the CLI. The search starts at a
directory (the file's for the CLI, the workspace root for the language server) and goes up to
the first pyproject.toml that has a ``[tool.synthls]`` table; one without the table is passed
over, as ruff does. Keys are the editor settings' names, in camelCase, snake_case or kebab-case.

A project file comes with the code, so it may be someone else's: it cannot choose where the API
key goes (``openai.baseUrl``) or which variable is sent as the key (``openai.apiKeyEnv``); those
come from the editor or the environment only.

TOML is read with ``tomllib`` (Python 3.11+); on Python 3.10 with ``tomli`` when it is installed,
and otherwise project settings are skipped with a note saying so.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

_toml: ModuleType | None
try:
    import tomllib as _toml
except ModuleNotFoundError:  # Python 3.10
    try:
        import tomli as _toml  # type: ignore[no-redef, import-not-found, unused-ignore]
    except ModuleNotFoundError:
        _toml = None

# settings a project file may not set (they decide where the API key is sent)
NOT_FROM_PROJECT = {("openai", "baseurl"), ("openai", "apikeyenv")}


def _table(path: Path) -> tuple[Any, str | None]:
    """The ``[tool.synthls]`` value of ``path`` (None when absent), or a problem."""
    if _toml is None:
        return (
            None,
            f"{path}: cannot read TOML on this Python (install tomli); [tool.synthls] ignored",
        )
    try:
        with path.open("rb") as file:
            data = _toml.load(file)
    except OSError as exc:
        return None, f"{path}: cannot be read ({exc.strerror or exc}); [tool.synthls] ignored"
    except (_toml.TOMLDecodeError, UnicodeDecodeError) as exc:
        return None, f"{path}: not valid TOML ({exc}); [tool.synthls] ignored"
    tool = data.get("tool")
    return (tool.get("synthls") if isinstance(tool, Mapping) else None), None


def _key(key: object) -> str:
    return str(key).replace("_", "").replace("-", "").lower()


def _drop_unsafe(table: Mapping[str, Any], source: str, problems: list[str]) -> dict[str, Any]:
    out = dict(table)
    for key, value in table.items():
        if not isinstance(value, Mapping):
            continue
        inner = dict(value)
        for sub in value:
            if (_key(key), _key(sub)) in NOT_FROM_PROJECT:
                problems.append(
                    f"{source}{key}.{sub}: not allowed in a project file (set it in the editor "
                    "or the environment, so a project cannot send your API key elsewhere)"
                )
                del inner[sub]
        out[key] = inner
    return out


def project_settings(start: Path) -> tuple[dict[str, Any] | None, str, list[str]]:
    """(the nearest ``[tool.synthls]`` table, a prefix naming its file for problems, problems)."""
    problems: list[str] = []
    start = start.resolve()
    for directory in (start, *start.parents):
        path = directory / "pyproject.toml"
        if not path.is_file():
            continue
        table, problem = _table(path)
        source = f"{path} [tool.synthls] "
        if problem is not None:
            return None, source, [problem]
        if table is None:
            continue
        if not isinstance(table, Mapping):
            return None, source, [f"{path} [tool.synthls]: expected a table, got {table!r}"]
        return _drop_unsafe(table, source, problems), source, problems
    return None, "", problems
