"""scripts/question_figures.py and the question passes of the benchmarks (issue 37 item 3): the
figures per simulated user and dev half, the dismissing user, and the everyday bench's terminal
on which every question is dismissed. Fake data only: no model, no data files."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from bench_everyday_file import question_runs, synth_one  # noqa: E402
from question_figures import (  # noqa: E402
    Dismissing,
    Run,
    after,
    by_halves,
    settled_of,
    table,
    user_figures,
    verdict_of,
)


@dataclass(frozen=True)
class Question:
    call: str


RUNS = [
    Run("even", "right", questions=0, answered=0),
    Run("even", "right", questions=1, answered=1, settled=1),
    Run("odd", "wrong", questions=0, answered=0),
    Run("odd", "right", questions=3, answered=2),  # a third question was dismissed
    Run("odd", "nothing", questions=1, answered=0),  # dismissed at once
]


def test_a_task_that_needed_more_answers_has_nothing_inserted() -> None:
    assert after(RUNS, 0) == {"right": 0.2, "wrong": 0.2, "nothing": 0.6}
    assert after(RUNS, 1) == {"right": 0.4, "wrong": 0.2, "nothing": 0.4}
    assert after(RUNS, 2) == {"right": 0.6, "wrong": 0.2, "nothing": 0.2}


def test_questions_per_task_settled_and_both_halves() -> None:
    f = by_halves(RUNS, 2, ("even", "odd", "none"))
    assert set(f) == {"all", "even", "odd"}  # a half with no task is left out
    assert f["all"]["questions"] == 5 and f["all"]["questions_per_task"] == 1.0
    assert (f["all"]["tasks_asked"], f["all"]["answered"], f["all"]["settled"]) == (3, 3, 1)
    assert f["even"]["tasks"] == 2 and f["even"]["by_answers"]["0"]["right"] == 0.5
    thirds = {"right": 1 / 3, "wrong": 1 / 3, "nothing": 1 / 3}
    assert f["odd"]["by_answers"]["2"] == pytest.approx(thirds, abs=1e-4)
    assert list(f["odd"]["by_answers"]) == ["0", "1", "2"]
    assert user_figures([], 1)["questions_per_task"] == 0.0


def test_a_dismissing_user_gets_the_same_figures_after_any_number_of_answers() -> None:
    runs = [Run("A", "right", 0), Run("B", "nothing", 1), Run("B", "wrong", 0)]
    by = user_figures(runs, 2)["by_answers"]
    assert by["0"] == by["1"] == by["2"]


async def test_the_dismissing_user_answers_nothing_and_keeps_the_calls() -> None:
    user = Dismissing()
    assert await user(Question("f(2)")) is None
    assert await user(Question("f(3)")) is None
    assert user.calls == ["f(2)", "f(3)"]


@dataclass(frozen=True)
class Reported:
    settled: object


@pytest.mark.parametrize(
    ("outcome", "count"),
    [
        (None, 0),
        (object(), 0),  # the loop does not report it yet
        (Reported(()), 0),
        (Reported(("f(2)", "f(3)")), 2),
        (Reported(["f(2)"]), 1),
        (Reported(3), 3),
        (Reported(None), 0),
        (Reported("f(2)"), 0),  # not a collection of questions
    ],
)
def test_settled_is_read_defensively(outcome: object, count: int) -> None:
    assert settled_of(outcome) == count


def test_verdicts_and_the_printed_table() -> None:
    assert [verdict_of(False, False), verdict_of(True, True), verdict_of(True, False)] == [
        "nothing",
        "right",
        "wrong",
    ]
    lines = table({"oracle": by_halves(RUNS, 2, ("even", "odd"))})
    assert "after 2 right/wrong/nothing" in lines[0]
    assert len(lines) == 4 and lines[1].split()[:6] == ["oracle", "all", "5", "1.00", "5", "1"]
    assert "20.0%/ 20.0%/ 60.0%" in lines[1] and lines[1].endswith("60.0%/ 20.0%/ 20.0%")
    assert table({}) == []


FAKE_CLI = """\
import sys
out = sys.stderr
asks = "--ask" in sys.argv
if asks and not sys.stdin.isatty():
    out.write("synthls: questions need a terminal (--ask without a TTY); nothing written\\n")
    sys.exit(1)
for i in range(2 if asks else 0):
    out.write("choose 1-4 (or type the value; Enter skips): ")
    out.flush()
    assert sys.stdin.readline() == "\\n"
name = sys.argv[sys.argv.index("--function") + 1]
out.write(f"  ambiguous  {name} (line 3): ambiguous: passes 2/2 examples\\n")
"""


def test_the_everyday_dismissing_pass_presses_enter_on_a_terminal(tmp_path: Path) -> None:
    """``synthls synth --ask`` asks only on a terminal: the pass gives it a pseudo-terminal with
    an empty line per question and counts the prompts."""
    cli = tmp_path / "fake_python"
    cli.write_text(f"#!{sys.executable}\n{FAKE_CLI}")
    cli.chmod(0o755)
    stubs = tmp_path / "stubs.py"
    stubs.write_text("def f(x):\n    ...\n")
    env = dict(os.environ)
    asked = synth_one(str(cli), stubs, "f", env, ask=True)
    assert (asked["cli"], asked["questions"], asked["pending"]) == ("ambiguous", 2, 1)
    nobody = synth_one(str(cli), stubs, "f", env, ask=False)
    assert (nobody["cli"], nobody["questions"]) == ("ambiguous", 0)


def test_everyday_rows_split_into_the_first_and_the_second_half() -> None:
    rows = [
        {"judge": "right", "questions": 0},
        {"judge": "WRONG", "questions": 1},
        {"judge": "unfilled", "questions": 1},
        {"judge": "right", "questions": 0},
    ]
    runs = question_runs(rows)
    assert [r.half for r in runs] == ["first", "first", "second", "second"]
    assert [r.verdict for r in runs] == ["right", "wrong", "nothing", "right"]
    assert all(r.answered == 0 for r in runs)
