"""Each child's private temp dir: made by the spare itself, fresh, private, removed after the run."""

from __future__ import annotations

import asyncio
import os

import pytest

from synthls.intent.model import Example
from synthls.sandbox import Program, Sandbox

pytestmark = pytest.mark.asyncio(loop_scope="module")

SETUP = """
import os, stat

def where():
    st = os.stat(".")
    return (os.getcwd(), stat.S_IMODE(st.st_mode), st.st_uid == os.getuid(), sorted(os.listdir(".")))

def leave_a_file():
    open("left-behind.txt", "w").write("x")
    return where()
"""


async def _where(box: Sandbox, call: str) -> tuple[str, int, bool, list[str]]:
    program = Program(setup=SETUP, examples=(Example(call, "", 0, style="value"),))
    result = await box.run(program)
    assert result.status == "ok", result
    cwd, mode, own, entries = eval(result.examples[0].got)  # a repr of plain literals
    return cwd, mode, own, entries


async def test_the_working_dir_is_private_and_fresh_for_every_run(box: Sandbox) -> None:
    first = await _where(box, "leave_a_file()")
    second = await _where(box, "where()")
    assert first[1:] == (0o700, True, ["left-behind.txt"])
    assert second[1:] == (0o700, True, [])  # nothing from the previous candidate
    assert first[0] != second[0]
    assert os.path.dirname(first[0]) == box.info["tmp"]


async def test_the_working_dir_is_removed_after_the_run(box: Sandbox) -> None:
    cwd, *_ = await _where(box, "leave_a_file()")
    for _ in range(500):  # the janitor removes it in the background
        if not os.path.exists(cwd):
            break
        await asyncio.sleep(0.01)
    assert not os.path.exists(cwd)


FILL = """
def fill():
    written = 0
    try:
        for i in range(48):  # 384 MiB in files of 8 MiB (each under the per-file limit)
            with open(f"f{i}", "wb") as fh:
                fh.write(b"x" * (8 << 20))
            written += 1
    except OSError as exc:
        return ("stopped", written, exc.errno)
    return ("all", written, 0)
"""


async def test_the_temp_dir_has_a_total_quota_and_the_worker_survives(box: Sandbox) -> None:
    zygote = box.info["pid"]
    program = Program(setup=FILL, examples=(Example("fill()", "", 0, style="value"),))
    result = await box.run(program)
    kind, written, errno = eval(result.examples[0].got)  # a repr of plain literals
    assert (kind, errno) == ("stopped", 28), result  # ENOSPC
    assert written * 8 <= 64
    again = await _where(box, "where()")
    assert again[3] == [] and box.info["pid"] == zygote  # fresh and empty, same worker
