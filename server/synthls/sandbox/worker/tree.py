"""A job's whole process tree, wherever its processes went: found, measured and killed.

A job that may fork (the user profile, or any job where seccomp is missing) can start processes
that leave its process group and session (``setsid``) and its parent (a double fork): the zygote
is a subreaper, so such orphans are reparented to it. Each job runs in its own mount namespace
(``tmp_quota``), which every process it starts inherits and none can leave (seccomp denies
``unshare`` and ``setns``), so an orphan is attributed to its job by ``/proc/<pid>/ns/mnt``.

``kill`` SIGKILLs a set of processes again and again until a pass finds none it has not
killed, having started when every one killed was dead: a process with SIGKILL pending can no
longer fork, and no process of the set can start one once they are all dead. ``rss``
is what the memory limit of the whole tree is checked against (the zygote polls it): the sum
of the processes' resident sets, which counts pages they share after a fork once per process
(an over-estimate, so the limit acts early, never late).
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Callable, Iterable

_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def children(pid: int) -> list[int]:
    """The children of every thread of ``pid`` (empty when it is gone or /proc lacks them)."""
    found: list[int] = []
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/children", "rb") as fh:
                found += [int(x) for x in fh.read().split()]
        except (OSError, ValueError):
            continue
    return found


def descendants(roots: Iterable[int]) -> set[int]:
    """``roots`` and every process below them."""
    seen: set[int] = set()
    todo = list(roots)
    while todo:
        pid = todo.pop()
        if pid not in seen:
            seen.add(pid)
            todo += children(pid)
    return seen


def mount_ns(pid: int) -> str | None:
    """``pid``'s mount namespace ("mnt:[inode]"), None when it cannot be read."""
    try:
        return os.readlink(f"/proc/{pid}/ns/mnt")
    except OSError:
        return None


def in_namespaces(namespaces: set[str]) -> set[int]:
    """Every process below this one (the zygote, a subreaper: a job's orphans are reparented to
    it) whose mount namespace is one of ``namespaces``. Never a scan of all of /proc: a freed
    namespace's number is reused, by another worker's job or any process of the machine, which
    must not be killed for it. ``kill`` looks again until nothing new turns up, so a process the
    ``children`` files skipped while processes came and went is found on the next look."""
    if not namespaces:
        return set()
    below = descendants(children(os.getpid())) - {os.getpid()}
    return {pid for pid in below if mount_ns(pid) in namespaces}


def rss(pids: Iterable[int]) -> int:
    """Resident bytes of ``pids`` together (gone processes count 0)."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/statm", "rb") as fh:
                total += int(fh.read().split()[1]) * _PAGE
        except (OSError, IndexError, ValueError):
            continue
    return total


def _dead(pid: int) -> bool:
    """Gone, or a zombie (its children are reparented by then)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            state = fh.read().rsplit(b")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state in (b"Z", b"X")


def kill(find: Callable[[], set[int]], wait: float = 2.0) -> bool:
    """SIGKILL what ``find`` returns until nothing new turns up and all of it is dead.

    Returns False if processes were still appearing or alive after ``wait`` seconds (the
    caller tries again later).
    """
    killed: set[int] = set()
    until = time.monotonic() + wait
    while True:
        # dead before the look: the children of every one killed were reparented by then,
        # so a look that finds nothing new has missed no process in flight
        settled = all(_dead(pid) for pid in killed)
        new = find() - killed
        for pid in new:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        killed |= new
        if not new and settled:
            return True
        if time.monotonic() > until:
            return False
        if not new:
            time.sleep(0.001)
