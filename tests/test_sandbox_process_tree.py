"""The user profile's whole process tree (issue 38.6): nothing outlives a run, and the memory
limit holds for all its processes together, not for each one.

The user's own code may fork (a process pool, a subprocess), so a run can leave processes
behind: a grandchild that detaches (setsid and a second fork) and keeps forking is reparented
to the worker, and its children to it again when it dies. Each run is found by its private
mount namespace, which every process it starts inherits and none can leave; the test looks for
any process left in it, as root and as an ordinary user (``any_box``), with a worker that lives
on (the language server) and with one closed right after the run (``synthls check``).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

from synthls.intent.model import Example
from synthls.sandbox import Limits, Program, RunResult, Sandbox
from tests.conftest import unprivileged_sandbox

pytestmark = pytest.mark.asyncio(loop_scope="module")

BOX_LIMITS = Limits(timeout=10.0, memory_mb=1024, parallel=2)

DETACH = """
import ctypes, os, time

def detach(tag):
    ctypes.CDLL(None).prctl(15, tag.encode())  # PR_SET_NAME: every process it starts has it
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.setsid()
        if os.fork() == 0:  # the detached grandchild: keeps forking, children sleep
            os.write(w, str(os.getpid()).encode())
            while True:
                try:
                    if os.fork() == 0:
                        if os.fork() == 0:
                            time.sleep(60)
                        time.sleep(60)
                        os._exit(0)
                except OSError:
                    pass
                time.sleep(0.005)
        os._exit(0)
    os.waitpid(pid, 0)
    grandchild = int(os.read(r, 32))
    time.sleep(0.2)  # let it fork a few
    return os.readlink("/proc/self/ns/mnt"), grandchild
"""

HOG = """
import os, time

def hog(n, mib):
    r, w = os.pipe()
    for _ in range(n):
        if os.fork() == 0:
            try:
                block = bytearray(mib << 20)
                for i in range(0, len(block), 4096):  # touch every page: resident
                    block[i] = 1
                os.write(w, b"1")
                time.sleep(5)
            finally:
                os._exit(0)
    held = 0
    while held < n:
        held += len(os.read(r, n))
    return held
"""


def _program(setup: str, call: str, project: Path) -> Program:
    return Program(
        textwrap.dedent(setup),
        (Example(call, "", 0),),
        timeout=8.0,
        trust="user",
        project=str(project),
    )


def _tagged(ns: str, tag: str) -> list[int]:
    """Processes (not zombies) in mount namespace ``ns`` named ``tag`` (the number of a freed
    namespace is reused, by a spare say: the name tells the run's processes apart)."""
    found = []
    for name in filter(str.isdigit, os.listdir("/proc")):
        try:
            if os.readlink(f"/proc/{name}/ns/mnt") != ns:
                continue
            if Path(f"/proc/{name}/comm").read_text().strip() != tag:
                continue
            state = Path(f"/proc/{name}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if state not in ("Z", "X"):
            found.append(int(name))
    return found


def _namespace(result: RunResult) -> str:
    first = result.examples[0]
    assert first.exc_type is None, result
    ns, grandchild = eval(first.got)  # a repr of plain literals
    assert ns.startswith("mnt:[") and grandchild > 0, result
    return str(ns)


async def _left_after(ns: str, tag: str, seconds: float) -> list[int]:
    left = _tagged(ns, tag)
    for _ in range(int(seconds / 0.05)):
        if not left:
            break
        await asyncio.sleep(0.05)
        left = _tagged(ns, tag)
    return left


def _detach(project: Path) -> tuple[Program, str]:
    tag = "leak" + os.urandom(4).hex()
    return _program(DETACH, f"detach({tag!r})", project), tag


@pytest.fixture(scope="module")
def project() -> Path:
    return Path(tempfile.gettempdir())


async def test_a_detached_grandchild_that_keeps_forking_is_gone_after_the_run(
    any_box: Sandbox, project: Path
) -> None:
    for attempt in range(3):
        program, tag = _detach(project)
        result = await any_box.run(program)
        ns = _namespace(result)
        assert await _left_after(ns, tag, 1.0) == [], f"attempt {attempt}: processes left"


@pytest.mark.parametrize("who", ["as_root_or_self", "unprivileged"])
async def test_nothing_is_left_once_the_worker_is_closed(who: str, project: Path) -> None:
    """As ``synthls check``: one sandbox, one run, closed; checked at once, three times."""
    for attempt in range(3):
        tmp = Path(tempfile.mkdtemp(prefix="synthls-worker-copy-", dir="/tmp"))
        box = unprivileged_sandbox(tmp, BOX_LIMITS) if who == "unprivileged" else None
        box = box or Sandbox(BOX_LIMITS)
        program, tag = _detach(project)
        try:
            result = await box.run(program)
        finally:
            await box.close()
            shutil.rmtree(tmp, ignore_errors=True)
        ns = _namespace(result)
        assert await _left_after(ns, tag, 0.2) == [], f"attempt {attempt}: processes left"


async def test_memory_is_bounded_for_all_processes_together(
    any_box: Sandbox, project: Path
) -> None:
    """4 processes of 400 MiB under memory_mb 1024: each is within its own limit, together
    they are not, so the run is stopped before they all hold it."""
    result = await any_box.run(_program(HOG, "hog(4, 400)", project))
    first = result.examples[0]
    assert first.got != "4\n" and first.status == "memory", result
    assert result.status == "memory"
    small = await any_box.run(_program(HOG, "hog(2, 200)", project))  # 400 MiB in all: fine
    assert small.examples[0].got == "2\n", small


def test_a_namespace_sweep_never_reaches_processes_outside_its_own_tree() -> None:
    """A freed mount namespace's number is reused, by another worker's job or any process of the
    machine: sweeping an ended job's namespace must only kill below the zygote. (Scanning all of
    /proc, four concurrent ``synthls check`` runs killed each other's examples as timeouts.)"""
    from synthls.sandbox.worker import tree

    # a process that is not below us: double fork, the middle one exits at once
    code = (
        "import os, sys, time\n"
        "if os.fork() == 0:\n"
        "    os.setsid()\n"
        "    if os.fork() == 0:\n"
        "        sys.stdout.write(str(os.getpid()) + '\\n'); sys.stdout.flush(); time.sleep(60)\n"
        "    os._exit(0)\n"
        "os.wait()\n"
    )
    starter = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert starter.stdout is not None
    stranger = int(starter.stdout.readline())
    starter.wait(10)
    try:
        namespace = tree.mount_ns(stranger)
        assert namespace is not None
        assert stranger not in tree.descendants(tree.children(os.getpid()))
        assert stranger not in tree.in_namespaces({namespace})
        mine = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
        try:
            assert mine.pid in tree.in_namespaces({namespace})  # below us: found
        finally:
            mine.kill()
            mine.wait()
    finally:
        os.kill(stranger, signal.SIGKILL)
