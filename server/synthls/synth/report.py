"""Human-readable descriptions of example results, shared by the CLI, messages and diagnostics."""

from __future__ import annotations

from synthls.sandbox.types import ExampleResult, RunResult
from synthls.spec.model import Example


def _short(text: str, limit: int = 200) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _want(example: Example) -> str:
    if example.exc_msg:
        return f"raises {_short(example.exc_msg)}"
    if example.implied_want:
        return "no output, as doctest reads it (add a line `True` below the example)"
    return _short(example.want) if example.want.strip() else "no output"


def describe_result(example: Example, result: ExampleResult) -> str:
    """One line such as ``expected 6, got 5`` or ``expected 6, raised ValueError: bad``."""
    if result.status == "passed":
        return f"passed (got {_short(result.got) or 'no output'})"
    want = _want(example)
    if result.status == "error":
        return f"expected {want}, raised {result.exc_type}: {_short(result.exc_msg or '')}"
    if result.status == "failed":
        return f"expected {want}, got {_short(result.got) or 'no output'}"
    reasons = {
        "timeout": "timed out",
        "memory": "ran out of memory",
        "killed": "was killed",
        "truncated": "printed too much output",
        "not_run": "did not run",
    }
    why = f" ({_short(result.exc_msg)})" if result.status == "timeout" and result.exc_msg else ""
    return f"expected {want}, but the example {reasons.get(result.status, result.status)}{why}"


def describe_failures(examples: tuple[Example, ...], run: RunResult) -> list[str]:
    """One line per example that did not pass: ``line 12: add(1, 2): expected 3, got 4``."""
    if run.status == "setup_error" and run.setup_error:
        return [f"the module failed to load: {_short(run.setup_error, 400)}"]
    lines: list[str] = []
    for ex, res in run.per_example(examples):
        if res.status != "passed":
            lines.append(f"line {ex.line + 1}: {_short(ex.source, 80)}: {describe_result(ex, res)}")
    if not lines and run.status != "ok":
        lines.append(f"the run ended with status {run.status}")
    return lines
