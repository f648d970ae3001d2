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

The standard protocol runs next to the product (``standard_protocol``: the EvalPlus instruct
prompt on the task's original prompt, the model's chat template, greedy, the whole function
judged by the task's own tests), one request per task: ``standard_pass`` / ``standard_seconds``
per row, ``standard_greedy_pass`` over the tasks with examples (the denominator of
``first_sample_pass``) and ``standard_greedy_pass_all`` over every task run. ``--standard-only``
runs just that (no synthls loop: cheap on all 164 tasks); ``--no-standard`` skips it.

Questions (``question_figures``, ``question_figures.py``): per simulated user and per dev half
(HumanEval: even / odd task number; MBPP+: half A / B as ``bench_embedded.py`` splits it),
questions per task, questions settled without asking (the outcome's ``settled``), and right /
wrong / nothing after 0..K answers. The users: ``oracle`` (``--oracle-answers K``),
``dismissing`` (``--dismissing``: every question dismissed, a run of its own; alongside the
oracle's when K > 0, instead of nobody's when K = 0) and ``nobody`` (no ask callback, the CLI
without ``--ask``; the run when neither is given).

    python scripts/bench_model.py --base-url URL --model M --problems DATA/humaneval.jsonl.gz \
        --standard-only --json scripts/results/humaneval_standard.json
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

import standard_protocol
from humaneval_tasks import judge, load_tasks, stub_text, target_of
from mbpp_stubs import check, param_names
from mbpp_stubs import stub_text as mbpp_stub
from question_figures import Dismissing, Run, by_halves, settled_of, table, verdict_of
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
HALVES = {"humaneval": ("even", "odd"), "mbpp": ("A", "B")}


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
        self.put = 0  # questions put (answered, or past the limit and dismissed)
        self.kinds: list[str] = []  # each question's kind (split, crash, reading, ...)
        self.waited = 0.0  # seconds spent answering (not the product's time)

    async def __call__(self, question: Question) -> str | None:
        self.put += 1
        self.kinds.append(question.kind)
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
    oracle: Oracle | Dismissing | None = None,
) -> dict[str, Any]:
    """Run the product on one stub; the row holds the inserted body and the first sample.
    ``oracle``: the simulated user (the reference's answers, or one who dismisses every
    question); None: nobody to ask."""
    row: dict[str, Any] = {"task_id": task_id, "status": "skipped", "body": None, "first": None}
    target = target_of(text, name)
    if target is None or not target.spec.examples:
        return row
    engines = [FirstSample(e) for e in make_engines(settings, env=None)]
    seen = len(proxy.exchanges)
    start = time.monotonic()
    report = await synthesize_target(text, target, engines, box, settings, ask=oracle)
    waited = oracle.waited if isinstance(oracle, Oracle) else 0.0
    row["seconds"] = round(time.monotonic() - start - waited, 2)
    answering = isinstance(oracle, Oracle)
    row["user"] = "oracle" if answering else ("dismissing" if oracle else "nobody")
    row["asked"] = len(oracle.asked) if isinstance(oracle, Oracle) else 0  # answered
    row["questions"] = oracle.asked if isinstance(oracle, Oracle) else []
    row["put"] = oracle.put if isinstance(oracle, Oracle) else len(getattr(oracle, "calls", []))
    row["settled"] = settled_of(report.outcome)
    row["kinds"] = list(getattr(oracle, "kinds", []))
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


def standard_figures(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The standard protocol's pass rate over the tasks with examples (``first_sample_pass``'s
    denominator) and over every task it ran on; empty when it did not run."""
    judged = [r for r in rows if "standard_pass" in r]
    if not judged:
        return {}
    with_examples = [r for r in judged if r.get("examples", r["status"] != "skipped")]
    secs = [r["standard_seconds"] for r in judged]
    return {
        "standard_greedy_pass": sum(r["standard_pass"] for r in with_examples)
        / max(len(with_examples), 1),
        "standard_greedy_pass_all": sum(r["standard_pass"] for r in judged) / len(judged),
        "standard_tasks": len(with_examples),
        "standard_tasks_all": len(judged),
        "standard_median_seconds": statistics.median(secs),
        "standard_completion_tokens": sum(r.get("standard_tokens", 0) for r in judged),
    }


def question_runs(rows: list[dict[str, Any]]) -> dict[str, list[Run]]:
    """Each simulated user's runs (the row's own run, and its dismissing run when there is one)
    over the tasks the product ran on."""
    users: dict[str, list[Run]] = {}
    for row in rows:
        if row["status"] == "skipped" or "inserted" not in row:
            continue
        for sub in (row, row.get("dismissing")):
            if not sub:
                continue
            verdict = verdict_of(sub["inserted"], sub["correct"])
            run = Run(row.get("half", ""), verdict, sub["put"], sub["asked"], sub["settled"])
            users.setdefault(sub["user"], []).append(run)
    return users


def question_figures(
    rows: list[dict[str, Any]], answers: int, halves: Sequence[str]
) -> dict[str, Any]:
    """user -> half ("all" and each dev half) -> questions and right / wrong / nothing."""
    return {u: by_halves(runs, answers, halves) for u, runs in question_runs(rows).items()}


def summarize(
    rows: list[dict[str, Any]], answers: int = 0, halves: Sequence[str] = ("even", "odd")
) -> dict[str, Any]:
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
        **standard_figures(rows),
        **standard_halves(rows, halves),
        "question_figures": question_figures(rows, max(answers, 2), halves),
    }


def standard_halves(rows: list[dict[str, Any]], halves: Sequence[str]) -> dict[str, Any]:
    """``standard_halves``: the standard protocol's figures per dev half (none when it did not
    run; halves with no task left out)."""
    found = {h: standard_figures([r for r in rows if r.get("half") == h]) for h in halves}
    found = {h: f for h, f in found.items() if f}
    return {"standard_halves": found} if found else {}


def summarize_standard(
    rows: list[dict[str, Any]], halves: Sequence[str] = ("even", "odd")
) -> dict[str, Any]:
    """``--standard-only``: the standard protocol's figures, overall and per dev half."""
    return {
        "tasks": sum(bool(r.get("examples")) for r in rows),
        "skipped": sum(not r.get("examples") for r in rows),
        **standard_figures(rows),
        **standard_halves(rows, halves),
    }


def show_standard(label: str, s: dict[str, Any]) -> None:
    if "standard_greedy_pass" not in s:
        return
    print(
        f"{label}: standard protocol (chat template, original prompt, greedy, whole function"
        f" judged by the task's tests): {100 * s['standard_greedy_pass']:.1f}% of"
        f" {s['standard_tasks']} tasks with examples, {100 * s['standard_greedy_pass_all']:.1f}%"
        f" of all {s['standard_tasks_all']}; median {s['standard_median_seconds']:.1f} s a request,"
        f" {s['standard_completion_tokens']} tokens",
        flush=True,
    )
    for half, h in s.get("standard_halves", {}).items():
        if h:
            print(
                f"  half {half}: {100 * h['standard_greedy_pass']:.1f}% of {h['standard_tasks']}"
                f" with examples, {100 * h['standard_greedy_pass_all']:.1f}% of"
                f" {h['standard_tasks_all']}",
                flush=True,
            )


def show_questions(s: dict[str, Any]) -> None:
    lines = table(s.get("question_figures", {}))
    if lines:
        print("  questions per simulated user and dev half (settled: without asking):")
        print("\n".join(lines), flush=True)


def show(label: str, s: dict[str, Any]) -> None:
    if "first_sample_pass" not in s:  # --standard-only
        show_standard(label, s)
        return
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
    show_standard("  " + label, s)
    show_questions(s)


def select(items: list[dict[str, Any]], args: argparse.Namespace) -> list[dict[str, Any]]:
    chosen = items[args.offset :: args.every]
    return chosen[: args.limit] if args.limit else chosen


def half_of(task_id: str, kind: str) -> str:
    """The dev half: HumanEval by the task number's parity, MBPP+ as ``bench_embedded.py``
    splits it (A: (N // 2) % 2 == 0)."""
    n = int(str(task_id).rsplit("/", 1)[-1])
    if kind == "humaneval":
        return "even" if n % 2 == 0 else "odd"
    return "A" if (n // 2) % 2 == 0 else "B"


class Bench:
    """One task at a time through the standard protocol and the product, per simulated user."""

    def __init__(
        self, args: argparse.Namespace, proxy: RecordingProxy, box: Sandbox, referee: Sandbox
    ) -> None:
        self.args, self.proxy, self.box, self.referee = args, proxy, box, referee
        self.settings = bench_settings(proxy.url, args.model, args.settings, args.oracle_answers)

    async def task(
        self,
        kind: str,
        task: dict[str, Any],
        text: str,
        right: Judge,
        reference: str,
        prompt: str,
        whole: Callable[[str], Awaitable[bool]],
    ) -> dict[str, Any]:
        args = self.args
        target = target_of(text, task["entry_point"])
        examples = target is not None and bool(target.spec.examples)
        standard: dict[str, Any] = {}
        if not args.no_standard:
            standard = await standard_protocol.standard_row(
                args.base_url, args.model, prompt, whole, args.standard_max_tokens
            )
        if args.standard_only:
            row: dict[str, Any] = {"task_id": task["task_id"], "status": "standard-only"}
        else:
            ask: Oracle | Dismissing | None = oracle(self.referee, reference, args)
            if ask is None and args.dismissing:
                ask = Dismissing()
            row = await self.solve(task, text, right, ask)
            if args.dismissing and args.oracle_answers and row["status"] != "skipped":
                other = await self.solve(task, text, right, Dismissing())
                row["dismissing"] = {k: other.get(k) for k in DISMISSING_FIELDS}
        row.update(standard, examples=examples, half=half_of(task["task_id"], kind))
        return row

    async def solve(
        self, task: dict[str, Any], text: str, right: Judge, ask: Oracle | Dismissing | None
    ) -> dict[str, Any]:
        row = await solve(
            task["task_id"], text, task["entry_point"], self.settings, self.box, self.proxy, ask
        )
        return await judged(row, right)


DISMISSING_FIELDS = (
    "user",
    "status",
    "body",
    "inserted",
    "correct",
    "put",
    "asked",
    "settled",
    "seconds",
    "rounds",
    "requests",
    "completion_tokens",
)


async def run(args: argparse.Namespace, proxy: RecordingProxy) -> dict[str, Any]:
    box = make_sandbox(bench_settings(proxy.url, args.model, args.settings, args.oracle_answers))
    referee = Sandbox(Limits(timeout=20.0, cpu_seconds=20, memory_mb=2048, parallel=1))
    await box.start()
    await referee.start()
    bench = Bench(args, proxy, box, referee)
    sets: dict[str, list[dict[str, Any]]] = {"humaneval": [], "mbpp": []}
    try:
        for task in select(load_tasks(args.problems), args):

            async def right(body: str | None, t: dict[str, Any] = task) -> bool:
                return await judge(referee, t, body)

            async def whole(code: str, t: dict[str, Any] = task) -> bool:
                return await standard_protocol.judge_humaneval(referee, t, code)

            reference = task["prompt"] + task["canonical_solution"]
            text = stub_text(task)
            row = await bench.task("humaneval", task, text, right, reference, task["prompt"], whole)
            sets["humaneval"].append(row)
            line(row)
            save(args, figures(sets, args), partial=True)
        for task in select(load_tasks(args.mbpp), args) if args.mbpp else []:
            names = param_names(task)
            mtext = mbpp_stub(task, MBPP_EXAMPLES)

            async def ok(body: str | None, t: dict[str, Any] = task, n: Any = names) -> bool:
                if body is None or n is None:
                    return False
                return await asyncio.to_thread(check, t, n, body, MBPP_EXAMPLES) == "solved"

            async def mwhole(code: str, t: dict[str, Any] = task) -> bool:
                return await standard_protocol.judge_mbpp_async(t, code)

            if mtext is None or names is None:
                continue
            ref = task["canonical_solution"]
            row = await bench.task("mbpp", task, mtext, ok, ref, mtext, mwhole)
            sets["mbpp"].append(row)
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
    if args.standard_only:
        he, mb = sets["humaneval"], sets["mbpp"]
        out: dict[str, Any] = {**summarize_standard(he, HALVES["humaneval"]), "rows": he}
        if mb:
            out["mbpp"] = {**summarize_standard(mb, HALVES["mbpp"]), "rows": mb}
        return out
    out = {**summarize(sets["humaneval"], k, HALVES["humaneval"]), "rows": sets["humaneval"]}
    if sets["mbpp"]:
        out["mbpp"] = {**summarize(sets["mbpp"], k, HALVES["mbpp"]), "rows": sets["mbpp"]}
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
    std = ""
    if "standard_pass" in row:
        std = f" standard={'right' if row['standard_pass'] else 'wrong'}"
        std += f" ({row['standard_seconds']:.1f}s)"
    if row["status"] == "standard-only":
        print(f"{row['task_id']:>16}{std}", flush=True)
        return
    if row["status"] == "skipped":
        print(f"{row['task_id']:>16} skipped (no examples){std}", flush=True)
        return
    verdict = "right" if row["correct"] else ("WRONG" if row["inserted"] else "-")
    other = row.get("dismissing")
    dismissed = ""
    if other:
        word = "right" if other["correct"] else ("WRONG" if other["inserted"] else "-")
        dismissed = f" dismissing={word} q={other['put']}"
    print(
        f"{row['task_id']:>16} {row['status']:>10} {verdict:>5} first="
        f"{'right' if row['first_pass'] else 'wrong'} {row['seconds']:6.1f}s"
        f" rounds={row['rounds']} requests={row['requests']} tokens={row['completion_tokens']}"
        f" q={row['put']} settled={row['settled']}{dismissed}{std}",
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
    ap.add_argument(
        "--dismissing",
        action="store_true",
        help="also run each task with a user who dismisses every question (instead of nobody"
        " to ask when --oracle-answers is 0)",
    )
    ap.add_argument(
        "--standard-only",
        action="store_true",
        help="only the standard protocol (one greedy chat request per task), no synthls loop",
    )
    ap.add_argument("--no-standard", action="store_true", help="skip the standard protocol")
    ap.add_argument(
        "--standard-max-tokens",
        type=int,
        default=standard_protocol.MAX_TOKENS,
        help="max_tokens of the standard protocol's request",
    )
    args = ap.parse_args(argv)
    if args.standard_only and args.no_standard:
        ap.error("--standard-only and --no-standard exclude each other")
    return args


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
