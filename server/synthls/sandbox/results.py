"""Turn the raw event stream of one child into a typed ``RunResult``, judging every example.

Everything here treats the child's events as hostile data: fields are type-checked, indexes
must arrive in order, nothing may follow ``done``, and a run only counts as complete when every
example was reported and ``done`` arrived before the child ended. Anything else is a
protocol violation and the run is ``crashed``. How the child ended (the zygote's ``end``
event: exit code, signal, kill reason) decides what happened to the example that was running.
"""

from __future__ import annotations

import asyncio
import dataclasses
import signal
from dataclasses import dataclass, field
from typing import Any

from synthls.intent.model import Example
from synthls.intent.prose_values import is_literal
from synthls.sandbox import verdict
from synthls.sandbox.types import ExampleResult, ExampleStatus, Program, RunResult, RunStatus


def _text(ev: dict[str, Any], key: str) -> str | None:
    value = ev.get(key)
    return value if isinstance(value, str) else None


def judge(example: Example, index: int, ev: dict[str, Any]) -> ExampleResult:
    """The verdict on one ``ex`` event for ``example``; never raises."""
    got = _text(ev, "got") or ""
    exc_type, exc_msg, tb = _text(ev, "exc_type"), _text(ev, "exc_msg"), _text(ev, "tb")
    base = ExampleResult(index, "failed", got, exc_type, exc_msg, tb)
    if ev.get("mem") is True:
        return dataclasses.replace(base, status="memory")
    truncated = ev.get("trunc") is True
    if truncated and example.style == "value":
        return dataclasses.replace(base, status="truncated")
    checked = example
    if example.style == "value" and not is_literal(example.want):
        want_repr = _text(ev, "want_repr")
        if want_repr is None:
            error = _text(ev, "want_error") or "no value"
            return dataclasses.replace(base, status="error", exc_msg=f"expected value: {error}")
        checked = dataclasses.replace(example, want=want_repr)
    passed, reason = verdict.decide(
        checked,
        got,
        exc_type,
        exc_msg,
        exc_only=_text(ev, "exc_only"),
        truncated=truncated and exc_type is None,
    )
    if passed:
        return dataclasses.replace(base, status="passed")
    if reason is not None:
        return dataclasses.replace(base, status="error", exc_type="VerdictError", exc_msg=reason)
    if truncated and exc_type is None:
        return dataclasses.replace(base, status="truncated")
    unexpected = exc_type is not None and (example.style == "value" or example.exc_msg is None)
    return dataclasses.replace(base, status="error" if unexpected else "failed")


@dataclass
class _Parse:
    setup_ok: bool = False
    setup_error: str | None = None
    done: bool = False
    violation: str | None = None
    examples: list[ExampleResult] = field(default_factory=list)
    probes: list[str | None] = field(default_factory=list)


def _parse(program: Program, events: list[dict[str, Any]]) -> _Parse:
    st = _Parse(probes=[None] * len(program.probes))
    for ev in events:
        if st.violation:
            break
        kind = ev.get("ev")
        idx = ev.get("i")
        if st.done:
            st.violation = "event after done"
        elif kind == "setup_ok" and not st.setup_ok and st.setup_error is None:
            st.setup_ok = True
        elif kind == "setup_error" and not st.setup_ok and st.setup_error is None:
            st.setup_error = _text(ev, "tb") or _text(ev, "exc_type") or "error"
        elif kind == "ex" and st.setup_ok and idx == len(st.examples) < len(program.examples):
            st.examples.append(judge(program.examples[idx], idx, ev))
        elif kind == "probe" and _probe_ok(st, program, idx):
            st.probes[idx] = _text(ev, "repr")  # type: ignore[index]
        elif kind == "done":
            st.done = True
        elif kind == "isolation_error":
            st.violation = "sandbox isolation failed: " + (_text(ev, "msg") or "?")
        else:
            st.violation = f"unexpected event {str(kind)[:40]!r}"
    return st


def _probe_ok(st: _Parse, program: Program, idx: Any) -> bool:
    return (
        isinstance(idx, int)
        and 0 <= idx < len(program.probes)
        and len(st.examples) == len(program.examples)
    )


def _signal_name(num: int) -> str:
    try:
        return signal.Signals(num).name
    except ValueError:
        return f"signal {num}"


def _abnormal(end: dict[str, Any], limit: float) -> tuple[RunStatus, ExampleStatus, str]:
    """Run status, status of the example that was running, and a message, for a cut-off run."""
    reason, sig, code = end.get("reason"), end.get("signal"), end.get("exit")
    if reason == "timeout":
        return "timeout", "timeout", f"still running after the {limit:g} s limit (sandbox.timeout)"
    if reason == "overflow":
        return "overflow", "truncated", "result channel flooded"
    if reason == "memory":
        return "memory", "memory", "its processes together went past the memory limit (memoryMb)"
    if reason in ("worker_died", "exit", "cancel", "lost"):
        return "crashed", "killed", f"sandbox worker: {reason}"
    if isinstance(sig, int):
        if sig in (signal.SIGXCPU, signal.SIGKILL):
            return "timeout", "timeout", f"CPU time limit ({_signal_name(sig)})"
        return "killed", "killed", f"killed by {_signal_name(sig)}"
    return "crashed", "error", f"process exited with code {code} before reporting"


def build_result(
    program: Program, events: list[dict[str, Any]], end: dict[str, Any], layers: tuple[str, ...]
) -> RunResult:
    """Judge a whole run from the child's events and the zygote's ``end`` event."""
    st = _parse(program, events)
    elapsed = float(end.get("elapsed") or 0.0)
    n = len(program.examples)
    complete = st.done and (st.setup_error is not None or len(st.examples) == n)
    if st.violation is None and complete:
        status: RunStatus = "setup_error" if st.setup_error is not None else "ok"
        if any(r.status == "memory" for r in st.examples):
            status = "memory"
        results = st.examples + [ExampleResult(i, "not_run") for i in range(len(st.examples), n)]
        return RunResult(status, tuple(results), tuple(st.probes), st.setup_error, elapsed, layers)
    cur: ExampleStatus
    if st.violation is not None or st.done:
        status, cur, msg = "crashed", "error", st.violation or "done before all examples"
    else:
        status, cur, msg = _abnormal(end, float(end.get("limit") or program.timeout))
        if st.setup_ok and len(st.examples) == n and status in ("timeout", "overflow"):
            status = "ok"  # only probes were cut off: every example has its verdict
    results = list(st.examples)
    setup_error = st.setup_error
    if not st.setup_ok and setup_error is None:
        setup_error = f"while loading the module: {msg}"
    elif len(results) < n and st.setup_ok:
        kind = "Timeout" if cur == "timeout" else "SandboxError"
        results.append(ExampleResult(len(results), cur, "", kind, msg))
    results += [ExampleResult(i, "not_run") for i in range(len(results), n)]
    return RunResult(status, tuple(results), tuple(st.probes), setup_error, elapsed, layers)


JUDGE_SECONDS = 30.0  # a whole run's verdicts, computed off the event loop, at most this long


async def build_result_off_loop(
    program: Program,
    events: list[dict[str, Any]],
    end: dict[str, Any],
    layers: tuple[str, ...],
    seconds: float = JUDGE_SECONDS,
) -> RunResult:
    """``build_result`` in a worker thread, so a hostile result cannot freeze the event loop;
    past ``seconds`` every example fails with the reason (each comparison is bounded too, so
    the thread stops soon after)."""
    try:
        return await asyncio.wait_for(
            asyncio.to_thread(build_result, program, events, end, layers), seconds
        )
    except asyncio.TimeoutError:
        return _failed(program, layers, f"judging the result took longer than {seconds:g} s")
    except Exception as exc:  # never an internal error for the whole file
        return _failed(program, layers, f"the result could not be judged ({type(exc).__name__})")


def _failed(program: Program, layers: tuple[str, ...], reason: str) -> RunResult:
    results = tuple(
        ExampleResult(i, "error", exc_type="VerdictError", exc_msg=reason)
        for i in range(len(program.examples))
    )
    return RunResult("crashed", results, (None,) * len(program.probes), None, 0.0, layers)
