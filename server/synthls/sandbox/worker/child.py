"""Run one program inside an already isolated child and report raw facts, never a verdict.

The child loads ``setup`` as a module, runs each example (``harness``: as doctest would) and
writes one JSON line per event to the result pipe: what was printed (doctest style) or the repr
of the value (value style), or the exception. The parent compares with the expected output; the
expected doctest output is never even sent here. Reports are written as soon as each example
finishes, so a hang later (in a probe, say) loses nothing already measured.

Nothing of the reporter is reachable by walking frames from the candidate's call: the sender
lives only inside the ``map`` object that ``collections.deque`` drains in ``run`` (a value on
the evaluation stack, not a local), the token is popped from the job first, and every other
``Reporter`` made before (the spare's own) is revoked. ``gc`` or ``sys._current_frames`` still
reach it: a candidate that forges its report is no worse than one hard-coding the answers.
"""

from __future__ import annotations

import collections
import json
import os
import signal
import sys
from collections.abc import Iterator
from typing import Any

from .harness import (
    MODULE_NAME,
    CappedWriter,
    cap_repr,
    describe_exception,
    expected_values,
    load_module,
    run_example,
    settle,
)

__all__ = ["MODULE_NAME", "Reporter", "run"]
# the probe budget's calls, captured: candidate code shares the `signal` module object
_set_handler, _set_timer, _set_mask = signal.signal, signal.setitimer, signal.pthread_sigmask
_SIGALRM, _SIG_IGN, _UNBLOCK, _REAL = (
    signal.SIGALRM,
    signal.SIG_IGN,
    signal.SIG_UNBLOCK,
    signal.ITIMER_REAL,
)
_dumps, _write = json.dumps, os.write  # likewise the reporter's


class Reporter:
    """Writes JSON lines to the result pipe; a write error means the parent is gone."""

    issued: list[Reporter] = []  # every reporter made, so ``run`` can revoke the others

    def __init__(self, fd: int, token: str, *, register: bool = True) -> None:
        self._fd = fd
        self._prefix = token + " "
        if register:
            Reporter.issued.append(self)

    def revoke(self) -> None:
        self._fd, self._prefix = -1, ""

    def send(self, event: dict[str, Any]) -> None:
        line = self._prefix + _dumps(event, ensure_ascii=False, default=repr) + "\n"
        data = line.encode("utf-8", "replace")
        view = memoryview(data)
        while view:
            written = _write(self._fd, view)
            view = view[written:]


def _events(job: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Setup, examples and probes, one event each, then ``done``."""
    cap = int(job.get("output_bytes", 1 << 20))
    sys.stdout = CappedWriter(cap)
    sys.stderr = CappedWriter(cap)
    try:
        module = load_module(job["setup"], job.get("filename", "<candidate>"))
    except BaseException as exc:
        yield {"ev": "setup_error", **describe_exception(exc)}
        yield {"ev": "done"}
        return
    finally:
        sys.stdout = sys.__stdout__
    globs = dict(module)  # as doctest: the examples run in a copy of the module's globals
    yield {"ev": "setup_ok"}
    examples = list(job.get("examples", ()))
    wants = expected_values(examples, module, cap)
    for i, ex in enumerate(examples):
        yield {**run_example(i, ex, globs, cap), **wants[i]}
    probe_cap = int(job.get("probe_bytes", 4096))
    budget = float(job.get("probe_timeout") or 0.0)
    for i, src in enumerate(job.get("probes", ())):
        yield {"ev": "probe", "i": i, "repr": _run_probe(src, globs, probe_cap, budget)}
    yield {"ev": "done"}


def run(job: dict[str, Any], result_fd: int) -> None:
    """Execute ``job`` (setup, examples, probes) and report each step on ``result_fd``."""
    for old in Reporter.issued:
        old.revoke()
    Reporter.issued.clear()
    for name in [n for n in sys.modules if n.startswith(__package__ or "?")]:
        del sys.modules[name]  # the harness is not importable by name from candidate code
    collections.deque(
        map(Reporter(result_fd, job.pop("token", ""), register=False).send, _events(job)), 0
    )


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
            return cap_repr(settle(eval(src, globs)), cap)[0]
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
