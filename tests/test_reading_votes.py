"""The reading's vote between behaviours (synth/reading_votes.py): pure rules, no model."""

from __future__ import annotations

from synthls.synth import ambiguity
from synthls.synth.reading_votes import (
    RAISED,
    Claim,
    ReadTest,
    Standing,
    canonical_call,
    canonical_literal,
    claims,
    probe_calls,
    proposal,
    same_result,
    standing,
    vote,
)


def t(call: str, expected: str, samples: int = 1) -> ReadTest:
    return ReadTest(call, expected, samples)


# two behaviours that differ at f(3) (and agree at f(1))
A = {"f(1)": "2", "f(3)": "6"}
B = {"f(1)": "2", "f(3)": "9"}


# ----------------------------------------------------------------------------- call text


def test_canonical_call_spells_literals_one_way() -> None:
    assert canonical_call('f( 1 ,"a", k = [1,2] )') == "f(1, 'a', k=[1, 2])"
    assert canonical_call("Shape().area(2)", "Shape().area") == "Shape().area(2)"
    assert canonical_call("f(x)") is None  # not a literal
    assert canonical_call("f(*[1])") is None
    assert canonical_call("f(**{'a': 1})") is None
    assert canonical_call("g(1)", "f") is None
    assert canonical_call("f(1") is None
    assert canonical_call("f(" + "1," * 5000 + ")") is None  # too long to read
    assert canonical_literal(" [1,2] ") == "[1, 2]" and canonical_literal("x") is None


# ----------------------------------------------------------------------------- claims


def test_a_claim_weighs_its_support_minus_dissent() -> None:
    said = claims([t("f(3)", "6", 3), t("f(3)", "9", 1), t("f(4)", "1", 2), t("f(4)", "2", 2)])
    assert said["f(3)"] == Claim("f(3)", "6", 3, 1) and said["f(3)"].weight == 2
    assert said["f(4)"].weight == 0  # no majority: no evidence


def test_claims_merge_equal_literals_and_spellings_of_one_call() -> None:
    said = claims([t("f(1,'a')", "0.3", 1), t('f(1, "a")', "0.30000000000000004", 2)])
    assert list(said) == ["f(1, 'a')"]
    assert (said["f(1, 'a')"].support, said["f(1, 'a')"].against) == (3, 0)


def test_claims_do_not_merge_values_of_other_types() -> None:
    said = claims([t("f(1)", "1", 2), t("f(1)", "True", 1), t("f(1)", "[1]", 1), t("f(1)", "(1,)")])
    assert (said["f(1)"].expected, said["f(1)"].support, said["f(1)"].against) == ("1", 2, 3)


def test_standing_counts_trusted_claims_only_and_missing_results_neither_way() -> None:
    said = claims([t("f(3)", "6", 3), t("f(4)", "1", 1), t("f(4)", "2", 1), t("f(5)", "0", 2)])
    got = standing(said.values(), {"f(3)": "6", "f(4)": "1"})
    assert got == Standing(agree=3, against=0, support=3)
    assert standing(said.values(), {"f(3)": None, "f(5)": "0"}) == Standing(2, 3, 2)


def test_raised_is_one_result_whatever_its_mark() -> None:
    assert RAISED == ambiguity.RAISED  # the loop's mark
    assert same_result(None, RAISED) and same_result(RAISED, RAISED)
    assert not same_result(None, "None") and not same_result("1", RAISED)
    assert same_result("0.1", "0.1000000000000000001") and not same_result("1", "True")


# ----------------------------------------------------------------------------- the vote


def test_settles_the_one_behaviour_the_reading_agrees_with() -> None:
    verdict = vote([t("f(3)", "6", 3)], {"a": A, "b": B})
    assert verdict.kind == "settles" and verdict.behaviour == "a" and verdict.settled
    assert verdict.calls == ("f(3)",)
    assert verdict.standings["b"] == Standing(0, 3, 0)


def test_settles_whichever_behaviour_the_reading_backs() -> None:
    assert vote([t("f(3)", "9", 2)], {"a": A, "b": B}).behaviour == "b"


def test_a_majority_settles_but_counts_less() -> None:
    verdict = vote([t("f(3)", "6", 3), t("f(3)", "9", 1)], {"a": A, "b": B})
    assert verdict.behaviour == "a" and verdict.standings["b"].against == 2


def test_samples_that_disagree_without_majority_split() -> None:
    verdict = vote([t("f(3)", "6", 2), t("f(3)", "9", 2)], {"a": A, "b": B})
    assert verdict.kind == "split" and verdict.behaviour is None
    assert "disagree" in verdict.reason


def test_one_sample_is_not_enough_even_over_several_tests() -> None:
    results = {"a": {**A, "f(4)": "8"}, "b": {**B, "f(4)": "12"}}
    verdict = vote([t("f(3)", "6"), t("f(4)", "8")], results)
    assert verdict.kind == "open" and verdict.standings["a"] == Standing(2, 0, 1)
    assert vote([t("f(3)", "6"), t("f(4)", "8")], results, min_support=1).behaviour == "a"


def test_the_reading_against_every_behaviour_splits() -> None:
    verdict = vote([t("f(3)", "7", 4)], {"a": A, "b": B})
    assert verdict.kind == "split" and "every behaviour" in verdict.reason


def test_read_tests_that_back_different_behaviours_split() -> None:
    results = {"a": {**A, "f(4)": "8"}, "b": {**B, "f(4)": "12"}}
    verdict = vote([t("f(3)", "6", 3), t("f(4)", "12", 2)], results)
    assert verdict.kind == "split" and "among themselves" in verdict.reason


def test_calls_where_behaviours_agree_do_not_vote() -> None:
    # a strongly read test where both agree says nothing about which one is meant
    verdict = vote([t("f(1)", "2", 4)], {"a": A, "b": B})
    assert verdict.kind == "open" and verdict.shared_agree == 4
    # and it cannot turn a one-sample claim at the differing call into a settled one
    assert vote([t("f(1)", "2", 4), t("f(3)", "6", 1)], {"a": A, "b": B}).kind == "open"


def test_a_reading_wrong_where_every_behaviour_agrees_is_not_trusted() -> None:
    results = {"a": {**A, "f(2)": "4"}, "b": {**B, "f(2)": "4"}}
    wrong = [t("f(3)", "6", 3), t("f(1)", "5", 2), t("f(2)", "3", 2)]
    verdict = vote(wrong, results)
    assert verdict.kind == "split" and (verdict.shared_agree, verdict.shared_against) == (0, 4)
    right_once = [t("f(3)", "6", 3), t("f(1)", "2", 2), t("f(2)", "3", 2)]
    assert vote(right_once, results).behaviour == "a"  # as often right as wrong there: kept


def test_raising_contradicts_a_claim_and_differs_from_a_value() -> None:
    assert vote([t("f(3)", "6", 2)], {"a": A, "b": {**B, "f(3)": None}}).behaviour == "a"
    # both raise there (one by None, one by the mark): no difference, no vote
    raised = {"a": {**A, "f(3)": None}, "b": {**B, "f(3)": RAISED}}
    assert vote([t("f(3)", "6", 2)], raised).kind == "open"
    # a claim "is None" is a value, not a raise
    nones = {"a": {**A, "f(3)": "None"}, "b": {**B, "f(3)": None}}
    assert vote([t("f(3)", "None", 2)], nones).behaviour == "a"


def test_two_behaviours_fitting_the_reading_stay_open() -> None:
    # a and a2 differ elsewhere (f(5), not read) and both give what the reading says at f(3)
    results = {"a": {**A, "f(5)": "0"}, "a2": {**A, "f(5)": "1"}, "b": B}
    verdict = vote([t("f(3)", "6", 3)], results)
    assert verdict.kind == "open" and "2 behaviours" in verdict.reason


def test_a_behaviour_the_reading_says_nothing_about_is_not_ruled_out() -> None:
    results = {"a": A, "b": B, "c": {"f(1)": "2"}}  # c did not run f(3)
    assert vote([t("f(3)", "6", 3)], results).kind == "open"


def test_values_compare_as_literals_and_calls_as_canonical_text() -> None:
    results = {"a": {"f(1, 'x')": "0.30000000000000004"}, "b": {"f(1, 'x')": "0.4"}}
    assert vote([t('f(1,"x")', "0.3", 2)], results).behaviour == "a"
    assert (
        vote(
            [t("f(1, 'x')", "(1, 2)", 2)],
            {"a": {"f(1, 'x')": "[1, 2]"}, "b": {"f(1, 'x')": "(1, 2)"}},
        ).behaviour
        == "b"
    )


def test_no_reading_or_a_single_behaviour_is_open() -> None:
    assert vote([], {"a": A, "b": B}).kind == "open"
    assert vote([t("f(3)", "6", 4)], {"a": A}).kind == "open"
    assert vote([t("f(7)", "6", 4)], {"a": A, "b": B}).kind == "open"  # nobody ran f(7)


def test_results_that_are_not_literals_compare_as_text() -> None:
    results = {"a": {"f(3)": "<object at 0x1>"}, "b": {"f(3)": "6"}}
    assert vote([t("f(3)", "6", 2)], results).behaviour == "b"


# ----------------------------------------------------------------------------- proposals


def test_proposal_is_the_trusted_value_matched_to_a_choice() -> None:
    tests = [t("f(3)", "6.0", 3), t("f(3)", "9", 1)]
    got = proposal(tests, "f( 3 )", choices=("9", "6"))
    assert got is not None and got.choice == "6" and got.against == 1
    assert got.test == ReadTest("f(3)", "6.0", 3)
    fresh = proposal(tests, "f(3)", choices=("9", "7"))
    assert fresh is not None and fresh.choice is None  # a new choice to show


def test_no_proposal_without_a_trusted_claim_at_the_call() -> None:
    assert proposal([t("f(3)", "6", 2), t("f(3)", "9", 2)], "f(3)") is None
    assert proposal([t("f(3)", "6", 2)], "f(4)") is None


def test_probe_calls_put_trusted_claims_first() -> None:
    tests = [t("f(1)", "1"), t("f(2)", "1", 2), t("f(2)", "3", 2), t("f(3)", "0", 3)]
    assert probe_calls(tests) == ["f(3)", "f(1)", "f(2)"]
    assert probe_calls(tests, limit=1) == ["f(3)"]
