"""Checking a real file's examples behaves as ``python -m doctest`` on it: run in the sandbox."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from synthls.intent.document import Document
from synthls.intent.examples import extract_examples
from synthls.intent.model import Example
from synthls.intent.targets import find_functions
from synthls.sandbox import Limits, Program, RunResult, Sandbox
from synthls.sandbox.results import build_result_off_loop
from synthls.synth.report import describe_result
from synthls.synth.service import check_target

pytestmark = pytest.mark.asyncio(loop_scope="module")


BOX_LIMITS = Limits(timeout=10.0, parallel=2, output_bytes=1 << 12)  # `box` (tests/conftest.py)


async def check_file(box: Sandbox, path: Path, text: str, name: str) -> RunResult:
    path.write_text(text, encoding="utf-8")
    [target] = [t for t in find_functions(Document(text)) if t.spec.name == name]
    return await check_target(text, target, box, 10.0, path=str(path))


def statuses(result: RunResult) -> list[str]:
    return [r.status for r in result.examples]


def module(body: str) -> str:
    return textwrap.dedent(body).lstrip("\n")


async def test_print_without_a_newline_passes(box: Sandbox, tmp_path: Path) -> None:
    text = module('''
        def f():
            """
            >>> f()
            abc
            >>> print("x", end="")
            x
            """
            print("abc", end="")
    ''')
    assert statuses(await check_file(box, tmp_path / "m.py", text, "f")) == ["passed", "passed"]


async def test_skip_is_neither_run_nor_reported(box: Sandbox, tmp_path: Path) -> None:
    text = module('''
        def f():
            """
            >>> f()  # doctest: +SKIP
            1
            >>> f() + 1
            3
            """
            return 2
    ''')
    [example] = extract_examples(Document(text).text.split('"""')[1], 0, "f")
    assert example.source == "f() + 1"
    assert statuses(await check_file(box, tmp_path / "m.py", text, "f")) == ["passed"]


async def test_a_printed_traceback_is_output_like_any_other(box: Sandbox, tmp_path: Path) -> None:
    text = module('''
        def f():
            """
            >>> f()
            Traceback (most recent call last):
              ...
            ValueError: shown, not raised
            """
            print("Traceback (most recent call last):")
            print("  ...")
            print("ValueError: shown, not raised")
    ''')
    assert statuses(await check_file(box, tmp_path / "m.py", text, "f")) == ["passed"]


async def test_module_gets_no_future_flag_its_name_its_file_and_loads_with_a_bom(
    box: Sandbox, tmp_path: Path
) -> None:
    text = "\ufeff" + module('''
        def f(x: int) -> int:
            """
            >>> f.__annotations__["x"]
            <class 'int'>
            >>> __name__, f.__module__
            ('mymod', 'mymod')
            >>> __file__ == FILE
            True
            """
            return x
    ''')
    path = tmp_path / "mymod.py"
    text += f"FILE = {str(path)!r}\n"
    result = await check_file(box, path, text, "f")
    assert result.status == "ok", result.setup_error
    assert statuses(result) == ["passed", "passed", "passed"]


async def test_a_module_level_exception_is_named_as_doctest_names_it(
    box: Sandbox, tmp_path: Path
) -> None:
    text = module('''
        class Bad(Exception):
            pass

        def f():
            """
            >>> f()
            Traceback (most recent call last):
            mymod.Bad: no
            >>> f()
            Traceback (most recent call last):
            Bad: no
            >>> f()  # doctest: +IGNORE_EXCEPTION_DETAIL
            Traceback (most recent call last):
            Bad: yes
            """
            raise Bad("no")
    ''')
    result = await check_file(box, tmp_path / "mymod.py", text, "f")
    assert statuses(result) == ["passed", "failed", "passed"]  # python -m doctest agrees


async def test_a_body_rebinding_builtins_cannot_change_the_expected_value(box: Sandbox) -> None:
    setup = module("""
        import builtins

        def f():
            builtins.sum = lambda *a: 99
            return 99

        def g():
            global sorted
            sorted = lambda *a: [0]
            return [0]
    """)
    examples = (
        Example("f()", "sum([1, 2])", 0, "value"),
        Example("g()", "sorted([2, 1])", 1, "value"),
        Example("len([1])", "sum([1])", 2, "value"),
    )
    result = await box.run(Program(setup=setup, examples=examples))
    assert statuses(result) == ["failed", "failed", "passed"]


async def test_ellipsis_over_a_printout_longer_than_the_cap(box: Sandbox, tmp_path: Path) -> None:
    text = module('''
        def f():
            """
            >>> f()  # doctest: +ELLIPSIS
            0
            1
            ...
            >>> f()  # doctest: +ELLIPSIS
            0
            ...
            4999
            >>> f()
            0
            """
            for i in range(5000):
                print(i)
    ''')
    result = await check_file(box, tmp_path / "m.py", text, "f")
    assert statuses(result) == ["passed", "truncated", "truncated"]
    assert "too much output" in describe_result(Example("f()", "0\n", 0), result.examples[2])


async def test_an_example_past_the_limit_says_timeout(tmp_path: Path) -> None:
    text = module('''
        import time

        def f():
            """
            >>> f()
            1
            """
            time.sleep(30)
            return 1
    ''')
    sandbox = Sandbox(Limits(timeout=1.0, parallel=1))
    try:
        result = await check_file(sandbox, tmp_path / "m.py", text, "f")
    finally:
        await sandbox.close()
    [res] = result.examples
    assert res.status == "timeout" and res.exc_type == "Timeout"
    said = describe_result(Example("f()", "1\n", 0), res)
    assert "timed out" in said and "1 s limit" in said, said


FORGER = module("""
    import os, sys

    def add(a, b):
        forged = 0
        frame = sys._getframe()
        while frame is not None:
            for space in (frame.f_locals, frame.f_globals):
                for value in list(space.values()):
                    for obj in [value, *getattr(value, "issued", [])]:
                        send = getattr(obj, "send", None)
                        if callable(send) and not isinstance(obj, type):
                            try:
                                send({"ev": "ex", "i": 0, "got": "3\\n"})
                                send({"ev": "done"})
                                forged += 1
                            except Exception:
                                pass
            frame = frame.f_back
        if forged:
            os._exit(0)
        return a + b + 1
""")


PATCHER = module("""
    import json, os

    def add(a, b):
        real = json.dumps
        json.dumps = lambda ev, **kw: real({**ev, "got": "3\\n"} if "got" in ev else ev, **kw)
        os.write = lambda fd, data: len(data)  # and swallow whatever is still sent honestly
        return a + b + 1
""")


@pytest.mark.parametrize("setup", [FORGER, PATCHER], ids=["frames", "patched-modules"])
async def test_the_candidate_cannot_forge_its_report(box: Sandbox, setup: str) -> None:
    result = await box.run(Program(setup=setup, examples=(Example("add(1, 2)", "3\n", 0),)))
    assert not result.all_passed
    assert result.examples[0].got == "4\n"  # the real, wrong answer reached the server


async def test_nested_functions_are_not_checked(tmp_path: Path) -> None:
    path = tmp_path / "nested.py"
    path.write_text(
        module('''
        def outer(n):
            """
            >>> outer(2)
            3
            """
            step = 1

            def inner(x):
                """
                >>> inner(1)
                2
                """
                return x + step

            return inner(n)
    ''')
    )
    out = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "synthls", "check", str(path), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    report = json.loads(out.stdout)
    assert [f["name"] for f in report["functions"]] == ["outer"], out.stderr
    assert out.returncode == 0


async def test_judging_runs_off_the_event_loop() -> None:
    """A heavy verdict (20k near-equal tuples) is right, and the loop keeps turning meanwhile."""
    want = repr({(i, i * 0.1) for i in range(20_000)})
    got = repr({(i, i * 0.1 * (1 + 1e-12)) for i in range(20_000)})
    program = Program(setup="", examples=(Example("s()", want, 0, "value"),))
    events = [{"ev": "setup_ok"}, {"ev": "ex", "i": 0, "got": got}, {"ev": "done"}]
    ticks = 0
    judged = asyncio.ensure_future(build_result_off_loop(program, events, {"ev": "end"}, ()))
    while not judged.done():
        ticks += 1
        await asyncio.sleep(0)
    assert (await judged).all_passed
    assert ticks > 1


async def test_a_module_finds_the_file_next_to_it_by_its_own_path(
    box: Sandbox, tmp_path: Path
) -> None:
    (tmp_path / "data.txt").write_text("42\n")
    text = module('''
        from pathlib import Path

        HERE = Path(__file__).parent

        def answer():
            """
            >>> answer()
            PosixPath('.../data.txt')
            """
            return HERE / "data.txt"
    ''').replace("'.../data.txt'", repr(str(tmp_path / "data.txt")))
    assert statuses(await check_file(box, tmp_path / "m.py", text, "answer")) == ["passed"]
