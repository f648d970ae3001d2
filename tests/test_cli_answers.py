"""`synthls synth --ask`: a typed answer goes into the docstring only as Python that compiles.

A raw docstring cannot hold its own closing quotes: an answer holding them stays out of it (said
on stderr, with the example to add by hand), and a result that would not compile is never written.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from synthls import cli_commands
from synthls.source_file import Source
from tests.fake_openai import FakeOpenAI, PerN, after_a_wrong_greedy_answer, fenced
from tests.test_cli_ask import RIGHT, Terminal, choices, command
from tests.test_openai_e2e import clean_env

RAW = '''def safe_div(a, b):
    r"""a / b, or 0.0 when b is zero.

    >>> safe_div(6, 3)
    2.0
    >>> safe_div(1, 0)
    0.0
    """
    ...
'''


@pytest.mark.e2e
def test_a_typed_answer_with_triple_quotes_is_not_written_into_a_raw_docstring(
    tmp_path: Path,
) -> None:
    stub = tmp_path / "div.py"
    stub.write_text(RAW)
    wrong, other = "return a - b - a / a", "return 2.0 if b else 0.0"
    script = [PerN(lambda i: fenced([wrong, other][i % 2])), PerN(lambda i: fenced(RIGHT))]
    with FakeOpenAI(after_a_wrong_greedy_answer(script)) as server:
        env = clean_env(OPENAI_BASE_URL=server.url, OPENAI_API_KEY="k")
        term = Terminal(command(stub, "--ask", "--write"), env)
        call, _, none = choices(term)
        term.type(str(none))
        term.expect("type the value")
        term.type('\'"""\'')
        code = term.finish()
    written = stub.read_text()
    assert "which its raw docstring cannot hold" in term.seen, term.seen
    assert f">>> {call}" in term.seen.split("cannot hold", 1)[1]  # to add by hand
    assert f">>> {call}" not in written
    # the body failed the answer, and the answer cannot be kept: nothing to write
    assert code == 1 and written == RAW and "wrote" not in term.seen


def _args(path: str, write: bool) -> argparse.Namespace:
    return argparse.Namespace(path=path, write=write)


@pytest.mark.parametrize("write", [True, False])
def test_a_result_that_would_not_compile_is_neither_written_nor_shown_as_a_diff(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], write: bool
) -> None:
    path = tmp_path / "m.py"
    path.write_text(RAW)
    source = Source(RAW, RAW.encode(), path)
    broken = RAW.replace("0.0\n", '0.0\n    >>> safe_div(1, 1)\n    \'"""\'\n')
    assert cli_commands._emit(_args(str(path), write), source, broken) is False
    out, err = capsys.readouterr()
    assert path.read_text() == RAW and out == ""
    assert "would not compile" in err and "wrote" not in err


def test_a_filter_gets_its_text_back_when_the_result_would_not_compile(
    capsys: pytest.CaptureFixture[str],
) -> None:
    source = Source(RAW, RAW.encode(), None)
    assert cli_commands._emit(_args("-", False), source, RAW + "def (:\n") is False
    assert capsys.readouterr().out == RAW


def test_a_file_that_did_not_compile_before_is_still_worked_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = RAW + "def broken(:\n"
    path = tmp_path / "m.py"
    path.write_text(text)
    new = text.replace("...\n", "return a / b if b else 0.0\n", 1)
    assert cli_commands._emit(_args(str(path), True), Source(text, text.encode(), path), new)
    assert path.read_text() == new and "wrote" in capsys.readouterr().err
