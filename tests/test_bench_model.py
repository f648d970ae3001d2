"""scripts/bench_model.py and its helpers: the hidden-test judge, the first-sample baseline, and
the figures, against a real local HTTP server (tests/fake_openai.py) and the real sandbox."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.fake_openai import FakeOpenAI, fenced, reply

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from humaneval_tasks import judge, stub_text  # noqa: E402
from synthls.sandbox import Limits, Sandbox  # noqa: E402

ADD = {
    "task_id": "Toy/0",
    "entry_point": "add",
    "prompt": 'def add(a: int, b: int) -> int:\n    """Return a plus b.\n\n    >>> add(1, 2)\n'
    '    3\n    """\n',
    "canonical_solution": "    return a + b\n",
    "test": "def check(candidate):\n    assert candidate(1, 2) == 3\n    assert candidate(2, 2) == 4\n",
}
SHOUT = {
    "task_id": "Toy/1",
    "entry_point": "shout",
    "prompt": 'def shout(s: str) -> str:\n    """Upper-case s with a bang.\n\n'
    "    >>> shout('hi')\n    'HI!'\n    >>> shout('a b')\n    'A B!'\n    \"\"\"\n",
    "canonical_solution": "    return s.upper() + '!'\n",
    "test": "def check(candidate):\n    assert candidate('x') == 'X!'\n",
}
NEG = {
    "task_id": "Toy/2",
    "entry_point": "neg",
    "prompt": 'def neg(x: int) -> int:\n    """Minus x.\n\n    >>> neg(3)\n    -3\n    """\n',
    "canonical_solution": "    return -x\n",
    "test": "def check(candidate):\n    assert candidate(3) == -3\n    assert candidate(5) == -5\n",
}
DOUBLE = {  # an MBPP+ task: examples come from the reference on the base inputs
    "task_id": "Mbpp/2",
    "entry_point": "double",
    "prompt": '"""\nWrite a function that doubles a number.\n"""\n',
    "canonical_solution": "def double(x):\n    return 2 * x\n",
    "base_input": [[1], [2], [5]],
    "plus_input": [[-7], [100]],
    "atol": 0,
}
NO_EXAMPLES = {
    "task_id": "Toy/3",
    "entry_point": "nothing",
    "prompt": 'def nothing() -> None:\n    """Do nothing."""\n',
    "canonical_solution": "    return None\n",
    "test": "def check(candidate):\n    assert candidate() is None\n",
}


@pytest.mark.parametrize(
    ("body", "right"),
    [
        ("return a + b", True),
        ("return 3", False),  # passes the docstring's example, not the hidden tests
        ("while True:\n    pass", False),  # a body that never returns is cut off, not waited for
        ("return a +", False),  # does not parse
        (None, False),
    ],
)
async def test_the_judge_runs_the_hidden_tests_on_the_inserted_body(
    body: str | None, right: bool
) -> None:
    box = Sandbox(Limits(timeout=3.0, cpu_seconds=3))
    await box.start()
    try:
        assert await judge(box, ADD, body) is right
    finally:
        await box.close()


def test_the_stub_is_the_prompt_with_an_ellipsis_body() -> None:
    assert stub_text(ADD) == ADD["prompt"] + "    ...\n"


def script(body: dict[str, Any]) -> Any:
    """A model whose first answer to shout is wrong and whose repair is right; add gets a body
    that passes its one example but not the hidden tests; neg is right at once."""
    messages = body["messages"]
    task = messages[1]["content"]
    repair = any(m["role"] == "assistant" for m in messages)
    if "def shout" in task:
        return reply(fenced("return s.upper() + '!'" if repair else "return s.upper()"))
    if "def add" in task:
        return reply(fenced("return 3"))
    if "def double" in task:
        return reply(fenced("return x + x"))
    return reply(fenced("return -x"))


def test_the_benchmark_reports_the_baseline_and_what_synthls_inserted(tmp_path: Path) -> None:
    problems = tmp_path / "tasks.jsonl"
    problems.write_text("".join(json.dumps(t) + "\n" for t in (ADD, SHOUT, NEG, NO_EXAMPLES)))
    mbpp = tmp_path / "mbpp.jsonl"
    mbpp.write_text(json.dumps(DOUBLE) + "\n")
    out = tmp_path / "figures.json"
    settings = {"deadline": 60, "openai": {"candidates": 1, "temperature": 0}}
    with FakeOpenAI(script) as server:
        done = subprocess.run(
            [sys.executable, str(ROOT / "scripts" / "bench_model.py"), "--base-url", server.url]
            + ["--model", "fake", "--problems", str(problems), "--json", str(out)]
            + ["--settings", json.dumps(settings), "--mbpp", str(mbpp)],
            capture_output=True,
            text=True,
            timeout=300,
        )
    assert done.returncode == 0, done.stderr
    figures = json.loads(out.read_text())
    assert (figures["tasks"], figures["skipped"]) == (3, 1)
    assert figures["first_sample_pass"] == pytest.approx(1 / 3)  # neg only
    assert figures["inserted_correct"] == pytest.approx(2 / 3)  # shout, fixed by feedback; neg
    assert figures["inserted_wrong"] == pytest.approx(1 / 3)  # add: "return 3"
    assert figures["nothing"] == 0
    assert figures["fixed_by_feedback"] == 1
    rows = {r["task_id"]: r for r in figures["rows"]}
    assert rows["Toy/1"]["first"] == "return s.upper()"
    assert rows["Toy/1"]["feedback_requests"] >= 1 and rows["Toy/1"]["rounds"] >= 2
    assert rows["Toy/2"]["feedback_requests"] == 0 and rows["Toy/2"]["requests"] >= 1
    assert figures["median_seconds"] is not None and figures["partial"] is False
    assert "baseline, first sample inserted blindly: 33.3% correct" in done.stdout
    assert figures["mbpp"]["tasks"] == 1 and figures["mbpp"]["inserted_correct"] == 1.0


def test_a_simulated_user_answers_the_question_disagreeing_samples_raise(tmp_path: Path) -> None:
    """add's greedy answer fails; in the feedback round the greedy repair (`return 3`) and a
    sample (`return a + b`) both pass its one example and disagree elsewhere. Without answers
    nothing is inserted; the simulated user's answer (the reference's result) picks the right one,
    and a second answer confirms it (sums of inputs near add(1, 2) repeat: one predicted answer
    could be luck, ``synthls.synth.ambiguity.chance``)."""

    def model(body: dict[str, Any]) -> Any:
        if len(body["messages"]) == 2 and body["temperature"] == 0:
            return reply(fenced("return a - b"))
        return reply(fenced("return 3" if body["temperature"] == 0 else "return a + b"))

    problems = tmp_path / "tasks.jsonl"
    problems.write_text(json.dumps(ADD) + "\n")
    out = tmp_path / "figures.json"
    settings = {"deadline": 60, "openai": {"candidates": 2}}
    with FakeOpenAI(model) as server:
        done = subprocess.run(
            [sys.executable, str(ROOT / "scripts" / "bench_model.py"), "--base-url", server.url]
            + ["--model", "fake", "--problems", str(problems), "--json", str(out)]
            + ["--settings", json.dumps(settings), "--oracle-answers", "2"],
            capture_output=True,
            text=True,
            timeout=300,
        )
    assert done.returncode == 0, done.stderr
    figures = json.loads(out.read_text())
    [row] = figures["rows"]
    assert row["asked"] == 2 and row["body"] == "return a + b" and row["correct"]
    assert all(answer is not None for _, answer in row["questions"])  # the reference's answers
    assert figures["inserted_correct"] == 0 and figures["nothing"] == 1  # answering none
    assert figures["by_answers"]["1"]["inserted_correct"] == 0  # one answer could be luck
    after = figures["by_answers"]["2"]
    assert after["inserted_correct"] == 1 and after["inserted_wrong"] == 0
    assert "after 2 answered question(s): inserted-correct 100.0%" in done.stdout
