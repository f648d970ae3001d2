"""scripts/standard_protocol.py and bench_model.py's standard baseline (issue 37 item 1): the
EvalPlus instruct prompt, the code taken from the reply, the whole function judged by the task's
own tests, and the figures next to the product's; plus bench_model's dismissing user. A real
local HTTP server (tests/fake_openai.py) and the real sandbox; no model, no data files."""

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

from standard_protocol import (  # noqa: E402
    INSTRUCTION,
    extract_code,
    judge_humaneval,
    judge_mbpp,
    request_body,
    sanitize,
    solution,
)
from synthls.sandbox import Limits, Sandbox  # noqa: E402

PAIRS = {
    "task_id": "HumanEval/0",
    "entry_point": "pairs",
    "prompt": "from typing import List\n\n\ndef pairs(xs: List[int]) -> List[int]:\n"
    '    """Sums of neighbours.\n\n    >>> pairs([1, 2, 3])\n    [3, 5]\n    """\n',
    "canonical_solution": "    return [a + b for a, b in zip(xs, xs[1:])]\n",
    "test": "def check(candidate):\n    assert candidate([1, 2, 3]) == [3, 5]\n"
    "    assert candidate([]) == []\n",
}
RIGHT = "def pairs(xs):\n    return [a + b for a, b in zip(xs, xs[1:])]\n"
DOUBLE = {
    "task_id": "Mbpp/2",
    "entry_point": "double",
    "prompt": '"""\nWrite a function that doubles a number.\n"""\n',
    "canonical_solution": "def double(x):\n    return 2 * x\n",
    "base_input": [[1], [2], [5]],
    "plus_input": [[-7], [100]],
    "atol": 0,
}


def test_the_prompt_is_evalplus_instruct_greedy_on_the_original_prompt() -> None:
    body = request_body("m", PAIRS["prompt"], 768)
    [message] = body["messages"]  # no system message: the chat template applies its own
    assert message["role"] == "user"
    assert message["content"].startswith(INSTRUCTION + "\n```python\nfrom typing import List")
    assert message["content"].endswith('    """\n```\n')
    assert (body["temperature"], body["max_tokens"]) == (0, 768)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Sure:\n```python\nx = 1\n```\nDone.", "x = 1\n"),
        ("```\ny = 2\n```", "y = 2\n"),
        ("```text\nnot code\n```\n```python\nz = 3\n```", "z = 3\n"),  # python first
        ("```Python\nw = 4\n", "w = 4\n"),  # cut off before the closing fence
        ("def f():\n    return 1\n", "def f():\n    return 1\n"),  # no fence: the whole reply
    ],
)
def test_the_code_is_the_first_python_block(text: str, code: str) -> None:
    assert extract_code(text) == code


def test_sanitize_keeps_definitions_and_drops_examples() -> None:
    code = (
        "import math\nfrom typing import List\nLIMIT = 10\n\n"
        "@staticmethod\ndef f(x):\n    return math.floor(x)\n\n"
        "print(f(2.5))\nassert f(1) == 2\nresult = f(3)\n"
        "if __name__ == '__main__':\n    print(f(1))\n"
    )
    kept = sanitize(code)
    assert "import math" in kept and "LIMIT = 10" in kept and "@staticmethod\ndef f" in kept
    assert "print" not in kept and "assert" not in kept and "result" not in kept
    assert sanitize("def broken(:\n") == "def broken(:\n"
    assert solution(f"Here:\n```python\n{RIGHT}\nprint(pairs([1]))\n```") == RIGHT


@pytest.mark.parametrize(
    ("code", "right"),
    [
        (RIGHT, True),
        ("def pairs(xs: List[int]) -> List[int]:\n    return [3, 5]\n", False),  # prompt's import
        ("return [a + b for a, b in zip(xs, xs[1:])]", False),  # a body is not a function
        ("", False),
    ],
)
async def test_the_whole_function_is_judged_by_the_tasks_tests(code: str, right: bool) -> None:
    box = Sandbox(Limits(timeout=5.0, cpu_seconds=5))
    await box.start()
    try:
        assert await judge_humaneval(box, PAIRS, code) is right
    finally:
        await box.close()


def test_mbpp_whole_functions_are_judged_on_every_input() -> None:
    assert judge_mbpp(DOUBLE, "def double(x):\n    return x + x\n")
    assert not judge_mbpp(DOUBLE, "def double(x):\n    return {1: 2, 2: 4, 5: 10}[x]\n")
    assert not judge_mbpp(DOUBLE, "")


ADD = {
    "task_id": "HumanEval/1",
    "entry_point": "add",
    "prompt": 'def add(a: int, b: int) -> int:\n    """Return a plus b.\n\n    >>> add(1, 2)\n'
    '    3\n    """\n',
    "canonical_solution": "    return a + b\n",
    "test": "def check(candidate):\n    assert candidate(1, 2) == 3\n    assert candidate(2, 2) == 4\n",
}
NOTHING = {
    "task_id": "HumanEval/2",
    "entry_point": "nothing",
    "prompt": 'def nothing() -> None:\n    """Do nothing."""\n',
    "canonical_solution": "    return None\n",
    "test": "def check(candidate):\n    assert candidate() is None\n",
}


def standard_or(product: Any) -> Any:
    """A model that writes the whole function right for the standard request (one user message
    with the EvalPlus instruction) and answers the product's requests with ``product``."""

    def model(body: dict[str, Any]) -> Any:
        messages = body["messages"]
        if len(messages) == 1 and INSTRUCTION in messages[0]["content"]:
            if "def add" in messages[0]["content"]:
                return reply(f"```python\n{ADD['prompt']}    return a + b\n```")
            if "def pairs" in messages[0]["content"]:
                return reply(f"Here it is:\n```python\n{RIGHT}```\n")
            return reply("```python\ndef nothing():\n    return 1\n```")
        return product(body)

    return model


def bench(server: FakeOpenAI, tmp_path: Path, *extra: str) -> tuple[dict[str, Any], str]:
    problems = tmp_path / "tasks.jsonl"
    problems.write_text("".join(json.dumps(t) + "\n" for t in (PAIRS, ADD, NOTHING)))
    out = tmp_path / "figures.json"
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "bench_model.py"), "--base-url", server.url]
        + ["--model", "fake", "--problems", str(problems), "--json", str(out), *extra],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(out.read_text()), done.stdout


def test_standard_only_asks_once_per_task_and_runs_no_loop(tmp_path: Path) -> None:
    def product(body: dict[str, Any]) -> Any:
        raise AssertionError("the synthls loop must not run")

    with FakeOpenAI(standard_or(product)) as server:
        figures, stdout = bench(server, tmp_path, "--standard-only")
    assert (figures["tasks"], figures["skipped"]) == (2, 1)  # nothing has no examples
    assert figures["standard_greedy_pass"] == 1.0  # pairs, add
    assert figures["standard_greedy_pass_all"] == pytest.approx(2 / 3)  # nothing: wrong
    assert set(figures["standard_halves"]) == {"even", "odd"}
    assert figures["standard_halves"]["odd"]["standard_greedy_pass"] == 1.0
    rows = {r["task_id"]: r for r in figures["rows"]}
    assert rows["HumanEval/0"]["standard_pass"] and "standard_seconds" in rows["HumanEval/0"]
    assert "first" not in rows["HumanEval/0"]
    assert "standard protocol" in stdout and "100.0% of 2 tasks with examples" in stdout


def test_the_standard_baseline_and_a_dismissing_user_next_to_the_oracle(tmp_path: Path) -> None:
    """add's greedy answer fails; in the repair round two bodies pass its example and disagree
    (as in test_bench_model): the oracle's answers pick the right one, the dismissing user's
    run of its own leaves it empty; pairs is right at once."""

    def product(body: dict[str, Any]) -> Any:
        task = body["messages"][1]["content"]
        if "def pairs" in task:
            return reply(fenced("return [a + b for a, b in zip(xs, xs[1:])]"))
        if len(body["messages"]) == 2 and body["temperature"] == 0:
            return reply(fenced("return a - b"))
        return reply(fenced("return 3" if body["temperature"] == 0 else "return a + b"))

    settings = {"deadline": 60, "openai": {"candidates": 2}}
    with FakeOpenAI(standard_or(product)) as server:
        figures, stdout = bench(
            server,
            tmp_path,
            *("--settings", json.dumps(settings), "--oracle-answers", "2", "--dismissing"),
        )
    assert figures["first_sample_pass"] == 0.5  # pairs
    assert figures["standard_greedy_pass"] == 1.0 and figures["standard_tasks"] == 2
    assert figures["standard_greedy_pass_all"] == pytest.approx(2 / 3)
    q = figures["question_figures"]
    assert set(q) == {"oracle", "dismissing"}
    assert q["oracle"]["all"]["by_answers"]["2"] == {"right": 1.0, "wrong": 0.0, "nothing": 0.0}
    assert q["oracle"]["all"]["questions"] == 2 and q["oracle"]["all"]["settled"] == 0
    assert q["oracle"]["odd"]["by_answers"]["0"]["nothing"] == 1.0  # add asked
    dismissed = q["dismissing"]["all"]
    assert dismissed["questions"] == 1 and dismissed["answered"] == 0
    assert dismissed["by_answers"]["2"] == {"right": 0.5, "wrong": 0.0, "nothing": 0.5}
    rows = {r["task_id"]: r for r in figures["rows"]}
    assert rows["HumanEval/1"]["dismissing"]["body"] is None
    assert rows["HumanEval/1"]["put"] == 2 and rows["HumanEval/1"]["standard_pass"]
    assert "dismissing all" in stdout and "standard protocol" in stdout
