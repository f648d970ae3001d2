"""MBPP+ tasks as the stubs a user would write, and the judge of a body on their hidden tests.

Shared by ``bench_embedded.py``. The reference solution gives the expected outputs (the EvalPlus
protocol: a body is right when it matches the reference on every base and plus input, ``atol``
respected); it runs in a child with a memory limit and a per-call alarm.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
import textwrap
from typing import Any

CHECKER = r"""
import copy, json, math, resource, signal, sys
resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
job = json.load(sys.stdin)

def alarm(signum, frame):
    raise TimeoutError

signal.signal(signal.SIGALRM, alarm)

def close(a, b, atol):
    if isinstance(a, float) or isinstance(b, float):
        if isinstance(a, (int, float)) and isinstance(b, (int, float)):
            return math.isclose(a, b, rel_tol=1e-7, abs_tol=atol) or a == b
        return False
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(close(x, y, atol) for x, y in zip(a, b))
    return a == b

def load(src):
    ns = {}
    exec(src, ns)
    return ns[job["entry"]]

ref = load(job["ref"])
want = [ref(*copy.deepcopy(args)) for args in job["inputs"]]
if job.get("cand") is None:
    print(json.dumps({"reprs": [repr(w) for w in want]}))
    sys.exit(0)
atol = max(job["atol"], 1e-6)
cand = load(job["cand"])
ok = []
for args, w in zip(job["inputs"], want):
    try:
        signal.setitimer(signal.ITIMER_REAL, 2.0)
        ok.append(bool(close(cand(*copy.deepcopy(args)), w, atol)))
    except BaseException:
        ok.append(False)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
print(json.dumps({"ok": ok}))
"""


def run_checker(job: dict[str, Any], timeout: float = 60.0) -> dict[str, Any] | None:
    try:
        out = subprocess.run(
            [sys.executable, "-c", CHECKER],
            input=json.dumps(job),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        return json.loads(out.stdout.strip().splitlines()[-1]) if out.stdout.strip() else None
    except (subprocess.TimeoutExpired, ValueError, IndexError):
        return None


def param_names(task: dict[str, Any]) -> list[str] | None:
    for node in ast.walk(ast.parse(task["canonical_solution"])):
        if isinstance(node, ast.FunctionDef) and node.name == task["entry_point"]:
            if node.args.vararg or node.args.kwarg:
                return None
            return [a.arg for a in node.args.args]
    return None


def make_stub(task: dict[str, Any], k: int) -> tuple[str, list[str]] | None:
    """The docstring a user would write: the task text and K doctest examples."""
    names = param_names(task)
    inputs = task["base_input"][:k]
    got = run_checker(
        {"ref": task["canonical_solution"], "entry": task["entry_point"], "inputs": inputs}
    )
    if names is None or got is None:
        return None
    text = task["prompt"].strip().strip("'\"").strip()
    lines = [text, ""]
    for args, out in zip(inputs, got["reprs"]):
        call = ", ".join(repr(a) for a in args)
        lines += [f">>> {task['entry_point']}({call})", out]
    return "\n".join(lines) + "\n", names


def hidden_inputs(task: dict[str, Any]) -> list[Any]:
    """Every base and plus input (a task whose ``plus_input`` is not a list has none hidden)."""
    plus = task.get("plus_input")
    return list(task["base_input"]) + (list(plus) if isinstance(plus, list) else [])


def stub_text(task: dict[str, Any], k: int) -> str | None:
    """The stub file a user would write (None when the reference cannot run)."""
    stub = make_stub(task, k)
    if stub is None:
        return None
    doc, names = stub
    quoted = doc.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    inner = textwrap.indent(f'"""{quoted}"""', "    ")
    return f"def {task['entry_point']}({', '.join(names)}):\n{inner}\n"


def check(task: dict[str, Any], names: list[str], body: str, k: int) -> str:
    """solved / examples-only / wrong, on every base and plus input."""
    sig = f"def {task['entry_point']}({', '.join(names)}):"
    src = f"{sig}\n{textwrap.indent(body, '    ')}\n"
    job = {"ref": task["canonical_solution"], "entry": task["entry_point"], "cand": src}
    res = run_checker({**job, "inputs": hidden_inputs(task), "atol": task["atol"]})
    ok = res["ok"] if res else [False]
    if all(ok):
        return "solved"
    return "examples-only" if res and all(ok[:k]) else "wrong"


def guarded_reference(task: dict[str, Any]) -> str:
    """The reference solution with the task's input contract (``assert``s EvalPlus puts at the
    top of the function) in place, so it raises on an input the task does not allow: the
    simulated user of ``bench_embedded.py`` calls such an input not valid."""
    source = task["canonical_solution"]
    contract = task.get("contract") or ""
    lines = source.split("\n")
    for i, line in enumerate(lines):
        head = re.match(rf"\s*def\s+{re.escape(task['entry_point'])}\s*\(", line)
        if head and line.split("#")[0].rstrip().endswith(":"):
            guard = [c for c in contract.split("\n") if c.strip()]
            return "\n".join([*lines[: i + 1], *guard, *lines[i + 1 :]])
    return source
