"""Project settings: the ``[tool.synthls]`` table of the nearest pyproject.toml.

Python tools keep their per-project settings there, so a project can set, say, a shorter sandbox
timeout for its examples once for every editor and for the CLI. The search starts at a directory
(the file's for the CLI, the workspace root for the language server) and goes up to the first
pyproject.toml that has a ``[tool.synthls]`` table; one without the table is passed over, as ruff
does. Keys are the editor settings' names, in camelCase, snake_case or kebab-case.

A project file comes with the code, so it may be someone else's: what it may change is decided
in ``synthls.project_rules`` (``FROM_PROJECT``). Reading it is bounded too: at most ``MAX_BYTES`` are
read (a larger file is skipped with a note), a nesting too deep for the TOML parser is a note
rather than a crash, and a file is parsed again only when its size, times or inode changed.

TOML is read with ``tomllib`` (Python 3.11+); on Python 3.10 with ``tomli`` when it is installed,
and otherwise project settings are skipped with a note saying so.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from synthls.fileio import TooBig, read_capped

_toml: ModuleType | None
try:
    import tomllib as _toml
except ModuleNotFoundError:  # Python 3.10
    try:
        import tomli as _toml  # type: ignore[no-redef, import-not-found, unused-ignore]
    except ModuleNotFoundError:
        _toml = None

MAX_BYTES = 1 << 20  # a real pyproject.toml holds a few kB
_CACHE_SIZE = 32


@dataclass(frozen=True)
class Project:
    """A pyproject.toml the settings were looked for in: its ``[tool.synthls]`` table (None: it
    has none), or the problem that kept it from being read."""

    path: Path
    table: Mapping[str, Any] | None = None
    problem: str | None = None
    stamp: tuple[int, ...] = ()  # the file's device, inode, size and times when it was read
    source: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "source", f"{self.path} [tool.synthls]")


# path -> (what its stat said, what was read): the file is parsed again only when that changes
_cache: dict[Path, tuple[tuple[int, ...], Project]] = {}


def _parse(path: Path) -> Project:
    if _toml is None:
        return Project(path, problem="cannot read TOML on this Python (install tomli); ignored")
    try:
        text = read_capped(path, MAX_BYTES).decode("utf-8")
        data = _toml.loads(text)
    except TooBig as exc:
        return Project(
            path,
            problem=f"the file holds {exc.size / 1e6:.1f} MB, more than the "
            f"{MAX_BYTES / 1e6:.1f} MB synthls reads; ignored",
        )
    except OSError as exc:
        return Project(path, problem=f"cannot be read ({exc.strerror or exc}); ignored")
    except RecursionError:
        return Project(path, problem="nested too deeply to read; ignored")
    except (_toml.TOMLDecodeError, UnicodeDecodeError) as exc:
        return Project(path, problem=f"not valid TOML ({exc}); ignored")
    tool = data.get("tool")
    table = tool.get("synthls") if isinstance(tool, Mapping) else None
    if table is not None and not isinstance(table, Mapping):
        return Project(path, problem=f"expected a table, got a {type(table).__name__}; ignored")
    return Project(path, table)


def read_project(path: Path) -> Project:
    """``path``'s ``[tool.synthls]``, parsed again only when the file changed."""
    try:
        info = os.stat(path)
    except OSError as exc:
        return Project(path, problem=f"cannot be read ({exc.strerror or exc}); ignored")
    key = (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)
    cached = _cache.get(path)
    if cached is not None and cached[0] == key:
        return cached[1]
    project = dataclasses.replace(_parse(path), stamp=key)
    if len(_cache) >= _CACHE_SIZE:
        _cache.clear()
    _cache[path] = (key, project)
    return project


def find_project(start: Path) -> Project | None:
    """The nearest pyproject.toml from ``start`` up that has a ``[tool.synthls]`` table or cannot
    be read (its problem says why); None when there is none."""
    start = start.resolve()
    for directory in (start, *start.parents):
        path = directory / "pyproject.toml"
        if not path.is_file():
            continue
        project = read_project(path)
        if project.table is not None or project.problem is not None:
            return project
    return None
