"""How the child loads the module and runs one example, as ``doctest`` would. Stdlib only.

Loading: the text is compiled with ``dont_inherit=True`` (the harness's own ``__future__``
imports never leak into the module), a UTF-8 BOM is dropped, and a module checked from a real
file gets that file's ``__file__`` and its name (the file's stem), as ``python -m doctest`` gives
it. ``>>>`` examples run like ``DocTestRunner`` runs them: compiled in "single" mode with the
module's ``__future__`` flags, in a copy of the module's globals, output captured, and an
exception reported as ``traceback.format_exception_only`` prints it (what doctest compares).
Value-style wants that are not literals are evaluated before any example runs, in a copy of the
globals with the builtins as they were before any candidate code, so a body that rebinds
``sum`` cannot change what it is compared with. Only raw facts are produced; no verdict.
"""

from __future__ import annotations
import __future__

import asyncio
import builtins
import inspect
import linecache
import os
import sys
import traceback
import types
from typing import Any

MODULE_NAME = "__synthls_candidate__"
_TB_FRAMES = 8
_TB_CHARS = 4000
_HERE = os.path.dirname(os.path.abspath(__file__))
_repr = builtins.repr  # captured before any candidate code can replace the builtin
_BUILTINS = dict(builtins.__dict__)  # likewise, for evaluating expected values


class CappedWriter:
    """A text sink that keeps at most ``cap`` characters and remembers it dropped the rest."""

    def __init__(self, cap: int) -> None:
        self._parts: list[str] = []
        self._size = 0
        self._cap = cap
        self.truncated = False
        self.encoding = "utf-8"
        self.errors = "strict"

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        room = self._cap - self._size
        if len(text) > room:
            self.truncated = True
            text = text[: max(room, 0)]
        if text:
            self._parts.append(text)
            self._size += len(text)
        return len(text)

    def flush(self) -> None:
        return None

    def isatty(self) -> bool:
        return False

    def writable(self) -> bool:
        return True

    def getvalue(self) -> str:
        return "".join(self._parts)


def module_name(filename: str) -> str:
    """The module's ``__name__``: the stem of a real file, else a private name."""
    if filename[:1] == "<" or not os.path.isabs(filename):
        return MODULE_NAME
    stem = os.path.basename(filename).rsplit(".", 1)[0]
    return stem or MODULE_NAME


def load_module(setup: str, filename: str) -> dict[str, Any]:
    """Execute ``setup`` as a module named after ``filename``; its globals."""
    setup = setup.removeprefix("\ufeff")
    name = module_name(filename)
    module = types.ModuleType(name)
    module.__file__ = filename
    if name == MODULE_NAME or name not in sys.modules:  # never shadow a module already loaded
        sys.modules[name] = module
    linecache.cache[filename] = (len(setup), None, setup.splitlines(True), filename)
    exec(compile(setup, filename, "exec", dont_inherit=True), module.__dict__)
    return module.__dict__


def _own_frame(filename: str) -> bool:
    return os.path.dirname(os.path.abspath(filename)) == _HERE if filename[:1] != "<" else False


def _exception_only(exc: BaseException) -> list[str]:
    """doctest's text of an exception: ``format_exception_only``, a SyntaxError's carets cut;
    the first element is the ``Type: message`` one (notes follow it)."""
    lines = traceback.format_exception_only(type(exc), exc)
    if isinstance(exc, SyntaxError):
        names = (type(exc).__qualname__ + ":", f"{type(exc).__module__}.{type(exc).__qualname__}:")
        start = next((i for i, line in enumerate(lines) if line.startswith(names)), 0)
        lines = lines[start:]
    prefix = MODULE_NAME + "."  # a candidate's own module reads as the user's __main__
    if lines and lines[0].startswith(prefix):
        lines[0] = lines[0][len(prefix) :]
    return lines


def describe_exception(exc: BaseException) -> dict[str, Any]:
    """Type name, message, doctest's text of it and a trimmed traceback of ``exc``."""
    etype = type(exc)
    name = etype.__qualname__
    if etype.__module__ not in ("builtins", "__main__", MODULE_NAME):
        name = f"{etype.__module__}.{name}"
    try:
        lines = _exception_only(exc) or [name + "\n"]
    except Exception:  # a hostile __str__ must not break the report
        lines = [name + "\n"]
    only = "".join(lines)
    prefix = lines[0].split(":", 1)
    msg = prefix[1][1:].rstrip("\n") if len(prefix) == 2 else ""
    try:
        tail = traceback.extract_tb(exc.__traceback__, limit=-(_TB_FRAMES + 4))  # deep ones too
        frames = [f for f in tail if not _own_frame(f.filename)]
        text = "".join(traceback.format_list(frames[-_TB_FRAMES:])) + only
    except Exception:
        text = only
    return {
        "exc_type": name,
        "exc_msg": msg,
        "exc_only": only[-_TB_CHARS:],
        "tb": text[-_TB_CHARS:],
    }


def settle(value: Any) -> Any:
    """Run a coroutine (or other awaitable) to completion; plain values pass through."""
    if inspect.iscoroutine(value) or inspect.isawaitable(value):

        async def _await() -> Any:
            return await value

        return asyncio.run(_await())
    return value


def _displayhook(value: Any) -> None:
    """``sys.__displayhook__`` as doctest sees it (a coroutine shows as itself, not awaited)."""
    if value is None:
        return
    builtins._ = value  # type: ignore[attr-defined]
    sys.stdout.write(_repr(value) + "\n")


def cap_repr(value: Any, cap: int) -> tuple[str, bool]:
    text = _repr(value)
    return (text[:cap], True) if len(text) > cap else (text, False)


def _future_flags(globs: dict[str, Any]) -> int:
    """doctest's ``_extract_future_flags``: the module's ``__future__`` imports, as bits."""
    flags = 0
    for name in __future__.all_feature_names:
        feature: Any = getattr(__future__, name)
        flag = int(getattr(feature, "compiler_flag", 0))
        if globs.get(name) is feature:
            flags |= flag
    return flags


def expected_values(examples: list[dict[str, Any]], globs: dict[str, Any], cap: int) -> list[Any]:
    """Per example: ``{"want_repr": ...}`` / ``{"want_error": ...}`` for a value want to
    evaluate, else ``{}``; run before any example, out of the candidate's reach."""
    scope = {**globs, "__builtins__": dict(_BUILTINS)}
    out: list[Any] = []
    for i, ex in enumerate(examples):
        want = ex.get("want") if ex.get("style") == "value" else None
        if want is None:
            out.append({})
            continue
        try:
            value = settle(eval(compile(want, f"<want {i}>", "eval", dont_inherit=True), scope))
            out.append({"want_repr": cap_repr(value, cap)[0]})
        except BaseException as exc:
            out.append({"want_error": describe_exception(exc)["exc_type"]})
    return out


def run_example(i: int, ex: dict[str, Any], globs: dict[str, Any], cap: int) -> dict[str, Any]:
    """Run example ``i`` in ``globs``; the raw facts as an ``ex`` event."""
    out = CappedWriter(cap)
    sys.stdout = out
    sys.displayhook = _displayhook  # re-installed: the module may have replaced it
    event: dict[str, Any] = {"ev": "ex", "i": i}
    try:
        if ex.get("style") == "value":
            code = compile(ex["source"], f"<example {i}>", "eval", dont_inherit=True)
            event["got"], event["trunc"] = cap_repr(settle(eval(code, globs)), cap)
        else:
            flags = _future_flags(globs)
            exec(compile(ex["source"] + "\n", f"<example {i}>", "single", flags, True), globs)
    except MemoryError as exc:
        event.update(describe_exception(exc))
        event["mem"] = True
    except BaseException as exc:  # SystemExit, KeyboardInterrupt... are results too
        event.update(describe_exception(exc))
    finally:
        sys.stdout = sys.__stdout__
    if ex.get("style") != "value":
        event["got"] = out.getvalue()
        event["trunc"] = out.truncated
    elif out.truncated:
        event["trunc"] = True
    return event
