"""The selection benchmark end to end on a tiny data set written by the test (real sandbox)."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

ADD = '''def add(a, b):
    """Add two numbers.

    >>> add(1, 2)
    3
    """
'''
MAX2 = '''def max2(xs):
    """The larger of the first two items.

    max2([1, 5]) == 5
    """
'''


SUM = {"canonical_solution": "    return a + b\n"}
MAX = {"canonical_solution": "    return max(xs[0], xs[1])\n"}


def write(tmp_path: Path) -> tuple[Path, Path]:
    problems = [
        {"task_id": "T/0", "prompt": ADD, "entry_point": "add", "test": ADD_TEST, **SUM},
        {"task_id": "T/1", "prompt": MAX2, "entry_point": "max2", "test": MAX2_TEST, **MAX},
        # labelled samples: the hidden test (which always fails) must not be run
        {"task_id": "T/2", "prompt": ADD, "entry_point": "add", "test": "assert False\n", **SUM},
    ]
    samples: list[dict[str, object]] = [
        # the constant passes the example too, but the two right bodies agree with each other
        {
            "task_id": "T/0",
            "completions": [
                "    return 3\n",
                "    return a + b\n",
                "    return b + a\n",
                "    return a - b\n",
            ],
        },
        {
            "task_id": "T/1",
            "completions": [
                "    return xs[1]\n",
                "    return max(xs[:2])\n",
                "    return max(xs[0], xs[1])\n",
                "    return (\n",
            ],
        },
    ]
    samples.append(
        {
            "task_id": "T/2",
            "completions": ["    return a + b\n", "    return 3\n"],
            "passed": [True, False],
            "extra": "ignored",
        }
    )
    p_path, s_path = tmp_path / "problems.jsonl", tmp_path / "samples.jsonl.gz"
    p_path.write_text("".join(json.dumps(p) + "\n" for p in problems), encoding="utf-8")
    with gzip.open(s_path, "wt", encoding="utf-8") as fh:
        fh.writelines(json.dumps(s) + "\n" for s in samples)
    return p_path, s_path


ADD_TEST = (
    "def check(candidate):\n    assert candidate(2, 2) == 4\n    assert candidate(0, 5) == 5\n"
)
MAX2_TEST = "def check(candidate):\n    assert candidate([7, 3]) == 7\n"


@pytest.mark.e2e
def test_benchmark_reports_the_figures(tmp_path: Path) -> None:
    problems, samples = write(tmp_path)
    out = tmp_path / "out.json"
    cmd = [
        sys.executable,
        str(ROOT / "scripts" / "bench_selection.py"),
        "--problems",
        str(problems),
        "--samples",
        str(samples),
        "--json",
        str(out),
        "--probes",
        "8",
        "--cache",
        str(tmp_path / "cache.jsonl"),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    figures = json.loads(out.read_text(encoding="utf-8"))
    assert figures["tasks"] == 3 and figures["samples"] == 10
    assert figures["examples_found"] == 1.0
    # T/0: 2 of 4 right; T/1: 2 of 4 right (xs[1] and the broken body are wrong); T/2: 1 of 2
    assert figures["random_pass@1"] == pytest.approx(0.5)
    # T/0: 3 pass the example, 2 right; T/1: 3 pass it, 2 right; T/2: both pass it, 1 right
    assert figures["filter_pass@1"] == pytest.approx((2 / 3 + 2 / 3 + 1 / 2) / 3)
    # T/2: a tie broken by simplicity picks the (labelled wrong) constant
    assert figures["selected_pass@1"] == pytest.approx(2 / 3)
    assert figures["oracle"] == pytest.approx(1.0)
    assert "selected_pass@1" in proc.stdout
    # the halves: T/0 and T/2 are even, T/1 odd
    assert figures["odd_selected_pass@1"] == pytest.approx(1.0)
    assert figures["even_selected_pass@1"] == pytest.approx(1 / 2)
    assert figures["even_oracle"] == pytest.approx(1.0)

    # re-scoring the cache, without the sandbox, gives the same figures
    again = tmp_path / "again.json"
    cmd = [
        sys.executable,
        cmd[1],
        "--from-cache",
        str(tmp_path / "cache.jsonl"),
        "--json",
        str(again),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    cached = json.loads(again.read_text(encoding="utf-8"))
    assert cached["cached"] is True and cached["samples"] == 10
    assert cached["examples_found"] == pytest.approx(figures["examples_found"])
    for key in ("random_pass@1", "filter_pass@1", "selected_pass@1", "oracle"):
        for half in ("", "even_", "odd_"):
            assert cached[half + key] == pytest.approx(figures[half + key]), half + key

    # a user who answers one question with the canonical solution's result
    asked = tmp_path / "asked.json"
    cmd += ["--json", str(asked), "--oracle-answers", "1", "--dominance", "0.9"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    oracle = json.loads(asked.read_text(encoding="utf-8"))
    # every task has two behaviours passing its example, none with 90 % of the samples
    assert oracle["ambiguous_at_0"] == 1.0 and oracle["mean_questions"] == 1.0
    assert oracle["by_answers"]["0"]["selected_pass@1"] == pytest.approx(2 / 3)
    # the answer rules out the constant in T/2 (and xs[1], the constant elsewhere)
    assert oracle["by_answers"]["1"]["selected_pass@1"] == pytest.approx(1.0)
    assert oracle["even_by_answers"]["0"]["selected_pass@1"] == pytest.approx(1 / 2)
    assert oracle["even_by_answers"]["1"]["selected_pass@1"] == pytest.approx(1.0)
    assert "by_answers: 0: 0.667, 1: 1.000" in proc.stdout
