"""Behaviour of the sandbox on ordinary (non-hostile) programs: results, verdicts, limits."""

from __future__ import annotations

import asyncio
import logging
import os
import textwrap

import pytest

from synthls.intent.examples import extract_examples
from synthls.intent.model import Example
from synthls.sandbox import Limits, Program, Sandbox

pytestmark = pytest.mark.asyncio(loop_scope="module")

ADD = textwrap.dedent(
    '''
    def add(a, b):
        """
        >>> add(1, 2)
        3
        >>> add(1, 'x')
        Traceback (most recent call last):
        TypeError: unsupported operand type(s) for +: 'int' and 'str'
        >>> [add(i, 0.5) for i in range(20)]   # doctest: +ELLIPSIS
        [0.5, 1.5, ...]
        """
        return a + b
    '''
)
ADD_EXAMPLES = extract_examples(ADD.split('"""')[1])


BOX_LIMITS = Limits(timeout=3.0, parallel=2)  # the `box` fixture's (tests/conftest.py)


def doctest_example(source: str, want: str, flags: tuple[str, ...] = ()) -> Example:
    return Example(source=source, want=want, line=0, flags=flags)


def value_example(source: str, want: str) -> Example:
    return Example(source=source, want=want, line=0, style="value")


async def test_correct_candidate_passes_every_doctest(box: Sandbox) -> None:
    result = await box.run(Program(setup=ADD, examples=ADD_EXAMPLES))
    assert result.status == "ok"
    assert [r.status for r in result.examples] == ["passed"] * 3
    assert result.all_passed


async def test_wrong_candidate_fails_with_got_text(box: Sandbox) -> None:
    setup = ADD.replace("return a + b", "return a - b")
    result = await box.run(Program(setup=setup, examples=ADD_EXAMPLES[:1]))
    assert result.examples[0].status == "failed"
    assert result.examples[0].got == "-1\n"
    assert not result.all_passed


async def test_unexpected_exception_is_an_error_with_trimmed_traceback(box: Sandbox) -> None:
    setup = "def f(x):\n    return 1 // x\n"
    result = await box.run(Program(setup=setup, examples=(doctest_example("f(0)", "1\n"),)))
    ex = result.examples[0]
    assert ex.status == "error"
    assert ex.exc_type == "ZeroDivisionError"
    assert ex.exc_msg == "integer division or modulo by zero"
    assert ex.traceback is not None and "return 1 // x" in ex.traceback
    assert "child.py" not in ex.traceback


async def test_setup_error_reports_the_syntax_error(box: Sandbox) -> None:
    result = await box.run(Program(setup="def f(x)\n", examples=ADD_EXAMPLES))
    assert result.status == "setup_error"
    assert result.setup_error is not None and "SyntaxError" in result.setup_error
    assert [r.status for r in result.examples] == ["not_run"] * 3


async def test_value_style_compares_values_with_float_tolerance(box: Sandbox) -> None:
    setup = "from fractions import Fraction\ndef f(x):\n    return [x * 0.1, {'k': (x, 0.3)}]\n"
    examples = (
        value_example("f(3)", "[0.3, {'k': (3, 0.30000000001)}]"),
        value_example("f(3)", "[0.3, {'k': (4, 0.3)}]"),
        value_example("Fraction(1, 2)", "Fraction(2, 4)"),
        value_example("f(1)[0]", "0.2"),
    )
    result = await box.run(Program(setup=setup, examples=examples))
    assert [r.status for r in result.examples] == ["passed", "failed", "passed", "failed"]


async def test_module_runs_under_its_own_name_and_value_examples_are_awaited(box: Sandbox) -> None:
    setup = "import asyncio\nasync def f(x):\n    await asyncio.sleep(0)\n    return x * 2\n"
    examples = (
        doctest_example("__name__", "'__synthls_candidate__'\n"),
        doctest_example("asyncio.run(f(2))", "4\n"),
        doctest_example("f(3)", "6\n"),  # doctest prints the coroutine object: it fails there too
        value_example("f(4)", "8"),
    )
    result = await box.run(Program(setup=setup, examples=examples))
    assert [r.status for r in result.examples] == ["passed", "passed", "failed", "passed"], result


async def test_site_packages_and_c_extensions_import_inside_the_sandbox(box: Sandbox) -> None:
    setup = "import sqlite3, tree_sitter, lsprotocol.types as t\ndef f():\n    return t.Position(1, 2).line\n"
    examples = (
        doctest_example("f()", "1\n"),
        doctest_example("sqlite3.connect(':memory:').execute('select 2').fetchone()", "(2,)\n"),
    )
    result = await box.run(Program(setup=setup, examples=examples))
    assert result.all_passed, result


async def test_files_can_be_written_in_the_private_temp_dir(box: Sandbox) -> None:
    setup = "import os\ndef f():\n    open('x.txt', 'w').write('hi')\n    return open(os.path.abspath('x.txt')).read()\n"
    result = await box.run(Program(setup=setup, examples=(doctest_example("f()", "'hi'\n"),)))
    assert result.all_passed, result


async def test_probes_report_reprs_and_none_on_error(box: Sandbox) -> None:
    program = Program(setup="def f(x):\n    return 10 // x\n", probes=("f(2)", "f(0)", "'s'"))
    result = await box.run(program)
    assert result.probes == ("5", None, "'s'")


async def test_timeout_marks_running_example_and_keeps_earlier_results(box: Sandbox) -> None:
    setup = "def f(x):\n    while x: pass\n    return 1\n"
    examples = (
        doctest_example("f(0)", "1\n"),
        doctest_example("f(1)", "1\n"),
        doctest_example("f(0)", "1\n"),
    )
    result = await box.run(Program(setup=setup, examples=examples, timeout=0.5))
    assert result.status == "timeout"
    assert [r.status for r in result.examples] == ["passed", "timeout", "not_run"]


async def test_hanging_probe_keeps_example_results(box: Sandbox) -> None:
    setup = "def f(x):\n    while x: pass\n    return 1\n"
    program = Program(
        setup=setup,
        examples=(doctest_example("f(0)", "1\n"),),
        probes=("f(0)", "f(1)"),
        timeout=0.5,
    )
    result = await box.run(program)
    assert result.examples[0].status == "passed"
    assert result.probes == ("1", None)


async def test_memory_error_is_reported_as_memory(box: Sandbox) -> None:
    setup = "def f():\n    return len(bytearray(8 << 30))\n"
    result = await box.run(Program(setup=setup, examples=(doctest_example("f()", "1\n"),)))
    assert result.examples[0].status == "memory"
    assert result.status == "memory"


async def test_output_over_the_cap_is_truncated() -> None:
    sandbox = Sandbox(Limits(output_bytes=1000, parallel=1))
    try:
        program = Program(setup="", examples=(doctest_example("print('x' * 5000)", "x\n"),))
        result = await sandbox.run(program)
    finally:
        await sandbox.close()
    assert result.examples[0].status == "truncated"
    assert len(result.examples[0].got) == 1000


async def test_runs_in_parallel_and_each_child_gets_a_fresh_module(box: Sandbox) -> None:
    setup = "import os\nSEEN = []\ndef f():\n    SEEN.append(1)\n    return len(SEEN)\n"
    program = Program(setup=setup, examples=(doctest_example("f()", "1\n"),))
    results = await asyncio.gather(*(box.run(program) for _ in range(6)))
    assert all(r.all_passed for r in results)


async def test_cancel_kills_the_child(box: Sandbox) -> None:
    program = Program(
        setup="import time\n", examples=(doctest_example("time.sleep(60)", ""),), timeout=30
    )
    task = asyncio.create_task(box.run(program))
    pid = None
    for _ in range(500):
        await asyncio.sleep(0.01)
        pids = [p.pid for p in box._pending.values() if p.pid]
        if pids:
            pid = pids[0]
            break
    assert pid is not None
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    for _ in range(500):  # wait for the kill, however slow the machine
        if not os.path.exists(f"/proc/{pid}") or _is_zombie(pid):
            break
        await asyncio.sleep(0.01)
    assert not os.path.exists(f"/proc/{pid}") or _is_zombie(pid)


def _is_zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


async def test_worker_restarts_after_it_dies(box: Sandbox) -> None:
    first = box.info["pid"]
    os.kill(first, 9)
    result = await box.run(Program(setup=ADD, examples=ADD_EXAMPLES[:1]))
    assert result.all_passed
    assert box.info["pid"] != first


async def test_all_linux_layers_are_active_here(box: Sandbox) -> None:
    for layer in ("rlimits", "setsid", "no_new_privs", "netns", "landlock", "seccomp"):
        assert layer in box.layers


async def test_start_logs_active_and_missing_layers(caplog: pytest.LogCaptureFixture) -> None:
    sandbox = Sandbox(Limits(parallel=1), want_layers={"seccomp": False, "netns": False})
    with caplog.at_level(logging.INFO, logger="synthls.sandbox.client"):
        try:
            result = await sandbox.run(Program(setup=ADD, examples=ADD_EXAMPLES[:1]))
        finally:
            await sandbox.close()
    assert result.all_passed
    assert "seccomp" not in sandbox.layers and "landlock" in sandbox.layers
    text = caplog.text
    assert "active layers: " in text and "landlock" in text
    assert "unavailable: netns, seccomp" in text
