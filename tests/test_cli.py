"""The CLI as a user runs it: a subprocess on temp copies of fixture files."""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.fake_openai import FakeOpenAI, PerN, fenced
from tests.lsp_support import DATA, run_examples

pytestmark = pytest.mark.e2e


def synthls(
    *args: str,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    stdin: str | None = None,
    preexec_fn: Callable[[], Any] | None = None,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "synthls", *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=cwd,
        env=None if env is None else {**os.environ, **env},
        input=stdin,
        preexec_fn=preexec_fn,
    )


@pytest.fixture
def stubs(tmp_path: Path) -> Path:
    return Path(shutil.copy(DATA / "stubs.py", tmp_path / "stubs.py"))


def test_a_body_that_only_fits_the_examples_is_not_written_without_asking(stubs: Path) -> None:
    before = stubs.read_text()
    out = synthls("synth", str(stubs), "--function", "add", "--write")
    assert out.returncode == 1, out.stderr
    assert stubs.read_text() == before  # nothing read the description: not written
    assert "fits  add (line 6): fits the examples; not checked against the description" in (
        out.stderr
    )
    assert "| return a + b" in out.stderr  # shown, for the user to take
    assert "0 of 1 function(s) verified; 1 only fit the examples, not written" in out.stderr


def test_version_and_help() -> None:
    out = synthls("--version")
    assert out.returncode == 0 and out.stdout.startswith("synthls ")
    helped = synthls("--help")
    assert helped.returncode == 0 and "synth" in helped.stdout and "check" in helped.stdout


def test_synth_one_function_prints_a_diff(stubs: Path) -> None:
    before = stubs.read_text()
    out = synthls("synth", str(stubs), "--function", "add", "--fits")
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith(f"--- {stubs}\n+++ {stubs}\n")
    assert "fits  add (line 6)" in out.stderr
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
    out = synthls("synth", str(stubs), "--write", "--fits")
    assert out.returncode == 1  # some functions could not be verified
    report = out.stderr
    assert "fits  add" in report and "fits  shout" in report
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
    assert wrong["line"] == 42
    first = wrong["examples"][0]
    assert first == first | {
        "line": 45,
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
    out = synthls("synth", str(src), "--write", "--fits")
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
    out = synthls("synth", str(path), "--write", "--fits")
    assert out.returncode == 0, out.stderr
    assert "fits  isqrt" in out.stderr
    source = path.read_text()
    assert "raise ValueError('negative input')" in source
    run_examples(source, {"isqrt(26)": 5, "isqrt(0)": 0})
    ns: dict[str, object] = {}
    exec(source, ns)
    with pytest.raises(ValueError, match="negative input"):
        ns["isqrt"](-1)  # type: ignore[operator]
    checked = synthls("check", str(path))
    assert checked.returncode == 0, checked.stdout + checked.stderr


ADD = 'def add(a, b):\n    """Add.\n\n    >>> add(1, 2)\n    3\n    >>> add(2, 5)\n    7\n    """\n'


def _added_lines(diff: str) -> list[str]:
    return [ln[1:] for ln in diff.splitlines() if ln.startswith("+") and not ln.startswith("+++")]


def test_synth_write_refuses_when_the_file_changed_while_it_ran(tmp_path: Path) -> None:
    path = tmp_path / "add.py"
    path.write_text(ADD)
    typed = "\n\nEDITED = True  # typed while synthls was working\n"

    def script(body: dict[str, Any]) -> PerN:
        if not path.read_text().endswith(typed):  # the CLI has read the file by now
            path.write_text(path.read_text() + typed)
        return PerN(lambda i: fenced("return a + b"))

    with FakeOpenAI(script) as server:
        env = {"OPENAI_BASE_URL": server.url, "OPENAI_API_KEY": "sk-test"}
        out = synthls("synth", str(path), "--write", "--engine", "openai", env=env)
    assert server.requests, out.stderr
    assert out.returncode == 2, out.stderr
    assert f"{path} changed since synthls read it; not written" in out.stderr
    assert path.read_text() == ADD + typed  # the edit survives
    assert "    return a + b" in _added_lines(out.stdout)  # and so does the synthesized body
    assert "Traceback" not in out.stderr


def _ignore_sigxfsz_and_cap_file_size(limit: int) -> Callable[[], None]:
    def limit_writes() -> None:  # a full disk for every file this process writes past `limit`
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))

    return limit_writes


def test_a_write_that_fails_midway_leaves_the_file_intact_and_prints_the_diff(
    tmp_path: Path,
) -> None:
    path = tmp_path / "add.py"
    path.write_text(ADD)
    cap = _ignore_sigxfsz_and_cap_file_size(len(ADD.encode()))
    out = synthls("synth", str(path), "--write", "--fits", preexec_fn=cap)
    assert out.returncode == 2, out.stderr
    assert path.read_text() == ADD
    assert f"synthls: cannot write {path}: File too large; not written" in out.stderr
    assert "Traceback" not in out.stderr
    assert "fits  add" in out.stderr
    new = ADD + "\n".join(_added_lines(out.stdout)) + "\n"
    run_examples(new, {"add(4, 5)": 9})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["add.py"]  # no temp file left


def test_a_read_only_file_is_not_replaced(tmp_path: Path) -> None:
    path = tmp_path / "add.py"
    path.write_text(ADD)
    path.chmod(0o444)
    out = synthls("synth", str(path), "--write", "--fits")
    assert out.returncode == 2, out.stderr
    assert f"cannot write {path}: {path} is read-only; not written" in out.stderr
    assert path.read_text() == ADD and stat.S_IMODE(path.stat().st_mode) == 0o444
    assert "    return a + b" in _added_lines(out.stdout)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["add.py"]


def test_the_write_keeps_the_mode_a_symlink_and_ends_with_a_newline(tmp_path: Path) -> None:
    path = tmp_path / "add.py"
    path.write_text(ADD.rstrip("\n"))  # no newline at the end of the file
    path.chmod(0o751)
    link = tmp_path / "link.py"
    link.symlink_to(path.name)
    out = synthls("synth", str(link), "--write", "--fits")
    assert out.returncode == 0, out.stderr
    assert link.is_symlink() and stat.S_IMODE(path.stat().st_mode) == 0o751
    new = path.read_text()
    assert new.startswith(ADD.rstrip("\n")) and new.endswith("\n") and not new.endswith("\n\n")
    run_examples(new, {"add(4, 5)": 9})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["add.py", "link.py"]


def test_stdin_to_stdout_with_the_report_on_stderr(tmp_path: Path) -> None:
    text = (DATA / "stubs.py").read_text()
    out = synthls("synth", "-", "--function", "add", "--fits", stdin=text, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "fits  add (line 6)" in out.stderr
    assert out.stdout != text and out.stdout.startswith(text.split("def add")[0])
    run_examples(out.stdout, {"add(2, 2)": 4, "add(-1, 1)": 0})
    assert list(tmp_path.iterdir()) == []
    nothing = synthls("synth", "-", stdin=out.stdout.replace("def shout", "def _shout"))
    assert nothing.stdout == out.stdout.replace("def shout", "def _shout")


def test_stdin_that_cannot_be_used_is_echoed_back() -> None:
    unknown = synthls("synth", "-", "--function", "nope", stdin=ADD)
    assert unknown.returncode == 2 and "no function named 'nope'" in unknown.stderr
    assert unknown.stdout == ADD  # an editor filter keeps its buffer
    checked = synthls("check", "-", stdin=ADD.replace('"""\n', '"""\n    return a + b\n', 1))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.strip().endswith("2 passed, 0 failed")


SLOW = (
    "import time\n\n\ndef slow(x):\n"
    '    """\n    >>> slow(2)\n    4\n    """\n'
    "    time.sleep(6)\n    return x * 2\n"
)


def test_a_project_may_shorten_the_sandbox_timeout_but_not_lengthen_it(tmp_path: Path) -> None:
    src = tmp_path / "pkg" / "slow.py"
    src.parent.mkdir()
    src.write_text(SLOW)
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text("[tool.synthls.sandbox]\ntimeout = 20\n")
    longer = synthls("check", str(src), "--json")
    [example] = json.loads(longer.stdout)["functions"][0]["examples"]
    assert longer.returncode == 1 and example["status"] == "timeout"  # the user's 5 s held
    [line] = [ln for ln in longer.stderr.splitlines() if "pyproject.toml" in ln]
    assert line == (
        f"synthls: {pyproject} [tool.synthls]: refused (set these in the editor or the "
        "environment): sandbox.timeout = 20.0 (a project may only lower it; yours: 5.0)"
    )
    pyproject.write_text("[tool.synthls.sandbox]\ntimeout = 0.5\n")
    started = time.monotonic()
    shorter = synthls("check", str(src), "--json")
    took = time.monotonic() - started
    [example] = json.loads(shorter.stdout)["functions"][0]["examples"]
    assert shorter.returncode == 1 and example["status"] == "timeout"
    assert took < 4.5, took  # the example was cut at 0.5 s, not 5
    assert f"{pyproject} [tool.synthls]: changes sandbox.timeout = 0.5" in shorter.stderr


SQUARE = 'def sq(x):\n    """\n    >>> sq(3)\n    9\n    """\n    return x * x\n'


@pytest.mark.parametrize("kind", ["deep", "huge"])
def test_an_unreadable_pyproject_is_one_line_and_the_command_still_runs(
    tmp_path: Path, kind: str
) -> None:
    pyproject = tmp_path / "pyproject.toml"
    deep = "x = " + "[" * 2000 + "]" * 2000 + "\n"
    pyproject.write_text("[tool.synthls]\nrounds = 1\n" + (deep if kind == "deep" else ""))
    if kind == "huge":
        with pyproject.open("r+b") as file:
            file.truncate(300 * 1000 * 1000)  # sparse: no disk used
    src = tmp_path / "sq.py"
    src.write_text(SQUARE)
    started = time.monotonic()
    out = synthls("check", str(src))
    assert out.returncode == 0, out.stderr
    assert "Traceback" not in out.stderr and out.stdout.strip().endswith("1 passed, 0 failed")
    why = "nested too deeply to read" if kind == "deep" else "300.0 MB, more than the 1.0 MB"
    [line] = [ln for ln in out.stderr.splitlines() if str(pyproject) in ln]
    assert line.startswith(f"synthls: {pyproject} [tool.synthls]: ignored: ") and why in line
    assert time.monotonic() - started < 30


def test_check_text_prints_a_lone_surrogate_escaped(tmp_path: Path) -> None:
    odd = tmp_path / "odd.py"
    # the docstring's escape makes the example a call with a lone surrogate, which no encoding
    # can print as it is; the second example passes, the first fails with it in its detail
    odd.write_text(
        'def echo(s):\n    """\n    >>> echo("\\udcff")\n    \'x\'\n'
        '    >>> echo("a")\n    \'a\'\n    """\n    return s\n'
    )
    for encoding in ("utf-8", "ascii"):
        out = synthls("check", str(odd), env={"PYTHONIOENCODING": encoding})
        assert "Traceback" not in out.stderr, out.stderr
        assert out.returncode == 1, out.stdout + out.stderr
        assert "FAIL " in out.stdout and 'echo("\\udcff")' in out.stdout, out.stdout
        assert out.stdout.strip().endswith("1 passed, 1 failed"), out.stdout
