"""Benchmark what the product inserts with the embedded engine on MBPP+ tasks written as stubs.

Each task becomes a stub file: the reference's parameter names and a docstring with the task text
and the first K base inputs as doctest examples (outputs from the reference). The stub goes
through the same call path as ``synthls synth`` (``synth.service.synthesize_target``: the loop, the
real sandbox, the selection and the ambiguity analysis); the body the product would insert is
then checked in another child on every base and plus input (the hidden tests; ``atol``
respected), EvalPlus style. An ambiguous result is not inserted (``ask.ambiguous = "ask"``).

``--oracle-answers K``: a simulated user answers up to K of the loop's questions with the
reference solution's output on the question's call (run in the sandbox), the TiCoder protocol,
or "not a valid input" where the reference raises (MBPP+: with the task's input contract in place,
when the contract accepts the stub's examples), as a user would say of ``dog_age(-1)``.
The figures after k answers (k = 0..K) come from the one run: a task whose loop asked q
questions would have stayed ambiguous with fewer than q answers.

    python scripts/bench_embedded.py --tasks /work/shared/data/mbpp_plus_dev.jsonl \
        --examples 3 --budget 5 --half A --oracle-answers 2 --json /tmp/embedded.json

``--humaneval PATH`` (instead of ``--tasks``) runs the HumanEval tasks instead: tasks nobody tuned
the engine to. The stub is the task's own prompt (its signature and docstring with its own
examples, as ``bench_model.py`` writes it) and the body is judged by the task's hidden
``check(candidate)`` in the sandbox; the oracle answers with the canonical solution. A body that
passes the examples but fails the hidden tests counts as examples-only.

Prints, per half and overall: tasks, inserted %, precision (hidden-correct / inserted),
hidden-correct %, examples-only %, abstained %, then per number of answers hidden-correct % and
precision, and the mean number of questions asked. ``--half A|B|all`` picks the dev split
(A: (N // 2) % 2 == 0, B: the rest; N the task number).

Questions (``question_figures`` in the JSON, and a table): per simulated user and half,
questions per task, questions settled without asking (the outcome's ``settled``) and right /
wrong / nothing after 0, 1, 2.. answers. ``--dismissing`` runs every task again with a user who
dismisses every question (a real run: with someone to ask the loop tries edge cases it does not
try otherwise); with ``--oracle-answers 0`` that run replaces the one with nobody to ask.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import statistics
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import humaneval_tasks
from mbpp_stubs import check, guarded_reference, param_names, stub_text
from question_figures import Dismissing, Run, Verdict, by_halves, settled_of, table
from synthls.config import EmbeddedSettings, Settings
from synthls.intent.document import Document
from synthls.intent.targets import find_functions
from synthls.sandbox import Limits, Sandbox
from synthls.sandbox.types import Program
from synthls.synth.ambiguity import behaviours
from synthls.synth.answers import INVALID
from synthls.synth.embedded import EmbeddedSynthesizer
from synthls.synth.loop import Outcome
from synthls.synth.service import synthesize_target

if TYPE_CHECKING:
    from synthls.synth.ambiguity import Question


class Oracle:
    """The simulated user: answers with the reference solution's result, run in the sandbox,
    and says "not a valid input" (``INVALID``) where the reference raises: with the task's
    input contract in place (``guarded``, MBPP+), when that contract accepts the examples."""

    def __init__(
        self,
        box: Sandbox,
        reference: str,
        limit: int,
        guarded: str = "",
        calls: tuple[str, ...] = (),
    ) -> None:
        self.box, self.reference, self.limit = box, reference, limit
        self.guarded, self.calls = guarded, calls
        self.asked: list[tuple[str, str | None]] = []
        self.kinds: list[str] = []  # "confirm" (one behaviour) or "split", with the choices
        self.put = 0  # questions put (answered, or past the limit and dismissed)

    async def __call__(self, question: Question) -> str | None:
        self.put += 1
        if len(self.asked) >= self.limit:
            return None
        if self.guarded:  # the contract counts only if it accepts the examples' own inputs
            check = await self.box.run(Program(setup=self.guarded, probes=self.calls))
            self.reference = self.guarded if None not in check.probes else self.reference
            self.guarded = ""
        program = Program(setup=self.reference, probes=(question.call,))
        result = await self.box.run(program)
        answer = result.probes[0] if result.probes else None
        answer = INVALID if answer is None else answer
        self.asked.append((question.call, answer))
        kind = "confirm" if question.confirms else "split"
        self.kinds.append(f"{kind}: {' / '.join(question.choices)}")
        return answer


async def solve(
    task: dict[str, Any],
    args: argparse.Namespace,
    box: Sandbox,
    prior: bool,
    dismissing: bool = False,
) -> dict[str, Any]:
    """One task through the product; ``dismissing``: the user dismisses every question (the
    product's default number of questions), else the oracle answers up to ``--oracle-answers``."""
    row: dict[str, Any] = {"task_id": task["task_id"], "body": None, "time": 0.0, "asked": 0}
    row.update(put=0, settled=0, user=user_name(args, dismissing))
    humaneval = args.humaneval is not None
    if humaneval:
        text = humaneval_tasks.stub_text(task)
        names: list[str] | None = []
        found = humaneval_tasks.target_of(text, task["entry_point"])
        targets = [found] if found is not None and found.spec.examples else []
        reference = task["prompt"] + task["canonical_solution"]
        guarded = ""
    else:
        text = stub_text(task, args.examples)
        names = param_names(task)
        targets = find_functions(Document(text)) if text is not None else []
        reference = task["canonical_solution"]
        guarded = guarded_reference(task)
    if text is None or names is None or not targets:
        return {**row, "status": "skipped"}
    questions = Settings().ask.max_questions if dismissing else args.oracle_answers
    settings = dataclasses.replace(
        Settings(),
        embedded=EmbeddedSettings(budget=args.budget),
        ask=dataclasses.replace(Settings().ask, max_questions=questions),
    )
    engine = EmbeddedSynthesizer(budget=args.budget, prior=prior)
    calls = tuple(e.source for e in targets[0].spec.examples)
    oracle = Oracle(box, reference, args.oracle_answers, guarded, calls)
    user = Dismissing()
    start = time.monotonic()
    ask = user if dismissing else oracle
    report = await synthesize_target(text, targets[0], [engine], box, settings, ask=ask)
    row["time"] = time.monotonic() - start
    row["asked"] = len(oracle.asked)
    row["questions"] = oracle.asked
    row["kinds"] = oracle.kinds
    row["put"] = len(user.calls) if dismissing else oracle.put
    row["settled"] = settled_of(report.outcome)
    row["outcome"] = report.status
    outcome = report.outcome
    if outcome is not None:
        amb = outcome.ambiguity
        row["share"] = round(amb.dominant_share, 3) if amb else None
        row["behaviours"] = amb.behaviours if amb else 0
        row["fitted"] = amb.fitted if amb else False
        row["summary"] = amb.summary if amb else ""
        row["passing"] = [
            [a.candidate.body, round(a.candidate.weight, 4)]
            for a in outcome.attempts
            if a.result.all_passed
        ]
    if report.body is None:
        return {**row, "status": "abstained", "dominant": "abstained"}

    async def verdict(body: str) -> str:
        if not humaneval:
            return check(task, names or [], body, args.examples)
        right = await humaneval_tasks.judge(box, task, body)
        return "solved" if right else "examples-only"

    status = await verdict(report.body)
    heaviest = dominant_body(outcome)
    other = heaviest not in (None, report.body)
    mine = await verdict(heaviest) if other and heaviest else status
    return {**row, "body": report.body, "status": status, "dominant": mine}


def dominant_body(outcome: Outcome | None) -> str | None:
    """The heaviest body of the heaviest behaviour (a diagnostic: what the weights point at)."""
    if outcome is None:
        return None
    pool = [a for a in outcome.attempts if a.result.all_passed]
    groups = behaviours(pool)
    if not groups:
        return None
    members = [pool[i].candidate for i in groups[0][2]]
    return max(members, key=lambda c: c.weight).body


def figures(rows: list[dict[str, Any]], answers: int, key: str = "status") -> dict[str, Any]:
    """The figures over ``rows`` when the user answers up to ``answers`` questions."""
    rows = [r for r in rows if r["status"] != "skipped"]
    n = max(len(rows), 1)

    def status(r: dict[str, Any]) -> str:
        return str(r[key]) if r["asked"] <= answers else "abstained"

    count = {s: sum(status(r) == s for r in rows) for s in ("solved", "examples-only", "wrong")}
    inserted = sum(count.values())
    return {
        "tasks": len(rows),
        "inserted_pct": round(100.0 * inserted / n, 1),
        "precision": round(count["solved"] / inserted, 3) if inserted else 0.0,
        "solved_pct": round(100.0 * count["solved"] / n, 1),
        "examples_only_pct": round(100.0 * count["examples-only"] / n, 1),
        "wrong_pct": round(100.0 * count["wrong"] / n, 1),
        "abstained_pct": round(100.0 * (len(rows) - inserted) / n, 1),
    }


def summarize(rows: list[dict[str, Any]], args: argparse.Namespace) -> dict[str, Any]:
    times = sorted(r["time"] for r in rows) or [0.0]
    base = figures(rows, 0)
    by = {str(k): figures(rows, k) for k in range(args.oracle_answers + 1)}
    final = by[str(args.oracle_answers)]
    return {
        **base,
        "examples": args.examples,
        "budget": args.budget,
        "skipped": sum(r["status"] == "skipped" for r in rows),
        "by_answers": {
            k: {
                "solved_pct": v["solved_pct"],
                "precision": v["precision"],
                "inserted_pct": v["inserted_pct"],
            }
            for k, v in by.items()
        },
        "final": final,
        "dominant_by_answers": {
            str(k): {
                key: figures(rows, k, "dominant")[key]
                for key in ("solved_pct", "precision", "inserted_pct")
            }
            for k in range(args.oracle_answers + 1)
        },
        "mean_questions": round(statistics.mean([r["asked"] for r in rows] or [0]), 2),
        "median_time": round(statistics.median(times), 3),
        "p95_time": round(times[min(len(times) - 1, int(0.95 * len(times)))], 3),
        "solved_ids": [r["task_id"] for r in rows if r["status"] == "solved" and r["asked"] == 0],
    }


def user_name(args: argparse.Namespace, dismissing: bool) -> str:
    if dismissing:
        return "dismissing"
    return "oracle" if args.oracle_answers else "nobody"


VERDICT: dict[str, Verdict] = {
    "solved": "right",
    "examples-only": "wrong",
    "wrong": "wrong",
    "abstained": "nothing",
}
DISMISSING_FIELDS = ("user", "status", "body", "asked", "put", "settled", "time", "outcome")


def question_figures(rows: list[dict[str, Any]], answers: int) -> dict[str, Any]:
    """user -> half ("all", "A", "B") -> questions and right / wrong / nothing after 0..K."""
    users: dict[str, list[Run]] = {}
    for row in rows:
        for sub in (row, row.get("dismissing")):
            if not sub or sub["status"] == "skipped":
                continue
            run = Run(row["half"], VERDICT[sub["status"]], sub["put"], sub["asked"], sub["settled"])
            users.setdefault(sub["user"], []).append(run)
    return {u: by_halves(runs, max(answers, 2), ("A", "B")) for u, runs in users.items()}


def half_of(task: dict[str, Any]) -> str:
    n = int(str(task["task_id"]).rsplit("/", 1)[-1])
    return "A" if (n // 2) % 2 == 0 else "B"


def parse_args() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    source = ap.add_mutually_exclusive_group(required=True)
    source.add_argument("--tasks", type=Path, help="MBPP+ jsonl")
    source.add_argument("--humaneval", type=Path, help="HumanEval .jsonl(.gz): unseen tasks")
    ap.add_argument("--examples", type=int, default=3, help="K: doctest examples per stub")
    ap.add_argument("--budget", type=float, default=5.0, help="search seconds per round")
    ap.add_argument("--half", choices=("A", "B", "all"), default="all", help="the dev split")
    ap.add_argument("--oracle-answers", type=int, default=0, help="questions the oracle answers")
    ap.add_argument("--json", type=Path, help="write the summary and rows here")
    ap.add_argument("--limit", type=int, default=0, help="only the first N tasks")
    ap.add_argument("--verbose", action="store_true", help="print each task's body")
    ap.add_argument(
        "--dismissing",
        action="store_true",
        help="also run each task with a user who dismisses every question (instead of the"
        " run with nobody to ask when --oracle-answers is 0)",
    )
    ap.add_argument(
        "--baseline",
        action="store_true",
        help="also run each task without the docstring-word prior and print the ratio",
    )
    return ap.parse_args()


def show(label: str, s: dict[str, Any]) -> None:
    print(
        f"{label}: tasks {s['tasks']}, inserted {s['inserted_pct']}%, precision {s['precision']},"
        f" hidden-correct {s['solved_pct']}%, examples-only {s['examples_only_pct']}%,"
        f" wrong {s['wrong_pct']}%, abstained {s['abstained_pct']}%"
    )


async def run(tasks: list[dict[str, Any]], args: argparse.Namespace, prior: bool) -> dict[str, Any]:
    box = Sandbox(Limits(timeout=5.0, memory_mb=1024))
    await box.start()
    rows = []
    try:
        for task in tasks:
            alone = args.dismissing and not args.oracle_answers  # instead of nobody to ask
            row = await solve(task, args, box, prior, dismissing=alone)
            row["half"] = half_of(task)
            if args.dismissing and not alone and row["status"] != "skipped":
                other = await solve(task, args, box, prior, dismissing=True)
                row["dismissing"] = {k: other.get(k) for k in DISMISSING_FIELDS}
            rows.append(row)
            if args.verbose:
                other = row.get("dismissing")
                dismissed = f" dismissing={other['status']} q={other['put']}" if other else ""
                line = (
                    f"{row['task_id']:>10} {row['status']:>13} {row['time']:5.2f}s"
                    f" q={row['asked']}{dismissed} {row['body']!r}"
                )
                print(("" if prior else "[baseline] ") + line, flush=True)
    finally:
        await box.close()
    summary = summarize(rows, args)
    summary["halves"] = {
        h: summarize([r for r in rows if r["half"] == h], args)
        for h in ("A", "B")
        if any(r["half"] == h for r in rows)
    }
    summary["question_figures"] = question_figures(rows, args.oracle_answers)
    summary["rows"] = rows
    return summary


def report(summary: dict[str, Any], args: argparse.Namespace) -> None:
    parts = [("all", summary)] + [(f"half {h}", s) for h, s in summary["halves"].items()]
    for label, s in parts if len(parts) > 2 else parts[:1]:
        show(f"{label}, no answers", s)
        for k, v in s["by_answers"].items():
            print(
                f"  after {k} answer(s): hidden-correct {v['solved_pct']}%,"
                f" precision {v['precision']}, inserted {v['inserted_pct']}%"
            )
        for k, v in s["dominant_by_answers"].items():
            print(
                f"  [diagnostic: inserting the heaviest behaviour] after {k}:"
                f" hidden-correct {v['solved_pct']}%, precision {v['precision']}"
            )
        print(f"  mean questions asked: {s['mean_questions']}")
    lines = table(summary.get("question_figures", {}))
    if lines:
        print("questions per simulated user and half (settled: without asking):")
        print("\n".join(lines))
    print(f"median_time: {summary['median_time']}  p95_time: {summary['p95_time']}")
    print("solved without questions:", " ".join(summary["solved_ids"]))


def main() -> int:
    args = parse_args()
    if args.humaneval is not None:
        tasks = humaneval_tasks.load_tasks(args.humaneval)
    else:
        tasks = [json.loads(line) for line in args.tasks.read_text().splitlines() if line.strip()]
    if args.half != "all":
        tasks = [t for t in tasks if half_of(t) == args.half]
    if args.limit:
        tasks = tasks[: args.limit]
    summary = asyncio.run(run(tasks, args, prior=True))
    report(summary, args)
    if args.baseline:
        base = asyncio.run(run(tasks, args, prior=False))
        summary["baseline"] = {k: v for k, v in base.items() if k not in ("rows", "halves")}
        print(
            f"baseline (no prior): hidden-correct {base['solved_pct']}%,"
            f" precision {base['precision']}"
        )
        ratio = summary["solved_pct"] / max(base["solved_pct"], 0.1)
        print(f"hidden-correct with prior / without: x{ratio:.2f}")
    if args.json:
        args.json.write_text(json.dumps(summary, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
