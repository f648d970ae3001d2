"""The standard protocol for a code model on HumanEval / MBPP+ (issue 37 item 1): what the model
scores on its own, next to the product's first answer.

As EvalPlus asks an instruct model (its default instruct recipe): one user message, the
instruction "Please provide a self-contained Python script that solves the following problem in
a markdown code block:" and the task's prompt in a fence; no system message of ours, so the
server's chat template (``/v1/chat/completions``) applies the model's own default; greedy
(temperature 0), up to ``MAX_TOKENS`` tokens, one request per task. The reply's first
```` ```python ```` block (else the first fenced block, else the whole reply) is the solution;
as EvalPlus's ``sanitize`` does, only its imports, definitions and assignments are kept (example
calls, prints and ``__main__`` blocks dropped). The whole function is judged by the task's own
tests: HumanEval, the prompt (its imports and helpers), then the solution, then ``check`` in the
sandbox; MBPP+, every base and plus input against the reference (``mbpp_stubs``' checker).
"""

from __future__ import annotations

import ast
import asyncio
import re
import time
from dataclasses import dataclass
from typing import Any

from humaneval_tasks import JUDGE_SECONDS
from mbpp_stubs import hidden_inputs, run_checker
from synthls.sandbox import Sandbox
from synthls.sandbox.types import Program

INSTRUCTION = (
    "Please provide a self-contained Python script that solves the following problem in a "
    "markdown code block:"
)
MAX_TOKENS = 768
FENCE = re.compile(r"```[ \t]*([A-Za-z0-9_+-]*)[^\n]*\n(.*?)(?:```|\Z)", re.S)
KEPT = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
KEPT_ASSIGN = (ast.Assign, ast.AnnAssign)


def user_message(prompt: str) -> str:
    """The EvalPlus instruct prompt for a task's prompt (HumanEval) or stub (MBPP+)."""
    return f"{INSTRUCTION}\n```python\n{prompt.strip()}\n```\n"


def request_body(model: str, prompt: str, max_tokens: int = MAX_TOKENS) -> dict[str, Any]:
    return {
        "model": model,
        "messages": [{"role": "user", "content": user_message(prompt)}],
        "temperature": 0,
        "max_tokens": max_tokens,
    }


def extract_code(reply: str) -> str:
    """The first ```python block, else the first fenced block, else the whole reply (an
    unclosed fence runs to the end of the reply)."""
    blocks = FENCE.findall(reply)
    for lang, code in blocks:
        if lang.lower() in ("python", "py", "python3"):
            return str(code)
    return str(blocks[0][1]) if blocks else reply


def sanitize(code: str) -> str:
    """Only the top-level imports, definitions and assignments (EvalPlus's ``sanitize`` keeps
    what the entry point can depend on); code that does not parse is returned as it is."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError):
        return code
    lines = code.splitlines()
    kept: list[str] = []
    for node in tree.body:
        if isinstance(node, KEPT) or (isinstance(node, KEPT_ASSIGN) and not _calls_anything(node)):
            first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
            end = node.end_lineno or node.lineno
            kept.append("\n".join(lines[first - 1 : end]))
    return "\n\n".join(kept) + "\n" if kept else code


def _calls_anything(node: ast.AST) -> bool:
    """An assignment that runs a call (``result = f(3)``: an example, not a definition)."""
    return any(isinstance(n, ast.Call) for n in ast.walk(node))


def solution(reply: str) -> str:
    return sanitize(extract_code(reply))


def humaneval_program(task: dict[str, Any], code: str) -> Program:
    """The prompt (imports and helpers the task gives), the solution, then the task's tests."""
    check = f"\n\n{task['test']}\n\ncheck({task['entry_point']})\n"
    return Program(setup=task["prompt"] + "\n\n" + code + check, timeout=JUDGE_SECONDS)


async def judge_humaneval(box: Sandbox, task: dict[str, Any], code: str) -> bool:
    if not code.strip():
        return False
    result = await box.run(humaneval_program(task, code))
    return result.status == "ok"


def judge_mbpp(task: dict[str, Any], code: str) -> bool:
    """Every base and plus input against the reference, as ``mbpp_stubs.check`` judges a body."""
    if not code.strip():
        return False
    job = {"ref": task["canonical_solution"], "entry": task["entry_point"], "cand": code}
    res = run_checker({**job, "inputs": hidden_inputs(task), "atol": task["atol"]})
    return bool(res and res.get("ok") and all(res["ok"]))


@dataclass(frozen=True)
class Answer:
    reply: str
    seconds: float
    completion_tokens: int
    error: str = ""


async def ask_model(base_url: str, model: str, prompt: str, max_tokens: int = MAX_TOKENS) -> Answer:
    """One greedy chat request (the server applies the model's chat template)."""
    from openai import AsyncOpenAI

    client = AsyncOpenAI(base_url=base_url, api_key="none", timeout=900.0, max_retries=0)
    body = request_body(model, prompt, max_tokens)
    start = time.monotonic()
    try:
        done = await client.chat.completions.create(
            model=model,
            messages=body["messages"],
            temperature=0,
            max_tokens=max_tokens,
        )
    except Exception as exc:  # an unreachable server is a failed task, not a crashed run
        return Answer("", time.monotonic() - start, 0, f"{type(exc).__name__}: {exc}")
    finally:
        await client.close()
    reply = (done.choices[0].message.content or "") if done.choices else ""
    tokens = done.usage.completion_tokens if done.usage else 0
    return Answer(reply, time.monotonic() - start, tokens)


async def standard_row(
    base_url: str,
    model: str,
    prompt: str,
    right: Any,
    max_tokens: int = MAX_TOKENS,
) -> dict[str, Any]:
    """Ask once, judge the whole function with ``right(code)`` (an async judge); the row's
    fields ``standard_pass``, ``standard_seconds`` (the request), ``standard_tokens``."""
    answer = await ask_model(base_url, model, prompt, max_tokens)
    code = solution(answer.reply)
    passed = bool(await right(code)) if not answer.error else False
    row: dict[str, Any] = {
        "standard_pass": passed,
        "standard_seconds": round(answer.seconds, 2),
        "standard_tokens": answer.completion_tokens,
        "standard_code": code,
    }
    if answer.error:
        row["standard_error"] = answer.error
    return row


async def judge_mbpp_async(task: dict[str, Any], code: str) -> bool:
    return await asyncio.to_thread(judge_mbpp, task, code)
