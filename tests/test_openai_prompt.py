"""Prompt building: what the model is told, within the size budget, and the feedback dialog."""

from __future__ import annotations

from synthls.intent.examples import extract_examples
from synthls.intent.model import Param, Spec
from synthls.sandbox.types import ExampleResult, RunResult
from synthls.synth.engine_protocol import Candidate, Trial
from synthls.synth.openai.completion import completion_prompt
from synthls.synth.openai.prompt import (
    FUNCTION_SYSTEM,
    PROMPT_BUDGET,
    SCRIPT_INSTRUCTION,
    SYSTEM,
    conversations,
    function_prompt,
    task_prompt,
)

DOC = """Sum of squares.

    >>> squares(3)
    14
    >>> squares(0)
    0
    """


def _spec(**kw: object) -> Spec:
    base: dict[str, object] = {
        "name": "squares",
        "signature": "def squares(n: int) -> int:",
        "docstring": DOC,
        "examples": extract_examples(DOC, 10, "squares"),
        "imports": ("import math", "from typing import Any"),
        "context": "LIMIT = 10\ndef helper(x: int) -> int: ...",
    }
    base.update(kw)
    return Spec(**base)  # type: ignore[arg-type]


def test_the_whole_function_can_be_asked_for_as_instruct_models_are_scored() -> None:
    [conv] = conversations(_spec(), [], whole_function=True)
    assert [m["role"] for m in conv] == ["system", "user"]
    assert conv[0]["content"] == FUNCTION_SYSTEM
    user = conv[1]["content"]
    assert user.startswith(SCRIPT_INSTRUCTION + "\n```python\n")
    # imports, the file's other code, then the function itself last, its docstring re-indented
    fenced = user.split("```python\n", 1)[1]
    for earlier, later in (("import math", "LIMIT = 10"), ("LIMIT = 10", "def squares(n: int)")):
        assert fenced.index(earlier) < fenced.index(later)
    assert "def helper(x: int) -> int: ..." in fenced
    assert fenced.endswith(
        '    """Sum of squares.\n\n    >>> squares(3)\n    14\n    >>> squares(0)\n    0\n    """\n```\n'
    )
    # the function's own stub line from the context is left out (it primes the model to stub)
    own = _spec(context="def squares(n: int) -> int: ...\nLIMIT = 10")
    assert function_prompt(own).count("def squares(") == 1


def test_a_comment_asks_for_the_body_only() -> None:
    [conv] = conversations(_spec(comment="use a generator"), [], whole_function=True)
    assert conv[0]["content"] == SYSTEM and "use a generator" in conv[1]["content"]


def test_first_round_has_signature_docstring_examples_imports_and_context() -> None:
    [conv] = conversations(_spec(), [])
    assert [m["role"] for m in conv] == ["system", "user"]
    assert conv[0]["content"] == SYSTEM and "body only" in SYSTEM
    user = conv[1]["content"]
    for part in (
        "def squares(n: int) -> int:",
        "Sum of squares.",
        "import math",
        "LIMIT = 10",
        "def helper(x: int) -> int: ...",
    ):
        assert part in user
    assert "- `squares(3)` gives `14`" in user
    assert "body only" in user
    # the docstring is re-indented under the signature, not left flush or doubly indented
    assert '    """Sum of squares.\n\n    >>> squares(3)\n    14' in user


def test_context_is_cut_to_the_budget_but_the_task_is_kept() -> None:
    huge = "\n".join(f"def helper_{i}(x: int) -> int: ..." for i in range(3000))
    user = task_prompt(_spec(context=huge))
    assert len(user) <= PROMPT_BUDGET
    assert "def helper_0(x: int)" in user and "def helper_2999" not in user
    assert "- `squares(0)` gives `0`" in user


def test_method_comment_and_current_body_are_included() -> None:
    user = task_prompt(
        _spec(class_name="Maths", comment="use a generator", current_body="return 0")
    )
    assert "class Maths:" in user and "    def squares(n: int) -> int:" in user
    assert "use a generator" in user
    assert "return 0" in user


def test_no_examples_says_so() -> None:
    user = task_prompt(_spec(examples=(), docstring="Sum of squares up to n."))
    assert "no examples" in user


def test_feedback_dialog_carries_input_expected_got_and_traceback() -> None:
    spec = _spec()
    wrong = Candidate("return n * n", "openai")
    run = RunResult(
        status="ok",
        examples=(
            ExampleResult(0, "failed", got="9"),
            ExampleResult(
                1,
                "error",
                exc_type="ZeroDivisionError",
                exc_msg="division by zero",
                traceback='Traceback (most recent call last):\n  File "<candidate>", line 3\nZeroDivisionError: division by zero',
            ),
        ),
    )
    crash = Trial(
        Candidate("retur", "openai", "does not parse: invalid syntax (line 1)"),
        RunResult(status="setup_error"),
    )
    for whole in (False, True):
        convs = conversations(spec, [Trial(wrong, run), crash], whole_function=whole)
        assert len(convs) == 2
        first = convs[0]
        assert [m["role"] for m in first] == ["system", "user", "assistant", "user"]
        fix = first[3]["content"]
        assert "passes 0 of 2" in fix
        assert "`squares(3)`: expected 14, got 9" in fix
        assert "ZeroDivisionError: division by zero" in fix and 'File "<candidate>", line 3' in fix
        assert "does not parse: invalid syntax" in convs[1][3]["content"]
        if whole:  # the model's answer as it gave it: the whole function
            assert first[2]["content"].startswith("```python\ndef squares(n: int) -> int:\n")
            assert first[2]["content"].endswith("\n    return n * n\n```")
            assert "That function passes" in fix and "Fix the function" in fix
        else:
            assert first[2]["content"] == "```python\nreturn n * n\n```"
            assert "That body passes" in fix and "Fix the body" in fix


def test_stub_bodies_are_not_shown_as_current_bodies() -> None:
    for stub in ("...", "pass", "raise NotImplementedError()", "raise NotImplementedError"):
        assert "current body" not in task_prompt(_spec(current_body=stub))
    assert "current body, to be replaced:\n```python\nreturn n\n```" in task_prompt(
        _spec(current_body="return n")
    )


def test_comment_inside_a_written_function_asks_for_the_insertion_only() -> None:
    body = "total = 0\n# add the squares\nreturn total"
    user = task_prompt(_spec(current_body=body, comment="add the squares"))
    assert (
        "    total = 0\n    # add the squares\n    # <-- the new code goes here\n    return total"
        in user
    )
    assert "only the new statements" in user and "Write the body" not in user
    # the comment is not in the body (it sat after the last statement): shown at the end
    user = task_prompt(_spec(current_body="total = 0", comment="return the total"))
    assert "    total = 0\n    # return the total\n    # <-- the new code goes here" in user


def test_a_completion_prompt_leaves_out_the_function_s_own_stub_line() -> None:
    """``def slugify(...): ...`` just above the function primes the model to write ``pass``;
    the other functions' signatures stay (the body may call them)."""
    spec = Spec(
        name="slugify",
        params=(Param("title"),),
        signature="def slugify(title: str) -> str:",
        docstring="The title, hyphenated.",
        context="def fizzbuzz(n: int) -> str: ...\ndef slugify(title: str) -> str: ...\nLIMIT = 3",
    )
    prompt = completion_prompt(spec)
    assert "def fizzbuzz(n: int) -> str: ..." in prompt and "LIMIT = 3" in prompt
    assert prompt.count("def slugify(") == 1
    assert prompt.rstrip().endswith('"""')
