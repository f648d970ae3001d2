"""HumanEval tasks as the stubs a user would write, and the judge of a body on their hidden tests.

Shared by ``bench_model.py`` and its tests. The stub is the task's prompt (its imports, any helper
functions, the signature and the docstring with the task's own examples, ``>>>`` or informal)
followed by ``...``: what a user's file holds before synthesis. A body is judged as the user gets
it: inserted into that file by the product's own edit (``document_with_body``), then the task's
hidden ``check(candidate)`` is run on it in the product's sandbox (strict profile: no network, no
writes outside its temp dir, memory and time limits); the body is right when the file loads and
``check`` returns without an exception.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

from synthls.intent.document import Document
from synthls.intent.model import FunctionTarget
from synthls.intent.targets import find_functions
from synthls.sandbox import Sandbox
from synthls.sandbox.types import Program
from synthls.synth.module_text import document_with_body

JUDGE_SECONDS = 20.0  # a few hidden tests run long loops on the reference's speed


def load_tasks(path: Path) -> list[dict[str, Any]]:
    """The tasks of a HumanEval ``.jsonl`` or ``.jsonl.gz`` file, in file order."""
    raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    return [json.loads(line) for line in raw.decode("utf-8").splitlines() if line.strip()]


def stub_text(task: dict[str, Any]) -> str:
    """The file a user would write: the prompt with ``...`` as the function's body."""
    return task["prompt"].rstrip() + "\n    ...\n"


def target_of(text: str, name: str) -> FunctionTarget | None:
    """The function called ``name`` in ``text`` (the task's entry point)."""
    found = [t for t in find_functions(Document(text)) if t.spec.name == name]
    return found[-1] if found else None


def with_body(task: dict[str, Any], body: str) -> str:
    """The stub file with ``body`` inserted as the product inserts it."""
    text = stub_text(task)
    target = target_of(text, task["entry_point"])
    if target is None:
        raise ValueError(f"{task['task_id']}: no function {task['entry_point']} in the prompt")
    return document_with_body(text, target, body)


def hidden_program(task: dict[str, Any], body: str) -> Program:
    source = with_body(task, body)
    check = f"\n\n{task['test']}\n\ncheck({task['entry_point']})\n"
    return Program(setup=source + check, timeout=JUDGE_SECONDS)


async def judge(box: Sandbox, task: dict[str, Any], body: str | None) -> bool:
    """True when the file with ``body`` passes the task's hidden tests (None: no body, False)."""
    if body is None or not body.strip():
        return False
    try:
        program = hidden_program(task, body)
    except ValueError:
        return False
    result = await box.run(program)
    return result.status == "ok"
