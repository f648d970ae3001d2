"""Target detection, specs and body edits on small real sources."""

from __future__ import annotations

import ast
import random

import pytest

from synthls.intent.document import Document
from synthls.intent.model import Pos
from synthls.intent.targets import find_functions, function_at, stub_at
from synthls.synth.module_text import document_with_body, module_with_body

DOC = '"""Doc.\n\n    >>> f(1)\n    2\n    """'

STUBS = {
    "docstring only": f"def f(x):\n    {DOC}\n",
    "pass": "def f(x):\n    pass\n",
    "ellipsis": "def f(x):\n    ...\n",
    "raise class": "def f(x):\n    raise NotImplementedError\n",
    "raise call": "def f(x):\n    raise NotImplementedError('later')\n",
    "docstring + pass": f"def f(x):\n    {DOC}\n    pass\n",
    "docstring + ellipsis": f"def f(x):\n    {DOC}\n    ...\n",
    "docstring + raise": f"def f(x):\n    {DOC}\n    raise NotImplementedError()\n",
    "one-liner": "def f(x): ...\n",
    "comment in body": "def f(x):\n    # todo\n    pass\n",
}

NOT_STUBS = {
    "return": "def f(x):\n    return x\n",
    "docstring + return": f"def f(x):\n    {DOC}\n    return x + 1\n",
    "raise other": "def f(x):\n    raise ValueError(x)\n",
    "pass then code": "def f(x):\n    pass\n    return 1\n",
}


@pytest.mark.parametrize("name", sorted(STUBS))
def test_stub_kinds_are_stubs(name: str) -> None:
    [target] = find_functions(Document(STUBS[name]))
    assert target.spec.name == "f"
    assert target.is_stub


@pytest.mark.parametrize("name", sorted(NOT_STUBS))
def test_non_stubs_are_not_stubs(name: str) -> None:
    [target] = find_functions(Document(NOT_STUBS[name]))
    assert not target.is_stub


@pytest.mark.parametrize("name", sorted(STUBS))
def test_body_edit_gives_valid_code_and_keeps_the_rest(name: str) -> None:
    src = "import os\n\n" + STUBS[name] + "\nX = 1\n"
    [target] = find_functions(Document(src))
    new = document_with_body(src, target, "y = x + 1\nreturn y")
    tree = ast.parse(new)
    fn = next(n for n in tree.body if isinstance(n, ast.FunctionDef))
    assert isinstance(fn.body[-1], ast.Return)
    assert new.startswith("import os\n\n") and new.endswith("\nX = 1\n")
    if "docstring" in name:
        assert ast.get_docstring(fn) is not None
    ns: dict[str, object] = {}
    exec(compile(new, "<t>", "exec"), ns)
    assert ns["f"](1) == 2  # type: ignore[operator]


METHODS = '''
import functools

class Shape:
    def area(self):
        """Area.

        >>> Shape().area()
        0
        """
        ...

    @classmethod
    def make(cls, n: int = 3) -> "Shape":
        pass

    @staticmethod
    async def fetch(url, *, retries=2, **kw):
        raise NotImplementedError


def outer(a):
    def inner(b):
        ...
    return inner


@functools.lru_cache(maxsize=None)
def cached(n):
    """Cached."""
'''


def test_methods_nested_async_decorated() -> None:
    targets = {t.spec.name: t for t in find_functions(Document(METHODS))}
    assert set(targets) == {"area", "make", "fetch", "outer", "inner", "cached"}
    assert targets["area"].spec.class_name == "Shape" and targets["area"].is_stub
    assert targets["area"].spec.examples[0].source == "Shape().area()"
    assert targets["make"].spec.decorators == ("@classmethod",)
    assert targets["make"].spec.params[1].annotation == "int"
    assert targets["make"].spec.params[1].default == "3"
    assert targets["make"].spec.returns == '"Shape"'
    fetch = targets["fetch"].spec
    assert fetch.is_async and fetch.decorators == ("@staticmethod",)
    assert [(p.name, p.kind) for p in fetch.params] == [
        ("url", "positional"),
        ("retries", "kwonly"),
        ("kw", "kwargs"),
    ]
    assert targets["inner"].is_stub and not targets["outer"].is_stub
    assert targets["cached"].is_stub and targets["cached"].spec.decorators[0].startswith(
        "@functools"
    )
    assert (
        targets["cached"].span.start.line == targets["cached"].def_line - 1
    )  # span includes decorator
    assert "import functools" in targets["area"].spec.imports


def test_cursor_anywhere_in_function_finds_innermost() -> None:
    doc = Document(METHODS)
    lines = METHODS.splitlines()
    inner_line = next(i for i, ln in enumerate(lines) if "def inner" in ln)
    assert function_at(doc, inner_line + 1).spec.name == "inner"  # type: ignore[union-attr]
    assert function_at(doc, inner_line + 2).spec.name == "outer"  # type: ignore[union-attr]
    assert stub_at(doc, inner_line + 2) is None
    assert function_at(doc, 0) is None


def test_syntax_errors_elsewhere_keep_intact_functions() -> None:
    src = "def broken(:\n    pass\n\n\ndef ok(x):\n    '''Doc.\n\n    >>> ok(1)\n    1\n    '''\n    ...\n\nx = = 3\n"
    names = [t.spec.name for t in find_functions(Document(src))]
    assert names == ["ok"]
    [target] = find_functions(Document(src))
    module = module_with_body(src, target, "return x")
    ns: dict[str, object] = {}
    exec(compile(module, "<t>", "exec"), ns)
    assert ns["ok"](5) == 5  # type: ignore[operator]


def test_tabs_and_crlf() -> None:
    src = "class A:\r\n\tdef f(self, x):\r\n\t\t'''Doc.\r\n\r\n\t\t>>> A().f(2)\r\n\t\t4\r\n\t\t'''\r\n\t\tpass\r\n"
    [target] = find_functions(Document(src))
    assert target.indent == "\t\t" and target.is_stub
    assert target.spec.examples[0].source == "A().f(2)"
    new = document_with_body(src, target, "y = x * 2\nreturn y")
    assert "\r\n\t\ty = x * 2\r\n\t\treturn y\r\n" in new
    assert "\n" not in new.replace("\r\n", "")
    ns: dict[str, object] = {}
    exec(compile(new.replace("\r\n", "\n"), "<t>", "exec"), ns)
    assert ns["A"]().f(2) == 4  # type: ignore[operator]


def test_example_lines_point_into_the_document() -> None:
    src = STUBS["docstring only"]
    [target] = find_functions(Document(src))
    ex = target.spec.examples[0]
    assert src.splitlines()[ex.line].strip() == ">>> f(1)"


def test_incremental_edits_match_a_fresh_parse() -> None:
    rnd = random.Random(7)
    text = METHODS + "\ns = 'é😀'\n"
    doc = Document(text)
    for _ in range(200):
        lines = doc.text.split("\n")
        a = rnd.randrange(len(lines))
        b = min(len(lines) - 1, a + rnd.randrange(3))
        ca = rnd.randrange(len(lines[a]) + 1)
        cb = rnd.randrange(len(lines[b]) + 1) if b > a else rnd.randrange(ca, len(lines[b]) + 1)
        new = rnd.choice(["", "x", "\n", "é", "😀\n  ", "def g():\n    pass\n", ")"])
        doc.apply_change(Pos(a, ca), Pos(b, cb), new)
        fresh = Document(doc.text)
        assert str(doc.tree.root_node) == str(fresh.tree.root_node)
        expected = "\n".join(lines[:a] + [lines[a][:ca] + new + lines[b][cb:]] + lines[b + 1 :])
        assert doc.text == expected


def test_parameter_aware_example_forms_reach_the_spec() -> None:
    src = (
        "class Words:\n"
        "    def is_happy(self, s: str) -> bool:\n"
        '        """Happy strings.\n\n'
        "        For example:\n"
        "        is_happy(abcd) => True\n"
        "        is_happy(aabb) => False\n"
        '        """\n'
    )
    [target] = find_functions(Document(src))
    assert [(e.source, e.want, e.line) for e in target.spec.examples] == [
        ("is_happy('abcd')", "True", 5),
        ("is_happy('aabb')", "False", 6),
    ]
    assert src.splitlines()[5].strip() == "is_happy(abcd) => True"


RELOCATE_SRC = (
    "X = 1\n\n\nclass A:\n    def f(self):\n        return 1\n\n\ndef f():\n    return 2\n"
)


def _anchor_f(src: str, line: int):  # type: ignore[no-untyped-def]
    from synthls.intent.relocate import anchor_of

    doc = Document(src)
    target = function_at(doc, line)
    assert target is not None
    return anchor_of(doc, target.span, target.def_line)


def test_a_target_is_found_again_by_its_own_lines_and_qualname() -> None:
    from synthls.intent.relocate import relocate

    method, function = _anchor_f(RELOCATE_SRC, 4), _anchor_f(RELOCATE_SRC, 8)
    assert (method.qualname, function.qualname) == ("A.f", "f")
    moved = "import os\n\n" + RELOCATE_SRC.replace("X = 1\n", "X = 1\nY = 2\n")
    assert relocate(Document(moved), method) == 3
    assert relocate(Document(moved), function) == 3
    # the method's own text changed: not found; the other function still is
    edited = moved.replace("return 1", "return 10")
    assert relocate(Document(edited), method) is None
    assert relocate(Document(edited), function) == 3
    # the same lines under another class are another function
    assert relocate(Document(RELOCATE_SRC.replace("class A", "class B")), method) is None
    # a line typed at the end of the function's last line changes the function
    assert relocate(Document(RELOCATE_SRC.replace("return 2", "return 2 + 1")), function) is None


def test_a_function_at_the_end_without_newline_is_found_again() -> None:
    from synthls.intent.relocate import relocate

    src = RELOCATE_SRC.rstrip("\n")
    anchor = _anchor_f(src, 8)
    assert relocate(Document("# top\n" + src), anchor) == 1
    assert relocate(Document(src + "1"), anchor) is None


def test_functions_are_visited_nearest_the_focus_first_following_it() -> None:
    from synthls.intent.nearby import Nearby

    src = "".join(f"def f{i}(x):\n    y = x\n    return y\n\n" for i in range(10))  # 4 lines each
    focus = [17]  # inside f4 (lines 16-18)
    order = []
    for t in Nearby(Document(src)).visit(lambda: focus[0]):
        order.append(t.spec.name)
        if len(order) == 3:
            focus[0] = 0  # the client moved to the top
    assert order[:3] == ["f4", "f5", "f3"]
    assert order[3:6] == ["f0", "f1", "f2"]
    assert sorted(order) == sorted(f"f{i}" for i in range(10))
