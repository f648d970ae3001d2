"""Run the search in a fresh child interpreter and stream its bodies back.

The parent owns the wall-clock deadline: the child gets ``budget`` seconds of search, the parent
waits a little longer for its last lines, then kills its whole process group. Cancelling or
closing the async iterator kills the child at once. Never a fork of the server.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator

log = logging.getLogger(__name__)

GRACE = 0.5  # seconds past the budget the parent waits before killing the child
MODULE = "synthls.synth.embedded.worker"


def _command(budget: float, memory_mb: int, max_candidates: int) -> list[str]:
    deadline = time.time() + budget  # the child searches until then, start-up included
    return [sys.executable, "-m", MODULE, repr(deadline), str(memory_mb), str(max_candidates)]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONHASHSEED"] = "0"  # same set iteration order, same candidates
    return env


Found = tuple[str, float]  # a body and its plausibility weight


def _body(line: bytes | str) -> Found | None:
    try:
        data = json.loads(line)
    except ValueError:
        return None
    body = data.get("body") if isinstance(data, dict) else None
    if not isinstance(body, str):
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
    proc = await asyncio.create_subprocess_exec(
        *_command(budget, memory_mb, max_candidates),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
        env=_env(),
        start_new_session=True,
    )
    if on_start is not None:
        on_start(proc.pid)
    end = asyncio.get_running_loop().time() + budget + GRACE
    try:
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(payload.encode())
        await proc.stdin.drain()
        proc.stdin.close()
        async for line in _read_lines(proc.stdout, end):
            body = _body(line)
            if body is not None:
                yield body
    finally:
        _kill(proc.pid)
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        with contextlib.suppress(BaseException):
            await asyncio.shield(proc.wait())


async def _read_lines(stream: asyncio.StreamReader, end: float) -> AsyncIterator[bytes]:
    """Lines from ``stream`` until EOF or the loop time ``end``."""
    loop = asyncio.get_running_loop()
    while True:
        left = end - loop.time()
        if left <= 0:
            log.info("embedded search passed its deadline; killed")
            return
        try:
            line = await asyncio.wait_for(stream.readline(), left)
        except asyncio.TimeoutError:
            return
        if not line:
            return
        yield line


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


def run_bodies(payload: str, budget: float, memory_mb: int, max_candidates: int) -> Iterator[Found]:
    """The synchronous twin of ``stream_bodies`` (for the benchmark and scripts)."""
    with subprocess.Popen(
        _command(budget, memory_mb, max_candidates),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=_env(),
        start_new_session=True,
    ) as proc:
        end = time.monotonic() + budget + GRACE
        try:
            assert proc.stdin is not None and proc.stdout is not None
            proc.stdin.write(payload.encode())
            proc.stdin.close()
            yield from _lines(proc.stdout.fileno(), end)
        finally:
            _kill(proc.pid)
            proc.kill()


def _lines(fd: int, end: float) -> Iterator[Found]:
    """(body, weight) read from ``fd`` until EOF or the deadline."""
    buf = b""
    while True:
        left = end - time.monotonic()
        if left <= 0:
            return
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            return
        chunk = os.read(fd, 65536)
        if not chunk:
            return
        buf += chunk
        *lines, buf = buf.split(b"\n")
        for line in lines:
            body = _body(line)
            if body is not None:
                yield body
