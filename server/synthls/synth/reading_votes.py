"""The model's reading of the docstring as a vote between behaviours (the CodeT idea).

Before the loop asks the user "What should ``f(x)`` return?", the model is asked to write test
calls with expected results from the docstring and signature alone, in several samples
(``synthls.synth.openai.reading``). Those *read tests* are independent of the bodies: a body that
agrees with both the docstring's examples and the model's own reading of the words is far less
likely to be right by coincidence. This module weighs them; it is pure (no I/O, no model, no
sandbox): it gets the read tests and, for each candidate behaviour, its results on their calls.

The rules, and why:

- **A claim per call.** The read tests are grouped by call (compared as canonical call text:
  ``f(1,'a')`` and ``f(1, "a")`` are one call). At each call the value most samples wrote is
  the reading's *claim*; its **weight** is the samples that wrote it minus the samples that wrote
  another value there (values compared as literals, ``synth.answers.same_value``: floats within a
  tight tolerance). A call the samples disagree on counts less (3 against 1 weighs 2), or not at
  all when no value has a majority (2 against 2 weighs 0): a reading that cannot make up its mind
  is no evidence. A claim with weight > 0 is *trusted*.
- **Only where behaviours differ.** A read test on which every behaviour returns the same tells
  nothing about which behaviour is meant; the vote is taken on the calls where at least two
  behaviours that ran it give different results (raising is a result: it differs from any value,
  and it contradicts any claim, since a read test always expects a value).
- **Standing of a behaviour.** On those calls, ``agree`` is the weight of the trusted claims the
  behaviour matches, ``against`` the weight of those it contradicts, ``support`` the most samples
  behind one claim it matches. A behaviour with no result at a call (not run) is neither.
- **Settles** a behaviour when exactly one behaviour is *consistent* with the reading (it
  agrees with some trusted claim and contradicts none), at least ``min_support`` samples wrote
  one of the claims it matches (by default 2: one sample's test can match a wrong body by
  chance; two independent samples writing the same value rarely do), and every other behaviour
  is contradicted by a trusted claim (a behaviour the reading says nothing about is not ruled
  out).
- **Split** when the reading is against every behaviour: no behaviour is consistent because the
  claims contradict them all, or because the claims disagree among themselves (each behaviour is
  backed by one claim and contradicted by another); also when the samples disagree on every call
  where behaviours differ (no trusted claim there), and when the reading is unreliable for this
  function: where every behaviour returns the same value, its trusted claims contradict that
  shared value more than they agree with it (bodies that all pass the examples and all agree
  are more likely right there than a small model's arithmetic, and a reader wrong where it can
  be checked is not trusted where it cannot).
- **Open** otherwise: the reading has no call where behaviours differ, more than one behaviour
  fits it, the only one that fits has too little support, or another behaviour is not ruled out.
  The loop then asks as it would have.

Anything but *settles* means: ask the user. A question that is asked can offer the reading's
value at its call as a proposed choice (TiCoder shows users a proposed test to approve):
:func:`proposal` picks it, only from a trusted claim. Read tests never become doctest examples
unless the user accepted them; this module only weighs them.

Everything here is bounded by its inputs (a few hundred read tests at most) and never raises on
odd result strings: a result that is not a literal is compared as text.
"""

from __future__ import annotations

import ast
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, Literal, TypeVar

from synthls.synth.answers import same_value
from synthls.synth.behaviour import RAISED

B = TypeVar("B", bound=Hashable)

# None (a result that raised) means the same as RAISED here

MIN_SUPPORT = 2  # samples that must have written a claim the settled behaviour matches
MAX_CALL = 2000  # characters: a longer call text is not read (the reading's lines are shorter)
_BAD_PARSE = (SyntaxError, ValueError, TypeError, MemoryError, RecursionError)


@dataclass(frozen=True)
class ReadTest:
    """One test call the model wrote from the docstring: ``call`` (canonical text, e.g.
    ``f(3, 'ab')``), ``expected`` (the repr of the value it expects) and ``samples`` (how many
    samples wrote this call with this expected value)."""

    call: str
    expected: str
    samples: int


@dataclass(frozen=True)
class Reading:
    """What the model read in a docstring: the merged ``tests``; ``samples``, how many answers
    came (parsed or not: the vote's denominator); the endpoint's ``errors``; whether the
    ``budget`` ran out first; the seconds and tokens spent."""

    tests: tuple[ReadTest, ...] = ()
    samples: int = 0
    errors: tuple[str, ...] = ()
    timed_out: bool = False
    seconds: float = 0.0
    tokens: int = 0


@dataclass(frozen=True)
class Claim:
    """What the reading says at one call: the value most samples wrote (``expected``), how many
    wrote it (``support``) and how many wrote another value there (``against``)."""

    call: str
    expected: str
    support: int
    against: int

    @property
    def weight(self) -> int:
        """Support minus dissent, never below 0; a claim with weight > 0 is trusted."""
        return max(self.support - self.against, 0)


@dataclass(frozen=True)
class Standing:
    """A behaviour against the trusted claims (at the calls the vote looked at)."""

    agree: int = 0  # weight of the claims it matches
    against: int = 0  # weight of the claims it contradicts
    support: int = 0  # the most samples behind one claim it matches

    @property
    def consistent(self) -> bool:
        return self.agree > 0 and self.against == 0


VerdictKind = Literal["settles", "split", "open"]


@dataclass(frozen=True)
class Verdict(Generic[B]):
    """The reading's vote: ``kind`` (see the module's docstring), the settled ``behaviour``
    (only for "settles"), a one-line ``reason``, each behaviour's ``standings`` on the calls
    where behaviours differ, those ``calls`` (the ones holding a trusted claim), and the weight
    of trusted claims that agree / disagree with the behaviours where they all agree
    (``shared_agree`` / ``shared_against``)."""

    kind: VerdictKind
    behaviour: B | None
    reason: str
    standings: Mapping[B, Standing]
    calls: tuple[str, ...] = ()
    shared_agree: int = 0
    shared_against: int = 0

    @property
    def settled(self) -> bool:
        return self.kind == "settles"


@dataclass(frozen=True)
class Proposal:
    """The reading's value for a question's call, to show as a proposed choice: ``test`` (its
    ``samples`` are the claim's support), ``against`` (samples that wrote another value there)
    and ``choice``, the question's own choice text with that value (None: it is none of them,
    so the value is a new choice)."""

    test: ReadTest
    against: int
    choice: str | None


# ----------------------------------------------------------------------------- call text


def canonical_literal(text: str) -> str | None:
    """The repr of the Python literal ``text`` (None when it is not one)."""
    if len(text) > MAX_CALL:
        return None
    try:
        return repr(ast.literal_eval(text.strip()))
    except _BAD_PARSE:
        return None


def _literal_node(node: ast.expr) -> str | None:
    try:
        return repr(ast.literal_eval(node))
    except _BAD_PARSE:
        return None


def call_of(node: ast.expr, callee: str | None) -> str | None:
    """The canonical text of ``node`` when it is a call of ``callee`` (any callee when None)
    with literal arguments only (no ``*``/``**``): ``callee(repr(a), ..., k=repr(v))``."""
    if not isinstance(node, ast.Call):
        return None
    try:
        func = ast.unparse(node.func)
    except _BAD_PARSE:
        return None
    if not isinstance(node.func, ast.Name | ast.Attribute) or callee not in (None, func):
        return None
    parts: list[str] = []
    for arg in node.args:
        value = None if isinstance(arg, ast.Starred) else _literal_node(arg)
        if value is None:
            return None
        parts.append(value)
    for kw in node.keywords:
        value = None if kw.arg is None else _literal_node(kw.value)
        if value is None:
            return None
        parts.append(f"{kw.arg}={value}")
    return f"{func}({', '.join(parts)})"


def canonical_call(text: str, callee: str | None = None) -> str | None:
    """The canonical text of the call expression ``text`` (see :func:`call_of`), or None."""
    if len(text) > MAX_CALL:
        return None
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except _BAD_PARSE:
        return None
    return call_of(tree.body, callee)


def _key(call: str) -> str:
    return canonical_call(call) or call.strip()


# ----------------------------------------------------------------------------- the vote


def _raised(result: str | None) -> bool:
    return result is None or result == RAISED


def same_result(a: str | None, b: str | None) -> bool:
    """Whether two behaviours' results at one call are the same (two raises are)."""
    if a is None or b is None or RAISED in (a, b):
        return _raised(a) and _raised(b)
    return a == b or same_value(a, b)


def _matches(result: str | None, claim: Claim) -> bool:
    return not _raised(result) and same_value(result, claim.expected)


def tally(tests: Iterable[ReadTest]) -> list[tuple[str, int]]:
    """(value, samples) per distinct value the tests give (values equal as literals counted as
    one), most written first, the first written first among equals."""
    out: list[tuple[str, int]] = []
    for test in tests:
        if test.samples <= 0:
            continue
        for i, (expected, count) in enumerate(out):
            if same_value(expected, test.expected):
                out[i] = (expected, count + test.samples)
                break
        else:
            out.append((test.expected, test.samples))
    return sorted(out, key=lambda item: -item[1])


def claims(tests: Iterable[ReadTest]) -> dict[str, Claim]:
    """The reading's claim at each call (keyed by canonical call text), values that are equal
    as literals counted as one."""
    by_call: dict[str, list[ReadTest]] = {}
    for test in tests:
        by_call.setdefault(_key(test.call), []).append(test)
    out: dict[str, Claim] = {}
    for call, group in by_call.items():
        seen = tally(group)
        if not seen:
            continue
        expected, support = seen[0]
        total = sum(count for _, count in seen)
        out[call] = Claim(call, expected, support, total - support)
    return out


def standing(trusted: Iterable[Claim], results: Mapping[str, str | None]) -> Standing:
    """One behaviour's standing against ``trusted`` claims, from its ``results`` by canonical
    call (a call missing from ``results`` counts neither way)."""
    agree = against = support = 0
    for claim in trusted:
        if claim.weight <= 0 or claim.call not in results:
            continue
        if _matches(results[claim.call], claim):
            agree += claim.weight
            support = max(support, claim.support)
        else:
            against += claim.weight
    return Standing(agree, against, support)


def _normal(results: Mapping[str, str | None]) -> dict[str, str | None]:
    return {_key(call): result for call, result in results.items()}


def differs(results: Sequence[str | None]) -> bool:
    """Whether the behaviours' results at one call are not all the same."""
    return any(not same_result(results[0], r) for r in results[1:])


def vote(
    tests: Iterable[ReadTest],
    results: Mapping[B, Mapping[str, str | None]],
    *,
    min_support: int = MIN_SUPPORT,
) -> Verdict[B]:
    """The reading's verdict on the behaviours: ``results`` gives each behaviour (any hashable
    key) its result on the read tests' calls (a repr, or None / ``RAISED`` where it raised);
    see the module's docstring for the rules."""
    said = claims(tests)
    runs = {b: _normal(r) for b, r in results.items()}
    differing: list[Claim] = []
    shared_agree = shared_against = 0
    for call, claim in said.items():
        got = [r[call] for r in runs.values() if call in r]
        if len(got) >= 2 and differs(got):
            differing.append(claim)
        elif got and claim.weight > 0:  # every behaviour that ran it gives the same
            if _matches(got[0], claim):
                shared_agree += claim.weight
            else:
                shared_against += claim.weight
    trusted = [c for c in differing if c.weight > 0]
    standings = {b: standing(trusted, r) for b, r in runs.items()}
    calls = tuple(c.call for c in trusted)

    def verdict(kind: VerdictKind, reason: str, behaviour: B | None = None) -> Verdict[B]:
        return Verdict(kind, behaviour, reason, standings, calls, shared_agree, shared_against)

    if len(runs) < 2 or not differing:
        return verdict("open", "the reading has no call where the behaviours differ")
    if not trusted:
        return verdict("split", "the samples disagree on every call where the behaviours differ")
    if shared_against > shared_agree:
        return verdict(
            "split", "the reading contradicts what every behaviour does where they all agree"
        )
    fits = [b for b, s in standings.items() if s.consistent]
    if not fits:
        if any(s.agree for s in standings.values()):
            return verdict("split", "the read tests disagree among themselves")
        return verdict("split", "the reading contradicts every behaviour")
    if len(fits) > 1:
        return verdict("open", f"{len(fits)} behaviours fit the reading")
    [best] = fits
    if standings[best].support < min_support:
        return verdict(
            "open",
            f"only {standings[best].support} sample(s) wrote a test the fitting behaviour passes",
        )
    if any(s.against == 0 for b, s in standings.items() if b != best):
        return verdict("open", "the reading does not rule out every other behaviour")
    return verdict("settles", "one behaviour fits the reading; it contradicts the others", best)


def proposal(tests: Iterable[ReadTest], call: str, choices: Sequence[str] = ()) -> Proposal | None:
    """The reading's value at ``call`` to offer as a proposed choice for a question asked
    there, with the question's ``choices`` matched as literals; None when the reading has no
    trusted claim at that call (no sample wrote it, or the samples disagree without a majority)."""
    claim = claims(tests).get(_key(call))
    if claim is None or claim.weight <= 0:
        return None
    choice = next((c for c in choices if same_value(c, claim.expected)), None)
    return Proposal(ReadTest(claim.call, claim.expected, claim.support), claim.against, choice)


def probe_calls(tests: Iterable[ReadTest], limit: int = 20) -> list[str]:
    """The read tests' distinct calls to add as probe inputs, trusted claims first (most
    support first), at most ``limit``."""
    ranked = sorted(claims(tests).values(), key=lambda c: (-c.weight, -c.support))
    return [c.call for c in ranked[: max(limit, 0)]]
