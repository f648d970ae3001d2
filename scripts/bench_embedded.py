"""Benchmark the embedded synthesizer on MBPP+ tasks written as a user would write stubs.

Each task becomes a stub: the reference's parameter names, a docstring with the task text and
the first K base inputs as doctest examples (outputs from the reference). The engine runs in its
own resource-limited child within the budget; its first body is then checked in another child
on every base and plus input (the hidden tests; ``atol`` respected), EvalPlus style.

    python scripts/bench_embedded.py --tasks /work/shared/data/mbpp_plus_dev.jsonl \
        --examples 3 --budget 5 --json /tmp/embedded.json [--limit N] [--verbose] [--baseline]

Prints tasks, solved (hidden-correct) %, examples-only-correct %, wrong %, no-answer %, median
and p95 seconds to the first answer, and the solved ids. ``--baseline`` runs every task again
with the docstring-word prior switched off, in the same run, and prints the ratios.
"""

from __future__ import annotations

import argparse
import ast
import json
import statistics
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

from synthls.spec.examples import extract_examples
from synthls.spec.model import Param, Spec
from synthls.synth.embedded import search_isolated

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


def stub_spec(task: dict[str, Any], k: int) -> Spec | None:
    """The Spec synthls would read from the stub (None when the reference cannot run)."""
    stub = make_stub(task, k)
    if stub is None:
        return None
    doc, names = stub
    params = tuple(Param(n) for n in names)
    return Spec(
        name=task["entry_point"],
        params=params,
        docstring=doc,
        examples=extract_examples(doc, 0, task["entry_point"], params),
        signature=f"def {task['entry_point']}({', '.join(names)}):",
    )


def check(task: dict[str, Any], spec: Spec, body: str, k: int) -> str:
    """solved / examples-only / wrong, on every base and plus input."""
    src = f"{spec.signature}\n{textwrap.indent(body, '    ')}\n"
    inputs = task["base_input"] + task["plus_input"]
    job = {"ref": task["canonical_solution"], "entry": task["entry_point"], "cand": src}
    res = run_checker({**job, "inputs": inputs, "atol": task["atol"]})
    ok = res["ok"] if res else [False]
    if all(ok):
        return "solved"
    return "examples-only" if res and all(ok[:k]) else "wrong"


def solve(task: dict[str, Any], k: int, budget: float, prior: bool = True) -> dict[str, Any]:
    row: dict[str, Any] = {"task_id": task["task_id"], "body": None, "time": 0.0}
    spec = stub_spec(task, k)
    if spec is None:
        return {**row, "status": "skipped"}
    start = time.monotonic()
    bodies = search_isolated(spec, budget, max_candidates=1, prior=prior)
    row["time"] = time.monotonic() - start
    if not bodies:
        return {**row, "status": "no-answer"}
    return {**row, "body": bodies[0], "status": check(task, spec, bodies[0], k)}


def summarize(rows: list[dict[str, Any]], args: argparse.Namespace) -> dict[str, Any]:
    n = len(rows)
    times = sorted(r["time"] for r in rows) or [0.0]

    def pct(status: str) -> float:
        return round(100.0 * sum(r["status"] == status for r in rows) / max(n, 1), 1)

    return {
        "tasks": n,
        "examples": args.examples,
        "budget": args.budget,
        "solved_pct": pct("solved"),
        "examples_only_pct": pct("examples-only"),
        "wrong_pct": pct("wrong"),
        "no_answer_pct": pct("no-answer"),
        "skipped": sum(r["status"] == "skipped" for r in rows),
        "median_time": round(statistics.median(times), 3),
        "p95_time": round(times[min(n - 1, int(0.95 * n))] if n else 0.0, 3),
        "solved_ids": [r["task_id"] for r in rows if r["status"] == "solved"],
        "rows": rows,
    }


def parse_args() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tasks", required=True, type=Path, help="MBPP+ jsonl")
    ap.add_argument("--examples", type=int, default=3, help="K: doctest examples per stub")
    ap.add_argument("--budget", type=float, default=5.0, help="search seconds per task")
    ap.add_argument("--json", type=Path, help="write the summary and rows here")
    ap.add_argument("--limit", type=int, default=0, help="only the first N tasks")
    ap.add_argument("--verbose", action="store_true", help="print each task's body")
    ap.add_argument(
        "--baseline",
        action="store_true",
        help="also run each task without the docstring-word prior and print the ratios",
    )
    return ap.parse_args()


FIGURES = ("tasks", "solved_pct", "examples_only_pct", "wrong_pct", "no_answer_pct", "skipped")


def run(tasks: list[dict[str, Any]], args: argparse.Namespace, prior: bool) -> dict[str, Any]:
    rows = []
    for task in tasks:
        row = solve(task, args.examples, args.budget, prior)
        rows.append(row)
        if args.verbose:
            line = f"{row['task_id']:>10} {row['status']:>13} {row['time']:5.2f}s {row['body']!r}"
            print(("" if prior else "[baseline] ") + line, flush=True)
    return summarize(rows, args)


def main() -> int:
    args = parse_args()
    tasks = [json.loads(line) for line in args.tasks.read_text().splitlines() if line.strip()]
    if args.limit:
        tasks = tasks[: args.limit]
    summary = run(tasks, args, prior=True)
    for key in (*FIGURES, "median_time", "p95_time"):
        print(f"{key}: {summary[key]}")
    print("solved:", " ".join(summary["solved_ids"]))
    if args.baseline:
        base = run(tasks, args, prior=False)
        summary["baseline"] = {k: v for k, v in base.items() if k != "rows"}
        print(f"baseline (no prior): solved {base['solved_pct']}%, median {base['median_time']}s")
        ratio = summary["solved_pct"] / max(base["solved_pct"], 0.1)
        speed = base["median_time"] / max(summary["median_time"], 1e-3)
        print(f"solved with prior / without: x{ratio:.2f}")
        print(f"median time without prior / with: x{speed:.2f} (above 1: the prior is faster)")
    if args.json:
        args.json.write_text(json.dumps(summary, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
