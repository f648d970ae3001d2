"""Benchmark what synthls inserts with a real model behind an OpenAI-compatible server.

Each HumanEval task becomes the stub a user would write (``humaneval_tasks.stub_text``: the prompt,
its docstring with the task's own examples, then ``...``) and goes through the product's call path
as ``synthls synth --engine openai`` runs it (settings from defaults plus base URL and model,
``make_engines``, the CLI's sandbox, ``synthesize_target``). The body it would insert is judged on
the task's hidden tests in the sandbox. The baseline comes from the same run: the first candidate
the engine produced (what inserting the model's first sample blindly gives), judged the same way.
A recording proxy between synthls and the server counts requests, feedback rounds and tokens.

    synthls model serve --port 8080 --no-key --idle 0 &
    python scripts/bench_model.py --base-url http://127.0.0.1:8080/v1 \
        --model qwen2.5-coder-1.5b-instruct --problems /work/shared/data/humaneval.jsonl.gz \
        --every 2 --json scripts/results/humaneval.json

Figures, as fractions of the tasks whose docstring has examples (the others are skipped: the
product verifies nothing without examples): ``first_sample_pass``, ``inserted_correct``,
``inserted_wrong``, ``nothing``; ``median_seconds`` / ``p95_seconds`` from the request to the
inserted body (tasks with an inserted body), ``tokens_per_second`` (generation, as the server
reports it). ``--mbpp PATH`` adds MBPP+ tasks (``mbpp_stubs``: 3 examples, EvalPlus judging).
``--settings JSON`` merges a settings tree (as in ``$SYNTHLS_SETTINGS``) over the defaults.
``--oracle-answers K``: a simulated user answers up to K questions per task with the reference
solution's result (the TiCoder protocol); the top-level figures stay those of a user who answers
none (a task that asked has nothing inserted), ``by_answers`` holds them after 0..K answers.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

from humaneval_tasks import judge, load_tasks, stub_text, target_of
from mbpp_stubs import check, param_names
from mbpp_stubs import stub_text as mbpp_stub
from recording_proxy import Exchange, RecordingProxy
from synthls.cli_commands import make_sandbox
from synthls.config import Settings, load_settings
from synthls.intent.model import Spec
from synthls.sandbox import Limits, Sandbox
from synthls.sandbox.types import Program
from synthls.synth.ambiguity import Question
from synthls.synth.answers import INVALID
from synthls.synth.engine_protocol import Candidate, Synthesizer, Trial
from synthls.synth.engines import make_engines
from synthls.synth.service import synthesize_target

MBPP_EXAMPLES = 3
Judge = Callable[[str | None], Awaitable[bool]]


class FirstSample:
    """Wraps an engine and keeps the candidates it yields, in order (the first is the baseline)."""

    def __init__(self, engine: Synthesizer) -> None:
        self.engine = engine
        self.name = engine.name
        self.candidates: list[Candidate] = []

    def __getattr__(self, name: str) -> Any:  # uses_feedback and whatever else the loop reads
        return getattr(self.engine, name)

    async def propose(
        self, spec: Spec, feedback: Sequence[Trial], *args: Any, **kwargs: Any
    ) -> AsyncIterator[Candidate]:
        stream = self.engine.propose(spec, feedback, *args, **kwargs)
        try:
            async for cand in stream:
                self.candidates.append(cand)
                yield cand
        finally:
            aclose = getattr(stream, "aclose", None)
            if aclose is not None:
                await aclose()


def bench_settings(base_url: str, model: str, extra: str | None, answers: int = 0) -> Settings:
    """The defaults with only base URL and model set (and ``extra``, a JSON tree, on top);
    with ``answers``, up to that many questions per task."""
    tree: dict[str, Any] = json.loads(extra) if extra else {}
    if answers:
        tree["ask"] = {**tree.get("ask", {}), "maxQuestions": answers}
    tree.setdefault("engine", "openai")
    tree["openai"] = {**tree.get("openai", {}), "baseUrl": base_url, "model": model}
    settings, problems = load_settings(tree, env={})
    if problems:
        raise SystemExit("bench_model: bad --settings: " + "; ".join(problems))
    return settings


def traffic(exchanges: list[Exchange]) -> dict[str, Any]:
    done = [e for e in exchanges if e.path.endswith("/completions")]
    return {
        "requests": len(done),
        "feedback_requests": sum(e.is_feedback for e in done),
        "completion_tokens": sum(e.completion_tokens for e in done),
        "prompt_tokens": sum(e.prompt_tokens for e in done),
        "predicted_ms": round(sum(e.predicted_ms for e in done), 1),
        "timed_tokens": sum(e.completion_tokens for e in done if e.predicted_ms),
        "request_seconds": round(sum(e.ended - e.started for e in done), 2),
        "streamed_tokens": sum(e.completion_tokens for e in done if e.request.get("stream")),
        "streaming_seconds": round(
            sum(e.streaming_seconds for e in done if e.request.get("stream")), 2
        ),
        "aborted": sum(e.aborted for e in done),
    }


class Oracle:
    """The simulated user (the TiCoder protocol): answers a question with the reference
    solution's result on the question's call, run in the referee sandbox, up to ``limit`` times;
    "not a valid input" (``INVALID``) where the reference raises."""

    def __init__(self, box: Sandbox, reference: str, limit: int) -> None:
        self.box, self.reference, self.limit = box, reference, limit
        self.asked: list[tuple[str, str | None]] = []
        self.waited = 0.0  # seconds spent answering (not the product's time)

    async def __call__(self, question: Question) -> str | None:
        if len(self.asked) >= self.limit:
            return None
        start = time.monotonic()
        result = await self.box.run(Program(setup=self.reference, probes=(question.call,)))
        answer = result.probes[0] if result.probes else None
        answer = INVALID if answer is None else answer
        self.asked.append((question.call, answer))
        self.waited += time.monotonic() - start
        return answer


async def solve(
    task_id: str,
    text: str,
    name: str,
    settings: Settings,
    box: Sandbox,
    proxy: RecordingProxy,
    oracle: Oracle | None = None,
) -> dict[str, Any]:
    """Run the product on one stub; the row holds the inserted body and the first sample."""
    row: dict[str, Any] = {"task_id": task_id, "status": "skipped", "body": None, "first": None}
    target = target_of(text, name)
    if target is None or not target.spec.examples:
        return row
    engines = [FirstSample(e) for e in make_engines(settings, env=None)]
    seen = len(proxy.exchanges)
    start = time.monotonic()
    report = await synthesize_target(text, target, engines, box, settings, ask=oracle)
    row["seconds"] = round(time.monotonic() - start - (oracle.waited if oracle else 0.0), 2)
    row["asked"] = len(oracle.asked) if oracle else 0
    row["questions"] = oracle.asked if oracle else []
    row["status"] = report.status
    row["rounds"] = report.outcome.rounds if report.outcome else 0
    row["body"] = report.body
    firsts = [c for e in engines for c in e.candidates[:1]]
    row["first"] = firsts[0].body if firsts else None
    row["candidates"] = sum(len(e.candidates) for e in engines)
    row.update(traffic(proxy.since(seen)))
    return row


async def judged(row: dict[str, Any], right: Judge) -> dict[str, Any]:
    if row["status"] == "skipped":
        return row
    row["first_pass"] = await right(row["first"])
    row["inserted"] = row["body"] is not None
    row["correct"] = row["inserted"] and await right(row["body"])
    return row


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def outcomes(ran: list[dict[str, Any]], answers: int) -> dict[str, float]:
    """inserted-correct / -wrong / nothing when the user answers up to ``answers`` questions
    (a task that asked more has nothing inserted)."""
    n = max(len(ran), 1)
    got = [r for r in ran if r.get("asked", 0) <= answers]
    return {
        "inserted_correct": sum(r["correct"] for r in got) / n,
        "inserted_wrong": sum(r["inserted"] and not r["correct"] for r in got) / n,
        "nothing": 1 - sum(r["inserted"] for r in got) / n,
    }


def summarize(rows: list[dict[str, Any]], answers: int = 0) -> dict[str, Any]:
    """The figures over the rows that ran (fractions of those tasks); the top-level outcome is
    what a user who answers no question gets, ``by_answers`` what answering up to K gives."""
    ran = [r for r in rows if r["status"] != "skipped"]
    n = max(len(ran), 1)
    inserted = [r for r in ran if r["inserted"] and r.get("asked", 0) == 0]
    secs = [r["seconds"] for r in inserted]
    ms = sum(r["predicted_ms"] for r in ran)
    timed = sum(r["timed_tokens"] for r in ran)
    tokens = sum(r["completion_tokens"] for r in ran)
    wall = sum(r["request_seconds"] for r in ran)
    streamed = sum(r.get("streamed_tokens", 0) for r in ran)
    streaming = sum(r.get("streaming_seconds", 0.0) for r in ran)
    return {
        "tasks": len(ran),
        "skipped": len(rows) - len(ran),
        "first_sample_pass": sum(r["first_pass"] for r in ran) / n,
        **outcomes(ran, 0),
        "by_answers": {str(k): outcomes(ran, k) for k in range(answers + 1)},
        "questions_asked": sum(r.get("asked", 0) for r in ran),
        "median_seconds": percentile(secs, 0.5) if secs else None,
        "p95_seconds": percentile(secs, 0.95),
        "median_task_seconds": statistics.median([r["seconds"] for r in ran]) if ran else None,
        "total_seconds": round(sum(r["seconds"] for r in ran), 1),
        "mean_rounds": round(statistics.mean([r["rounds"] for r in ran]), 2) if ran else 0,
        "feedback_tasks": sum(r["feedback_requests"] > 0 for r in ran),
        "fixed_by_feedback": sum(r["correct"] and not r["first_pass"] for r in ran),
        "lost_first_sample": sum(r["first_pass"] and not r["correct"] for r in ran),
        "requests": sum(r["requests"] for r in ran),
        "completion_tokens": tokens,
        "prompt_tokens": sum(r["prompt_tokens"] for r in ran),
        # generation speed as the server timed it (answers read to the end), and tokens over the
        # requests' wall time (prompt reading included; streams cut short count too)
        "tokens_per_second": round(timed / (ms / 1000), 2) if ms else None,
        "tokens_per_request_second": round(tokens / wall, 2) if wall else None,
        # streamed answers: tokens over the time from their first to their last piece
        "streamed_tokens_per_second": round(streamed / streaming, 2) if streaming else None,
    }


def show(label: str, s: dict[str, Any]) -> None:
    pct = {k: f"{100 * s[k]:.1f}%" for k in ("first_sample_pass", "inserted_correct")}
    print(
        f"{label}: {s['tasks']} tasks ({s['skipped']} skipped: no examples)\n"
        f"  baseline, first sample inserted blindly: {pct['first_sample_pass']} correct\n"
        f"  synthls, no question answered{' (a task that asked counts as nothing)' if len(s['by_answers']) > 1 else ''}:"
        f" inserted-correct {pct['inserted_correct']},"
        f" inserted-wrong {100 * s['inserted_wrong']:.1f}%, nothing {100 * s['nothing']:.1f}%"
        f"  (gain {100 * (s['inserted_correct'] - s['first_sample_pass']):+.1f} points)\n"
        f"  seconds to the inserted body: median {s['median_seconds']}, p95 {s['p95_seconds']};"
        f" all tasks: median {s['median_task_seconds']}, total {s['total_seconds']}\n"
        + "".join(
            f"  after {k} answered question(s): inserted-correct"
            f" {100 * v['inserted_correct']:.1f}%, inserted-wrong {100 * v['inserted_wrong']:.1f}%,"
            f" nothing {100 * v['nothing']:.1f}%\n"
            for k, v in s["by_answers"].items()
            if k != "0"
        )
        + f"  questions asked {s['questions_asked']}; rounds (mean) {s['mean_rounds']}, tasks with a feedback request"
        f" {s['feedback_tasks']}, fixed by the loop {s['fixed_by_feedback']}, first sample"
        f" right but not inserted-right {s['lost_first_sample']}\n"
        f"  requests {s['requests']}, tokens {s['completion_tokens']} out /"
        f" {s['prompt_tokens']} in, {s['tokens_per_second']} tokens/s generation"
        f" ({s['tokens_per_request_second']} over the requests' wall time,"
        f" {s['streamed_tokens_per_second']} while streaming)",
        flush=True,
    )


def select(items: list[dict[str, Any]], args: argparse.Namespace) -> list[dict[str, Any]]:
    chosen = items[args.offset :: args.every]
    return chosen[: args.limit] if args.limit else chosen


async def run(args: argparse.Namespace, proxy: RecordingProxy) -> dict[str, Any]:
    settings = bench_settings(proxy.url, args.model, args.settings, args.oracle_answers)
    box = make_sandbox(settings)
    referee = Sandbox(Limits(timeout=20.0, cpu_seconds=20, memory_mb=2048, parallel=1))
    await box.start()
    await referee.start()
    sets: dict[str, list[dict[str, Any]]] = {"humaneval": [], "mbpp": []}
    try:
        for task in select(load_tasks(args.problems), args):

            async def right(body: str | None, t: dict[str, Any] = task) -> bool:
                return await judge(referee, t, body)

            reference = task["prompt"] + task["canonical_solution"]
            row = await solve(
                task["task_id"],
                stub_text(task),
                task["entry_point"],
                settings,
                box,
                proxy,
                oracle(referee, reference, args),
            )
            sets["humaneval"].append(await judged(row, right))
            line(row)
            save(args, figures(sets, args), partial=True)
        for task in select(load_tasks(args.mbpp), args) if args.mbpp else []:
            names = param_names(task)
            text = mbpp_stub(task, MBPP_EXAMPLES)

            async def ok(body: str | None, t: dict[str, Any] = task, n: Any = names) -> bool:
                if body is None or n is None:
                    return False
                return await asyncio.to_thread(check, t, n, body, MBPP_EXAMPLES) == "solved"

            if text is None or names is None:
                continue
            ref = oracle(referee, task["canonical_solution"], args)
            row = await solve(task["task_id"], text, task["entry_point"], settings, box, proxy, ref)
            sets["mbpp"].append(await judged(row, ok))
            line(row)
            save(args, figures(sets, args), partial=True)
    finally:
        await box.close()
        await referee.close()
    return figures(sets, args)


def oracle(box: Sandbox, reference: str, args: argparse.Namespace) -> Oracle | None:
    return Oracle(box, reference, args.oracle_answers) if args.oracle_answers else None


def figures(sets: dict[str, list[dict[str, Any]]], args: argparse.Namespace) -> dict[str, Any]:
    k = args.oracle_answers
    out: dict[str, Any] = {**summarize(sets["humaneval"], k), "rows": sets["humaneval"]}
    if sets["mbpp"]:
        out["mbpp"] = {**summarize(sets["mbpp"], k), "rows": sets["mbpp"]}
    return out


def save(args: argparse.Namespace, summary: dict[str, Any], partial: bool) -> None:
    """Write the figures to ``--json`` atomically (after every task too: a cut run keeps them)."""
    if not args.json:
        return
    meta = {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()}
    summary = {**summary, "partial": partial, "started": args.started, "args": meta}
    args.json.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.json.with_suffix(".tmp")
    tmp.write_text(json.dumps(summary, indent=1))
    tmp.replace(args.json)


def line(row: dict[str, Any]) -> None:
    if row["status"] == "skipped":
        print(f"{row['task_id']:>16} skipped (no examples)", flush=True)
        return
    verdict = "right" if row["correct"] else ("WRONG" if row["inserted"] else "-")
    print(
        f"{row['task_id']:>16} {row['status']:>10} {verdict:>5} first="
        f"{'right' if row['first_pass'] else 'wrong'} {row['seconds']:6.1f}s"
        f" rounds={row['rounds']} requests={row['requests']} tokens={row['completion_tokens']}",
        flush=True,
    )


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base-url", required=True, help="the server's base URL (ends in /v1)")
    ap.add_argument("--model", required=True, help="the model name the server knows")
    ap.add_argument("--problems", required=True, type=Path, help="HumanEval .jsonl(.gz)")
    ap.add_argument("--mbpp", type=Path, help="MBPP+ dev .jsonl: also run these tasks")
    ap.add_argument("--limit", type=int, default=0, help="at most N tasks (after --every)")
    ap.add_argument("--every", type=int, default=1, help="every K-th task")
    ap.add_argument("--offset", type=int, default=0, help="start at task index I")
    ap.add_argument("--settings", help="a JSON settings tree merged over the defaults")
    ap.add_argument("--json", type=Path, help="write the figures and rows here")
    ap.add_argument(
        "--oracle-answers",
        type=int,
        default=0,
        help="questions a simulated user answers with the reference solution's result",
    )
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    args.started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    with RecordingProxy(args.base_url) as proxy:
        summary = asyncio.run(run(args, proxy))
    show("HumanEval", summary)
    if "mbpp" in summary:
        show("MBPP+", summary["mbpp"])
    save(args, summary, partial=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
