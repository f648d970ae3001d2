"""The embedded engine through its child process: streaming, feedback, cancellation."""

from __future__ import annotations

import asyncio
import contextlib
import os

from synthls.intent.model import Example, Param, Spec
from synthls.sandbox.types import RunResult
from synthls.synth.embedded import EmbeddedSynthesizer, search, search_isolated
from synthls.synth.embedded.search_process import stream_bodies
from synthls.synth.embedded.worker import spec_from_json, spec_to_json
from synthls.synth.engine_protocol import Candidate, Synthesizer, Trial

UNIQUE = Spec(
    name="unique_sorted",
    params=(Param("xs"),),
    docstring="Return the distinct values of xs in ascending order.",
    examples=(
        Example(source="unique_sorted([3, 1, 3, 2])", want="[1, 2, 3]\n", line=3),
        Example(source="unique_sorted([5, 5])", want="[5]\n", line=5),
    ),
)

# No program in the search space: the outputs are unrelated to the inputs.
HOPELESS = Spec(
    name="noise",
    params=(Param("a"), Param("b")),
    examples=(
        Example(source="noise(1, 2)", want="[7, 'q', 4.5]\n", line=0),
        Example(source="noise(3, 9)", want="{'z': (1, 2)}\n", line=2),
    ),
)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_spec_json_round_trip_keeps_what_the_search_reads() -> None:
    spec, exclude, prior = spec_from_json(spec_to_json(UNIQUE, ["return xs"]))
    assert exclude == ["return xs"] and prior
    assert (spec.name, spec.params, spec.docstring, spec.examples) == (
        UNIQUE.name,
        UNIQUE.params,
        UNIQUE.docstring,
        tuple(Example(e.source, e.want, e.line) for e in UNIQUE.examples),
    )


def test_isolated_search_matches_in_process_search() -> None:
    isolated = search_isolated(UNIQUE, 3.0, max_candidates=2)
    assert isolated and isolated == search(UNIQUE, 3.0, max_candidates=2)
    assert isolated[0] == "return sorted(set(xs))"


async def collect(
    engine: EmbeddedSynthesizer, spec: Spec, feedback: list[Trial]
) -> list[Candidate]:
    return [c async for c in engine.propose(spec, feedback)]


async def test_propose_streams_candidates_and_skips_tried_bodies() -> None:
    engine = EmbeddedSynthesizer(budget=3.0, max_candidates=2)
    synth: Synthesizer = engine  # it implements the shared protocol
    assert synth.name == "embedded"
    first = await collect(engine, UNIQUE, [])
    assert first and all(c.engine == "embedded" for c in first)
    assert all(0 < c.weight < 1 for c in first)  # the plausibility weight reaches the loop
    assert [c.weight for c in first] == sorted((c.weight for c in first), reverse=True)
    tried = [Trial(first[0], RunResult(status="ok"))]
    again = await collect(engine, UNIQUE, tried)
    assert again and first[0].body not in [c.body for c in again]


async def test_no_usable_examples_yields_nothing() -> None:
    spec = Spec(name="f", params=(Param("x"),), examples=(Example("f(y)", "1\n", 0),))
    assert await collect(EmbeddedSynthesizer(budget=1.0), spec, []) == []


async def test_cancelling_the_consumer_kills_the_child() -> None:
    pids: list[int] = []

    async def consume() -> None:
        async for _ in stream_bodies(spec_to_json(HOPELESS), 60.0, 512, 5, pids.append):
            pass

    task = asyncio.create_task(consume())
    while not pids:
        await asyncio.sleep(0.01)
    assert alive(pids[0])
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    assert not alive(pids[0])


async def test_closing_the_iterator_kills_the_child() -> None:
    pids: list[int] = []
    stream = stream_bodies(spec_to_json(UNIQUE), 60.0, 512, 50, pids.append)
    body, weight = await stream.__anext__()
    assert body == "return sorted(set(xs))" and 0 < weight <= 1
    await stream.aclose()  # type: ignore[attr-defined]
    assert pids and not alive(pids[0])
