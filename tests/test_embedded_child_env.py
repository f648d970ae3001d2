"""The embedded search child's environment, read from the child itself: no API keys reach it.

The search runs the user's docstring examples, like the sandbox does, so it gets the sandbox's
scrubbed environment rather than the server's (which holds ``OPENAI_API_KEY`` and friends).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from synthls.intent.model import Example, Param, Spec
from synthls.synth.embedded.search_process import run_bodies, stream_bodies
from synthls.synth.embedded.worker import spec_to_json

SECRET = "sk-embedded-child-must-not-see-this"
UNIQUE = Spec(
    name="unique_sorted",
    params=(Param("xs"),),
    docstring="Return the distinct values of xs in ascending order.",
    examples=(
        Example(source="unique_sorted([3, 1, 3, 2])", want="[1, 2, 3]\n", line=3),
        Example(source="unique_sorted([5, 5])", want="[5]\n", line=5),
    ),
)


def _environ(pid: int) -> dict[str, str]:
    """The live child's environment as the kernel holds it (it waits for its spec on stdin)."""
    raw = Path(f"/proc/{pid}/environ").read_bytes()
    pairs = (item.split(b"=", 1) for item in raw.split(b"\0") if b"=" in item)
    return {k.decode(): v.decode() for k, v in pairs}


def _check(seen: list[dict[str, str]], bodies: list[str]) -> None:
    assert len(seen) == 1
    env = seen[0]
    assert "OPENAI_API_KEY" not in env and "SYNTHLS_TEST_TOKEN" not in env
    assert SECRET not in "".join(env.values())
    assert env.get("PYTHONHASHSEED") == "0"  # the search stays deterministic
    assert bodies[0] == "return sorted(set(xs))"  # and the search still works in it


@pytest.fixture
def secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    monkeypatch.setenv("SYNTHLS_TEST_TOKEN", SECRET)


@pytest.mark.usefixtures("secrets")
async def test_streamed_search_child_gets_no_api_keys() -> None:
    seen: list[dict[str, str]] = []
    stream = stream_bodies(
        spec_to_json(UNIQUE), 5.0, 512, 1, lambda pid: seen.append(_environ(pid))
    )
    bodies = [body async for body, _ in stream]
    _check(seen, bodies)


@pytest.mark.usefixtures("secrets")
def test_synchronous_search_child_gets_no_api_keys() -> None:
    seen: list[dict[str, str]] = []
    found = run_bodies(spec_to_json(UNIQUE), 5.0, 512, 1, lambda pid: seen.append(_environ(pid)))
    _check(seen, [body for body, _ in found])
