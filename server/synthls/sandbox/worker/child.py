"""Run one program inside an already isolated child and report raw facts, never a verdict.

The child loads ``setup`` as a module, runs each example in its globals and writes one JSON line
per event to the result pipe: what was printed (doctest style) or the repr of the value (value
style), or the exception. The parent compares with the expected output; the expected doctest
output is never even sent here. Reports are written as soon as each example finishes, so a hang
later (in a probe, say) loses nothing already measured.
"""

from __future__ import annotations

import asyncio
import builtins
import inspect
import json
import linecache
import os
import signal
import sys
import traceback
import types
from typing import Any

MODULE_NAME = "__synthls_candidate__"
_TB_FRAMES = 8
_TB_CHARS = 4000
_HERE = os.path.dirname(os.path.abspath(__file__))
_repr = builtins.repr  # captured before any candidate code can replace the builtin
# likewise the probe budget's calls: candidate code shares the `signal` module object
_set_handler, _set_timer, _set_mask = signal.signal, signal.setitimer, signal.pthread_sigmask
_SIGALRM, _SIG_IGN, _UNBLOCK, _REAL = (
    signal.SIGALRM,
    signal.SIG_IGN,
    signal.SIG_UNBLOCK,
    signal.ITIMER_REAL,
)


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


class Reporter:
    """Writes JSON lines to the result pipe; a write error means the parent is gone."""

    def __init__(self, fd: int, token: str) -> None:
        self._fd = fd
        self._prefix = token + " "

    def send(self, event: dict[str, Any]) -> None:
        line = self._prefix + json.dumps(event, ensure_ascii=False, default=repr) + "\n"
        data = line.encode("utf-8", "replace")
        view = memoryview(data)
        while view:
            written = os.write(self._fd, view)
            view = view[written:]


def _own_frame(filename: str) -> bool:
    return os.path.dirname(os.path.abspath(filename)) == _HERE if filename[:1] != "<" else False


def describe_exception(exc: BaseException) -> dict[str, Any]:
    """Type name, message (as doctest would print it) and a trimmed traceback of ``exc``."""
    etype = type(exc)
    name = etype.__qualname__
    if etype.__module__ not in ("builtins", "__main__", MODULE_NAME):
        name = f"{etype.__module__}.{name}"
    try:
        only = traceback.format_exception_only(etype, exc)
    except Exception:  # a hostile __str__ must not break the report
        only = [name + "\n"]
    line = only[-1].rstrip("\n")
    prefix = line.split(":", 1)
    msg = prefix[1][1:] if len(prefix) == 2 else ""
    try:
        tail = traceback.extract_tb(exc.__traceback__, limit=-(_TB_FRAMES + 4))  # deep ones too
        frames = [f for f in tail if not _own_frame(f.filename)]
        text = "".join(traceback.format_list(frames[-_TB_FRAMES:])) + "".join(only)
    except Exception:
        text = "".join(only)
    return {"exc_type": name, "exc_msg": msg, "tb": text[-_TB_CHARS:]}


def _settle(value: Any) -> Any:
    """Run a coroutine (or other awaitable) to completion; plain values pass through."""
    if inspect.iscoroutine(value) or inspect.isawaitable(value):

        async def _await() -> Any:
            return await value

        return asyncio.run(_await())
    return value


def _displayhook(value: Any) -> None:
    if value is None:
        return
    value = _settle(value)
    if value is None:
        return
    builtins._ = value  # type: ignore[attr-defined]
    sys.stdout.write(_repr(value) + "\n")


def _cap_repr(value: Any, cap: int) -> tuple[str, bool]:
    text = _repr(value)
    return (text[:cap], True) if len(text) > cap else (text, False)


def _run_example(i: int, ex: dict[str, Any], globs: dict[str, Any], cap: int) -> dict[str, Any]:
    out = CappedWriter(cap)
    sys.stdout = out
    sys.displayhook = _displayhook  # re-installed: the module may have replaced it
    event: dict[str, Any] = {"ev": "ex", "i": i}
    try:
        if ex.get("style") == "value":
            name = f"<example {i}>"
            value = _settle(eval(compile(ex["source"], name, "eval"), globs))
            event["got"], event["trunc"] = _cap_repr(value, cap)
            want = ex.get("want")
            if want is not None:
                try:
                    wval = _settle(eval(compile(want, f"<want {i}>", "eval"), globs))
                    event["want_repr"] = _cap_repr(wval, cap)[0]
                except BaseException as exc:
                    event["want_error"] = describe_exception(exc)["exc_type"]
        else:
            code = compile(ex["source"] + "\n", f"<example {i}>", "single")
            exec(code, globs)
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


def _load_module(setup: str, filename: str) -> dict[str, Any]:
    module = types.ModuleType(MODULE_NAME)
    module.__file__ = filename
    sys.modules[MODULE_NAME] = module
    linecache.cache[filename] = (len(setup), None, setup.splitlines(True), filename)
    exec(compile(setup, filename, "exec"), module.__dict__)
    return module.__dict__


def run(job: dict[str, Any], result_fd: int) -> None:
    """Execute ``job`` (setup, examples, probes) and report each step on ``result_fd``."""
    rep = Reporter(result_fd, job.pop("token", ""))
    cap = int(job.get("output_bytes", 1 << 20))
    for name in [n for n in sys.modules if n.startswith(__package__ or "?")]:
        del sys.modules[name]  # the harness is not importable by name from candidate code
    sys.stdout = CappedWriter(cap)
    sys.stderr = CappedWriter(cap)
    try:
        globs = _load_module(job["setup"], job.get("filename", "<candidate>"))
    except BaseException as exc:
        rep.send({"ev": "setup_error", **describe_exception(exc)})
        rep.send({"ev": "done"})
        return
    finally:
        sys.stdout = sys.__stdout__
    rep.send({"ev": "setup_ok"})
    for i, ex in enumerate(job.get("examples", ())):
        rep.send(_run_example(i, ex, globs, cap))
    probe_cap = int(job.get("probe_bytes", 4096))
    budget = float(job.get("probe_timeout") or 0.0)
    for i, src in enumerate(job.get("probes", ())):
        rep.send({"ev": "probe", "i": i, "repr": _run_probe(src, globs, probe_cap, budget)})
    rep.send({"ev": "done"})


class ProbeTimeout(BaseException):
    """Raised by SIGALRM in a probe that overran its budget (a BaseException, so a candidate's
    ``except Exception`` does not swallow it)."""


def _on_alarm(_sig: int, _frame: Any) -> None:
    raise ProbeTimeout


def _run_probe(src: str, globs: dict[str, Any], cap: int, budget: float) -> str | None:
    """The repr of probe ``src``, or None if it raised or overran ``budget`` seconds.

    The budget is a one-shot ITIMER_REAL whose handler raises ``ProbeTimeout``; the handler is
    re-installed and SIGALRM unblocked before each probe, since earlier candidate code may have
    changed either. A probe that swallows the exception or blocks the signal again is stopped by
    the zygote's wall-clock kill of the whole program (the verdicts are already reported).
    """
    try:
        _arm(budget)
        try:
            return _cap_repr(_settle(eval(src, globs)), cap)[0]
        finally:
            _disarm(budget)
    except BaseException:
        _disarm(budget)  # the alarm may have interrupted the first one
        return None


def _arm(budget: float) -> None:
    if budget > 0:
        _set_handler(_SIGALRM, _on_alarm)
        _set_mask(_UNBLOCK, (_SIGALRM,))
        _set_timer(_REAL, budget)


def _disarm(budget: float) -> None:
    if budget > 0:
        _set_handler(_SIGALRM, _SIG_IGN)  # first: no handler can raise after it
        _set_timer(_REAL, 0)
