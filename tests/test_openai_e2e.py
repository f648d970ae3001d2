"""End to end with the OpenAI engine: the CLI and the language server against a local endpoint."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types

from tests.fake_openai import FakeOpenAI, PerN, asked_for, fenced, free_port, reply, searches
from tests.lsp_support import (
    DATA,
    apply_workspace_edit,
    open_doc,
    run_examples,
    session,
    synthesize_at,
)

pytestmark = pytest.mark.e2e
TEXT = (DATA / "stubs.py").read_text()
URI = "file:///work/stubs.py"


def script(body: dict[str, Any]) -> Any:
    """Wrong first for `add` (repaired when told), right at once for `shout`, prose otherwise."""
    asked = asked_for(body)
    first = len(body["messages"]) == 2
    if asked == "add":
        return PerN(lambda i: fenced("return a - b" if first else "return a + b"))
    if asked == "shout":
        return reply("```python\ndef shout(s: str) -> str:\n    return s.upper()\n```")
    if asked == "no_examples":
        return reply(fenced("return x"))
    return reply("Sorry, I can't do that one.")


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "SYNTHLS_"))}
    return {**env, **extra}


def synth_cli(path: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "synthls", "synth", str(path), "--engine", "openai", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def add_requests(server: FakeOpenAI) -> list[dict[str, Any]]:
    return [r for r in searches(server.requests) if asked_for(r) == "add"]


def test_cli_fills_stubs_with_verified_bodies_refining_when_round_one_fails(tmp_path: Path) -> None:
    path = tmp_path / "stubs.py"
    path.write_text(TEXT)
    with FakeOpenAI(script) as server:
        done = synth_cli(path, clean_env(OPENAI_BASE_URL=server.url, OPENAI_API_KEY="k"), "--write")
    assert "verified  add" in done.stderr and "(openai, round 2)" in done.stderr, done.stderr
    assert "verified  shout" in done.stderr
    assert "no code in the reply" in done.stderr  # `impossible`: the reason, not silence
    run_examples(path.read_text(), {"add(1, 2)": 3, "add(5, 7)": 12, "shout('hi')": "HI"})
    repairs = [r for r in add_requests(server) if len(r["messages"]) == 4]
    assert repairs and "expected 3, got -1" in repairs[0]["messages"][3]["content"]
    assert all(r["model"] == "gpt-4o-mini" for r in server.requests)


def test_cli_unreachable_endpoint_gives_the_reason_and_leaves_the_file(tmp_path: Path) -> None:
    path = tmp_path / "stubs.py"
    path.write_text(TEXT)
    url = f"http://127.0.0.1:{free_port()}/v1"
    done = synth_cli(path, clean_env(OPENAI_BASE_URL=url, SYNTHLS_MODEL="tiny"), "--write")
    assert done.returncode == 1
    assert f"cannot reach {url}: connection refused" in done.stderr, done.stderr
    assert path.read_text() == TEXT


async def _synthesize(client: Any, fragment: str) -> Any:
    line = next(i for i, ln in enumerate(TEXT.splitlines()) if fragment in ln)
    return await synthesize_at(client, URI, line)


async def test_lsp_refines_and_applies_a_verified_edit_with_round_progress() -> None:
    with FakeOpenAI(script) as server:
        options = {
            "engine": "openai",
            "openai": {"baseUrl": server.url, "candidates": 2, "maxTokens": 99},
        }
        async with session(options, env=clean_env(OPENAI_API_KEY="k")) as client:
            open_doc(client, URI, TEXT, version=4)
            result = await _synthesize(client, "def add")
            assert result["applied"] is True and result["status"] == "verified", result
            new_text, version = apply_workspace_edit(TEXT, client.edits[0])
            assert version == 4
            run_examples(new_text, {"add(1, 2)": 3, "add(5, 7)": 12})
            reports = [
                v.message or ""
                for token in client.progress_reports
                for v in client.progress_reports[token]
                if isinstance(v, types.WorkDoneProgressReport)
            ]
            assert "round 1 of 3: best candidate passes 0 of 2 examples" in reports
    assert all(r["max_tokens"] == 99 for r in add_requests(server))  # the editor's settings


async def test_lsp_unreachable_endpoint_shows_the_reason_and_edits_nothing() -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    async with session({"engine": "openai", "openai": {"baseUrl": url}}, env=clean_env()) as client:
        open_doc(client, URI, TEXT)
        result = await _synthesize(client, "def add")
        assert result["applied"] is False and client.edits == []
        assert any(f"cannot reach {url}: connection refused" in m.message for m in client.messages)


async def test_lsp_no_examples_inserts_an_unverified_body() -> None:
    with FakeOpenAI(script) as server:
        options = {"engine": "openai", "openai": {"baseUrl": server.url, "candidates": 1}}
        async with session(options, env=clean_env(OPENAI_API_KEY="k")) as client:
            open_doc(client, URI, TEXT)
            result = await _synthesize(client, "def no_examples")
            assert result["applied"] is True and result["status"] == "unverified", result
            assert result["body"] == "return x"
