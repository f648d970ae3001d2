"""The OpenAI engine against a real llama.cpp server running a real model (no script, no fake).

Qwen2.5-Coder-1.5B-Instruct answers at about 5 tokens/s on two cores, so the tasks are ones it gets
right at temperature 0, with one candidate, short replies and few rounds. The server is started
once for the module (see ``tests/llama_support.py``); the CLI and the language server reach it
through ``SYNTHLS_BASE_URL`` / ``openai.baseUrl`` as they would reach any OpenAI-compatible
endpoint. What is asserted is behaviour: the edit applies and the file then passes its examples.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from scripts.recording_proxy import RecordingProxy

from tests.llama_support import LlamaServer, model_path
from tests.lsp_support import apply_workspace_edit, open_doc, run_examples, session, synthesize_at

pytestmark = pytest.mark.e2e

MODEL = "qwen2.5-coder-1.5b-instruct"
# Greedy, one short candidate, a generous deadline: a round takes ~10 s at 5 tokens/s.
TUNING: dict[str, Any] = {
    "rounds": 2,
    "deadline": 150,
    "openai": {"model": MODEL, "temperature": 0, "candidates": 1, "maxTokens": 128, "timeout": 120},
}

CLI_STUBS = '''\
def is_even(n: int) -> bool:
    """Return True when n is even, else False.

    >>> is_even(4)
    True
    >>> is_even(7)
    False
    >>> is_even(0)
    True
    """
    ...
'''

LSP_STUBS = '''\
def add(a: int, b: int) -> int:
    """Return the sum of a and b.

    >>> add(2, 3)
    5
    >>> add(-1, 1)
    0
    """
    ...
'''


@pytest.fixture(scope="module")
def llama() -> Iterator[str]:
    """The base URL of a real llama.cpp server with the real model, stopped after the module."""
    with LlamaServer(model_path()) as server:
        yield server.url


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "SYNTHLS_"))}
    return {**env, **extra}


def apply_unified_diff(text: str, diff: str) -> str:
    """``text`` with the hunks of ``diff`` applied; each hunk's context must match exactly."""
    lines = text.splitlines(keepends=True)
    out: list[str] = []
    pos = 0
    body = diff.splitlines(keepends=True)
    i = 0
    while i < len(body):
        head = re.match(r"@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@", body[i])
        i += 1
        if not head:
            continue
        start = int(head.group(1)) - (0 if head.group(2) == "0" else 1)
        out.extend(lines[pos:start])
        pos = start
        while i < len(body) and body[i][:1] in (" ", "-", "+"):
            mark, line = body[i][0], body[i][1:]
            if mark in " -":
                assert lines[pos] == line, f"context mismatch at line {pos + 1}: {line!r}"
                pos += 1
            if mark in " +":
                out.append(line)
            i += 1
    return "".join(out + lines[pos:])


def synthls(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "synthls", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=400,
    )


def test_cli_synth_with_the_real_model_prints_a_diff_that_passes_check(
    llama: str, tmp_path: Path
) -> None:
    path = tmp_path / "parity.py"
    path.write_text(CLI_STUBS)
    env = clean_env(SYNTHLS_BASE_URL=llama, SYNTHLS_SETTINGS=json.dumps(TUNING))

    done = synthls("synth", str(path), "--engine", "openai", env=env)
    assert done.returncode == 0, done.stderr
    assert "verified  is_even" in done.stderr and "(openai, round" in done.stderr, done.stderr
    assert path.read_text() == CLI_STUBS  # a diff, not a write

    path.write_text(apply_unified_diff(CLI_STUBS, done.stdout))
    checked = synthls("check", str(path), "--json", env=env)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    run_examples(path.read_text(), {"is_even(10)": True, "is_even(-3)": False})


async def test_lsp_synthesize_with_the_real_model_applies_a_verified_body(llama: str) -> None:
    """With the default openai.mode (auto), synthls asks llama.cpp's server what it is and then
    asks for a raw code completion; a recording proxy sees both requests."""
    uri = "file:///work/sums.py"
    with RecordingProxy(llama) as proxy:
        options = {
            **TUNING,
            "engine": "openai",
            "openai": {**TUNING["openai"], "baseUrl": proxy.url},
        }
        async with session(options, env=clean_env()) as client:
            open_doc(client, uri, LSP_STUBS, version=3)
            result = await synthesize_at(client, uri, 0)
        paths = [e.path for e in proxy.since(0)]
    assert paths[0] == "/v1/models" and set(paths[1:]) == {"/v1/completions"}, paths
    assert result["applied"] is True and result["status"] == "verified", result
    [edit] = client.edits
    new_text, version = apply_workspace_edit(LSP_STUBS, edit)
    assert version == 3
    run_examples(new_text, {"add(2, 3)": 5, "add(-1, 1)": 0, "add(40, 2)": 42})
