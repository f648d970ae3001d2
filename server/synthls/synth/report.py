"""Human-readable descriptions of example results, shared by the CLI, messages and diagnostics.

Values come from the user's docstring and from the candidates' output, and may be megabytes:
every value is cut short (``short``: ``SHORT`` characters, then how long it was), and at most
``MAX_LINES`` failing examples are described, so a message stays a few kilobytes.
"""

from __future__ import annotations

from synthls.intent.model import Example
from synthls.sandbox.types import ExampleResult, RunResult

SHORT = 200  # characters of a value shown in a message
MAX_LINES = 20  # failing examples described, at most


def short(text: str, limit: int = SHORT) -> str:
    """``text`` stripped, or its first ``limit`` characters and how long it is."""
    text = text.strip()
    return text if len(text) <= limit else f"{text[: limit - 1]}… ({len(text)} chars)"


def at_most(lines: list[str], limit: int = MAX_LINES, what: str = "examples") -> list[str]:
    """The first ``limit`` lines, and one saying how many more there are."""
    if len(lines) <= limit:
        return lines
    return [*lines[:limit], f"… and {len(lines) - limit} more {what}"]


def _want(example: Example) -> str:
    if example.exc_msg:
        return f"raises {short(example.exc_msg)}"
    if example.implied_want:
        return "no output, as doctest reads it (add a line `True` below the example)"
    return short(example.want) if example.want.strip() else "no output"


def describe_result(example: Example, result: ExampleResult) -> str:
    """One line such as ``expected 6, got 5`` or ``expected 6, raised ValueError: bad``."""
    if result.status == "passed":
        return f"passed (got {short(result.got) or 'no output'})"
    want = _want(example)
    if result.status == "error":
        return f"expected {want}, raised {short(result.exc_type or '', 80)}: {short(result.exc_msg or '')}"
    if result.status == "failed":
        return f"expected {want}, got {short(result.got) or 'no output'}"
    reasons = {
        "timeout": "timed out",
        "memory": "ran out of memory",
        "killed": "was killed",
        "truncated": "printed too much output",
        "not_run": "did not run",
    }
    why = f" ({short(result.exc_msg)})" if result.status == "timeout" and result.exc_msg else ""
    return f"expected {want}, but the example {reasons.get(result.status, result.status)}{why}"


def describe_failures(examples: tuple[Example, ...], run: RunResult) -> list[str]:
    """One line per example that did not pass: ``line 12: add(1, 2): expected 3, got 4``."""
    if run.status == "setup_error" and run.setup_error:
        return [f"the module failed to load: {short(run.setup_error, 400)}"]
    lines: list[str] = []
    for ex, res in run.per_example(examples):
        if res.status != "passed":
            lines.append(f"line {ex.line + 1}: {short(ex.source, 80)}: {describe_result(ex, res)}")
    if not lines and run.status != "ok":
        lines.append(f"the run ended with status {run.status}")
    return at_most(lines, what="examples failed")
