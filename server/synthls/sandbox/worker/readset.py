"""Which files a child may read, per trust profile (the Landlock read-only rules).

``strict`` (engine candidates): the interpreter's stdlib, its site-packages directories, system
libraries, and the packages the program imports by name when they live elsewhere (say an
editable install of the user's project) - never every ``sys.path`` entry, because an editable
install's ``.pth`` puts a project root there, with its ``.env`` next to the code. No granted
directory exposes a dotfile's contents: one that holds dot entries is granted entry by entry
(and itself only listable, so imports still find what is in it).
``user`` (the user's own code, checked like ``python -m doctest``): every ``sys.path`` entry,
the interpreter and the project directory, read-only.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import re
import site
import sys
import sysconfig
from collections.abc import Iterable

_SYSTEM = ["/usr/lib", "/usr/lib64", "/lib", "/lib64", "/usr/share/zoneinfo"]
_DEVICES = ["/etc/localtime", "/dev/null", "/dev/urandom", "/dev/zero"]
_IMPORT = re.compile(
    r"^[ \t]*(?:>>>[ \t]*)?(?:from[ \t]+([A-Za-z_]\w*)|import[ \t]+([A-Za-z_][\w \t.,]*))", re.M
)
_located: dict[str, tuple[list[str], list[str]]] = {}
ReadSet = dict[str, list[str]]  # {"read": read+execute beneath, "list": list the directory only}


def _existing(paths: Iterable[str]) -> list[str]:
    return sorted(
        {p for p in paths if p and os.path.isabs(p) and p != os.sep and os.path.exists(p)}
    )


def without_dotfiles(paths: Iterable[str]) -> tuple[list[str], list[str]]:
    """(readable, list-only): dot-named paths dropped, directories with dot entries expanded."""
    read: list[str] = []
    listed: list[str] = []
    for path in paths:
        if os.path.basename(path).startswith("."):
            continue
        try:
            names = os.listdir(path) if os.path.isdir(path) else []
        except OSError:
            names = []
        if any(n.startswith(".") for n in names):
            read += [os.path.join(path, n) for n in sorted(names) if not n.startswith(".")]
            listed.append(path)
        else:
            read.append(path)
    return read, listed


def _site_dirs() -> list[str]:
    dirs = [sysconfig.get_paths().get(k) or "" for k in ("purelib", "platlib")]
    with contextlib.suppress(AttributeError):
        dirs += site.getsitepackages()
    return dirs


def strict_base() -> ReadSet:
    """What every strict child may read (computed once, in the zygote)."""
    paths = sysconfig.get_paths()
    roots = [paths.get("stdlib") or "", paths.get("platstdlib") or "", *_site_dirs(), *_SYSTEM]
    roots += [p for p in sys.path if os.path.basename(p) == "lib-dynload"]
    read, listed = without_dotfiles(_existing(roots))
    return {"read": read + _existing(_DEVICES), "list": listed}


def user_paths(project: str | None) -> ReadSet:
    """What the user's own code may read: all of ``sys.path``, the interpreter, the project."""
    paths = [p for p in sys.path if p]
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        paths.append(sysconfig.get_paths().get(key) or "")
    paths += [*_site_dirs(), *_SYSTEM, *_DEVICES, os.path.realpath(sys.executable)]
    paths += ["/usr/bin", "/bin"]  # so its subprocesses can start
    if project and os.path.isabs(project) and os.path.isdir(project):
        paths.append(os.path.realpath(project))
    return {"read": _existing(paths), "list": []}


def imported_names(sources: Iterable[str]) -> set[str]:
    """Top-level module names of the ``import`` statements in ``sources`` (a textual scan)."""
    names: set[str] = set()
    for text in sources:
        for match in _IMPORT.finditer(text):
            if match.group(1):
                names.add(match.group(1))
                continue
            for part in match.group(2).split(","):
                head = part.strip().split(".")[0].split()
                if head and head[0].isidentifier():
                    names.add(head[0])
    return names


def _locate(name: str) -> tuple[list[str], list[str]]:
    """Where module ``name`` lives: (its package dirs or file, their parents to list)."""
    if name not in _located:
        try:
            spec = importlib.util.find_spec(name)  # top-level: imports nothing
        except (ImportError, ValueError, AttributeError):
            spec = None
        locs: list[str] = []
        if spec is not None and spec.submodule_search_locations:
            locs = [str(p) for p in spec.submodule_search_locations]
        elif spec is not None and spec.origin and os.path.isabs(spec.origin):
            locs = [spec.origin]
        read, listed = without_dotfiles(_existing(locs))
        parents = {os.path.dirname(p) for p in _existing(locs)}  # the sys.path entry, to find it
        _located[name] = (read, sorted(set(listed) | parents))
    return _located[name]


def _beneath(path: str, roots: Iterable[str]) -> bool:
    return any(path == r or path.startswith(r.rstrip(os.sep) + os.sep) for r in roots)


def extra_paths(sources: Iterable[str], base: ReadSet) -> ReadSet:
    """Where the modules ``sources`` import live, when ``base`` does not already cover it."""
    read: set[str] = set()
    listed: set[str] = set()
    for name in imported_names(sources):
        if name in sys.builtin_module_names:
            continue
        found, parents = _locate(name)
        new = [p for p in found if not _beneath(p, base["read"])]
        if new:
            read.update(new)
            listed.update(parents)
    return {"read": sorted(read), "list": sorted(listed)}
