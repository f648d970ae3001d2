"""Chat messages for the model: the task, its context within a size budget, and feedback.

The task asks for the function's body. Asking for the whole function instead, as instruct
models are scored (EvalPlus's prompt, ``function_prompt``), made the 1.5B model's first answer
right far more often on HumanEval (docs/benchmarks.md, "The first answer"), but in a file with
several functions the model rewrote all of them (replies cut off at ``openai.maxTokens``), so it
is not the default until that is measured and mended. A ``#`` comment inside a written function
asks for the new statements only, at a marker.

Round 1 sends one conversation. Later rounds send one conversation per candidate being repaired:
the original task, the candidate as the model's own answer, then the failing examples (input,
expected, got, or the exception with a trimmed traceback) and a request to fix it — the seed
paper's dialog with feedback, made automatic.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Sequence

from synthls.intent.model import Example, Spec
from synthls.sandbox.types import RunResult
from synthls.synth.engine_protocol import Trial
from synthls.synth.report import describe_result

Message = dict[str, str]

PROMPT_BUDGET = 12_000  # characters of user prompt (about 3k tokens)
MAX_FAILURES = 5  # failing examples described per candidate
TRACEBACK_LINES = 6

SYSTEM = (
    "You are an expert Python programmer. You write the body of one Python function so that it "
    "does what its docstring says and passes every example in it. Reply with the function body "
    "only (the statements that follow the docstring), in one ```python code block, with no "
    "explanation. Do not repeat the signature or the docstring. Use the standard library and the "
    "names the file already defines or imports; put any other import inside the body."
)


def _fence(code: str) -> str:
    return f"```python\n{code.rstrip()}\n```"


def _header(spec: Spec, body: str | None = None) -> str:
    """The signature (with decorators and class) and the docstring, as in the file, then ``body``."""
    sig = spec.signature.strip()
    if not sig:
        params = ", ".join(p.name for p in spec.params)
        ret = f" -> {spec.returns}" if spec.returns else ""
        sig = f"{'async ' if spec.is_async else ''}def {spec.name}({params}){ret}:"
    lines = [f"@{d.lstrip('@')}" for d in spec.decorators if not sig.startswith("@")]
    lines.append(sig)
    if spec.docstring:
        doc = inspect.cleandoc(spec.docstring).replace('"""', '\\"\\"\\"')
        doc = doc if len(doc) <= PROMPT_BUDGET // 2 else doc[: PROMPT_BUDGET // 2] + "\n..."
        doc_lines = doc.splitlines() or [""]
        lines.append('    """' + doc_lines[0])
        lines.extend(("    " + ln if ln.strip() else "") for ln in doc_lines[1:])
        lines.append('    """')
    if body:
        lines.extend(("    " + ln if ln.strip() else "") for ln in body.splitlines())
    text = "\n".join(lines)
    if spec.class_name:
        text = f"class {spec.class_name}:\n    ...\n" + "\n".join(
            "    " + ln if ln else "" for ln in text.splitlines()
        )
    return text


def _expectation(example: Example) -> str:
    if example.exc_msg:
        return f"raises {example.exc_msg.strip()}"
    want = example.want.strip()
    return want if want else "(no output)"


def examples_text(examples: Sequence[Example]) -> str:
    return "\n".join(f"- `{ex.source.strip()}` gives `{_expectation(ex)}`" for ex in examples)


def _fit(text: str, budget: int) -> str:
    """``text`` cut at a line boundary to at most ``budget`` characters (empty when no room)."""
    if len(text) <= budget:
        return text
    out: list[str] = []
    used = 0
    for line in text.splitlines():
        if used + len(line) + 1 > budget - 4:
            break
        out.append(line)
        used += len(line) + 1
    return "\n".join([*out, "..."]) if out else ""


_STUB_LINE = re.compile(r"(\.\.\.|pass|raise NotImplementedError(\(.*\))?)")


def is_stub_body(body: str) -> bool:
    """Whether ``body`` holds no code: only ``pass``, ``...``, ``raise NotImplementedError`` and
    comments (``# Your code here``), or nothing."""
    lines = [ln.strip() for ln in body.splitlines() if ln.strip()]
    code = [ln for ln in lines if not ln.startswith("#")]
    return all(_STUB_LINE.fullmatch(ln) for ln in code)


MARKER = "# <-- the new code goes here"


def _real_body(spec: Spec) -> str | None:
    """The current body unless it is only a stub (``...``, ``pass``, ``raise NotImplementedError``)."""
    body = (spec.current_body or "").strip()
    lines = [ln.strip() for ln in body.splitlines() if ln.strip()]
    return None if all(_STUB_LINE.fullmatch(ln) for ln in lines) else body


def _with_marker(body: str, comment: str) -> str:
    """``body`` with MARKER right after the comment (appended with it when not found)."""
    lines = body.splitlines()
    wanted = [ln.strip() for ln in comment.strip().splitlines() if ln.strip()]
    plain = [ln.strip().lstrip("#").strip() for ln in lines]
    for i in range(len(lines) - len(wanted), -1, -1):
        if wanted and plain[i : i + len(wanted)] == wanted:
            end = i + len(wanted)
            indent = lines[end - 1][: len(lines[end - 1]) - len(lines[end - 1].lstrip())]
            return "\n".join([*lines[:end], indent + MARKER, *lines[end:]])
    return "\n".join([*lines, *("# " + w for w in wanted), MARKER])


def _task(spec: Spec) -> list[str]:
    existing = _real_body(spec)
    if spec.comment and existing:  # a comment inside a written function: insert, keep the rest
        shown = _header(spec, _with_marker(existing, spec.comment))
        return [
            f"In `{spec.name}` below, write the code that goes where the marker is, right after the comment "
            f"`# {spec.comment.strip()}`, doing what the comment asks. The code around it stays as it is.",
            _fence(shown),
            "Reply with only the new statements (not the whole function), in one ```python code block.",
        ]
    task = [f"Write the body of `{spec.name}`:", _fence(_header(spec))]
    if spec.comment:
        task.append(f"It should do what this comment asks: {spec.comment.strip()}")
    if existing:
        task.append("The current body, to be replaced:\n" + _fence(existing))
    task.append("Reply with the body only, in one ```python code block.")
    return task


def task_prompt(spec: Spec, budget: int = PROMPT_BUDGET) -> str:
    """The user message: context (imports, nearby signatures, constants), then the function."""
    task = _task(spec)
    if spec.examples:
        task.insert(-1, "It must make these examples pass:\n" + examples_text(spec.examples))
    else:
        task.insert(-1, "The docstring has no examples; follow its description.")
    core = "\n\n".join(task)
    room = budget - len(core)
    parts: list[str] = []
    for title, text in (
        ("The file's imports:", "\n".join(spec.imports)),
        ("Other code in the file (signatures and constants):", spec.context),
    ):
        text = _fit(text.strip(), room - len(title) - 20)
        if text:
            block = f"{title}\n{_fence(text)}"
            parts.append(block)
            room -= len(block) + 2
    return "\n\n".join([*parts, core])


def _trim_traceback(tb: str) -> str:
    lines = [ln for ln in tb.strip().splitlines() if ln.strip()]
    if len(lines) > TRACEBACK_LINES:
        lines = ["Traceback (most recent call last, trimmed):", *lines[-TRACEBACK_LINES + 1 :]]
    return "\n".join("    " + ln for ln in lines)


def failure_lines(examples: Sequence[Example], run: RunResult) -> list[str]:
    """One entry per failing example: input, expected, got or exception (+ trimmed traceback)."""
    out: list[str] = []
    for ex, res in run.per_example(examples):
        if res.passed:
            continue
        entry = f"- `{ex.source.strip()}`: {describe_result(ex, res)}"
        if res.status == "error" and res.traceback:
            entry += "\n" + _trim_traceback(res.traceback)
        out.append(entry)
    return out


def feedback_prompt(spec: Spec, item: Trial, whole_function: bool = False) -> str:
    """The user turn that reports what went wrong with ``item`` and asks for a fix."""
    run, note = item.result, item.candidate.note
    if note:
        head = f"That answer cannot be used: {note}."
    elif run.status == "setup_error" and run.setup_error:
        head = "That body fails before any example runs:\n" + _trim_traceback(run.setup_error)
    else:
        fails = failure_lines(spec.examples, run)
        shown = fails[:MAX_FAILURES]
        more = len(fails) - len(shown)
        head = f"That body passes {run.passed} of {len(spec.examples)} examples. Failing:\n"
        head += "\n".join(shown) + (f"\n(and {more} more)" if more > 0 else "")
        if run.status not in ("ok", "setup_error"):
            head += f"\nThe run ended with status: {run.status}."
    if whole_function:
        return (
            head.replace("That body", "That function", 1)
            + "\n\nFix the function so every example passes. Reply with the corrected function, in one ```python code block."
        )
    return (
        head
        + "\n\nFix the body so every example passes. Reply with the corrected body only, in one ```python code block."
    )


FUNCTION_SYSTEM = (
    "You are an expert Python programmer. You write Python functions that do what their "
    "docstring says and pass every example in it. Use the standard library and the names the "
    "file already defines or imports. Reply with the code in one ```python code block."
)


def other_code(spec: Spec) -> str:
    """The file's other signatures and constants without the function's own signature line:
    ``def f(...): ...`` just above the function teaches the model to leave it a stub."""
    own = (f"def {spec.name}(", f"async def {spec.name}(")
    return "\n".join(ln for ln in spec.context.splitlines() if not ln.lstrip().startswith(own))


SCRIPT_INSTRUCTION = (
    "Please provide a self-contained Python script that solves the following problem in a "
    "markdown code block:"
)


def function_prompt(spec: Spec, budget: int = PROMPT_BUDGET) -> str:
    """The user message that asks for the whole function as code models are trained and scored
    (EvalPlus's instruct prompt): the file's imports, its other signatures and constants, then
    the function's signature and docstring, in one fence under one line of instruction."""
    head = _header(spec)
    room = budget - len(head) - len(SCRIPT_INSTRUCTION) - 40
    parts: list[str] = []
    for text in ("\n".join(spec.imports), other_code(spec)):
        text = _fit(text.strip(), room)
        if text:
            parts.append(text)
            room -= len(text) + 2
    code = "\n\n".join([*parts, head])
    return f"{SCRIPT_INSTRUCTION}\n{_fence(code)}\n"


def conversations(
    spec: Spec, feedback: Sequence[Trial], whole_function: bool = False
) -> list[list[Message]]:
    """The conversations to send: one fresh task, or one repair dialog per feedback item.

    ``whole_function``: ask for the whole function, as instruct models are scored
    (``function_prompt``), instead of the body alone; the reply is cleaned to the body all the
    same (``clean.clean_reply``). Measured, not the default: see the module's docstring."""
    whole_function = whole_function and not spec.comment
    first: list[Message] = (
        [
            {"role": "system", "content": FUNCTION_SYSTEM},
            {"role": "user", "content": function_prompt(spec)},
        ]
        if whole_function
        else [
            {"role": "system", "content": SYSTEM},
            {"role": "user", "content": task_prompt(spec)},
        ]
    )
    if not feedback:
        return [first]

    def answer(body: str) -> str:  # the model's earlier answer, in the shape it was asked for
        return _header(spec, body) if whole_function else body

    return [
        [
            *first,
            {"role": "assistant", "content": _fence(answer(item.candidate.body or "pass"))},
            {"role": "user", "content": feedback_prompt(spec, item, whole_function)},
        ]
        for item in feedback
    ]
