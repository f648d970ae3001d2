"""Candidate selection: examples first, then agreement on generated inputs, then simplicity."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from synthls.sandbox.types import ExampleResult, RunResult
from synthls.synth.engine_protocol import Candidate, Trial
from synthls.synth.ranking import choose, passes, pick, usable


def cand(
    body: str,
    passed: int,
    total: int,
    probes: tuple[str | None, ...] = (),
    status: str = "ok",
    note: str = "",
) -> Trial:
    examples = tuple(ExampleResult(i, "passed" if i < passed else "failed") for i in range(total))
    result = RunResult(status=status, examples=examples, probes=probes)  # type: ignore[arg-type]
    return Trial(Candidate(body, "test", note), result)


def test_nothing_usable_gives_none() -> None:
    assert choose([], 2) is None
    broken = [cand("return (", 0, 2, status="setup_error"), cand("x", 2, 2, note="does not parse")]
    assert choose(broken, 2) is None


def test_more_examples_passed_wins_over_agreement() -> None:
    many = [cand(f"return {i} and 1", 1, 2, ("1", "2")) for i in range(5)]
    lone = cand("return 7", 2, 2, ("9", "9"))
    choice = choose([*many, lone], 2)
    assert choice is not None
    assert choice.scored is lone
    assert choice.reason.startswith("passes 2/2 examples")


def test_largest_behaviour_cluster_wins_among_the_best() -> None:
    a = [cand(f"return a{i}", 2, 2, ("1", "2", "3")) for i in range(3)]
    b = [cand(f"return b{i}", 2, 2, ("1", "5", "6")) for i in range(2)]
    choice = choose([*b, *a], 2)
    assert choice is not None
    assert choice.scored in a
    assert (
        choice.reason == "passes 2/2 examples; agrees with 3 of 5 candidates on 3 generated inputs"
    )
    assert [s.candidate.body[:8] for s in choice.ranking[:3]] == ["return a"] * 3


def test_partial_agreement_counts() -> None:
    # x agrees with both groups on most inputs; y and z are each alone but far from the rest.
    x = cand("return x", 1, 1, ("1", "2", "3", "4"))
    near = [
        cand("return n1", 1, 1, ("1", "2", "3", "9")),
        cand("return n2", 1, 1, ("1", "2", "8", "4")),
    ]
    far = cand("return far", 1, 1, ("7", "7", "7", "7"))
    choice = choose([far, *near, x], 1)
    assert choice is not None and choice.scored is x


def test_inputs_most_candidates_crash_on_are_ignored() -> None:
    # Input 0 is outside the domain: most raise there. The one that returns something must not
    # win on it, and the others must not be split by it.
    raisers = [cand(f"return r{i}", 1, 1, (None, "2")) for i in range(3)]
    odd = cand("return odd", 1, 1, ("0", "5"))
    choice = choose([odd, *raisers], 1)
    assert choice is not None and choice.scored in raisers
    assert choice.reason.endswith("agrees with 3 of 4 candidates on 1 generated inputs")


def test_crashing_where_others_return_is_a_different_behaviour() -> None:
    good = [cand(f"return g{i}", 1, 1, ("1", "2")) for i in range(2)]
    crashy = cand("return c", 1, 1, ("1", None))
    choice = choose([crashy, *good], 1)
    assert choice is not None and choice.scored in good


def test_lower_tier_candidates_lend_some_support() -> None:
    # Two behaviours tie among the best; the one that weaker candidates also show wins.
    p = cand("return p", 2, 2, ("1", "1"))
    q = cand("return q", 2, 2, ("2", "2"))
    backers = [cand(f"return w{i}", 1, 2, ("2", "2")) for i in range(3)]
    choice = choose([p, q, *backers], 2)
    assert choice is not None and choice.scored is q


def test_ties_break_by_simplicity_then_order() -> None:
    long = cand("total = 0\nfor x in xs:\n    total += x\nreturn total", 1, 1, ("3",))
    short = cand("return sum(xs)", 1, 1, ("3",))
    same = cand("return sum(xs)", 1, 1, ("3",))
    choice = choose([long, short, same], 1)
    assert choice is not None and choice.scored is short
    assert choice.ranking == (short, same, long)


def test_without_probes_or_examples_the_reason_says_so() -> None:
    choice = choose([cand("return 1", 0, 0), cand("return 22", 0, 0)], 0)
    assert choice is not None
    assert choice.scored.candidate.body == "return 1"
    assert choice.reason == "no examples to check; no generated inputs to compare candidates on"


def test_all_inputs_invalid() -> None:
    choice = choose([cand("return 1", 1, 1, (None, None)), cand("return 2", 1, 1, (None, None))], 1)
    assert choice is not None
    assert choice.reason == "passes 1/1 examples; most candidates raise on all 2 generated inputs"


def test_ranking_holds_every_candidate_with_unusable_last() -> None:
    broken = cand("return (", 0, 1, status="setup_error")
    weak = cand("return 0", 0, 1, ("0",))
    strong = cand("return 1", 1, 1, ("1",))
    choice = choose([broken, weak, strong], 1)
    assert choice is not None
    assert choice.ranking == (strong, weak, broken)


def test_deterministic_under_reordering_of_equal_behaviour() -> None:
    group = [cand("return a", 1, 1, ("1",)), cand("return b", 1, 1, ("2",))]
    first = choose(group, 1)
    again = choose(list(group), 1)
    assert first is not None and again is not None and first.scored is again.scored


outputs = st.sampled_from(["1", "2", "'a'", "[]", None])


@settings(max_examples=200, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.integers(0, 3),
            st.lists(outputs, min_size=4, max_size=4),
            st.sampled_from(["ok", "ok", "timeout", "setup_error"]),
        ),
        max_size=12,
    )
)
def test_choice_is_well_formed(rows: list[tuple[int, list[str | None], str]]) -> None:
    scored = [cand(f"return {k}", p, 3, tuple(pr), st_) for k, (p, pr, st_) in enumerate(rows)]
    choice = choose(scored, 3)
    usable = [s for s in scored if s.result.status != "setup_error"]
    if not usable:
        assert choice is None
        return
    assert choice is not None
    assert sorted(map(id, choice.ranking)) == sorted(map(id, scored))
    assert choice.ranking[0] is choice.scored
    assert choice.scored.result.passed == max(s.result.passed for s in usable)
    assert choice.reason.startswith(f"passes {choice.scored.result.passed}/3 examples")
    again = choose(list(scored), 3)
    assert again is not None and again.scored is choice.scored


def test_common_handling_of_ignored_inputs_beats_a_shorter_body() -> None:
    # all four agree on the two valid inputs; on the third, three raise and one returns 0:
    # that input is ignored, but the three that fail alike are the typical behaviour
    typical = [cand(f"x = {i}\nreturn max(xs)", 2, 2, ("1", "2", None)) for i in range(3)]
    odd = cand("return 0", 2, 2, ("1", "2", "0"))
    choice = choose([odd, *typical], 2)
    assert choice is not None
    assert choice.scored is typical[0]
    # one of each: no behaviour is more common, so simplicity decides
    alone = choose([odd, typical[0]], 2)
    assert alone is not None and alone.scored is odd


def test_a_heavier_behaviour_wins_over_a_simpler_one() -> None:
    light = Trial(
        Candidate("return 1", "embedded", weight=0.2),
        RunResult("ok", (ExampleResult(0, "passed"),), ("1", "1")),
    )
    heavy = Trial(
        Candidate("return a / b if b else 0.0", "embedded", weight=0.9),
        RunResult("ok", (ExampleResult(0, "passed"),), ("0.5", "2.0")),
    )
    choice = choose([light, heavy], 1)
    assert choice is not None and choice.scored is heavy


def test_usable_ranks_a_timed_out_run_but_without_examples_only_a_clean_run_is_picked() -> None:
    # with examples, a run cut short still ranks by what it passed (it loaded: usable) ...
    partial = cand("while b: pass", 2, 3, status="timeout")
    weak = cand("return 0", 1, 3)
    choice = choose([weak, partial], 3)
    assert choice is not None and choice.scored is partial
    assert usable(partial) and not usable(cand("return (", 0, 3, status="setup_error"))
    # ... but with no examples nothing vouches for a body except a clean run
    hangs, clean = cand("while True: pass", 0, 0, status="timeout"), cand("return 1", 0, 0)
    assert not passes(hangs, 0) and passes(clean, 0)
    picked = pick([hangs, clean], 0)
    assert picked is not None and picked[0] is clean
    assert pick([hangs], 0) is None


def test_a_search_s_programs_rank_by_their_prior_not_by_agreeing_with_each_other() -> None:
    # two programs from the enumerative search (it votes once per behaviour) that agree except
    # on one generated input, where the likelier one raises: its prior is not a vote for the
    # other, so the likelier program wins (it used to lose: the other "agreed" with it)
    def found(body: str, weight: float, probes: tuple[str | None, ...]) -> Trial:
        trial = cand(body, 3, 3, probes)
        return Trial(Candidate(body, "embedded", "", weight=weight), trial.result)

    slice_key = found("return sorted(xs, key=lambda t: t[1:])", 0.0037, ("[(1, 2)]", "[(3,)]"))
    item_key = found("return sorted(xs, key=lambda t: t[1])", 0.0074, ("[(1, 2)]", None))
    for order in ([slice_key, item_key], [item_key, slice_key]):
        choice = choose(order, 3)
        assert choice is not None
        assert choice.scored is item_key
