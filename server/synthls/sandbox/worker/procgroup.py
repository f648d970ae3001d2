"""Child processes on a leash: a scrubbed environment, a deadline, SIGKILL to the process group,
and the JSON-lines framing they report in.

One place for what every child of synthls that runs the user's examples has in common: the
sandbox worker (started by ``sandbox.client``) and its children (``jobs``), and the embedded
engine's search child (``synth.embedded.search_process``). Their children start in their own session,
get only ``scrubbed_env()`` (never the server's environment with its API keys), are killed as a
whole process group at their deadline, and write one JSON object per line. Stdlib only, like the
rest of this package, so the worker can use it too.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import time
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported where it is used: the search child starts without asyncio
    import asyncio

_READ_CHUNK = 1 << 16


def scrubbed_env(**extra: str) -> dict[str, str]:
    """A child's whole environment: ``PATH``, a UTF-8 locale and ``extra``; nothing else of ours."""
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", **extra}


def kill_group(pid: int) -> None:
    """SIGKILL ``pid``'s process group, and ``pid`` itself in case it has not called setsid yet.

    Call it while ``pid`` is unreaped (a zombie at worst), so the group id cannot be recycled.
    """
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, signal.SIGKILL)


class Deadline:
    """A point in monotonic time ``seconds`` from now."""

    def __init__(self, seconds: float) -> None:
        self.at = time.monotonic() + seconds

    def left(self) -> float:
        return self.at - time.monotonic()

    def passed(self) -> bool:
        return self.left() <= 0


def take_lines(buf: bytearray) -> list[bytes]:
    """Remove the complete lines from the front of ``buf``; returns them without newlines."""
    lines = []
    while (nl := buf.find(b"\n")) >= 0:
        lines.append(bytes(buf[:nl]))
        del buf[: nl + 1]
    return lines


def json_object(line: bytes | str) -> dict[str, Any] | None:
    """``line`` as a JSON object, or None for anything else (garbage, a list, a number)."""
    try:
        data = json.loads(line)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def json_line(obj: dict[str, Any]) -> bytes:
    """The framing ``json_object`` reads: one JSON object and a newline."""
    return json.dumps(obj).encode() + b"\n"


async def read_lines(stream: asyncio.StreamReader, deadline: Deadline) -> AsyncIterator[bytes]:
    """Lines from ``stream`` until EOF or ``deadline`` (the caller then kills the group)."""
    import asyncio

    while (left := deadline.left()) > 0:
        try:
            line = await asyncio.wait_for(stream.readline(), left)
        except asyncio.TimeoutError:
            return
        if not line:
            return
        yield line


def read_fd_lines(fd: int, deadline: Deadline) -> Iterator[bytes]:
    """The synchronous twin of ``read_lines``, for a pipe's file descriptor."""
    buf = bytearray()
    while (left := deadline.left()) > 0:
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            return
        chunk = os.read(fd, _READ_CHUNK)
        if not chunk:
            return
        buf += chunk
        yield from take_lines(buf)
