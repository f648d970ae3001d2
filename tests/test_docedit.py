"""Answers go into the docstring as doctest examples the next check runs."""

from __future__ import annotations

import doctest

import pytest

from synthls.intent.docedit import add_examples
from synthls.intent.document import Document
from synthls.intent.model import Example, FunctionTarget
from synthls.intent.targets import find_functions
from synthls.synth.module_text import document_with_body, replace_span

SAFE_DIV = '''def safe_div(a, b):
    """a / b, or 0.0 when b is zero.

    >>> safe_div(6, 3)
    2.0
    >>> safe_div(1, 0)
    0.0

    Works on floats too.
    """
    ...
'''

HALF = Example(source="safe_div(2, 4)", want="0.5", line=-1)


def target(text: str, name: str) -> FunctionTarget:
    return next(t for t in find_functions(Document(text)) if t.spec.name == name)


def edited(text: str, name: str, examples: list[Example]) -> str:
    span, new = add_examples(text, target(text, name), examples)
    return replace_span(text, span, new)


def run_doctests(text: str, name: str) -> doctest.TestResults:
    ns: dict[str, object] = {}
    exec(compile(text, "<t>", "exec"), ns)
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(verbose=False)
    fn = ns[name]
    for test in finder.find(fn, name, globs=ns):
        runner.run(test)
    return runner.summarize(verbose=False)


def test_appended_after_the_last_example_and_kept_with_the_body() -> None:
    new = edited(SAFE_DIV, "safe_div", [HALF])
    assert "    >>> safe_div(1, 0)\n    0.0\n    >>> safe_div(2, 4)\n    0.5\n\n    Works on" in new
    # the body edit of the same target still applies after the docstring edit
    whole = document_with_body(new, target(new, "safe_div"), "return a / b if b else 0.0")
    assert run_doctests(whole, "safe_div") == doctest.TestResults(failed=0, attempted=3)
    re_read = target(whole, "safe_div").spec.examples
    assert [(e.source, e.want.strip()) for e in re_read][-1] == ("safe_div(2, 4)", "0.5")


def test_a_one_line_docstring_grows_an_examples_block() -> None:
    text = 'class K:\n    def f(self, s):\n        """Shout."""\n        return s.upper()\n'
    new = edited(text, "f", [Example("K().f('a b')", "'A B'", -1)])
    assert new == (
        'class K:\n    def f(self, s):\n        """Shout.\n\n'
        "        >>> K().f('a b')\n        'A B'\n        \"\"\"\n        return s.upper()\n"
    )


def test_docstring_without_examples_gets_them_before_the_closing_quotes() -> None:
    text = 'def f(x):\n    """Double it.\n\n    Really.\n    """\n'
    new = edited(text, "f", [Example("f(2)", "4", -1), Example("f(0)", "0", -1)])
    assert new == (
        'def f(x):\n    """Double it.\n\n    Really.\n\n'
        '    >>> f(2)\n    4\n    >>> f(0)\n    0\n    """\n'
    )


def test_backslashes_and_quotes_survive_a_non_raw_docstring() -> None:
    text = 'def f(s):\n    """Join.\n\n    >>> f("a")\n    \'a\'\n    """\n    return s\n'
    tricky = Example('f(\'a\\nb"""\')', repr('a\nb"""'), -1)
    new = edited(text, "f", [tricky])
    assert run_doctests(new, "f") == doctest.TestResults(failed=0, attempted=2)


def test_raw_docstring_keeps_backslashes() -> None:
    text = 'def f(s):\n    r"""Echo.\n\n    >>> f("a")\n    \'a\'\n    """\n    return s\n'
    new = edited(text, "f", [Example("f('a\\\\b')", repr("a\\b"), -1)])
    assert "    >>> f('a\\\\b')\n    'a\\\\b'\n" in new
    assert run_doctests(new, "f") == doctest.TestResults(failed=0, attempted=2)


def test_crlf_documents_keep_their_newlines() -> None:
    text = SAFE_DIV.replace("\n", "\r\n")
    new = edited(text, "safe_div", [HALF])
    assert "\r\n    >>> safe_div(2, 4)\r\n    0.5\r\n" in new and "\n" not in new.replace(
        "\r\n", ""
    )


def test_no_docstring_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="no docstring"):
        add_examples("def f(x):\n    return x\n", target("def f(x):\n    return x\n", "f"), [HALF])


ECHO = "def f(s):\n    {doc}\n    return s\n"
FORMS = ['"""', "'''", 'r"""', "r'''", 'R"""', 'u"""', '"', "'", 'r"', "r'"]
TRICKY = ['a"""b', "a'''b", 'a"', "b'", "back\\slash", '"""\\"""', "\\"]


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("value", TRICKY)
def test_every_docstring_form_keeps_the_file_compiling_or_refuses(form: str, value: str) -> None:
    quote = form.lstrip("rRuU")
    text = ECHO.format(doc=f"{form}Echo it.{quote}")
    example = Example(f"f({value!r})", repr(value), -1)
    triple = quote[0] * 3
    if form[0] in "rR" and triple in f">>> f({value!r})\n{value!r}":
        with pytest.raises(ValueError, match="raw docstring cannot hold"):
            add_examples(text, target(text, "f"), [example])
        return
    new = edited(text, "f", [example])
    assert run_doctests(new, "f") == doctest.TestResults(failed=0, attempted=1)
    assert [(e.source, e.want.strip()) for e in target(new, "f").spec.examples] == [
        (example.source, example.want)
    ]


def test_a_raw_docstring_refuses_its_own_closing_quotes_with_a_clear_message() -> None:
    text = ECHO.format(doc='r"""Echo it.\n\n    >>> f("a")\n    \'a\'\n    """')
    typed = Example("f(1)", repr('"""'), -1)  # typed as "none of these": '"""'
    with pytest.raises(ValueError, match=r'f: an example holds """, which its raw docstring'):
        add_examples(text, target(text, "f"), [typed])


def test_what_source_cannot_hold_is_escaped_in_a_non_raw_docstring() -> None:
    text = ECHO.format(doc='"""Echo it."""')
    odd = Example("f(1)", "'\udcff\x00\r'", -1)  # an output whose text holds them as they are
    new = edited(text, "f", [odd])
    new.encode("utf-8")  # a lone surrogate as it is has no UTF-8
    compile(new, "<t>", "exec")
    ns: dict[str, object] = {}
    exec(compile(new, "<t>", "exec"), ns)
    doc = getattr(ns["f"], "__doc__", "")
    assert ">>> f(1)\n    '\udcff\x00\r'\n" in doc


@pytest.mark.parametrize("odd", ["\x00", "\r", "\udcff"])
def test_a_raw_docstring_refuses_what_source_cannot_hold(odd: str) -> None:
    text = ECHO.format(doc='r"""Echo it."""')
    with pytest.raises(ValueError, match="raw docstring cannot hold"):
        add_examples(text, target(text, "f"), [Example("f(1)", f"'{odd}'", -1)])
