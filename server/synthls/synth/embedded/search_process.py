"""Run the search in a fresh child interpreter and stream its bodies back.

The parent owns the wall-clock deadline: the child gets ``budget`` seconds of search, the parent
waits a little longer for its last lines, then kills its whole process group. Cancelling or
closing the async iterator kills the child at once. Never a fork of the server. The child runs
code from the user's docstring (its example inputs), so it is treated like the sandbox's: the
same scrubbed environment (no API keys), the same deadline, group kill and JSON-lines framing
(``sandbox.worker.procgroup``).

The child also dies with its parent, which cannot kill it when it is itself killed (SIGKILL, or
SIGTERM from an editor's reload or ``timeout``): the spec is one line on its stdin, which then
stays open, and the child exits when it reads the end of it (the kernel closes the pipe when the
parent dies); on Linux it also asks for SIGKILL when its parent dies (``PR_SET_PDEATHSIG``, which
follows the thread that started it: the event loop's, or the caller's for ``run_bodies``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

from synthls.sandbox.worker.procgroup import (
    Deadline,
    json_object,
    kill_group,
    read_fd_lines,
    read_lines,
    scrubbed_env,
)

log = logging.getLogger(__name__)

GRACE = 0.5  # seconds past the budget the parent waits before killing the child
MODULE = "synthls.synth.embedded.worker"

Found = tuple[str, float]  # a body and its plausibility weight


def _child(budget: float, memory_mb: int, max_candidates: int) -> dict[str, Any]:
    """The child's command and environment (both ways of running it start it the same way)."""
    deadline = time.time() + budget  # the child searches until then, start-up included
    cmd = [sys.executable, "-m", MODULE, repr(deadline), str(memory_mb), str(max_candidates)]
    cmd.append(str(os.getpid()))  # the parent it dies with
    env = scrubbed_env(PYTHONHASHSEED="0")  # same set iteration order, same candidates
    if "PYTHONPATH" in os.environ:  # a path list, not a secret: the child imports our synthls
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    return {"args": cmd, "env": env, "stdin": subprocess.PIPE, "stdout": subprocess.PIPE}


def _line(payload: str) -> bytes:
    """The spec as the child reads it: one line (JSON escapes any newline inside a string)."""
    return payload.replace("\n", " ").encode() + b"\n"


def _body(line: bytes | str) -> Found | None:
    data = json_object(line)
    body = data.get("body") if data is not None else None
    if data is None or not isinstance(body, str):
        return None
    w = data.get("weight", 1.0)
    return body, float(w) if isinstance(w, (int, float)) else 1.0


async def stream_bodies(
    payload: str,
    budget: float,
    memory_mb: int,
    max_candidates: int,
    on_start: Callable[[int], None] | None = None,
) -> AsyncIterator[Found]:
    """(body, weight) from a worker, as it finds them; the worker dies when this iterator ends.

    ``on_start`` is told the child's pid (its process group id too).
    """
    child = _child(budget, memory_mb, max_candidates)
    proc = await asyncio.create_subprocess_exec(
        *child.pop("args"), **child, stderr=asyncio.subprocess.DEVNULL, start_new_session=True
    )
    if on_start is not None:
        on_start(proc.pid)
    deadline = Deadline(budget + GRACE)
    try:
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(_line(payload))  # stdin stays open: its end is the parent's death
        await proc.stdin.drain()
        async for line in read_lines(proc.stdout, deadline):
            body = _body(line)
            if body is not None:
                yield body
        if deadline.passed():
            log.info("embedded search passed its deadline; killed")
    finally:
        kill_group(proc.pid)
        if proc.stdin is not None:
            proc.stdin.close()
        with contextlib.suppress(BaseException):
            await asyncio.shield(proc.wait())


def run_bodies(
    payload: str,
    budget: float,
    memory_mb: int,
    max_candidates: int,
    on_start: Callable[[int], None] | None = None,
) -> Iterator[Found]:
    """The synchronous twin of ``stream_bodies`` (for the benchmark and scripts)."""
    child = _child(budget, memory_mb, max_candidates)
    with subprocess.Popen(**child, stderr=subprocess.DEVNULL, start_new_session=True) as proc:
        if on_start is not None:
            on_start(proc.pid)
        deadline = Deadline(budget + GRACE)
        try:
            assert proc.stdin is not None and proc.stdout is not None
            proc.stdin.write(_line(payload))  # stays open, as in stream_bodies
            proc.stdin.flush()
            for line in read_fd_lines(proc.stdout.fileno(), deadline):
                body = _body(line)
                if body is not None:
                    yield body
        finally:
            kill_group(proc.pid)
