"""Pre-forked, already isolated children waiting for a job ("spares").

Forking is cheap, but a freshly forked process waits for the scheduler behind every runnable
task (new tasks start at the back of the queue), which on a loaded machine costs milliseconds.
A spare is forked ahead of time, applies every isolation layer with the sandbox's base limits,
and then sleeps reading its job pipe; a sleeping process is woken promptly. Nothing of the job
exists in the spare before it is fully isolated. On receiving the job it lowers its limits to
the job's, if they are tighter, and runs it. Spares wait in the strict profile with the base read
set; a job that needs another (the user profile, or a strict one importing a package from
outside the base) takes the one spare kept waiting in the profile last asked for, or else gets
a child forked for it (isolated with its profile before the job is read, not warmed up). The spare also makes its own private temp dir
(the zygote only picks the random name): a mkdir on a disk file system costs 0.2-0.5 ms of
CPU, which the zygote would otherwise spend between two jobs.
"""

from __future__ import annotations

import builtins
import contextlib
import json
import os
import resource
import signal
import sys
import tempfile
from dataclasses import dataclass
from typing import Any

from . import child, isolate, layers
from .layers import Config, Profile

JOB_FD = 4
_exit = os._exit


@dataclass
class Spare:
    pid: int
    rfd: int  # results, child -> zygote
    jfd: int  # the job, zygote -> child
    tmpdir: str
    key: Profile | None = None  # the profile it waits in (None: strict with the base read set)


def _make_dir(path: str, for_nobody: bool) -> None:
    """The spare's private temp dir; ``mkdir`` fails if anything already has the name."""
    os.mkdir(path, 0o700)
    if for_nobody:
        os.chown(path, isolate.NOBODY, isolate.NOBODY)


def _read_job() -> dict[str, Any]:
    chunks = []
    while chunk := os.read(JOB_FD, 1 << 16):
        chunks.append(chunk)
    os.close(JOB_FD)
    job: dict[str, Any] = json.loads(b"".join(chunks))
    return job


def _tighten(limits: dict[str, int]) -> None:
    mem = int(limits["memory_mb"]) << 20
    cpu = max(1, int(limits["cpu_seconds"]))
    for which, value, slack in ((resource.RLIMIT_AS, mem, 0), (resource.RLIMIT_CPU, cpu, 1)):
        soft, hard = resource.getrlimit(which)
        if value + slack < hard or hard == resource.RLIM_INFINITY:
            resource.setrlimit(which, (value, value + slack))


_WARM_UP = {
    "setup": "def warm(a, b):\n    return [a + b]\n",
    "filename": "<warm-up>",
    "examples": [
        {"source": "warm(1, 2)"},
        {"source": "warm(1, 2)", "style": "value", "want": "[3]"},
    ],
    "probes": ["warm(2, 3)"],
}


def _warm_up() -> None:
    """Run a dummy job into /dev/null so the copy-on-write faults happen before the real one."""
    child.run(dict(_WARM_UP), 1)
    for name in ("_", "warm"):
        builtins.__dict__.pop(name, None)
    sys.modules.pop(child.MODULE_NAME, None)


def _spare_main(
    cfg: Config, tmpdir: str, profile: Profile | None, warm: bool
) -> int:  # pragma: no cover
    """Body of a spare: isolate, wait for the job, run it. Returns the exit code."""
    try:
        layers.apply(cfg, tmpdir, profile)
        failure = None
    except Exception as exc:
        failure = str(exc)
    if failure is None and warm:
        _warm_up()
    job = _read_job()
    rep = child.Reporter(isolate.RESULT_FD, job.get("token", ""))
    if failure is not None:
        rep.send({"ev": "isolation_error", "msg": failure})
        return 71
    _tighten(job["limits"])
    child.run(job, isolate.RESULT_FD)
    return 0


class SparePool:
    def __init__(self, cfg: Config, target: int) -> None:
        self.cfg = cfg
        self.target = target
        self.by_pid: dict[int, Spare] = {}
        self.zygote_pid = os.getpid()
        # the other profile last used (the user's project, say): one spare waits in it
        self.wanted: Profile | None = None

    def fork_one(self, profile: Profile | None = None, pooled: bool = True) -> Spare:
        """Fork a spare; it makes its own temp dir (a mkdir on disk costs the zygote ~0.3 ms).

        With ``profile`` it is isolated in that profile: pooled (and warmed up) under it, or,
        not ``pooled``, a child for the job at hand (not pooled, not warmed up).
        """
        base = self.cfg.tmp_base or tempfile.gettempdir()
        tmpdir = os.path.join(base, "job-" + os.urandom(8).hex())
        r, w = os.pipe()
        jr, jw = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child
            code = 1
            try:
                os.close(r)
                os.close(jw)
                _make_dir(tmpdir, self.cfg.has("drop_uid"))
                isolate.enter_child(w, self.zygote_pid, tmpdir, extra_fd=(jr, JOB_FD))
                code = _spare_main(self.cfg, tmpdir, profile, pooled)
            finally:
                _exit(code)
        os.close(w)
        os.close(jr)
        os.set_blocking(r, False)
        spare = Spare(pid, r, jw, tmpdir, profile)
        if pooled:
            self.by_pid[pid] = spare
        return spare

    def _strict(self) -> list[Spare]:
        return [s for s in self.by_pid.values() if s.key is None]

    def empty(self) -> bool:
        return not self._strict()

    def needs_more(self) -> bool:
        return len(self._strict()) < self.target

    def take(self, key: Profile | None = None) -> Spare | None:
        """A waiting spare of profile ``key`` (strict: forking one if none is ready)."""
        spare = next((s for s in self.by_pid.values() if s.key == key), None)
        if spare is None and key is None:
            spare = self.fork_one()
        if spare is not None:
            del self.by_pid[spare.pid]
        return spare

    def needs_keyed(self) -> bool:
        """Whether the profile last asked for (``wanted``) has no spare waiting."""
        return self.wanted is not None and all(s.key != self.wanted for s in self.by_pid.values())

    def retire_other_keys(self) -> list[str]:
        """Kill keyed spares of a profile no longer wanted; returns their temp dirs."""
        stale = [s for s in self.by_pid.values() if s.key not in (None, self.wanted)]
        for spare in stale:
            with contextlib.suppress(OSError):
                os.kill(spare.pid, signal.SIGKILL)
            self.forget(spare.pid)
        return [s.tmpdir for s in stale]

    def send_job(self, spare: Spare, job: dict[str, Any]) -> None:
        data = json.dumps(job).encode()
        with contextlib.suppress(OSError):  # a dead spare shows up as a crashed job
            view = memoryview(data)
            while view:
                view = view[os.write(spare.jfd, view) :]
        os.close(spare.jfd)

    def forget(self, pid: int) -> Spare | None:
        """Drop a spare that died while waiting (reaped by the zygote)."""
        spare = self.by_pid.pop(pid, None)
        if spare is not None:
            os.close(spare.rfd)
            os.close(spare.jfd)
        return spare

    def kill_all(self) -> list[str]:
        """SIGKILL every waiting spare; returns their temp dirs to remove once reaped."""
        dirs = []
        for pid in list(self.by_pid):
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)  # idle: no candidate code, no grandchildren
            dirs.append(self.by_pid[pid].tmpdir)
            self.forget(pid)
        return dirs
