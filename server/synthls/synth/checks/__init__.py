"""The checks: each finds one way a body can pass the examples and still be wrong.

Every check has one shape (``synthls.synth.session.Check``): the probe inputs it adds, whether it
applies to the chosen body (its engine, what it already looked at), the question it raises for the
session's current candidates, and what it learns from an answer. ``synthls.synth.loop`` runs them
in the order of ``CHECKS`` after every search; the first one with a verdict decides. Adding a
check is one file here and one line in ``CHECKS``.
"""

from __future__ import annotations

from collections.abc import Callable

from synthls.synth.checks.crash import Crash
from synthls.synth.checks.docstring_tests import DocstringTests
from synthls.synth.checks.edge_cases import EdgeCases
from synthls.synth.checks.held_out import HeldOut
from synthls.synth.checks.luck import Luck
from synthls.synth.checks.one_token import OneToken
from synthls.synth.checks.split import Split
from synthls.synth.session import Check

# in the order they are judged: the first verdict wins
CHECKS: tuple[Callable[[], Check], ...] = (
    Split,
    Crash,
    DocstringTests,
    EdgeCases,
    Luck,
    HeldOut,
    OneToken,
)


def new_checks() -> list[Check]:
    """One instance of every check, for one session (a check keeps what it looked at)."""
    return [make() for make in CHECKS]
