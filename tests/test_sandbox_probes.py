"""Per-probe time budget: an overrun probe reports None and the next probes still run.

A candidate that swallows the budget's exception or blocks SIGALRM is still stopped by the
zygote's wall-clock kill, and the example verdicts reported before it are kept.
"""

from __future__ import annotations

import textwrap

import pytest

from synthls.intent.model import Example
from synthls.sandbox import Program, Sandbox

pytestmark = pytest.mark.asyncio(loop_scope="module")

SETUP = textwrap.dedent(
    """
    import asyncio, signal, time

    def f(x):
        while x:
            pass
        return 1

    def sleepy():
        time.sleep(600)

    async def waits():
        await asyncio.sleep(600)

    class SlowRepr:
        def __repr__(self):
            while True:
                pass

    def stubborn():
        while True:
            try:
                while True:
                    pass
            except BaseException:
                pass

    def masked():
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
        while True:
            pass

    def ignored():
        signal.signal(signal.SIGALRM, signal.SIG_IGN)
        while True:
            pass
    """
)
EXAMPLES = (
    Example("f(0)", "1\n", 0),
    Example("f(0) + 1", "2\n", 1),
    Example("f(0) + 2", "4\n", 2),  # fails on purpose: the verdicts must survive as they are
)
VERDICTS = ["passed", "passed", "failed"]


def program(*probes: str, setup: str = SETUP, **kw: float) -> Program:
    return Program(setup=setup, examples=EXAMPLES, probes=probes, **kw)


@pytest.mark.parametrize(
    "hang",
    ["f(1)", "sleepy()", "waits()", "SlowRepr()", "[f(0), f(2)]"],
    ids=["busy-loop", "sleep", "coroutine", "repr", "nested"],
)
async def test_an_overrun_probe_reports_none_and_the_next_still_runs(
    box: Sandbox, hang: str
) -> None:
    result = await box.run(program("f(0) + 10", hang, "f(0) + 20", probe_timeout=0.3))
    assert result.status == "ok"
    assert [r.status for r in result.examples] == VERDICTS
    assert result.probes == ("11", None, "21")


async def test_several_overruns_in_a_row_each_get_their_own_budget(box: Sandbox) -> None:
    probes = ("f(1)", "sleepy()", "f(3)", "'after'")
    result = await box.run(program(*probes, probe_timeout=0.2, timeout=10.0))
    assert result.status == "ok"
    assert result.probes == (None, None, None, "'after'")


@pytest.mark.parametrize("escape", ["stubborn()", "masked()", "ignored()", "sum(range(10**12))"])
async def test_a_probe_defeating_the_alarm_is_killed_by_the_wall_clock(
    box: Sandbox, escape: str
) -> None:
    result = await box.run(
        program("f(0) + 10", escape, "f(0) + 20", probe_timeout=0.2, timeout=1.0)
    )
    assert result.status == "ok"  # only probes were cut off
    assert [r.status for r in result.examples] == VERDICTS
    assert result.probes == ("11", None, None)


@pytest.mark.parametrize(
    "tamper",
    [
        "signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})",
        "signal.signal(signal.SIGALRM, signal.SIG_IGN)",
        "signal.signal(signal.SIGALRM, lambda *a: None)",
        "signal.setitimer = signal.signal = signal.pthread_sigmask = lambda *a: None",
        "signal.SIGALRM, signal.ITIMER_REAL = signal.SIGUSR1, signal.ITIMER_VIRTUAL",
    ],
    ids=["masked", "ignored", "own-handler", "patched-functions", "patched-constants"],
)
async def test_setup_tampering_with_sigalrm_does_not_disable_the_budget(
    box: Sandbox, tamper: str
) -> None:
    result = await box.run(program("f(1)", "f(0) + 20", setup=SETUP + tamper + "\n"))
    assert [r.status for r in result.examples] == VERDICTS
    assert result.probes == (None, "21")


async def test_zero_budget_leaves_only_the_wall_clock(box: Sandbox) -> None:
    result = await box.run(program("f(0) + 10", "f(1)", "f(0) + 20", probe_timeout=0, timeout=0.5))
    assert result.status == "ok"
    assert [r.status for r in result.examples] == VERDICTS
    assert result.probes == ("11", None, None)


async def test_the_budget_does_not_touch_examples(box: Sandbox) -> None:
    setup = SETUP + "def slow():\n    time.sleep(0.5)\n    return 5\n"
    examples = (Example("slow()", "5\n", 0),)
    result = await box.run(
        Program(setup=setup, examples=examples, probes=("slow()",), probe_timeout=0.05)
    )
    assert result.all_passed
    assert result.probes == (None,)
