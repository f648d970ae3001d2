"""Book-keeping for running children in the zygote: relay, deadlines, kills, reaping, cleanup.

The relay is byte-level: each complete line a child writes is forwarded as ``<id> <line>``
without being parsed (the server parses and judges), up to a byte cap and a line cap (one line
per event the job can have), past which the child is killed as an output flood and the read
that crossed the cap is dropped, so a flood never reaches the server. Lines are held until the
job ends and sent together with its ``end`` event, so the server wakes once per job; nothing is
lost when the child hangs or dies, because what it wrote before is already here. A child is
killed with SIGKILL to its process group on deadline, cancellation, flood, or as soon as it
reports ``done`` (so no thread or straggler outlives the verdict). Process groups are killed
while the leader is still unreaped (a zombie at worst), so the group id cannot have been
recycled. Orphans reparented to the zygote (it is a subreaper) are reaped too. When seccomp could
not stop a job from forking or the job was allowed to (the user profile), its whole tree is
killed when it ends (``tree.kill``: repeated until none is left, orphans found by the job's
mount namespace), and every ``MEMORY_POLL`` seconds the resident memory of all its processes
together is checked against the job's ``memory_mb``: past it the tree is killed (reason
``memory``), so forked processes cannot each take the per-process limit (RLIMIT_AS).
"""

from __future__ import annotations

import os
import selectors
import time
from collections.abc import Callable
from typing import Any

from . import tree
from .janitor import rmtree
from .layers import Config
from .procgroup import Deadline, json_line, kill_group, take_lines

DONE_LINE = b'{"ev": "done"}'
FORGED_LINE = b'{"ev": "forged"}'
_READ_CHUNK = 1 << 16
_MAX_READS_PER_WAKE = 8
MEMORY_POLL = 0.01  # seconds between checks of a forking job's memory, all processes together


class Job:
    def __init__(self, job_id: int, pid: int, rfd: int, tmpdir: str, timeout: float, cap: int):
        self.id = job_id
        self.pid = pid
        self.rfd = rfd
        self.tmpdir = tmpdir
        self.started = time.monotonic()
        self.deadline = Deadline(timeout)
        self.cap = cap
        self.max_lines = 1 << 62  # genuine report lines a child can have (set per job)
        self.can_fork = False  # its processes may outlive it (the user profile)
        self.memory_limit = 0  # bytes for all its processes together (0: not checked)
        self.mount_ns: str | None = None  # its own mount namespace: finds its orphans
        self.next_memory_check = 0.0
        self.buf = bytearray()
        self.nbytes = 0
        self.nlines = 0
        self.reason: str | None = None
        self.killed = False
        self.status: int | None = None
        self.eof = False
        self.token = b""  # every genuine report line starts with it; others are forgeries
        self.ended = False  # the server has its `end` (sent at `done`, before reaping)
        self.out: list[bytes] = []  # relayed lines, sent with `end` (one wake-up per job)


class JobTable:
    def __init__(self, emit: Callable[[bytes], None], cfg: Config) -> None:
        self.emit = emit
        self.cfg = cfg
        self.sel: selectors.BaseSelector | None = None
        self.by_id: dict[int, Job] = {}
        self.by_pid: dict[int, Job] = {}
        self.on_orphan: Callable[[int], None] = lambda pid: None
        self.keep_alive: Callable[[], set[int]] = set  # our own children that are not jobs
        self.remove_dir: Callable[[str], None] = rmtree
        self.own_ns = tree.mount_ns(os.getpid())
        self.unswept = False  # a sweep of orphans ran out of time: try again next turn
        self.ended: set[str] = set()  # mount namespaces of ended jobs whose processes to kill

    def active(self) -> bool:
        return bool(self.by_id)

    def add(self, job: Job, sel: selectors.BaseSelector) -> None:
        self.sel = sel
        self.by_id[job.id] = job
        self.by_pid[job.pid] = job
        sel.register(job.rfd, selectors.EVENT_READ, job)
        if job.can_fork or job.memory_limit:
            self._learn_ns(job)
            job.next_memory_check = time.monotonic() + MEMORY_POLL
        self.emit(b"Z " + json_line({"ev": "started", "id": job.id, "pid": job.pid}))

    def next_timeout(self) -> float | None:
        waits = [j.deadline.left() for j in self.by_id.values() if not j.killed]
        now = time.monotonic()
        waits += [
            j.next_memory_check - now
            for j in self.by_id.values()
            if j.memory_limit and not j.killed
        ]
        if any(j.killed for j in self.by_id.values()) or self.unswept:
            waits.append(0.05)
        return max(0.0, min(waits)) if waits else None

    def kill(self, job_id: int, reason: str | None) -> None:
        job = self.by_id.get(job_id)
        if job is None or job.status is not None:
            return
        if job.reason is None:
            job.reason = reason
        job.killed = True
        self._learn_ns(job)
        kill_group(job.pid)

    def kill_all(self, reason: str) -> None:
        for job_id in list(self.by_id):
            self.kill(job_id, reason)

    def enforce_deadlines(self) -> None:
        for job in list(self.by_id.values()):
            if not job.killed and job.deadline.passed():
                self.kill(job.id, "timeout")

    def _learn_ns(self, job: Job) -> None:
        """Note ``job``'s own mount namespace once it has one (a child forked for the job
        unshares it while isolating itself, after ``add``); called while its leader lives."""
        if job.mount_ns is None and (job.can_fork or job.memory_limit):
            ns = tree.mount_ns(job.pid)
            job.mount_ns = ns if ns != self.own_ns else None

    def _orphans(self) -> list[int]:
        """Processes reparented to this subreaper: its children but jobs, spares, janitor."""
        keep = set(self.by_pid) | self.keep_alive()
        return [pid for pid in tree.children(os.getpid()) if pid not in keep]

    def _tree(self, job: Job) -> set[int]:
        """Every process of ``job``: its descendants and the orphans in its mount namespace."""
        roots = [job.pid]
        if job.mount_ns is not None:
            roots += [pid for pid in self._orphans() if tree.mount_ns(pid) == job.mount_ns]
        return tree.descendants(roots)

    def _left_behind(self) -> set[int]:
        """Processes of jobs that ended: all in their mount namespaces, and the orphans (and
        all below them) that belong to no running job."""
        for job in self.by_id.values():
            self._learn_ns(job)
        live = {j.mount_ns for j in self.by_id.values() if j.mount_ns is not None}
        roots = []
        for pid in self._orphans():
            ns = tree.mount_ns(pid)
            if ns is None or ns not in live:
                roots.append(pid)
                if ns is not None and ns != self.own_ns:
                    self.ended.add(ns)  # all of its namespace goes too
        # a namespace's number is reused once it is freed: never a running job's or a spare's
        self.ended -= live
        keep = set(self.by_pid) | self.keep_alive()
        return (tree.descendants(roots) | tree.in_namespaces(self.ended)) - keep

    def sweep(self) -> None:
        """Kill every process left by jobs that ended, until none is left (or retry later)."""
        if tree.kill(self._left_behind):
            self.ended.clear()
            self.unswept = False
        else:
            self.unswept = True

    def _kill_tree(self, job: Job) -> None:
        namespaces = {job.mount_ns} if job.mount_ns is not None else set()
        tree.kill(lambda: self._tree(job) | tree.in_namespaces(namespaces))

    def check_memory(self) -> None:
        """Kill the tree of each forking job whose processes together exceed its memory."""
        now = time.monotonic()
        for job in list(self.by_id.values()):
            if not job.memory_limit or job.killed or now < job.next_memory_check:
                continue
            job.next_memory_check = now + MEMORY_POLL
            self._learn_ns(job)
            if tree.rss(self._tree(job)) > job.memory_limit:
                self.kill(job.id, "memory")
                self._kill_tree(job)

    def on_readable(self, job: Job) -> None:
        self._learn_ns(job)
        for _ in range(_MAX_READS_PER_WAKE):
            if not self._read_once(job):
                break
        if job.eof and job.status is not None:
            self._finish(job)

    def _read_once(self, job: Job) -> bool:
        if job.eof:
            return False
        try:
            data = os.read(job.rfd, _READ_CHUNK)
        except BlockingIOError:
            return False
        if not data:
            job.eof = True
            return False
        job.nbytes += len(data)
        job.nlines += data.count(b"\n")
        if job.nbytes > job.cap or job.nlines > job.max_lines:
            self.kill(job.id, "overflow")  # nothing of this read is relayed
            job.eof = True
            return False
        job.buf += data
        self._relay_lines(job)
        return True

    def _relay_lines(self, job: Job) -> None:
        prefix = f"{job.id} ".encode()
        for line in take_lines(job.buf):
            if line.startswith(job.token):
                line = line[len(job.token) :]
            else:
                line = FORGED_LINE
            if job.ended:
                continue
            job.out.append(prefix + line + b"\n")
            if line == DONE_LINE:
                self.kill(job.id, None)
                self.emit(self._end_line(job, {"exit": 0, "signal": None}))

    def reap(self) -> None:
        while True:
            try:
                info = os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOHANG | os.WNOWAIT)
            except ChildProcessError:
                return
            if info is None:
                return
            pid = info.si_pid
            job = self.by_pid.get(pid)
            if job is not None and not job.killed:
                self.kill(job.id, None)
            _, status = os.waitpid(pid, 0)
            if job is None:
                self.on_orphan(pid)
            else:
                job.status = status
                while self._read_once(job):
                    pass
                job.eof = True
                self._finish(job)

    def _finish(self, job: Job) -> None:
        if self.sel is not None:
            self.sel.unregister(job.rfd)
        os.close(job.rfd)
        del self.by_id[job.id]
        del self.by_pid[job.pid]
        status = job.status or 0
        if not job.ended:
            exit_code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else None
            sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
            self.emit(self._end_line(job, {"exit": exit_code, "signal": sig}))
        self.remove_dir(job.tmpdir)
        if job.can_fork or not self.cfg.has("seccomp"):
            if job.mount_ns is not None:
                self.ended.add(job.mount_ns)
            self.sweep()

    def _end_line(self, job: Job, how: dict[str, Any]) -> bytes:
        """The job's buffered report lines followed by its ``end`` event, as one write."""
        job.ended = True
        elapsed = round(time.monotonic() - job.started, 6)
        end = {"ev": "end", "id": job.id, **how, "reason": job.reason, "elapsed": elapsed}
        lines, job.out = job.out, []
        return b"".join(lines) + b"Z " + json_line(end)

    def reap_all(self, grace: float = 5.0) -> None:
        """Kill every job and everything they left, and wait (boundedly) until no child of
        ours is left unreaped."""
        self.kill_all("exit")
        keep = self.keep_alive()
        self.ended |= {j.mount_ns for j in self.by_id.values() if j.mount_ns is not None}
        tree.kill(
            lambda: (
                tree.descendants(p for p in tree.children(os.getpid()) if p not in keep)
                | tree.in_namespaces(self.ended)
            )
        )
        until = time.monotonic() + grace
        while time.monotonic() < until:
            self.reap()
            try:
                if os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None:
                    time.sleep(0.005)
            except ChildProcessError:
                return
