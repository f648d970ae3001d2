"""`synthls synth` flags for the common settings, on top of `[tool.synthls]` in pyproject.toml.

The project file's engine and model are refused (only the user's count), so the user's engine
comes from the environment here."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.fake_openai import FakeOpenAI, Hang, fenced, free_port, reply, searches

pytestmark = pytest.mark.e2e

STUB = '''\
def add(a, b):
    """Add.

    >>> add(1, 2)
    3
    >>> add(5, 7)
    12
    """
    ...
'''

PROJECT = """\
[tool.synthls]
engine = "openai"
rounds = 1
deadline = 200

[tool.synthls.openai]
model = "from-the-file"
candidates = 4
"""


def synthls(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "SYNTHLS_"))}
    return subprocess.run(
        [sys.executable, "-m", "synthls", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**clean, **env},
    )


def project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text(PROJECT)
    path = tmp_path / "calc.py"
    path.write_text(STUB)
    return path


def repaired(body: dict[str, Any]) -> Any:
    """Wrong at first, right once told what failed."""
    return reply(fenced("return a - b" if len(body["messages"]) == 2 else "return a + b"))


def test_flags_override_the_project_file(tmp_path: Path) -> None:
    path = project(tmp_path)
    dead = f"http://127.0.0.1:{free_port()}/v1"
    with FakeOpenAI(repaired) as server:
        done = synthls(
            "synth",
            str(path),
            *("--rounds", "2", "--model", "from-the-flag", "--candidates", "1"),
            *("--base-url", server.url, "--deadline", "100"),
            env={"OPENAI_BASE_URL": dead, "OPENAI_API_KEY": "k", "SYNTHLS_ENGINE": "openai"},
        )
    assert done.returncode == 0, done.stderr
    assert (
        'refused (set these in the editor or the environment): openai.model = "from-the-file"'
        in (done.stderr)
    )
    assert "verified  add" in done.stderr and "(openai, round 2)" in done.stderr, done.stderr
    assert {r["model"] for r in server.requests} == {"from-the-flag"}
    assert len(searches(server.requests)) == 2  # --candidates 1: the greedy repair, no samples


def test_the_deadline_flag_bounds_the_request(tmp_path: Path) -> None:
    path = project(tmp_path)
    with FakeOpenAI([Hang(20)]) as server:
        done = synthls(
            "synth",
            str(path),
            *("--base-url", server.url, "--deadline", "1.5"),
            env={"OPENAI_API_KEY": "k", "SYNTHLS_ENGINE": "openai"},
        )
    assert done.returncode == 1
    assert "gave no answer before the deadline (1.5s)" in done.stderr, done.stderr
    assert path.read_text() == STUB


def test_a_bad_flag_value_is_a_usage_error(tmp_path: Path) -> None:
    path = project(tmp_path)
    done = synthls("synth", str(path), "--deadline", "-3", env={})
    assert done.returncode == 2
    assert "--deadline: must be greater than 0" in done.stderr, done.stderr
    assert path.read_text() == STUB
