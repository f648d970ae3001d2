"""Benchmark candidate selection on recorded model samples (HumanEval format).

For each task the user's docstring is the original prompt's (with its examples). Every sample
(prompt + completion) runs once in the sandbox with the extracted examples, the generated probe
inputs and, when the samples carry no ``passed`` labels, the hidden test as one extra final
example. Selection (``synthls.synth.select.choose``) only ever sees the docstring's examples and
the probes: the hidden test's verdict is cut off before choosing.

Prints (and with ``--json`` writes): tasks, samples, random pass@1 (expected value), pass@1 of a
random example-passing sample ("filter"), selected pass@1, oracle (any sample correct), the share
of tasks with examples found, samples/s and wall time.

    python scripts/bench_selection.py --problems humaneval.jsonl.gz \\
        --samples humaneval_codegen16b_n100.jsonl.gz [--json out.json] [--limit 20]
"""

from __future__ import annotations

import argparse
import ast
import gzip
import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from synthls.sandbox import Limits, Program, RunResult, run_programs_sync
from synthls.spec.examples import extract_examples
from synthls.spec.model import Example, Param, Spec
from synthls.synth.base import Candidate
from synthls.synth.inputs import generate_inputs
from synthls.synth.select import Scored, choose


def read_jsonl(path: str) -> Iterator[dict[str, Any]]:
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as fh:  # type: ignore[operator]
        for line in fh:
            if line.strip():
                yield json.loads(line)


def function_of(prompt: str, entry: str) -> ast.FunctionDef | None:
    funcs = [n for n in ast.walk(ast.parse(prompt)) if isinstance(n, ast.FunctionDef)]
    named = [f for f in funcs if f.name == entry]
    return named[-1] if named else None


def docstring_of(func: ast.FunctionDef | None) -> tuple[str, int]:
    """The function's docstring (its first string statement) and its 0-based document line."""
    for stmt in func.body if func else []:
        value = getattr(stmt, "value", None)
        if (
            isinstance(stmt, ast.Expr)
            and isinstance(value, ast.Constant)
            and isinstance(value.value, str)
        ):
            return value.value, stmt.lineno - 1
    return "", 0


def params_of(func: ast.FunctionDef | None) -> tuple[Param, ...]:
    if func is None:
        return ()
    return tuple(
        Param(a.arg, ast.unparse(a.annotation) if a.annotation else None) for a in func.args.args
    )


def hidden_example(test: str, entry: str) -> Example:
    """The hidden test as one value example, run in its own namespace (expects ``None``)."""
    source = (
        f"(lambda ns: (exec(compile({test!r}, '<hidden test>', 'exec'), ns), "
        f"ns['check']({entry}))[1])(dict(globals()))"
    )
    return Example(source=source, want="None", line=-1, style="value")


@dataclass
class Task:
    task_id: str
    examples: tuple[Example, ...]
    probes: tuple[str, ...]
    bodies: list[str]
    labels: list[bool] | None
    results: list[RunResult] = field(default_factory=list)


def load_tasks(args: argparse.Namespace) -> list[Task]:
    problems = {p["task_id"]: p for p in read_jsonl(args.problems)}
    tasks = []
    for row in read_jsonl(args.samples):
        problem = problems.get(row["task_id"])
        if problem is None:
            continue
        entry = problem["entry_point"]
        func = function_of(problem["prompt"], entry)
        doc, first = docstring_of(func)
        examples = extract_examples(doc, first, entry)
        spec = Spec(name=entry, params=params_of(func), examples=examples)
        probes = generate_inputs(spec, args.probes)
        labels = row.get("passed")
        tasks.append(Task(row["task_id"], examples, probes, list(row["completions"]), labels))
        if args.limit and len(tasks) >= args.limit:
            break
    return tasks


def programs_for(task: Task, problem: dict[str, Any], timeout: float) -> list[Program]:
    examples = task.examples
    if task.labels is None:
        examples = (*examples, hidden_example(problem["test"], problem["entry_point"]))
    return [
        Program(
            setup=problem["prompt"] + body, examples=examples, probes=task.probes, timeout=timeout
        )
        for body in task.bodies
    ]


def correctness(task: Task) -> list[bool]:
    if task.labels is not None:
        return [bool(x) for x in task.labels]
    return [bool(r.examples) and r.examples[-1].passed for r in task.results]


def blind(task: Task, result: RunResult) -> RunResult:
    """The result without the hidden test's verdict: what selection is allowed to see."""
    if task.labels is not None:
        return result
    return replace(result, examples=result.examples[: len(task.examples)])


def score(tasks: list[Task]) -> dict[str, float]:
    rnd = filt = sel = oracle = 0.0
    select_seconds = 0.0
    for task in tasks:
        ok = correctness(task)
        seen = [blind(task, r) for r in task.results]
        rnd += sum(ok) / len(ok)
        oracle += any(ok)
        passing = [c for c, r in zip(ok, seen) if r.all_passed] or ok
        filt += sum(passing) / len(passing)
        scored = [Scored(Candidate(b, "sample"), r) for b, r in zip(task.bodies, seen)]
        start = time.perf_counter()
        choice = choose(scored, len(task.examples))
        select_seconds += time.perf_counter() - start
        if choice is not None:
            sel += ok[scored.index(choice.scored)]
    n = max(len(tasks), 1)
    return {
        "random_pass@1": rnd / n,
        "filter_pass@1": filt / n,
        "selected_pass@1": sel / n,
        "oracle": oracle / n,
        "examples_found": sum(1 for t in tasks if t.examples) / n,
        "select_seconds": select_seconds,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--problems", required=True, help="HumanEval-format JSONL(.gz)")
    ap.add_argument("--samples", required=True, help="JSONL(.gz): task_id, completions[, passed]")
    ap.add_argument("--json", help="write the figures here")
    ap.add_argument("--limit", type=int, default=0, help="only the first N tasks")
    ap.add_argument("--probes", type=int, default=24, help="generated inputs per task")
    ap.add_argument("--timeout", type=float, default=3.0, help="seconds per sample run")
    ap.add_argument("--parallel", type=int, default=0, help="sandbox children (0: all cores)")
    args = ap.parse_args()

    started = time.perf_counter()
    tasks = load_tasks(args)
    problems = {p["task_id"]: p for p in read_jsonl(args.problems)}
    programs = [p for t in tasks for p in programs_for(t, problems[t.task_id], args.timeout)]
    run_started = time.perf_counter()
    limits = Limits(timeout=args.timeout, parallel=args.parallel)
    results = run_programs_sync(programs, limits)
    run_seconds = time.perf_counter() - run_started
    at = 0
    for task in tasks:
        task.results = results[at : at + len(task.bodies)]
        at += len(task.bodies)
    figures = score(tasks)
    wall = time.perf_counter() - started
    n_samples = len(programs)
    out = {
        "tasks": len(tasks),
        "samples": n_samples,
        **figures,
        "selected_over_random": figures["selected_pass@1"] / max(figures["random_pass@1"], 1e-9),
        "selected_over_filter": figures["selected_pass@1"] / max(figures["filter_pass@1"], 1e-9),
        "samples_per_s": n_samples / wall if wall else 0.0,
        "sandbox_seconds": run_seconds,
        "wall_seconds": wall,
        "cores": os.cpu_count() or 1,
        "probes_per_task": args.probes,
        "timeouts": sum(1 for r in results if r.status == "timeout"),
    }
    for key, value in out.items():
        print(f"{key:>18}: {value:.3f}" if isinstance(value, float) else f"{key:>18}: {value}")
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
