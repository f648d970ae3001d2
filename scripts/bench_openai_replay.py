"""Benchmark the OpenAI engine and the refinement loop by replaying real model samples.

A local OpenAI-compatible server (``tests/fake_openai.py``) answers each request with the next
recorded CodeGen-16B samples for the task (100 per HumanEval task, T=0.8), so the whole path is
real: HTTP, output cleaning, sandbox validation against the docstring's examples, selection,
further rounds — only the model is a recording (it cannot read the feedback, so later rounds are
plain resampling; a real model can only do better there).

For each task, in the same run:
  * baseline: the first sample inserted as is (what an unverified LLM plugin does);
  * synthls: ``synthesize`` with N candidates a round, up to R rounds; a body is inserted only when
    it passes every docstring example, otherwise the buffer is left alone.
Both are judged by HumanEval's hidden tests in the sandbox. Printed: correct / wrong insertions
for each, the ratio of correct insertions, the wrong-insertion rate, and time per task.

    python scripts/bench_openai_replay.py \
        --problems /work/shared/data/humaneval.jsonl.gz \
        --samples /work/shared/data/humaneval_codegen16b_n100.jsonl.gz --limit 40 [--json out.json]
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.fake_openai import FakeOpenAI, Reply

from synthls.config import OpenAISettings
from synthls.intent.document import Document
from synthls.intent.model import FunctionTarget
from synthls.intent.targets import find_functions
from synthls.sandbox import Limits, Program, Sandbox
from synthls.synth.loop import synthesize
from synthls.synth.module_text import module_with_body
from synthls.synth.openai import OpenAISynthesizer
from synthls.synth.openai.clean import clean_reply


def load(path: str) -> dict[str, dict[str, Any]]:
    with gzip.open(path, "rt") as fh:
        return {row["task_id"]: row for row in map(json.loads, fh)}


class Replay:
    """Serves a task's recorded samples in order, ``n`` at a time."""

    def __init__(self) -> None:
        self.samples: list[str] = []
        self.next = 0

    def __call__(self, body: dict[str, Any]) -> Reply:
        n = int(body.get("n") or 1)
        out = self.samples[self.next : self.next + n]
        self.next += n
        return Reply(tuple(out))


async def hidden_ok(
    box: Sandbox, text: str, target: FunctionTarget, body: str, task: dict[str, Any]
) -> bool:
    module = module_with_body(text, target, body)
    setup = f"{module}\n{task['test']}\ncheck({task['entry_point']})\n"
    result = await box.run(Program(setup=setup, timeout=10.0))
    return result.status == "ok"


async def one(
    box: Sandbox,
    replay: Replay,
    url: str,
    task: dict[str, Any],
    samples: list[str],
    args: argparse.Namespace,
) -> dict[str, Any]:
    text = task["prompt"] + "    ...\n"
    [target] = [t for t in find_functions(Document(text)) if t.spec.name == task["entry_point"]]
    replay.samples, replay.next = samples, 0
    first, _ = clean_reply(samples[0], target.spec.name)
    base = await hidden_ok(box, text, target, first, task) if first else False
    engine = OpenAISynthesizer(
        OpenAISettings(base_url=url, candidates=args.candidates, retries=0),
        env={"OPENAI_API_KEY": "x"},
    )
    start = time.perf_counter()
    outcome = await synthesize(
        target.spec,
        lambda b: module_with_body(text, target, b),
        [engine],
        box,
        rounds=args.rounds,
        deadline=120,
        timeout=5.0,
    )
    elapsed = time.perf_counter() - start
    ours = None
    if outcome.verified and outcome.candidate is not None:
        ours = await hidden_ok(box, text, target, outcome.candidate.body, task)
    return {
        "task": task["task_id"],
        "examples": len(target.spec.examples),
        "baseline_correct": base,
        "verified": outcome.verified,
        "synthls_correct": ours,
        "rounds": outcome.rounds,
        "candidates": len(outcome.attempts),
        "seconds": elapsed,
    }


async def main(args: argparse.Namespace) -> None:
    problems, samples = load(args.problems), load(args.samples)
    ids = [t for t in problems if t in samples][: args.limit]
    box = Sandbox(Limits(timeout=10.0, memory_mb=512, parallel=2))
    await box.start()
    replay = Replay()
    rows = []
    try:
        with FakeOpenAI(replay) as server:
            for tid in ids:
                rows.append(
                    await one(
                        box, replay, server.url, problems[tid], samples[tid]["completions"], args
                    )
                )
    finally:
        await box.close()
    report(rows, args)


def report(rows: list[dict[str, Any]], args: argparse.Namespace) -> None:
    n = len(rows)
    with_examples = [r for r in rows if r["examples"]]
    base_ok = sum(r["baseline_correct"] for r in rows)
    ours_ok = sum(r["synthls_correct"] is True for r in rows)
    ours_wrong = sum(r["synthls_correct"] is False for r in rows)
    figures = {
        "tasks": n,
        "tasks_with_doctest_examples": len(with_examples),
        "baseline_correct": base_ok,
        "baseline_wrong_inserted": n - base_ok,
        "synthls_verified": sum(r["verified"] for r in rows),
        "synthls_correct": ours_ok,
        "synthls_wrong_inserted": ours_wrong,
        "synthls_abstained": n - ours_ok - ours_wrong,
        "correct_ratio_vs_baseline": round(ours_ok / base_ok, 2) if base_ok else None,
        "wrong_insertion_rate_baseline": round((n - base_ok) / n, 3) if n else None,
        "wrong_insertion_rate_synthls": round(ours_wrong / n, 3) if n else None,
        "median_seconds_per_task": round(statistics.median(r["seconds"] for r in rows), 3)
        if rows
        else None,
        "verified_in_round_1_2_3": [
            sum(r["verified"] and r["rounds"] == k for r in rows) for k in (1, 2, 3)
        ],
        "mean_candidates_per_task": round(statistics.mean(r["candidates"] for r in rows), 1)
        if rows
        else None,
        "candidates_per_round": args.candidates,
        "rounds": args.rounds,
    }
    for key, value in figures.items():
        print(f"{key:>32}: {value}")
    if args.json:
        Path(args.json).write_text(json.dumps({"figures": figures, "rows": rows}, indent=1))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--problems", required=True)
    parser.add_argument("--samples", required=True)
    parser.add_argument("--limit", type=int, default=40)
    parser.add_argument("--candidates", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json")
    asyncio.run(main(parser.parse_args()))
