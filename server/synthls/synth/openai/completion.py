"""``openai.mode: completion``: the model continues the file instead of answering a chat.

Code models are trained to continue code, and a raw completion skips the chat template, the
instructions and the code fence: the prompt is the file's imports and context, then the function
as the user wrote it up to its docstring, and the model writes the indented body. The answer is
complete at the first line that is not indented (the next definition, a call, a comment at the
margin). A repair is asked the same way: the failing version and what failed go in a comment
above the function, then the function again.

Sent to ``/v1/completions`` (llama.cpp's server, vLLM, Ollama, LM Studio; OpenAI only for its few
completion models).
"""

from __future__ import annotations

import textwrap

from synthls.intent.model import Spec
from synthls.synth.engine_protocol import Trial
from synthls.synth.openai.prompt import PROMPT_BUDGET, _fit, _header, failure_lines, other_code

# a line at the margin ends the body; these stop the server early for the common ones
STOPS = ["\ndef ", "\nclass ", "\nif __name__", "\n@", "\n```"]


def completion_prompt(spec: Spec, repair: Trial | None = None) -> str:
    """The text the model continues: context, an optional failed attempt, the function's head."""
    parts: list[str] = []
    room = PROMPT_BUDGET
    for text in ("\n".join(spec.imports), other_code(spec)):
        text = _fit(text.strip(), room // 2)
        if text:
            parts.append(text)
            room -= len(text)
    if repair is not None:
        parts.append(_repair_comment(spec, repair))
    head = _header(spec)
    return "\n\n\n".join([*parts, head]) + "\n"


def _repair_comment(spec: Spec, item: Trial) -> str:
    body = item.candidate.body or "pass"
    if item.candidate.note:
        why = [f"It cannot be used: {item.candidate.note}."]
    elif item.result.status == "setup_error" and item.result.setup_error:
        why = [
            "It fails before any example runs:",
            *item.result.setup_error.strip().splitlines()[-3:],
        ]
    else:
        why = ["It fails these examples:", *failure_lines(spec.examples, item.result)[:5]]
    lines = [
        f"An earlier version of {spec.name} was wrong:",
        f"def {spec.name}(...):",
        *textwrap.indent(body, "    ").splitlines(),
        *why,
        "The corrected version:",
    ]
    return "\n".join("# " + ln if ln.strip() else "#" for ln in lines)


def body_complete_at(text: str) -> int | None:
    """The length of the complete body at the start of ``text`` (None: not complete yet): the
    text up to the first whole line, after some code, that is not indented."""
    offset = 0
    code = False
    lines = text.split("\n")
    for line in lines[:-1]:  # the last piece may still grow
        if line.strip() and not line[0].isspace():
            return offset if code else None
        code = code or bool(line.strip())
        offset += len(line) + 1
    return None


def body_of(text: str) -> str:
    """The continuation as dedented statements (the editor re-indents them)."""
    return textwrap.dedent(text.expandtabs(4)).strip("\n")
