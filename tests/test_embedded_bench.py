"""The embedded benchmark end to end on a tiny MBPP+-style file written by the test.

It runs the product's loop with the real sandbox, so what it judges is what would be inserted.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e  # runs scripts/bench_embedded.py as a subprocess
ROOT = Path(__file__).resolve().parent.parent

TASKS = [
    {  # half A ((4 // 2) % 2 == 0); its hidden inputs are an empty dict, not a list
        "task_id": "Mbpp/4",
        "prompt": '"""Write a function to add two numbers."""',
        "entry_point": "add_nums",
        "canonical_solution": "def add_nums(a, b):\n    return a + b\n",
        "base_input": [[1, 2], [10, 5], [-3, 7]],
        "plus_input": {},
        "atol": 0,
    },
    {  # half B ((2 // 2) % 2 == 1)
        "task_id": "Mbpp/2",
        "prompt": '"""Write a function to return the sorted distinct values of a list."""',
        "entry_point": "uniq",
        "canonical_solution": "def uniq(xs):\n    return sorted(set(xs))\n",
        "base_input": [[[3, 1, 3, 2]], [[5, 5]], [[9, 7, 8]]],
        "plus_input": [[[4, 4, 1]], [[]]],
        "atol": 0,
    },
]


def test_bench_judges_the_inserted_body_and_reports_precision_by_answers(tmp_path: Path) -> None:
    data = tmp_path / "tasks.jsonl"
    data.write_text("".join(json.dumps(t) + "\n" for t in TASKS))
    out = tmp_path / "out.json"
    cmd = [sys.executable, str(ROOT / "scripts" / "bench_embedded.py"), "--tasks", str(data)]
    cmd += ["--budget", "2", "--oracle-answers", "1", "--json", str(out)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=240, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(out.read_text())
    assert summary["tasks"] == 2
    assert set(summary["by_answers"]) == {"0", "1"}
    for key in ("precision", "solved_pct", "inserted_pct"):
        assert key in summary and key in summary["by_answers"]["1"]
    assert set(summary["halves"]) == {"A", "B"}
    rows = {r["task_id"]: r for r in summary["rows"]}
    assert rows["Mbpp/4"]["status"] == "solved"  # no hidden inputs: the base ones decide
    for k, figures in summary["by_answers"].items():  # precision = hidden-correct / inserted
        inserted = [r for r in rows.values() if r["asked"] <= int(k) and r["body"] is not None]
        solved = [r for r in inserted if r["status"] == "solved"]
        assert figures["precision"] == (round(len(solved) / len(inserted), 3) if inserted else 0.0)
    assert "precision" in proc.stdout and "after 1 answer(s)" in proc.stdout


HUMANEVAL = [
    {  # the hidden test agrees with the examples: the inserted body is right
        "task_id": "HumanEval/0",
        "prompt": 'def add(a, b):\n    """Add two numbers.\n\n    >>> add(1, 2)\n    3\n'
        '    >>> add(10, 5)\n    15\n    >>> add(-3, 7)\n    4\n    """\n',
        "entry_point": "add",
        "canonical_solution": "    return a + b\n",
        "test": "def check(candidate):\n    assert candidate(4, 5) == 9\n",
    },
    {  # the hidden test wants what the examples do not show: passing them is not enough
        "task_id": "HumanEval/1",
        "prompt": 'def plus(a, b):\n    """Add two numbers.\n\n    >>> plus(1, 2)\n    3\n'
        '    >>> plus(10, 5)\n    15\n    >>> plus(-3, 7)\n    4\n    """\n',
        "entry_point": "plus",
        "canonical_solution": "    return a + b if a < 100 else 0\n",
        "test": "def check(candidate):\n    assert candidate(100, 1) == 0\n",
    },
    {  # no examples: nothing to verify against, skipped
        "task_id": "HumanEval/2",
        "prompt": 'def nothing(a):\n    """Do something."""\n',
        "entry_point": "nothing",
        "canonical_solution": "    return a\n",
        "test": "def check(candidate):\n    assert candidate(1) == 1\n",
    },
]


def test_bench_runs_humaneval_tasks_judged_by_their_hidden_check(tmp_path: Path) -> None:
    data = tmp_path / "he.jsonl"
    data.write_text("".join(json.dumps(t) + "\n" for t in HUMANEVAL))
    out = tmp_path / "out.json"
    cmd = [sys.executable, str(ROOT / "scripts" / "bench_embedded.py"), "--humaneval", str(data)]
    cmd += ["--budget", "2", "--json", str(out)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=240, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(out.read_text())
    rows = {r["task_id"]: r for r in summary["rows"]}
    assert rows["HumanEval/0"]["status"] == "solved"
    assert rows["HumanEval/1"]["status"] == "examples-only"
    assert rows["HumanEval/1"]["body"] == rows["HumanEval/0"]["body"].replace("add", "plus")
    assert rows["HumanEval/2"]["status"] == "skipped"
    assert summary["tasks"] == 2 and summary["skipped"] == 1
    assert summary["precision"] == 0.5
