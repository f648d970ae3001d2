"""The CLI as a user runs it: a subprocess on temp copies of fixture files."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.lsp_support import DATA, run_examples

pytestmark = pytest.mark.e2e


def synthls(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "synthls", *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=cwd,
    )


@pytest.fixture
def stubs(tmp_path: Path) -> Path:
    return Path(shutil.copy(DATA / "stubs.py", tmp_path / "stubs.py"))


def test_version_and_help() -> None:
    out = synthls("--version")
    assert out.returncode == 0 and out.stdout.startswith("synthls ")
    helped = synthls("--help")
    assert helped.returncode == 0 and "synth" in helped.stdout and "check" in helped.stdout


def test_synth_one_function_prints_a_diff(stubs: Path) -> None:
    before = stubs.read_text()
    out = synthls("synth", str(stubs), "--function", "add")
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith(f"--- {stubs}\n+++ {stubs}\n")
    assert "verified  add (line 6)" in out.stderr
    assert stubs.read_text() == before  # a diff, not a write
    added = [
        ln[1:] for ln in out.stdout.splitlines() if ln.startswith("+") and not ln.startswith("+++")
    ]
    removed = [
        ln[1:] for ln in out.stdout.splitlines() if ln.startswith("-") and not ln.startswith("---")
    ]
    assert removed == ["    ..."]
    new = before.replace("    ...\n", "\n".join(added) + "\n", 1)
    run_examples(new, {"add(2, 2)": 4, "add(-1, 1)": 0})


def test_synth_write_reports_each_function(stubs: Path) -> None:
    out = synthls("synth", str(stubs), "--write")
    assert out.returncode == 1  # some functions could not be verified
    report = out.stderr
    assert "verified  add" in report and "verified  shout" in report
    assert "skipped  no_examples" in report and "no examples" in report
    assert "failed  impossible" in report and "'a7f3c'" in report
    new = stubs.read_text()
    run_examples(new, {"add(1, 2)": 3, "shout('abc')": "ABC", "implemented(3)": 6})
    assert "def impossible(x):" in new and new.count("...") == 1  # impossible left untouched


def test_check_json(stubs: Path) -> None:
    out = synthls("check", str(stubs), "--json")
    assert out.returncode == 1
    doc = json.loads(out.stdout)
    funcs = {f["name"]: f for f in doc["functions"]}
    assert funcs["implemented"]["examples"][0]["status"] == "passed"
    wrong = funcs["wrong"]
    assert wrong["line"] == 40
    first = wrong["examples"][0]
    assert first == first | {
        "line": 43,
        "source": "wrong(3)",
        "want": "9\n",
        "status": "failed",
        "got": "6\n",
    }
    assert wrong["examples"][1]["status"] == "passed"
    assert {e["status"] for e in funcs["add"]["examples"]} == {"failed"}  # the stub returns None


def test_check_text_passes_on_a_correct_file(tmp_path: Path) -> None:
    good = tmp_path / "good.py"
    good.write_text('def sq(x):\n    """\n    >>> sq(3)\n    9\n    """\n    return x * x\n')
    out = synthls("check", str(good))
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.strip().endswith("1 passed, 0 failed")


def test_input_errors_exit_2(tmp_path: Path) -> None:
    missing = synthls("synth", str(tmp_path / "nope.py"))
    assert missing.returncode == 2 and "no such file" in missing.stderr
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    assert synthls("check", str(text)).returncode == 2
    binary = tmp_path / "blob.py"
    binary.write_bytes(b"\xff\xfe\x00bad")
    assert synthls("synth", str(binary)).returncode == 2
    usage = synthls("synth")
    assert usage.returncode == 2


def test_syntax_error_elsewhere_still_fills_intact_stubs(tmp_path: Path) -> None:
    src = tmp_path / "broken.py"
    src.write_text(
        'def broken(:\n    pass\n\n\ndef inc(n):\n    """\n    >>> inc(1)\n    2\n    >>> inc(5)\n    6\n    >>> inc(-5)\n    -4\n    """\n    ...\n'
    )
    out = synthls("synth", str(src), "--write")
    assert out.returncode == 0, out.stderr
    assert "syntax errors" in out.stderr
    new = src.read_text()
    assert new.startswith("def broken(:\n")
    body = new.split('"""\n', 2)[2]
    assert "n + 1" in body or "1 + n" in body


def test_synth_writes_a_guard_for_an_example_that_raises(tmp_path: Path) -> None:
    path = tmp_path / "guarded.py"
    path.write_text(
        "def isqrt(n):\n"
        '    """Square root, rounded down.\n\n'
        "    >>> isqrt(9)\n    3\n    >>> isqrt(10)\n    3\n    >>> isqrt(8)\n    2\n"
        "    >>> isqrt(-4)\n    Traceback (most recent call last):\n"
        "    ValueError: negative input\n"
        '    """\n'
    )
    out = synthls("synth", str(path), "--write")
    assert out.returncode == 0, out.stderr
    assert "verified  isqrt" in out.stderr
    source = path.read_text()
    assert "raise ValueError('negative input')" in source
    run_examples(source, {"isqrt(26)": 5, "isqrt(0)": 0})
    ns: dict[str, object] = {}
    exec(source, ns)
    with pytest.raises(ValueError, match="negative input"):
        ns["isqrt"](-1)  # type: ignore[operator]
    checked = synthls("check", str(path))
    assert checked.returncode == 0, checked.stdout + checked.stderr
