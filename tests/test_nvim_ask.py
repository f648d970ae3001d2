"""Headless Neovim answers synthls' question about ambiguous examples (tests/test_nvim.py style).

A scripted OpenAI-compatible server (tests/fake_openai.py) returns three bodies that pass the
fixture's two examples and differ elsewhere, so the real server asks. Neovim shows
``window/showMessageRequest`` through ``vim.ui.select`` (0.10+) or ``inputlist()`` (0.7-0.9); the
driver (editors/nvim/test/drive.lua) overrides both to pick the first answer, or to dismiss the question and then answer through the
code lens with the stock ``vim.lsp.codelens.run()``. The file must end with the answer as a new
doctest example and a body that passes all of them.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from tests.fake_openai import FakeOpenAI, PerN, after_a_wrong_greedy_answer, fenced
from tests.test_nvim import REAL, assert_no_server_complaints, doctest_passes, drive, nvim

pytestmark = [pytest.mark.nvim, pytest.mark.e2e]
__all__ = ["nvim"]  # the fixture, parametrized over the Neovim binaries

BODIES = (
    "return a / b if b else 0.0",
    "return a - b - 1.0",
    "return a / b / (b - 2) if b else 0.0",
)
SETTINGS = {"engine": "openai", "rounds": 2, "openai": {"candidates": 4}}


def run(nvim: str, tmp_path: Path, scenario: str) -> tuple[Path, dict[str, object]]:
    served = itertools.count()  # each body written is the next of BODIES, after a wrong greedy one
    script = [PerN(lambda i: fenced(BODIES[next(served) % len(BODIES)]))]
    with FakeOpenAI(after_a_wrong_greedy_answer(script)) as server:
        return drive(
            nvim,
            tmp_path,
            "ambiguous_div.py",
            scenario,
            REAL,
            SYNTHLS_TEST_SETTINGS=json.dumps(SETTINGS),
            OPENAI_BASE_URL=server.url,
            OPENAI_API_KEY="k",
        )


def assert_example_and_body(path: Path, call: str, answer: str) -> None:
    text = path.read_text()
    assert f"    >>> {call}\n    {answer}\n" in text, text
    assert text.count("    >>> ") == 4, text  # the two examples, the answer, a confirmation
    assert sum(f"    {body}\n" in text for body in BODIES) == 1, text
    result = doctest_passes(path)
    assert result.returncode == 0, text + result.stdout


def test_question_answered_in_neovim_becomes_an_example(nvim: str, tmp_path: Path) -> None:
    path, record = run(nvim, tmp_path, "ask")
    assert_no_server_complaints(record)
    # the answer, then a confirmation of the surviving body's answer on another input
    question, confirming = record["questions"]  # type: ignore[misc]
    prompt, titles = question["prompt"], question["titles"]
    call = prompt.split("`")[1]
    assert prompt == f"What should `{call}` return? (3 behaviours pass the examples)"
    assert titles[-2:] == ["Not a valid input", "None of these"] and len(titles) == 5
    assert "one behaviour passes the examples: confirm its answer" in confirming["prompt"]
    assert len(confirming["titles"]) == 3  # the body's answer, "Not a valid input", "None of these"
    assert_example_and_body(path, call, titles[0])
    assert record["lines"] == path.read_text().splitlines()


def test_dismissed_question_is_answered_through_the_code_lens(nvim: str, tmp_path: Path) -> None:
    path, record = run(nvim, tmp_path, "ask_lens")
    assert record.get("ok"), record.get("error")
    # both questions were dismissed in their dialogs and answered through a lens
    assert len(record["questions"]) == 2  # type: ignore[arg-type]
    # nothing inserted: the resolved action has no edit (a command's result said "ambiguous")
    assert record["action_result"]["applied"] is False  # type: ignore[index]
    first, confirmed = record["lens_answers"]  # type: ignore[misc]
    uri, line, call, answer = first
    assert line == 0 and uri.endswith("ambiguous_div.py")
    choices, confirming = record["all_lens_choices"]  # type: ignore[misc]
    assert choices[0].startswith(f"synthls: 3 behaviours pass — choose {call}: ")
    assert confirming[0].startswith(f"synthls: 1 behaviour passes — confirm {confirmed[2]}: ")
    assert_example_and_body(path, call, answer)
    assert_example_and_body(path, confirmed[2], confirmed[3])
