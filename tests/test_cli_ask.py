"""`synthls synth --ask` on a real terminal (a pseudo-terminal driven by the test), and without one.

The engine is the real OpenAI engine against a local server (``tests/fake_openai.py``) that
answers with two bodies passing the same examples, so the question is certain to come.
"""

from __future__ import annotations

import doctest
import os
import pty
import re
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.fake_openai import FakeOpenAI, PerN, after_a_wrong_greedy_answer, fenced
from tests.test_openai_e2e import clean_env

pytestmark = pytest.mark.e2e

SOURCE = '''def safe_div(a, b):
    """a / b, or 0.0 when b is zero.

    >>> safe_div(6, 3)
    2.0
    >>> safe_div(1, 0)
    0.0
    """
    ...
'''
RIGHT = "return a / b if b else 0.0"
NONSENSE = "return a - b - a / a"
BODIES = [NONSENSE, RIGHT]


def truth(a: float, b: float) -> float:
    return a / b if b else 0.0


def command(path: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "synthls", "synth", str(path), "--engine", "openai", *extra]


class Terminal:
    """A child process whose stdin and stderr are a pseudo-terminal the test reads and types to."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        master, slave = pty.openpty()
        self.master = master
        self.proc = subprocess.Popen(
            args, stdin=slave, stdout=subprocess.PIPE, stderr=slave, env=env, close_fds=True
        )
        os.close(slave)
        self.seen = ""
        self.mark = 0  # where the next ``expect`` starts looking

    def expect(self, pattern: str, timeout: float = 120.0) -> re.Match[str]:
        end = time.monotonic() + timeout
        while (found := re.compile(pattern).search(self.seen, self.mark)) is None:
            left = end - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no {pattern!r} in terminal output:\n{self.seen}")
            ready, _, _ = select.select([self.master], [], [], min(left, 1.0))
            if ready:
                try:
                    data = os.read(self.master, 4096)
                except OSError:  # the child closed the terminal
                    data = b""
                if not data and self.proc.poll() is not None:
                    raise AssertionError(f"exited before {pattern!r}:\n{self.seen}")
                self.seen += data.decode("utf-8", "replace").replace("\r\n", "\n")
        return found

    def type(self, line: str) -> None:
        os.write(self.master, (line + "\n").encode())

    def finish(self, timeout: float = 120.0) -> int:
        try:
            code = self.proc.wait(timeout)
            self.expect(r"function\(s\) verified", 5)
        finally:
            os.close(self.master)
        return code


def choices(term: Terminal) -> tuple[str, dict[str, int], int]:
    """(the asked call, choice text -> number, the number of "none of these")."""
    asked = term.expect(r"What should `(.+?)` return\?")
    term.expect(r"\) none of these")
    listed = dict(
        (m.group(2), int(m.group(1)))
        for m in re.finditer(r"^  (\d+)\) (.+)$", term.seen[asked.end() :], re.M)
    )
    none = listed.pop("none of these")
    term.mark = term.expect(r"choose 1-\d+").end()
    return asked.group(1), listed, none


def confirm(term: Terminal) -> str:
    """Answer the confirmation that follows an answer (one predicted answer could be luck:
    ``ambiguity.WRONG_AGREES``) with the right value; the call it asked about."""
    call, listed, _ = choices(term)
    term.type(str(listed[repr(eval(call, {"safe_div": truth}))]))
    return call


def doctests_pass(text: str) -> doctest.TestResults:
    ns: dict[str, object] = {}
    exec(compile(text, "<written>", "exec"), ns)
    runner = doctest.DocTestRunner()
    for test in doctest.DocTestFinder().find(ns["safe_div"], "safe_div", globs=ns):
        runner.run(test)
    return runner.summarize(verbose=False)


@pytest.fixture
def stub(tmp_path: Path) -> Path:
    path = tmp_path / "div.py"
    path.write_text(SOURCE)
    return path


def test_choosing_an_answer_writes_the_body_and_the_example(stub: Path) -> None:
    with FakeOpenAI(after_a_wrong_greedy_answer([PerN(lambda i: fenced(BODIES[i % 2]))])) as server:
        env = clean_env(OPENAI_BASE_URL=server.url, OPENAI_API_KEY="k")
        term = Terminal(command(stub, "--ask", "--write"), env)
        call, listed, _ = choices(term)
        want = repr(eval(call, {"safe_div": truth}))
        term.type(str(listed[want]))
        confirmed = confirm(term)
        assert term.finish() == 0, term.seen
    assert "verified  safe_div" in term.seen
    written = stub.read_text()
    assert RIGHT in written and f"    >>> {call}\n    {want}\n" in written
    assert f"    >>> {confirmed}\n" in written and confirmed != call
    assert doctests_pass(written) == doctest.TestResults(failed=0, attempted=4)


def test_none_of_these_lets_the_user_type_the_value(stub: Path) -> None:
    wrong = "return a - b - a / a"
    other = "return 2.0 if b else 0.0"  # passes the examples too; neither is right
    script = [PerN(lambda i: fenced([wrong, other][i % 2])), PerN(lambda i: fenced(RIGHT))]
    with FakeOpenAI(after_a_wrong_greedy_answer(script)) as server:
        env = clean_env(OPENAI_BASE_URL=server.url, OPENAI_API_KEY="k")
        term = Terminal(command(stub, "--ask", "--write"), env)
        call, listed, none = choices(term)
        want = repr(eval(call, {"safe_div": truth}))
        assert want not in listed
        term.type("nonsense(")  # neither a number nor a literal: asked again
        term.expect("nor a Python literal")
        term.type(str(none))
        term.expect("type the value")
        term.type(want)
        # no candidate gave that answer: the body written after it is checked against it like
        # any example (a model's engine holds nothing out), so nothing is left to confirm
        assert term.finish() == 0, term.seen
    written = stub.read_text()
    assert RIGHT in written and f"    >>> {call}\n    {want}\n" in written
    assert doctests_pass(written) == doctest.TestResults(failed=0, attempted=3)


def test_not_a_valid_input_asks_about_another_call(stub: Path) -> None:
    with FakeOpenAI(after_a_wrong_greedy_answer([PerN(lambda i: fenced(BODIES[i % 2]))])) as server:
        env = clean_env(OPENAI_BASE_URL=server.url, OPENAI_API_KEY="k")
        term = Terminal(command(stub, "--ask", "--write"), env)
        ruled_out, listed, _ = choices(term)
        term.type(str(listed["not a valid input"]))
        call, listed, _ = choices(term)
        assert call != ruled_out
        want = repr(eval(call, {"safe_div": truth}))
        term.type(str(listed[want]))
        confirmed = confirm(term)
        assert term.finish() == 0, term.seen
    written = stub.read_text()
    assert RIGHT in written and f"    >>> {call}\n    {want}\n" in written
    assert f">>> {ruled_out}\n" not in written and confirmed not in (call, ruled_out)
    assert doctests_pass(written) == doctest.TestResults(failed=0, attempted=4)


def test_skipping_leaves_the_file_alone(stub: Path) -> None:
    with FakeOpenAI(after_a_wrong_greedy_answer([PerN(lambda i: fenced(BODIES[i % 2]))])) as server:
        env = clean_env(OPENAI_BASE_URL=server.url, OPENAI_API_KEY="k")
        term = Terminal(command(stub, "--ask", "--write"), env)
        choices(term)
        term.type("")
        assert term.finish() == 1
    assert "ambiguous  safe_div" in term.seen and stub.read_text() == SOURCE


def test_without_a_terminal_the_question_is_printed_and_nothing_written(stub: Path) -> None:
    with FakeOpenAI(after_a_wrong_greedy_answer([PerN(lambda i: fenced(BODIES[i % 2]))])) as server:
        env = clean_env(OPENAI_BASE_URL=server.url, OPENAI_API_KEY="k")
        asked = subprocess.run(
            command(stub, "--ask", "--write"),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
        )
        plain = subprocess.run(
            command(stub, "--write"), capture_output=True, text=True, env=env, timeout=300
        )
    assert asked.returncode == 1 and stub.read_text() == SOURCE
    assert re.search(r"What should `safe_div\(.+\)` return\? ", asked.stderr), asked.stderr
    assert "questions need a terminal" in asked.stderr
    assert plain.returncode == 1 and stub.read_text() == SOURCE
    assert (
        "ambiguous  safe_div" in plain.stderr and "not inserted; rerun with --ask" in plain.stderr
    )
    assert "1 behaviour also passes; they disagree on `safe_div(" in plain.stderr
