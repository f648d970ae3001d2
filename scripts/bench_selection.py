"""Benchmark candidate selection on recorded model samples (HumanEval format).

For each task the user's docstring is the original prompt's (with its examples). Every sample
(prompt + completion) runs once in the sandbox with the extracted examples, the generated probe
inputs and, when the samples carry no ``passed`` labels, the hidden test as one extra final
example. Selection (``synthls.synth.ranking.choose``) only ever sees the docstring's examples and
the probes: the hidden test's verdict is cut off before choosing.

Prints (and with ``--json`` writes): tasks, samples, random pass@1 (expected value), pass@1 of a
random example-passing sample ("filter"), selected pass@1, oracle (any sample correct), the share
of tasks with examples found, samples/s and wall time, for all tasks and for the even- and
odd-numbered halves (tune selection rules on one half, confirm them on the other).

``--oracle-answers K`` simulates a user who answers up to K questions with the canonical
solution's result (``selection_oracle.py``): it prints ``selected_pass@1`` after 0..K answers
(JSON ``by_answers``, also per half), how often the selection with no answer was ambiguous, the
precision of the ones that were not, and the mean number of questions. ``--dominance`` overrides
the dominance threshold, ``--sweep`` prints those figures per half for a range of thresholds
(tune on the even half, confirm on the odd one).

``--cache PATH`` writes every sample's sandbox results (example verdicts, probe reprs, hidden
verdict) as JSON lines; ``--from-cache PATH`` re-scores them in seconds without the sandbox, so
selection variants can be compared without re-running anything.

    python scripts/bench_selection.py --problems humaneval.jsonl.gz \\
        --samples humaneval_codegen16b_n100.jsonl.gz [--json out.json] [--limit 20] \\
        [--cache run.jsonl] [--oracle-answers 3]
    python scripts/bench_selection.py --from-cache run.jsonl --oracle-answers 3 [--sweep]
"""

from __future__ import annotations

import argparse
import ast
import gzip
import json
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from synthls.intent.examples import extract_examples
from synthls.intent.model import Example, Param, Spec
from synthls.sandbox import Limits, Program, RunResult, run_programs_sync
from synthls.sandbox.types import ExampleResult
from synthls.synth.ambiguity import DOMINANCE
from synthls.synth.engine_protocol import Candidate, Trial
from synthls.synth.inputs import generate_inputs
from synthls.synth.ranking import choose

sys.path.insert(0, str(Path(__file__).resolve().parent))
from selection_oracle import Simulated, figures, simulate


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
    cached_examples: int = -1  # the example count of a task read back from a cache
    entry: str = ""
    canonical: list[str | None] | None = None  # the canonical solution's probe results

    @property
    def n_examples(self) -> int:
        return self.cached_examples if self.cached_examples >= 0 else len(self.examples)


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
        params = params_of(func)
        examples = extract_examples(doc, first, entry, params)
        spec = Spec(name=entry, params=params, examples=examples)
        probes = generate_inputs(spec, args.probes)
        labels = row.get("passed")
        task = Task(row["task_id"], examples, probes, list(row["completions"]), labels)
        task.entry = entry
        tasks.append(task)
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


def canonical_program(task: Task, problem: dict[str, Any], timeout: float) -> Program | None:
    """The canonical solution run on the probes (what the simulated user answers with)."""
    solution = problem.get("canonical_solution")
    if not solution:
        return None
    return Program(setup=problem["prompt"] + solution, probes=task.probes, timeout=timeout)


def correctness(task: Task) -> list[bool]:
    if task.labels is not None:
        return [bool(x) for x in task.labels]
    return [bool(r.examples) and r.examples[-1].passed for r in task.results]


def blind(task: Task, result: RunResult) -> RunResult:
    """The result without the hidden test's verdict: what selection is allowed to see."""
    if task.labels is not None:
        return result
    return replace(result, examples=result.examples[: len(task.examples)])


def task_number(task: Task, index: int) -> int:
    """The number at the end of the task id (``HumanEval/12`` -> 12), else its position."""
    tail = task.task_id.rsplit("/", 1)[-1]
    return int(tail) if tail.isdigit() else index


def score(tasks: list[Task]) -> dict[str, float]:
    """Figures for all tasks, then for the even- and odd-numbered halves (``even_``/``odd_``)."""
    out = score_some(tasks)
    halves: dict[str, list[Task]] = {"even": [], "odd": []}
    for index, task in enumerate(tasks):
        halves["odd" if task_number(task, index) % 2 else "even"].append(task)
    for name, some in halves.items():
        for key, value in score_some(some).items():
            if key.endswith("pass@1") or key == "oracle":
                out[f"{name}_{key}"] = value
    return out


def score_some(tasks: list[Task]) -> dict[str, float]:
    rnd = filt = sel = oracle = 0.0
    select_seconds = 0.0
    for task in tasks:
        ok = correctness(task)
        seen = [blind(task, r) for r in task.results]
        rnd += sum(ok) / len(ok)
        oracle += any(ok)
        passing = [c for c, r in zip(ok, seen) if r.all_passed] or ok
        filt += sum(passing) / len(passing)
        scored = [Trial(Candidate(b, "sample"), r) for b, r in zip(task.bodies, seen)]
        start = time.perf_counter()
        choice = choose(scored, task.n_examples)
        select_seconds += time.perf_counter() - start
        if choice is not None:
            sel += ok[scored.index(choice.scored)]
    n = max(len(tasks), 1)
    return {
        "random_pass@1": rnd / n,
        "filter_pass@1": filt / n,
        "selected_pass@1": sel / n,
        "oracle": oracle / n,
        "examples_found": sum(1 for t in tasks if t.n_examples) / n,
        "select_seconds": select_seconds,
    }


def write_cache(path: str, tasks: list[Task]) -> None:
    """One JSON line per task: what selection sees of every sample, and its hidden verdict."""
    with open(path, "w", encoding="utf-8") as fh:
        for task in tasks:
            samples = [
                {
                    "body": body,
                    "status": seen.status,
                    "examples": [e.status for e in seen.examples],
                    "probes": list(seen.probes),
                    "correct": ok,
                }
                for body, seen, ok in zip(
                    task.bodies, (blind(task, r) for r in task.results), correctness(task)
                )
            ]
            row = {
                "task_id": task.task_id,
                "entry": task.entry,
                "n_examples": task.n_examples,
                "probes": task.probes,
                "canonical": task.canonical,
            }
            fh.write(json.dumps({**row, "samples": samples}) + "\n")


def read_cache(path: str) -> list[Task]:
    tasks = []
    for row in read_jsonl(path):
        samples = row["samples"]
        results = [
            RunResult(
                status=s["status"],
                examples=tuple(ExampleResult(i, st) for i, st in enumerate(s["examples"])),
                probes=tuple(s["probes"]),
            )
            for s in samples
        ]
        task = Task(row["task_id"], (), tuple(row["probes"]), [s["body"] for s in samples], None)
        task.labels = [bool(s["correct"]) for s in samples]
        task.results = results
        task.cached_examples = int(row["n_examples"])
        task.entry = row.get("entry") or row["task_id"]
        task.canonical = row.get("canonical")
        tasks.append(task)
    return tasks


def run(args: argparse.Namespace) -> tuple[list[Task], dict[str, Any]]:
    """Run every sample in the sandbox (or read a cache); the tasks and the run's figures."""
    started = time.perf_counter()
    if args.from_cache:
        tasks = read_cache(args.from_cache)
        return tasks, {"samples": sum(len(t.bodies) for t in tasks), "cached": True}
    tasks = load_tasks(args)
    problems = {p["task_id"]: p for p in read_jsonl(args.problems)}
    programs = [p for t in tasks for p in programs_for(t, problems[t.task_id], args.timeout)]
    references = [canonical_program(t, problems[t.task_id], args.timeout) for t in tasks]
    extra = [r for r in references if r is not None]
    limits = Limits(timeout=args.timeout, parallel=args.parallel)
    results = run_programs_sync(programs + extra, limits)
    at = 0
    for task in tasks:
        task.results = results[at : at + len(task.bodies)]
        at += len(task.bodies)
    for task, ref in zip(tasks, references):
        if ref is not None:
            task.canonical = list(results[at].probes) or None
            at += 1
    results = results[: len(programs)]
    if args.cache:
        write_cache(args.cache, tasks)
    return tasks, {
        "samples": len(programs),
        "sandbox_seconds": time.perf_counter() - started,
        "timeouts": sum(1 for r in results if r.status == "timeout"),
        "probes_per_task": args.probes,
    }


def simulate_all(tasks: list[Task], k: int, dominance: float) -> list[Simulated]:
    return [
        simulate(
            t.bodies,
            [blind(t, r) for r in t.results],
            correctness(t),
            t.n_examples,
            t.probes,
            t.canonical,
            t.entry,
            k,
            dominance,
        )
        for t in tasks
    ]


def oracle_figures(tasks: list[Task], k: int, dominance: float) -> dict[str, Any]:
    """``figures`` for all tasks, then ``even_``/``odd_`` for the halves."""
    sims = simulate_all(tasks, k, dominance)
    out: dict[str, Any] = {"dominance": dominance, **figures(sims, k)}
    for name, some in halves(tasks, sims).items():
        out.update({f"{name}_{key}": value for key, value in figures(some, k).items()})
    return out


def halves(tasks: list[Task], items: list[Simulated]) -> dict[str, list[Simulated]]:
    out: dict[str, list[Simulated]] = {"even": [], "odd": []}
    for index, (task, item) in enumerate(zip(tasks, items)):
        out["odd" if task_number(task, index) % 2 else "even"].append(item)
    return out


def sweep(tasks: list[Task], k: int) -> None:
    """Per half and threshold: verified share and precision with no answer, pass@1 by answers."""
    print(
        f"{'half':>5} {'dominance':>9} {'verified':>8} {'precision':>9} {'questions':>9}  by answers"
    )
    for threshold in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0 + 1e-9):
        sims = simulate_all(tasks, k, threshold)
        for name, some in halves(tasks, sims).items():
            f = figures(some, k)
            by = " ".join(f"{v['selected_pass@1']:.3f}" for v in f["by_answers"].values())  # type: ignore[attr-defined]
            print(
                f"{name:>5} {threshold:>9.2f} {f['verified_at_0']:>8.3f} "
                f"{f['precision_unambiguous_at_0']:>9.3f} {f['mean_questions']:>9.3f}  {by}"
            )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--problems", help="HumanEval-format JSONL(.gz)")
    ap.add_argument("--samples", help="JSONL(.gz): task_id, completions[, passed]")
    ap.add_argument("--json", help="write the figures here")
    ap.add_argument("--limit", type=int, default=0, help="only the first N tasks")
    ap.add_argument("--probes", type=int, default=32, help="generated inputs per task")
    ap.add_argument("--timeout", type=float, default=3.0, help="seconds per sample run")
    ap.add_argument("--parallel", type=int, default=0, help="sandbox children (0: all cores)")
    ap.add_argument("--cache", help="write every sample's results here (JSON lines)")
    ap.add_argument("--from-cache", help="re-score a cache instead of running the sandbox")
    ap.add_argument("--oracle-answers", type=int, default=0, help="questions a user answers")
    ap.add_argument("--dominance", type=float, default=DOMINANCE, help="dominance threshold")
    ap.add_argument("--sweep", action="store_true", help="print figures for several thresholds")
    args = ap.parse_args()
    if not args.from_cache and not (args.problems and args.samples):
        ap.error("--problems and --samples are required unless --from-cache is given")

    started = time.perf_counter()
    tasks, run_figures = run(args)
    figures = score(tasks)
    wall = time.perf_counter() - started
    out = {
        "tasks": len(tasks),
        **run_figures,
        **figures,
        "selected_over_random": figures["selected_pass@1"] / max(figures["random_pass@1"], 1e-9),
        "selected_over_filter": figures["selected_pass@1"] / max(figures["filter_pass@1"], 1e-9),
        "samples_per_s": run_figures["samples"] / wall if wall else 0.0,
        "wall_seconds": wall,
        "cores": os.cpu_count() or 1,
        **oracle_figures(tasks, args.oracle_answers, args.dominance),
    }
    for key, value in out.items():
        if key.endswith("by_answers"):
            value = ", ".join(f"{j}: {v['selected_pass@1']:.3f}" for j, v in value.items())
        print(f"{key:>30}: {value:.3f}" if isinstance(value, float) else f"{key:>30}: {value}")
    if args.sweep:
        sweep(tasks, args.oracle_answers)
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
