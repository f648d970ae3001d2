"""Per-candidate cost of the synthls sandbox against two baselines, measured in one run.

Variants (each runs the same trivial candidate with 3 doctest examples, one at a time):
  synthls     the pre-warmed fork-server sandbox with every layer this platform supports,
              back to back (and once more with ``--gap-ms`` think time between candidates,
              the interactive case, where spares are re-forked while the user is idle)
  fresh       a fresh ``python -I`` subprocess per candidate (parent parses, child runs)
  humaneval   openai/human-eval style: multiprocessing.Process + Manager().list() per candidate
Then throughput: synthls with all cores (``parallel`` = cpu count), and cancellation latency
(cancel() until the child process is gone). Prints median/p95 and ratios; ``--json PATH``
writes the same figures; ``--worker-dir DIR`` runs a copy of the worker package instead (e.g.
an older version, to compare two versions under the same load).
Usage: python scripts/bench_sandbox.py --runs 200 [--json out.json] [--worker-dir DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import time
from typing import Any

from synthls.intent.model import Example
from synthls.sandbox import Limits, Program, Sandbox

SETUP = "def add(a, b):\n    return a + b\n"
EXAMPLES = (
    Example("add(1, 2)", "3\n", 0),
    Example("add(-1, 1)", "0\n", 1),
    Example("add('a', 'b')", "'ab'\n", 2),
)
PROGRAM = Program(setup=SETUP, examples=EXAMPLES, timeout=10.0)
WORKER_DIR: str | None = None  # --worker-dir

FRESH_CHILD = """
import json, sys
job = json.loads(sys.stdin.read())
g = {"__name__": "__candidate__"}
exec(compile(job["setup"], "<candidate>", "exec"), g)
out = []
for src in job["sources"]:
    try:
        out.append(repr(eval(compile(src, "<example>", "eval"), g)) + "\\n")
    except BaseException as exc:
        out.append("EXC " + type(exc).__name__)
sys.stdout.write(json.dumps(out))
"""


def _stats(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return {"median_ms": statistics.median(ordered) * 1e3, "p95_ms": p95 * 1e3, "n": len(ordered)}


def _fresh_once() -> bool:
    job = json.dumps({"setup": SETUP, "sources": [e.source for e in EXAMPLES]})
    proc = subprocess.run(
        [sys.executable, "-I", "-c", FRESH_CHILD],
        input=job,
        capture_output=True,
        text=True,
        timeout=60,
    )
    got = json.loads(proc.stdout)
    return got == [e.want for e in EXAMPLES]


def _humaneval_target(setup: str, sources: list[str], wants: list[str], result: Any) -> None:
    try:
        g: dict[str, Any] = {}
        exec(setup, g)
        ok = all(repr(eval(s, g)) + "\n" == w for s, w in zip(sources, wants))
        result.append("passed" if ok else "failed")
    except BaseException as exc:
        result.append(f"failed: {exc}")


def _humaneval_once() -> bool:
    manager = multiprocessing.Manager()
    try:
        result = manager.list()
        args = (SETUP, [e.source for e in EXAMPLES], [e.want for e in EXAMPLES], result)
        proc = multiprocessing.Process(target=_humaneval_target, args=args)
        proc.start()
        proc.join(timeout=11)
        if proc.is_alive():
            proc.kill()
        return len(result) == 1 and result[0] == "passed"
    finally:
        manager.shutdown()


def _timed(fn: Any, runs: int) -> tuple[list[float], int]:
    samples, failures = [], 0
    for _ in range(runs):
        t0 = time.perf_counter()
        ok = fn()
        samples.append(time.perf_counter() - t0)
        failures += not ok
    return samples, failures


async def _synthls(runs: int, gap: float = 0.0) -> dict[str, Any]:
    box = Sandbox(Limits(parallel=1), worker_dir=WORKER_DIR)
    await box.start()
    for _ in range(5):
        await box.run(PROGRAM)  # warm-up
    samples, failures = [], 0
    for _ in range(runs):
        if gap:
            await asyncio.sleep(gap)  # think time: spares are re-forked while idle
        t0 = time.perf_counter()
        result = await box.run(PROGRAM)
        samples.append(time.perf_counter() - t0)
        failures += not result.all_passed
    layers = box.layers
    await box.close()
    return {**_stats(samples), "failures": failures, "layers": list(layers)}


async def _throughput(runs: int, parallel: int) -> dict[str, Any]:
    box = Sandbox(Limits(parallel=parallel), worker_dir=WORKER_DIR)
    await box.start()
    await asyncio.gather(*(box.run(PROGRAM) for _ in range(parallel * 2)))
    t0 = time.perf_counter()
    results = await asyncio.gather(*(box.run(PROGRAM) for _ in range(runs)))
    wall = time.perf_counter() - t0
    await box.close()
    return {
        "candidates_per_s": runs / wall,
        "parallel": parallel,
        "n": runs,
        "failures": sum(not r.all_passed for r in results),
    }


def _gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


async def _cancel_latency(rounds: int) -> dict[str, Any]:
    box = Sandbox(Limits(parallel=1, timeout=60), worker_dir=WORKER_DIR)
    await box.start()
    hang = Program(setup="import time\n", examples=(Example("time.sleep(600)", "", 0),), timeout=60)
    samples = []
    for _ in range(rounds):
        task = asyncio.create_task(box.run(hang))
        while not [p.pid for p in box._pending.values() if p.pid]:
            await asyncio.sleep(0.002)
        pid = next(p.pid for p in box._pending.values() if p.pid)
        await asyncio.sleep(0.05)
        t0 = time.perf_counter()
        task.cancel()
        while not _gone(pid):
            await asyncio.sleep(0.0005)
        samples.append(time.perf_counter() - t0)
        await asyncio.gather(task, return_exceptions=True)
    await box.close()
    return _stats(samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200, help="candidates per variant (>= 200)")
    parser.add_argument(
        "--baseline-runs", type=int, default=0, help="runs for the baselines (default: --runs)"
    )
    parser.add_argument("--parallel", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    parser.add_argument("--worker-dir", metavar="DIR", help="run this copy of sandbox/worker")
    parser.add_argument(
        "--gap-ms", type=float, default=20.0, help="think time for the interactive synthls row"
    )
    args = parser.parse_args()
    global WORKER_DIR
    WORKER_DIR = args.worker_dir
    base_runs = args.baseline_runs or args.runs
    load_before = os.getloadavg()
    figures: dict[str, Any] = {"runs": args.runs, "cpus": os.cpu_count()}
    figures["synthls"] = asyncio.run(_synthls(args.runs))
    figures["synthls_with_think_time"] = asyncio.run(_synthls(args.runs, args.gap_ms / 1e3))
    samples, failures = _timed(_fresh_once, base_runs)
    figures["fresh_python_I"] = {**_stats(samples), "failures": failures}
    samples, failures = _timed(_humaneval_once, base_runs)
    figures["humaneval_multiprocessing"] = {**_stats(samples), "failures": failures}
    figures["throughput"] = asyncio.run(_throughput(args.runs, args.parallel))
    figures["cancel"] = asyncio.run(_cancel_latency(20))
    ours = figures["synthls"]["median_ms"]
    figures["ratios"] = {
        "fresh_over_synthls": figures["fresh_python_I"]["median_ms"] / ours,
        "humaneval_over_synthls": figures["humaneval_multiprocessing"]["median_ms"] / ours,
    }
    figures["loadavg"] = {"before": load_before, "after": os.getloadavg()}
    _print(figures)
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(figures, fh, indent=2)
    return 0


def _print(f: dict[str, Any]) -> None:
    print(
        f"layers: {', '.join(f['synthls']['layers'])}   cpus: {f['cpus']}   loadavg: {f['loadavg']}"
    )
    print(f"{'variant':32s} {'median ms':>10s} {'p95 ms':>10s} {'n':>5s} {'not passed':>10s}")
    for key in (
        "synthls",
        "synthls_with_think_time",
        "fresh_python_I",
        "humaneval_multiprocessing",
    ):
        v = f[key]
        print(
            f"{key:32s} {v['median_ms']:10.2f} {v['p95_ms']:10.2f} {v['n']:5d} {v['failures']:10d}"
        )
    r = f["ratios"]
    print(f"fresh python -I / synthls:        {r['fresh_over_synthls']:.1f}x")
    print(f"human-eval multiprocessing / synthls: {r['humaneval_over_synthls']:.1f}x")
    t = f["throughput"]
    print(
        f"throughput (parallel={t['parallel']}): {t['candidates_per_s']:.0f} candidates/s ({t['failures']} not passed)"
    )
    c = f["cancel"]
    print(f"cancel -> child gone: median {c['median_ms']:.2f} ms, p95 {c['p95_ms']:.2f} ms")


if __name__ == "__main__":
    raise SystemExit(main())
