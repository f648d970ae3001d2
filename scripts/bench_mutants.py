"""Replay recorded model bodies through the real loop with and without ``ask.mutants``.

No model is needed: each HumanEval task's recorded body is what a stand-in language-model engine
(named ``openai``, so the loop treats it as a model) proposes first; a later round proposes
nothing, so a body an answer rules out ends as "nothing" (a real model would get a repair round:
these figures are a floor for what the setting recovers). The simulated user answers up to K
questions with the canonical solution's result (``bench_model.Oracle``). Judged by the hidden
tests. Printed per half (even- and odd-numbered tasks): bodies right before / kept right, wrong
before / still inserted, questions asked, precision, for the setting off and on.

Two sources of bodies:
- ``--cache run.jsonl`` (``bench_selection.py --cache``): per task, the first CodeGen-16B sample
  that passes the docstring's examples;
- ``--rows result.json`` (``bench_model.py --json``): the body each task's run inserted.

    python scripts/bench_mutants.py --problems DATA/humaneval.jsonl.gz --cache run.jsonl
    python scripts/bench_mutants.py --problems DATA/humaneval.jsonl.gz \\
        --rows scripts/results/humaneval_auto62_rerun.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import textwrap
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

from synthls.intent.model import Spec
from synthls.sandbox import Limits, Sandbox
from synthls.synth.engine_protocol import Candidate, Trial
from synthls.synth.service import synthesize_target

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_model import Oracle, bench_settings
from humaneval_tasks import judge, load_tasks, stub_text, target_of


class Recorded:
    """A language-model engine that proposes one recorded body, once."""

    name = "openai"
    uses_feedback = True
    needs_examples = False
    votes_once_per_behaviour = False
    holds_out = False
    language_model = True

    def __init__(self, body: str) -> None:
        self.body = body
        self.calls = 0

    async def propose(self, spec: Spec, feedback: Sequence[Trial]) -> AsyncIterator[Candidate]:
        self.calls += 1
        if self.calls == 1:
            yield Candidate(self.body, self.name)


def bodies(args: argparse.Namespace) -> list[tuple[str, str]]:
    """(task id, body) to replay."""
    if args.rows:
        rows = json.loads(Path(args.rows).read_text())["rows"]
        return [(r["task_id"], r["body"]) for r in rows if r.get("inserted") and r.get("body")]
    out = []
    for line in Path(args.cache).read_text().splitlines():
        r = json.loads(line)
        passing = (s for s in r["samples"] if s["examples"] and set(s["examples"]) == {"passed"})
        first = next(passing, None)
        if first is not None:
            out.append((r["task_id"], textwrap.dedent(first["body"]).strip()))
    return out


async def replay(args: argparse.Namespace) -> dict[str, Any]:
    tasks = {t["task_id"]: t for t in load_tasks(Path(args.problems))}
    box = Sandbox(Limits(timeout=5.0))
    referee = Sandbox(Limits(timeout=20.0, cpu_seconds=20, memory_mb=2048, parallel=1))
    await box.start()
    await referee.start()
    rows: list[dict[str, Any]] = []
    try:
        for task_id, body in bodies(args):
            task = tasks[task_id]
            text = stub_text(task)
            target = target_of(text, task["entry_point"])
            if target is None or not target.spec.examples:
                continue
            row: dict[str, Any] = {"task_id": task_id, "right": await judge(referee, task, body)}
            for on in (False, True):
                extra = json.dumps({"deadline": 60, "ask": {"edgeCases": on}})
                settings = bench_settings("http://127.0.0.1:9/v1", "recorded", extra, args.answers)
                user = Oracle(referee, task["prompt"] + task["canonical_solution"], args.answers)
                report = await synthesize_target(
                    text, target, [Recorded(body)], box, settings, ask=user
                )
                inserted = report.body is not None
                right = inserted and await judge(referee, task, report.body)
                key = "on" if on else "off"
                row[key] = {"inserted": inserted, "right": right, "asked": user.asked}
            rows.append(row)
            if row["on"] != row["off"]:
                print(
                    f"{task_id:>14} body {'right' if row['right'] else 'WRONG'}: "
                    f"off {verdict(row['off'])}, on {verdict(row['on'])} {row['on']['asked']}",
                    flush=True,
                )
    finally:
        await box.close()
        await referee.close()
    return {"rows": rows, "halves": {h: summary(rows, h) for h in ("even", "odd", "all")}}


def verdict(side: dict[str, Any]) -> str:
    return "right" if side["right"] else ("WRONG" if side["inserted"] else "nothing")


def summary(rows: list[dict[str, Any]], half: str) -> dict[str, Any]:
    if half != "all":
        parity = 0 if half == "even" else 1
        rows = [r for r in rows if int(r["task_id"].split("/")[1]) % 2 == parity]
    out: dict[str, Any] = {"tasks": len(rows), "right_bodies": sum(r["right"] for r in rows)}
    for key in ("off", "on"):
        inserted = sum(r[key]["inserted"] for r in rows)
        right = sum(r[key]["right"] for r in rows)
        out[key] = {
            "right": right,
            "wrong": inserted - right,
            "questions": sum(len(r[key]["asked"]) for r in rows),
            "precision": round(right / inserted, 3) if inserted else None,
        }
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--problems", required=True, help="HumanEval .jsonl(.gz)")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--cache", help="bench_selection.py --cache output")
    source.add_argument("--rows", help="bench_model.py --json output")
    parser.add_argument("--answers", type=int, default=2, help="questions the user answers")
    parser.add_argument("--json", help="write the figures here")
    args = parser.parse_args(argv)
    result = asyncio.run(replay(args))
    for half, s in result["halves"].items():
        print(f"{half}: {s['tasks']} tasks, {s['right_bodies']} right bodies")
        for key in ("off", "on"):
            f = s[key]
            print(
                f"  ask.mutants {key:>3}: right {f['right']}, wrong {f['wrong']}, "
                f"precision {f['precision']}, questions {f['questions']}"
            )
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
