"""Output cleaning: every shape a model answers in becomes a body, or a reason it cannot be used."""

from __future__ import annotations

import ast
import sys
import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from synthls.synth.openai.clean import clean_reply, parse_error

BODY_CASES = [
    ("fenced body", "```python\nreturn a + b\n```", "return a + b"),
    (
        "whole def with prose and docstring",
        'Sure!\n```python\ndef add(a, b):\n    """Add."""\n    return a + b\n```\nDone.',
        "return a + b",
    ),
    ("indented raw body", "    total = a + b\n    return total", "total = a + b\nreturn total"),
    ("first line flush, rest indented", "x = a + b\n    return x", "x = a + b\nreturn x"),
    (
        "imports and helpers around the def move into the body",
        "import math\n\ndef _h(x):\n    return x\n\ndef add(a, b):\n    return math.floor(_h(a) + b)\n\nprint(add(1, 2))\n",
        "import math\ndef _h(x):\n    return x\nreturn math.floor(_h(a) + b)",
    ),
    (
        "an import the file has is dropped",
        "import os\ndef add(a, b):\n    return a + b",
        "return a + b",
    ),
    (
        "method inside its class",
        "```python\nclass K:\n    def add(self, a, b):\n        return a + b\n```",
        "return a + b",
    ),
    ("one-line def", "def add(a, b): return a + b", "return a + b"),
    (
        "unlabelled fence, docstring repeated",
        '```\n"""doc"""\nr = []\nfor i in range(a):\n    r.append(i)\nreturn r\n```',
        "r = []\nfor i in range(a):\n    r.append(i)\nreturn r",
    ),
    (
        "python fence preferred over text fence",
        "```text\nnot code\n```\n```py\nreturn b\n```",
        "return b",
    ),
    (
        "decorated nested helper kept whole",
        "def add(a, b):\n    @staticmethod\n    def h():\n        return 1\n    return h()",
        "@staticmethod\ndef h():\n    return 1\nreturn h()",
    ),
    (
        "a completion running on past the body is cut at the next top-level line",
        "    for x in a:\n        b += x\n    return b\n\n\ndef main():\n    pass\n",
        "for x in a:\n    b += x\nreturn b",
    ),
    (
        "a reasoning model's scratchpad is dropped",
        "<think>\nMaybe:\n```python\nreturn a - b\n```\nNo.\n</think>\n```python\nreturn a + b\n```",
        "return a + b",
    ),
    ("unterminated fence (truncated at the end)", "```python\nreturn a - b\n", "return a - b"),
    (
        "an import and a call on one line, bare",
        "import time; time.sleep(1)\nreturn a + b",
        "import time; time.sleep(1)\nreturn a + b",
    ),
    (
        "statements on one line inside the def",
        "```python\ndef add(a, b):\n    import time; time.sleep(1)\n    s = a; s += b; return s\n```",
        "import time; time.sleep(1)\ns = a; s += b; return s",
    ),
    (
        "a one-line def of several statements",
        "def add(a, b): s = a + b; return s",
        "s = a + b; return s",
    ),
    (
        "a docstring and statements on one line",
        'def add(a, b):\n    """Doc."""; t = (a,\n         b); return sum(t)',
        "t = (a,\n     b); return sum(t)",
    ),
    (
        "a one-line def with a default that is not ASCII",
        'def add(a, b="é"): return a + b',
        "return a + b",
    ),
]


@pytest.mark.parametrize(
    ("text", "want"), [c[1:] for c in BODY_CASES], ids=[c[0] for c in BODY_CASES]
)
def test_usable_replies_become_dedented_bodies(text: str, want: str) -> None:
    body, note = clean_reply(text, "add", ("import os",))
    assert note == ""
    assert body == want
    assert parse_error(body) is None


FAIL_CASES = [
    ("empty", "   \n", "empty reply"),
    ("prose only", "I'm sorry, I cannot help with that request.", "no code in the reply"),
    (
        "reasoning cut off before the answer",
        "<think>\nLet me see: return a + b",
        "only the model's reasoning",
    ),
    ("does not parse", "```python\ndef add(a, b):\n    return (a +\n```", "does not parse"),
    ("truncated raw code", "return [x for x in", "does not parse"),
    (
        "def with only a docstring",
        '```python\ndef add(a, b):\n    """Only doc."""\n```',
        "no statements",
    ),
]


@pytest.mark.parametrize(
    ("text", "fragment"), [c[1:] for c in FAIL_CASES], ids=[c[0] for c in FAIL_CASES]
)
def test_unusable_replies_give_a_reason_and_no_body(text: str, fragment: str) -> None:
    body, note = clean_reply(text, "add")
    assert body == ""
    assert fragment in note


def test_async_body_is_checked_as_async() -> None:
    body, note = clean_reply(
        "```python\nasync def fetch(u):\n    return await get(u)\n```", "fetch", is_async=True
    )
    assert (body, note) == ("return await get(u)", "")


def test_a_different_function_name_is_not_taken_for_the_target() -> None:
    body, note = clean_reply("def other(a):\n    return a\n", "add")
    # a module with only another def is a body that defines a helper and returns nothing
    assert note == ""
    assert body.startswith("def other(a):")


_STATEMENTS = st.sampled_from(
    [
        "x = a + 1",
        "y = [i * 2 for i in range(b)]",
        "msg = \"a string with a # and a 'quote'\"",
        "if a > b:\n    a, b = b, a",
        "for i in range(3):\n    if i:\n        continue\n    a += i",
        "try:\n    z = a / b\nexcept ZeroDivisionError:\n    z = 0",
        "import math",
        "import time; time.sleep(0); c = a",
    ]
)
_WRAPS = {
    "bare": lambda b: b,
    "indented": lambda b: textwrap.indent(b, "    "),
    "fenced": lambda b: f"Here:\n```python\n{b}\n```\nThat's it.",
    "def": lambda b: (
        f'```python\ndef add(a, b):\n    """Doc."""\n{textwrap.indent(b, "    ")}\n```'
    ),
}


@settings(max_examples=60, deadline=None)
@given(st.lists(_STATEMENTS, min_size=0, max_size=4), st.sampled_from(sorted(_WRAPS)))
def test_any_wrapping_of_a_body_gives_the_body_back(statements: list[str], wrap: str) -> None:
    body = "\n".join([*statements, "return a"])
    got, note = clean_reply(_WRAPS[wrap](body), "add")
    assert note == ""
    assert ast.dump(ast.parse(got)) == ast.dump(ast.parse(body))


def test_of_two_definitions_the_last_is_taken_as_python_does() -> None:
    reply = "```python\ndef add(a, b):\n    return a - b\n\n\ndef add(a, b):\n    return a + b\n```"
    body, note = clean_reply(reply, "add")
    assert (body, note) == ("return a + b", "")


def test_of_two_methods_in_a_class_the_last_is_taken() -> None:
    reply = "class K:\n    def add(self, a, b):\n        return 0\n    def add(self, a, b):\n        return a + b\n"
    assert clean_reply(reply, "add") == ("return a + b", "")


@pytest.mark.parametrize("ticks", [3, 4, 5])
def test_fences_of_any_length_of_three_or_more(ticks: int) -> None:
    fence = "`" * ticks
    reply = f"Here:\n{fence}python\ndef add(a, b):\n    return a + b\n{fence}\nDone."
    assert clean_reply(reply, "add") == ("return a + b", "")


def test_a_long_fence_may_hold_a_shorter_one() -> None:
    reply = (
        '````python\ndef add(a, b):\n    """Add.\n\n    ```\n    add(1, 2)\n    ```\n    """\n'
        "    return a + b\n````\nUsage:\n```\nadd(1, 2)\n```"
    )
    assert clean_reply(reply, "add") == ("return a + b", "")


def test_a_long_fence_quoting_a_markdown_answer() -> None:
    reply = "````markdown\nHere:\n```python\nreturn a + b\n```\n````"
    assert clean_reply(reply, "add") == ("return a + b", "")


STAR = '''```python
from typing import *
from collections import *
from nosuchmodule import *

def count_words(text: str) -> List[int]:
    """Count."""
    counts = Counter(text.split())
    return sorted(counts.values())
```'''


def test_star_imports_become_the_names_the_body_uses() -> None:
    # Python refuses ``import *`` inside a function: the body would not even compile
    body, note = clean_reply(STAR, "count_words")
    assert note == ""
    assert body.splitlines()[:2] == [
        "from collections import Counter",
        "counts = Counter(text.split())",
    ]
    compile("def count_words(text):\n" + textwrap.indent(body, "    "), "<body>", "exec")


def test_a_star_import_of_nothing_used_or_of_an_unknown_module_goes() -> None:
    body, _ = clean_reply("```python\nfrom math import *\nreturn x + 1\n```", "f")
    assert body == "return x + 1"
    body, _ = clean_reply("```python\nfrom evil import *\nreturn helper(x)\n```", "f")
    assert body == "return helper(x)"  # nothing imported in the server to find its names
    assert "evil" not in sys.modules
