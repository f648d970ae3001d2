"""The simulated users of the benchmarks: "not a valid input" where the reference rejects the
input (``bench_embedded.Oracle`` with an MBPP+ contract, ``selection_oracle.simulate``), as the
product's loop takes it (``answers.INVALID``)."""

from __future__ import annotations

import sys
from pathlib import Path

from synthls.sandbox import Limits, Sandbox
from synthls.sandbox.types import ExampleResult, RunResult
from synthls.synth.ambiguity import Question
from synthls.synth.answers import INVALID

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from bench_embedded import Oracle  # noqa: E402
from mbpp_stubs import guarded_reference  # noqa: E402
from selection_oracle import simulate  # noqa: E402

CUBES = {
    "task_id": "Mbpp/422",
    "entry_point": "average_of_cubes",
    "canonical_solution": "\ndef average_of_cubes (n):  \n"
    "    return sum([(i ** 3) for i in range(1, n + 1)]) / n\n",
    "contract": '\n    assert isinstance(n, int), "invalid inputs" # $_CONTRACT_$\n'
    '    assert n >= 0, "invalid inputs" # $_CONTRACT_$\n',
}


def question(call: str, index: int = 0) -> Question:
    return Question("average_of_cubes", call, ("1.0",), 1, index, kind="confirm")


def test_the_contract_goes_at_the_top_of_the_function() -> None:
    source = guarded_reference(CUBES)
    namespace: dict[str, object] = {}
    exec(source, namespace)
    f = namespace["average_of_cubes"]
    assert callable(f) and f(2) == 4.5
    try:
        f(-1)
    except AssertionError:
        pass
    else:
        raise AssertionError("the contract did not reject -1")
    assert guarded_reference({**CUBES, "contract": ""}) == CUBES["canonical_solution"]


async def test_the_oracle_says_not_valid_where_the_contract_rejects_the_input() -> None:
    box = Sandbox(Limits(timeout=3.0, cpu_seconds=3))
    await box.start()
    try:
        plain, guarded = CUBES["canonical_solution"], guarded_reference(CUBES)
        oracle = Oracle(box, plain, 3, guarded, ("average_of_cubes(2)",))
        assert await oracle(question("average_of_cubes(-1)")) == INVALID
        assert await oracle(question("average_of_cubes(3)")) == "12.0"
        # a contract that rejects the examples' own inputs is not the task's: not applied
        oracle = Oracle(box, plain, 3, guarded, ("average_of_cubes(-2)",))
        assert await oracle(question("average_of_cubes(-1)")) == "-0.0"
        # without a contract, a reference that raises says the input is not valid
        oracle = Oracle(box, plain, 3)
        assert await oracle(question("average_of_cubes(0)")) == INVALID
        assert oracle.asked[-1] == ("average_of_cubes(0)", INVALID)
    finally:
        await box.close()


def test_the_simulated_user_rules_an_input_out_and_answers_the_next_question() -> None:
    """Two samples agree on the examples and disagree on probes 0 and 1 (the question is about
    the first); the reference raises on probe 0, so that question is answered "not a valid
    input" and the one on probe 1 settles the selection."""
    passed = (ExampleResult(0, "passed"),)
    wrong = RunResult("ok", passed, ("0", "0"))
    right = RunResult("ok", passed, ("8", "6"))
    probes = ("f(7)", "f(5)")
    sim = simulate(
        ["return 0", "return x + 1"], [wrong, right], [False, True], 1, probes,
        [None, "6"], "f", 2, dominance=1.01,
    )  # fmt: skip
    assert sim.correct[0] is False and sim.correct[-1] is True
    assert sim.asked == 2
