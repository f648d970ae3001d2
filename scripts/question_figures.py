"""Questions measured like precision (issue 37 item 3), shared by the benchmarks.

Each task run under one simulated user gives a ``Run``: the half of the dev split it belongs to,
what was inserted (right / wrong / nothing), how many questions the product put to the user, how
many of them the user answered, and how many questions the loop settled without asking (the
outcome's ``settled``, a tuple, read defensively: 0 where the loop does not report it).

The users: ``oracle`` answers with the reference's result (the TiCoder protocol, up to K
answers); ``dismissing`` dismisses every question (its ask callback returns None: a real run of
the product with someone to ask, so the loop does the checks it does only then); ``nobody`` is no
ask callback at all (the CLI without ``--ask``). After k answers a task whose user answered more
than k questions has nothing inserted (it would have stayed ambiguous); a dismissing user
answers none, so its figures are the same after any k.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

Verdict = Literal["right", "wrong", "nothing"]
VERDICTS: tuple[Verdict, ...] = ("right", "wrong", "nothing")


@dataclass(frozen=True)
class Run:
    """One task under one simulated user."""

    half: str
    verdict: Verdict
    questions: int = 0  # questions put to the user (answered or dismissed)
    answered: int = 0  # of those, answered (with a value or "not a valid input")
    settled: int = 0  # questions the loop settled without asking

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def verdict_of(inserted: bool, correct: bool) -> Verdict:
    if not inserted:
        return "nothing"
    return "right" if correct else "wrong"


def settled_of(outcome: object) -> int:
    """Questions the loop settled without asking, from ``outcome.settled`` (a tuple) when the
    outcome reports it; 0 otherwise (no outcome, no such field, or not a sequence)."""
    if outcome is None:
        return 0
    found: object = getattr(outcome, "settled", ())
    if isinstance(found, int) and not isinstance(found, bool):
        return max(found, 0)
    if isinstance(found, (tuple, list, set, frozenset)):
        return len(found)
    return 0


class Dismissing:
    """The simulated user who dismisses every question (the ask callback returns None)."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.kinds: list[str] = []  # each question's kind (split, crash, reading, ...)

    async def __call__(self, question: Any) -> str | None:
        self.calls.append(str(getattr(question, "call", "")))
        self.kinds.append(str(getattr(question, "kind", "")))
        return None


def after(runs: Sequence[Run], answers: int) -> dict[str, float]:
    """Right / wrong / nothing (fractions of the runs) when the user answers up to ``answers``
    questions: a run that needed more answers has nothing inserted."""
    n = max(len(runs), 1)
    got = [r.verdict if r.answered <= answers else "nothing" for r in runs]
    return {v: round(sum(g == v for g in got) / n, 4) for v in VERDICTS}


def user_figures(runs: Sequence[Run], answers: int) -> dict[str, Any]:
    """Questions per task, settled without asking, and right / wrong / nothing after 0..K."""
    n = len(runs)
    questions = sum(r.questions for r in runs)
    return {
        "tasks": n,
        "questions": questions,
        "questions_per_task": round(questions / n, 3) if n else 0.0,
        "tasks_asked": sum(r.questions > 0 for r in runs),
        "answered": sum(r.answered for r in runs),
        "settled": sum(r.settled for r in runs),
        "by_answers": {str(k): after(runs, k) for k in range(answers + 1)},
    }


def by_halves(runs: Sequence[Run], answers: int, halves: Iterable[str]) -> dict[str, Any]:
    """``user_figures`` over all the runs and over each half (halves with no run left out)."""
    out: dict[str, Any] = {"all": user_figures(runs, answers)}
    for half in halves:
        part = [r for r in runs if r.half == half]
        if part:
            out[half] = user_figures(part, answers)
    return out


def table(figures: dict[str, dict[str, Any]]) -> list[str]:
    """The printed table: one line per user and half; ``figures`` maps user -> half -> figures
    (as ``by_halves`` gives them)."""
    if not figures:
        return []
    most = max(len(h["by_answers"]) for halves in figures.values() for h in halves.values())
    head = "".join(f"  after {k} right/wrong/nothing" for k in range(most))
    lines = [f"  {'user':<10} {'half':<6} {'tasks':>5} {'q/task':>6} {'q':>4} {'settled':>7}{head}"]
    for user, halves in figures.items():
        for half, f in halves.items():
            cells = "".join(
                f"  {_pct(v['right']):>7}/{_pct(v['wrong']):>6}/{_pct(v['nothing']):>6}      "
                for v in f["by_answers"].values()
            )
            lines.append(
                f"  {user:<10} {half:<6} {f['tasks']:>5} {f['questions_per_task']:>6.2f}"
                f" {f['questions']:>4} {f['settled']:>7}{cells.rstrip()}"
            )
    return lines


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"
