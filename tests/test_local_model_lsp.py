"""The language server with no engine or model settings at all and the local extra installed:
engine auto starts the one local model server on first need (progress says so), synthesizes with
the real model and applies a verified edit; a second client (another server process, as a second
editor window) uses the same model server instead of starting its own."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from synthls.localmodel import shared, state
from tests.lsp_support import apply_workspace_edit, open_doc, run_examples, session, synthesize_at

pytestmark = pytest.mark.e2e

STUB = '''\
def add(a: int, b: int) -> int:
    """Return the sum of a and b.

    >>> add(2, 3)
    5
    >>> add(-1, 1)
    0
    """
    ...
'''


def untouched_env(server_dir: Path) -> dict[str, str]:
    """The environment of a user who set nothing: no engine, endpoint or model settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "SYNTHLS_"))}
    return {**env, "SYNTHLS_SERVER_DIR": str(server_dir)}


async def synthesize(env: dict[str, str], uri: str) -> tuple[dict[str, object], list[str]]:
    async with session(None, env=env) as client:
        open_doc(client, uri, STUB)
        result = await synthesize_at(client, uri, 0)
        assert result["applied"] is True, result
        new_text, _ = apply_workspace_edit(STUB, client.edits[0])
        run_examples(new_text, {"add(2, 3)": 5, "add(40, 2)": 42})
        told = [
            str(getattr(p, "message", "") or "")
            for reports in client.progress_reports.values()
            for p in reports
        ]
        return result, told


async def test_no_settings_at_all_synthesizes_with_the_local_model_shared_by_two_clients(
    tmp_path: Path,
) -> None:
    where = tmp_path / "server"
    env = untouched_env(where)
    try:
        first, told = await synthesize(env, "file:///work/first.py")
        assert first["status"] == "verified", first
        assert "(local, round" in str(first["message"]), first
        assert any(m.startswith("starting the local model (first time ~") for m in told), told
        server = state.read(where)
        assert server is not None and shared.healthy(server)
        second, told_again = await synthesize(env, "file:///work/second.py")
        assert second["status"] == "verified", second
        assert not any(m.startswith("starting the local model") for m in told_again), told_again
        assert state.read(where) == server  # the same server: one per user
    finally:
        stopped = shared.stop(where)
    assert stopped is not None and not state.alive(stopped.pid)
