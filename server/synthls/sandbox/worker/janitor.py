"""Remove children's temp dirs in a helper process, so a big one never stalls the zygote.

A candidate can create files in its private directory until its deadline (hundreds of
thousands in a few seconds); deleting them takes long enough to delay every other child's
deadline and cancellation if the zygote did it inline. The janitor is a child of the zygote,
forked before any candidate runs, that reads paths (one per line) from a pipe and deletes them.
When it is missing or its pipe is full, the zygote deletes inline rather than leak.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import stat
from typing import Any


def rmtree(path: str) -> None:
    """Delete ``path`` even if the candidate made parts of it unreadable or unwritable."""

    def fix(_func: Any, failed: str, _exc: Any) -> None:
        with contextlib.suppress(OSError):
            os.chmod(os.path.dirname(failed), stat.S_IRWXU)
            if os.path.isdir(failed) and not os.path.islink(failed):
                os.chmod(failed, stat.S_IRWXU)
                shutil.rmtree(failed, ignore_errors=True)
            else:
                os.unlink(failed)

    shutil.rmtree(path, onerror=fix)


def _serve(rfd: int) -> None:  # pragma: no cover - runs in the janitor process
    buf = b""
    while chunk := os.read(rfd, 1 << 16):
        buf += chunk
        *paths, buf = buf.split(b"\n")
        for path in paths:
            rmtree(os.fsdecode(path))


class Janitor:
    def __init__(self) -> None:
        self.pid = 0
        self.wfd = -1

    def start(self) -> None:
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the janitor
            code = 1
            try:
                os.close(w)
                null = os.open(os.devnull, os.O_RDWR)
                for fd in (0, 1, 2):  # must not hold the server's pipes open
                    os.dup2(null, fd)
                os.dup2(r, 3)
                os.closerange(4, 1 << 16)
                r = 3
                os.setsid()
                signal.set_wakeup_fd(-1)
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                _serve(r)
                code = 0
            finally:
                os._exit(code)
        os.close(r)
        os.set_blocking(w, False)
        self.pid, self.wfd = pid, w

    def remove(self, path: str) -> None:
        """Queue ``path`` for deletion; delete it here if the janitor cannot take it."""
        line = os.fsencode(path) + b"\n"
        try:
            if self.wfd >= 0 and os.write(self.wfd, line) == len(line):
                return
        except (BlockingIOError, BrokenPipeError):
            pass
        rmtree(path)

    def stop(self) -> None:
        """Close the queue; the janitor finishes what it has and exits (reaped as an orphan)."""
        if self.wfd >= 0:
            os.close(self.wfd)
            self.wfd = -1
