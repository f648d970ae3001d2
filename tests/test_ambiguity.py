"""Behaviours that pass the examples, the question that splits them, and answers kept as tests."""

from __future__ import annotations

from synthls.sandbox.types import ExampleResult, RunResult
from synthls.synth.ambiguity import (
    DOMINANCE,
    WRONG_AGREES,
    Question,
    analyse,
    chance,
    confirmation,
)
from synthls.synth.answers import answer_example, consistent, same_value, with_answer
from synthls.synth.engine_protocol import Candidate, Trial
from synthls.synth.worth_asking import degenerate, echoes, edge

PROBES = ("safe_div(2, 4)", "safe_div(0, 5)", "safe_div(-6, 3)", "safe_div(7, 0)")


def cand(
    body: str, probes: tuple[str | None, ...], engine: str = "sample", weight: float = 1.0
) -> Trial:
    examples = (ExampleResult(0, "passed"), ExampleResult(1, "passed"))
    return Trial(Candidate(body, engine, weight=weight), RunResult("ok", examples, probes))


RIGHT = ("0.5", "0.0", "-2.0", "0.0")
MINUS = ("-1.0", "-5.0", "-10.0", None)


def test_one_behaviour_is_verified_and_asks_nothing() -> None:
    pool = [cand("return a / b if b else 0.0", RIGHT), cand("return 0.0 if not b else a/b", RIGHT)]
    amb = analyse(pool, PROBES, "safe_div")
    assert amb.behaviours == 1 and amb.dominant_share == 1.0
    assert not amb.ambiguous and amb.question is None


def test_two_behaviours_give_the_question_with_both_answers() -> None:
    pool = [cand("return a / b if b else 0.0", RIGHT), cand("return a - b - a / a", MINUS)]
    amb = analyse(pool, PROBES, "safe_div")
    assert amb.behaviours == 2 and amb.dominant_share == 0.5 and amb.ambiguous
    q = amb.question
    assert q is not None
    # every valid input splits them equally: the shortest call wins
    assert q.call == "safe_div(2, 4)" and q.index == 0
    assert set(q.choices) == {"0.5", "-1.0"} and q.behaviours == 2
    assert q.text == "What should `safe_div(2, 4)` return?"
    assert amb.summary.startswith(
        "1 behaviour also passes; they disagree on `safe_div(2, 4)`: 0.5 / -1.0"
    )


def test_agreeing_samples_outweigh_a_lone_one() -> None:
    pool = [cand(f"r{i}", RIGHT) for i in range(4)] + [cand("odd", MINUS)]
    amb = analyse(pool, PROBES, "safe_div")
    assert amb.behaviours == 2 and amb.dominant_share == 0.8
    assert amb.dominant_share >= DOMINANCE and not amb.ambiguous
    assert amb.question is not None and amb.question.choices[0] == "0.5"  # most supported first


def test_spellings_of_one_enumerated_program_count_once() -> None:
    spellings = [cand(f"s{i}", MINUS, engine="embedded", weight=0.4) for i in range(5)]
    natural = cand("return a / b if b else 0.0", RIGHT, engine="embedded", weight=0.9)
    amb = analyse([*spellings, natural], PROBES, "safe_div")
    assert amb.behaviours == 2
    assert abs(amb.dominant_share - 0.9 / 1.3) < 1e-9  # max over spellings, not 5 x 0.4


def test_weights_decide_the_dominant_behaviour() -> None:
    pool = [
        cand("plausible", RIGHT, engine="embedded", weight=9.0),
        cand("coincidence", MINUS, engine="embedded", weight=1.0),
    ]
    amb = analyse(pool, PROBES, "safe_div")
    assert amb.dominant_share == 0.9 and not amb.ambiguous


def test_the_question_is_the_input_that_splits_best() -> None:
    probes = ("f(1)", "f(22)", "f(333)")
    a = cand("a", ("1", "2", "3"))
    b = cand("b", ("1", "2", "4"))
    c = cand("c", ("1", "5", "6"))
    amb = analyse([a, b, c], probes, "f")
    assert amb.question is not None
    assert amb.question.call == "f(333)"  # three answers beat two, though the call is longer
    assert amb.question.choices == ("3", "4", "6")


def test_inputs_most_candidates_refuse_are_not_asked_about() -> None:
    probes = ("f('')", "f('ab')")
    a = cand("a", (None, "'a'"))
    b = cand("b", (None, "'b'"))
    c = cand("c", ("''", "'a'"))
    amb = analyse([a, b, c], probes, "f")
    assert amb.question is not None and amb.question.call == "f('ab')"


def test_consistent_keeps_the_candidates_that_give_the_answer() -> None:
    right, wrong = cand("right", RIGHT), cand("wrong", MINUS)
    q = Question("safe_div", "safe_div(2, 4)", ("0.5", "-1.0"), 2, 0)
    assert consistent([right, wrong], q, "0.5") == [right]
    assert consistent([right, wrong], q, "0.50") == [right]  # compared as literals
    assert consistent([right, wrong], q, "7") == []
    raised = Question("safe_div", "safe_div(7, 0)", ("0.0",), 2, 3)
    assert consistent([right, wrong], raised, "0.0") == [right]  # a raise gives no answer


def test_literal_comparison() -> None:
    assert same_value("1.0", "1") and same_value("[1, 2.0]", "[1.0, 2]")
    assert not same_value("True", "1") and not same_value("(1,)", "[1]")
    assert not same_value("'1'", "1") and not same_value(None, "1")
    assert same_value("<object>", "<object>")  # not a literal: compared as text
    # as the example verdict compares: dicts and sets by value, floats inside them too
    assert same_value("{'a': 0.1 + 0.2}".replace("0.1 + 0.2", repr(0.1 + 0.2)), "{'a': 0.3}")
    assert same_value("{1, 2}", "{2, 1}") and not same_value("{'a': 1}", "{'a': 2}")


def test_answer_becomes_a_doctest_example_with_the_programs_repr() -> None:
    q = Question("safe_div", "safe_div(2, 4)", ("0.5", "-1.0"), 2, 0)
    assert answer_example(q, " 0.50 ").want == "0.5\n"
    ex = answer_example(q, "1/2")  # not a literal: kept as typed
    assert ex.source == "safe_div(2, 4)" and ex.want == "1/2\n"
    typed = answer_example(q, "'x'  ")
    assert typed.want == "'x'\n"
    none = answer_example(q, "None")
    assert (none.source, none.want) == ("safe_div(2, 4) is None", "True\n")


def test_with_answer_gives_each_attempt_a_verdict_from_its_probe() -> None:
    q = Question("safe_div", "safe_div(2, 4)", ("0.5", "-1.0"), 2, 0)
    ex = answer_example(q, "0.5")
    right, wrong = cand("r", RIGHT).result, cand("w", MINUS).result
    assert with_answer(right, q, ex).all_passed and with_answer(right, q, ex).passed == 3
    after = with_answer(wrong, q, ex)
    assert not after.all_passed and after.examples[-1].got == "-1.0"
    broken = RunResult("setup_error", setup_error="boom")
    assert with_answer(broken, q, ex).examples[-1].status == "not_run"
    q3 = Question("safe_div", "safe_div(7, 0)", ("0.0",), 2, 3)
    assert with_answer(wrong, q3, answer_example(q3, "0.0")).examples[-1].status == "error"


def test_a_search_prior_twice_a_rival_s_is_a_near_tie_not_dominance() -> None:
    """The embedded engine's weights are plausibility priors: a rival one cost unit dearer
    (weight ratio 2, share 0.67) leaves the examples ambiguous; a ratio of 4 does not. The same
    shares from model samples (votes) are dominance."""
    near = [cand("return a / b if b else 0.0", RIGHT, "embedded", 0.2)]
    near.append(cand("return a - b - a / a", MINUS, "embedded", 0.1))
    amb = analyse(near, PROBES, "safe_div")
    assert amb.dominant_share == 2 / 3 and amb.ambiguous and amb.threshold > 2 / 3
    far = [near[0], cand("return a - b - a / a", MINUS, "embedded", 0.05)]
    assert not analyse(far, PROBES, "safe_div").ambiguous
    votes = [cand("r1", RIGHT), cand("r2", RIGHT), cand("odd", MINUS)]
    assert not analyse(votes, PROBES, "safe_div").ambiguous  # 2 of 3 samples agree


def test_no_question_is_about_a_call_the_examples_already_settle() -> None:
    pool = [cand("return a / b if b else 0.0", RIGHT), cand("return a - b - a / a", MINUS)]
    amb = analyse(pool, PROBES, "safe_div", asked={"safe_div(2,4)"})
    assert amb.question is not None and amb.question.call != "safe_div(2, 4)"
    everything = {p.replace(" ", "") for p in PROBES}
    assert analyse(pool, PROBES, "safe_div", asked=everything).question is None


def test_a_confirmation_asks_where_the_body_s_answer_is_rarest() -> None:
    probes = ("is_big(1)", "is_big(2)", "is_big(300)", "is_big(4)")
    pool = [cand("return n > 100", ("False", "False", "True", "False"), "embedded", 0.1)]
    amb = confirmation(pool, probes, "is_big")
    assert amb is not None and amb.fitted and amb.ambiguous
    q = amb.question
    assert q is not None and q.call == "is_big(300)" and q.choices == ("True", "False")
    assert "no example confirmed the body" in amb.summary
    # a value answer offers the body's answer (the user may type another)
    values = [cand("return n * 2", ("2", "4", "600", "8"), "embedded", 0.1)]
    asked = confirmation(values, probes, "is_big", asked={"is_big(1)"})
    assert asked is not None and asked.question is not None
    assert asked.question.call == "is_big(2)" and asked.question.choices == ("4",)


def test_a_confirmation_avoids_degenerate_inputs_and_asks_at_the_examples_size() -> None:
    """An empty or one-element list settles little (most programs agree there): the question
    is on an input like the examples, even where the body's answer is commoner."""
    probes = (
        "count([])",
        "count([7])",
        "count([4, 9, 2, 8, 1, 3, 5, 6, 10, 11])",
        "count([3, 5, 8])",
    )
    pool = [cand("return len(xs)", ("0", "1", "10", "3"), "embedded", 0.1)]
    amb = confirmation(pool, probes, "count", asked={"count([1, 2])", "count([5, 6, 7])"})
    assert amb is not None and amb.question is not None
    assert amb.question.call == "count([3, 5, 8])" and amb.question.choices == ("3",)
    # only degenerate inputs left: asked there all the same
    small = confirmation(pool[:1], probes[:2], "count", asked=set())
    assert small is not None and small.question is not None
    assert small.question.call == "count([])"


def test_a_confirmation_avoids_an_example_rearranged() -> None:
    """``xs[::2]`` fitted ``[1, 2, 3, 2, 4] -> [1, 3, 4]``; it fits the same list reversed
    too, so an answer there would confirm a wrong body. The question is on fresh data, even
    where the body's answer is commoner."""
    probes = ("dedup([4, 2, 3, 2, 1])", "dedup([5, 3, 5, 8])", "dedup([9, 7, 6])")
    pool = [cand("return xs[::2]", ("[4, 3, 1]", "[5, 5]", "[9, 6]"), "embedded", 0.1)]
    amb = confirmation(pool, probes, "dedup", asked={"dedup([1, 2, 3, 2, 4])"})
    assert amb is not None and amb.question is not None
    assert amb.question.call != "dedup([4, 2, 3, 2, 1])"
    same_list = ("join('ssalc_ym', ['AA', 'Be'])", "join('k_q', ['xY', 'Zz'])")
    pool = [cand("return c + '.' + min(e)", ("'ssalc_ym.AA'", "'k_q.Zz'"), "embedded", 0.1)]
    amb = confirmation(pool, same_list, "join", asked={"join('my_class', ['AA', 'Be'])"})
    assert amb is not None and amb.question is not None
    assert amb.question.call == "join('k_q', ['xY', 'Zz'])"
    assert echoes("join('ssalc_ym', ['Be', 'AA'])", ["join('my_class', ['AA', 'Be'])"]) == 2


def test_degenerate_arguments_are_counted() -> None:
    assert degenerate("f([], '', 0, 1, -1, (5,))") == 6
    assert degenerate("f([1, 2], 'ab', 7, True, x)") == 0
    assert degenerate("not a call") == 0


def test_chance_is_the_share_of_the_body_s_answers_that_are_this_one() -> None:
    parity = cand("return n % 2 == 0", ("True", "False", "True", "False"), "embedded", 0.1)
    assert chance([parity], parity, 0) == 0.5
    doubled = cand("return n * 2", ("2", "4", "600", "8", "10", "12"), "embedded", 0.1)
    # one answer in six, but a wrong body that fits the examples agrees far more often
    assert chance([doubled], doubled, 2) == WRONG_AGREES
    raises = cand("return 1 / n", (None, "0.5", "0.25", "0.5"), "embedded", 0.1)
    assert chance([raises], raises, 0) == 1.0  # no answer there: nothing predicted
    assert chance([raises], raises, 1) == 2 / 3


def test_a_split_question_prefers_an_input_like_the_examples_to_an_empty_one() -> None:
    probes = ("even([])", "even([4, 1, 2])", "even([3])", "even([5, 2, 8, 1, 9, 4, 7, 3, 6, 10])")
    parity = cand("return len(xs) % 2 == 0", ("True", "False", "False", "True"))
    ordered = cand("return xs == sorted(xs)", ("False", "True", "True", "False"))
    amb = analyse([parity, ordered], probes, "even", asked={"even([1, 2])", "even([2, 3, 4])"})
    assert amb.question is not None and amb.question.call == "even([4, 1, 2])"


def test_a_confirmation_asks_at_a_random_input_not_a_mutation_of_an_example() -> None:
    """A body fitted to an example keeps fitting the example's mutations (the duplicate ``2`` of
    ``[1, 2, 3, 2, 4]`` stays a 2 in ``[2, 2, 3, 2, 4]``), so the question is on one of the
    random draws (after the first ``mutated`` probes) while there is one."""
    probes = ("dedup([2, 2, 3, 2, 4])", "dedup([1, 2, 3, 2])", "dedup([5, 7, 5, 9, 8])")
    pool = [cand("return [x for x in xs if x != 2]", ("[3, 4]", "[1, 3]", "[5, 7, 5, 9, 8]"))]
    asked = {"dedup([1, 2, 3, 2, 4])"}
    amb = confirmation(pool, probes, "dedup", asked=asked, mutated=2)
    assert amb is not None and amb.question is not None and amb.question.confirms
    assert amb.question.call == "dedup([5, 7, 5, 9, 8])"
    # with no random draw among the probes, a mutation all the same
    amb = confirmation(pool, probes[:2], "dedup", asked=asked, mutated=2)
    assert amb is not None and amb.question is not None
    assert amb.question.call in probes[:2]


def test_a_boundary_confirmation_asks_one_argument_at_its_smallest_non_empty_value() -> None:
    """``4 * age + 13`` fits dog ages from 3 up and is wrong below: with ``boundary`` the
    confirmation goes to ``dog_age(1)`` (one argument at its smallest non-empty value) before
    ``dog_age(0)`` (empty) and before the typical random draw it would ask otherwise."""
    probes = ("dog_age(13)", "dog_age(0)", "dog_age(1)", "dog_age(21)", "dog_age(1, 0)")
    pool = [cand("return 4 * h_age + 13", ("65", "13", "17", "97", None))]
    asked = {"dog_age(12)", "dog_age(15)"}
    typical = confirmation(pool, probes, "dog_age", asked=asked, mutated=3)
    assert typical is not None and typical.question is not None
    assert typical.question.call == "dog_age(21)"
    amb = confirmation(pool, probes, "dog_age", asked=asked, mutated=3, boundary=True)
    assert amb is not None and amb.question is not None and amb.question.confirms
    assert amb.question.call == "dog_age(1)" and amb.question.choices == ("17",)
    # where the body gives nothing at a boundary case, a typical input all the same
    pool = [cand("return 4 * h_age + 13", ("65", None, None, "97", None))]
    amb = confirmation(pool, probes, "dog_age", asked=asked, mutated=3, boundary=True)
    assert amb is not None and amb.question is not None
    assert amb.question.call == "dog_age(21)"


def test_edge_ranks_one_argument_at_the_boundary() -> None:
    assert edge("f(1)") == edge("f([7])") == edge("f('a', [1, 2])") == edge("f(-1)") == 2
    assert edge("f(0)") == edge("f([])") == edge("f('', 'abc')") == 1
    assert edge("f(5)") == edge("f([1, 2])") == edge("f(1, 0)") == edge("f(x)") == 0
    assert edge("f(True)") == 0  # a truth value is no boundary of a number
