"""The fork server: one single-threaded process that runs each program in an isolated child.

Started once as a fresh interpreter with a scrubbed environment; it pre-imports the stdlib a
candidate is likely to need, probes the isolation layers, moves itself into an empty network
namespace shared by all children, says ``hello`` and then serves JSON requests on stdin
(``run``, ``cancel``, ``exit``). Each program goes to a pre-forked, already isolated spare
(``spares.py``); its raw report lines are relayed to stdout prefixed with the job id, followed
by an ``end`` event saying how the child ended (exit code or signal, and whether it was killed
for time, output flood or cancellation). Audit-only events (a new spare's pid) wait for the
next write, or at most ``_DEFER_S``, so they do not wake the server on their own. It never judges results and never unpickles anything.
Deadlines are enforced with SIGKILL to the child's whole process group; every child is reaped
and its temp dir removed.
"""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import gc
import json
import os
import platform
import selectors
import signal
import sys
import tempfile
from typing import Any

from . import isolate, probe, readset
from .isolate import Rlimits
from .janitor import Janitor, rmtree
from .job_table import Job, JobTable
from .layers import Config, Profile, plan
from .procgroup import json_line, take_lines
from .spares import SparePool

_PRELOAD = [
    "asyncio", "collections", "itertools", "functools", "typing", "dataclasses", "fractions",
    "decimal", "heapq", "bisect", "string", "random", "statistics", "datetime", "enum",
    "operator", "copy", "textwrap", "math", "cmath", "re", "json", "unicodedata", "array",
    "struct", "inspect", "traceback", "linecache", "types", "contextlib", "abc", "numbers",
]  # fmt: skip
_PR_SET_CHILD_SUBREAPER = 36
_DEFER_S = 0.005


def _preload() -> None:
    for name in _PRELOAD:
        with contextlib.suppress(ImportError):
            __import__(name)


class Zygote:
    def __init__(self, cfg: Config, layers: list[str], spares: int) -> None:
        self.cfg = cfg
        self.layers = layers
        self.pid = os.getpid()
        self.sel = selectors.DefaultSelector()
        self.jobs = JobTable(self.emit, cfg)
        self.janitor = Janitor()
        self.janitor.start()  # before any spare exists
        self.spares = SparePool(cfg, spares)
        self.base = cfg.base
        self.user_profiles: dict[str | None, Profile] = {}  # by project directory
        self.jobs.on_orphan = self._on_orphan
        self.jobs.keep_alive = lambda: set(self.spares.by_pid) | {self.janitor.pid}
        self.jobs.remove_dir = self.janitor.remove
        self.inbuf = bytearray()
        # audit-only events (new spares) ride along with the next write instead of waking
        # the server on their own; flushed after _DEFER_S at the latest
        self.deferred: list[bytes] = []
        self.running = True
        wake_r, wake_w = os.pipe()
        os.set_blocking(wake_w, False)
        os.set_blocking(wake_r, False)
        self.wake_r = wake_r
        signal.set_wakeup_fd(wake_w)
        signal.signal(signal.SIGCHLD, lambda *_: None)
        signal.signal(signal.SIGPIPE, signal.SIG_IGN)  # a dead child's pipe is EPIPE, not death
        self.sel.register(0, selectors.EVENT_READ, "stdin")
        self.sel.register(wake_r, selectors.EVENT_READ, "wake")

    def emit(self, data: bytes) -> None:
        """Write ``data`` (after any deferred events) to the server in one write."""
        if self.deferred:
            data, self.deferred = b"".join(self.deferred) + data, []
        view = memoryview(data)
        try:
            while view:
                view = view[os.write(1, view) :]
        except BrokenPipeError:  # the server is gone: wind down, killing every child
            self.running = False

    def serve(self) -> None:
        while self.running or self.jobs.active():
            timeout = self.jobs.next_timeout()
            if self.deferred:
                timeout = _DEFER_S if timeout is None else min(timeout, _DEFER_S)
            ready = self.sel.select(timeout)
            if not ready and self.deferred:
                self.emit(b"")
            for key, _ in ready:
                if key.data == "stdin":
                    self._read_stdin()
                elif key.data == "wake":
                    self._drain_wake()
                else:
                    self.jobs.on_readable(key.data)
            self.jobs.reap()
            self.jobs.enforce_deadlines()
            self.jobs.check_memory()
            if self.jobs.unswept:
                self.jobs.sweep()
            if not self.running:
                self.jobs.kill_all("exit")
            elif self.spares.needs_more() and (not self.jobs.active() or self.spares.empty()):
                # one per turn, and preferably while idle: a spare setting itself up competes
                # for the CPU with the job that is running
                self._fork_spare()
            elif self.spares.needs_keyed() and not self.jobs.active():
                self._fork_spare(keyed=True)
        if self.deferred:
            self.emit(b"")
        leftover = self.spares.kill_all()
        for path in leftover:
            self.janitor.remove(path)
        self.janitor.stop()
        self.jobs.reap_all()

    def _drain_wake(self) -> None:
        try:
            while os.read(self.wake_r, 4096):
                pass
        except BlockingIOError:
            pass

    def _read_stdin(self) -> None:
        data = os.read(0, 1 << 16)
        if not data:
            self.sel.unregister(0)
            self.running = False
            return
        self.inbuf += data
        for line in take_lines(self.inbuf):
            if line.strip():
                self._handle(json.loads(line))

    def _handle(self, req: dict[str, Any]) -> None:
        op = req.get("op")
        if op == "run":
            self._spawn(req)
        elif op == "cancel":
            self.jobs.kill(int(req["id"]), "cancel")
        elif op == "exit":
            self.running = False

    def _spawn(self, req: dict[str, Any]) -> None:
        profile = self._profile(req)
        if profile is None:
            spare = self.spares.take()
        else:  # a spare waiting in this profile, else a child for this job; keep one ready
            spare = self.spares.take(profile) or self.spares.fork_one(profile, pooled=False)
            self.spares.wanted = profile
            for path in self.spares.retire_other_keys():
                self.janitor.remove(path)
        assert spare is not None
        req["token"] = os.urandom(12).hex()
        self.spares.send_job(spare, req)
        cap = 8 * int(req.get("output_bytes", 1 << 20)) + (1 << 16)
        job = Job(int(req["id"]), spare.pid, spare.rfd, spare.tmpdir, float(req["timeout"]), cap)
        job.token = req["token"].encode() + b" "
        # one line per event: setup, each example, each probe, done (and slack)
        job.max_lines = len(req.get("examples", ())) + len(req.get("probes", ())) + 4
        job.can_fork = profile is not None and profile.trust == "user"
        if job.can_fork:  # the memory limit holds for all its processes together
            job.memory_limit = int(req.get("limits", {}).get("memory_mb", 1024)) << 20
        self.jobs.add(job, self.sel)

    def _profile(self, req: dict[str, Any]) -> Profile | None:
        """The job's isolation profile when a waiting strict spare does not fit it, else None."""
        cfg = self.cfg
        if req.get("trust") == "user":
            project = req.get("project")
            project = project if isinstance(project, str) else None
            if project not in self.user_profiles:
                if len(self.user_profiles) > 64:
                    self.user_profiles.clear()
                paths = readset.user_paths(project)
                keep = self._keep(paths["read"])
                read, listed = tuple(paths["read"]), tuple(paths["list"])
                self.user_profiles[project] = Profile("user", read, listed, keep)
            return self.user_profiles[project]
        if not cfg.has("landlock"):
            return None  # nothing to widen: without Landlock reads are bounded by uid only
        sources = [str(req.get("setup", "")), *map(str, req.get("probes", ()))]
        sources += [str(e.get("source", "")) for e in req.get("examples", ())]
        extra = readset.extra_paths(sources, self.base)
        if not extra["read"]:
            return None
        return Profile(
            "strict",
            tuple(self.base["read"] + extra["read"]),
            tuple(self.base["list"] + extra["list"]),
            cfg.keep_read_search or self._keep(extra["read"]),
        )

    def _keep(self, paths: list[str]) -> bool:
        """Whether a child dropped to nobody must keep CAP_DAC_READ_SEARCH to read ``paths``."""
        cfg = self.cfg
        if not (cfg.has("drop_uid") and cfg.has("landlock")):
            return False
        return cfg.keep_read_search or not isolate.nobody_can_read_all(paths)

    def _fork_spare(self, keyed: bool = False) -> None:
        spare = self.spares.fork_one(self.spares.wanted if keyed else None)
        self.deferred.append(b"Z " + json_line({"ev": "spare", "pid": spare.pid}))

    def _on_orphan(self, pid: int) -> None:
        spare = self.spares.forget(pid)
        if spare is not None:
            self.janitor.remove(spare.tmpdir)


def _file_attrs(cfg: Config) -> str:
    """Who refuses chmod, chown, utime and xattr changes here, for ``synthls doctor``."""
    if cfg.attrs_confined:
        return "refused outside the temp dir (read-only mounts)"
    if cfg.has("seccomp"):
        return "refused everywhere, the temp dir too (seccomp; no read-only mounts or Landlock)"
    if cfg.has("readonly_mounts"):
        return "refused outside the temp dir, but /proc/<pid>/root of the uid's other processes reaches their mounts (no Landlock, no seccomp)"
    return "not refused: the uid's permissions only (no read-only mounts, no seccomp)"


def _profiles(layers: list[str], cfg: Config) -> dict[str, dict[str, Any]]:
    """What each trust profile gets here, for ``synthls doctor``."""
    quota = isolate.TMP_QUOTA if cfg.has("tmp_quota") else None
    common = {"layers": layers, "tmp_quota": quota, "network": False, "files": _file_attrs(cfg)}
    sec = cfg.has("seccomp")
    return {
        "strict": {
            **common,
            "reads": "stdlib, site-packages, system libraries, imported packages; no dotfiles",
            "processes": 0 if sec or cfg.nproc_zero else None,
            "unix_send": not sec,
            "shm": False,
        },
        "user": {
            **common,
            "reads": "sys.path, the interpreter, the project directory (read-only)",
            "processes": None
            if os.geteuid() == 0 and not cfg.has("drop_uid")
            else isolate.PROCESS_BUDGET,
            "unix_send": True,
            "shm": cfg.has("tmp_quota"),
        },
    }


def _hello(layers: list[str], errors: dict[str, str], cfg: Config, janitor: int) -> bytes:
    info = {
        "ev": "hello",
        "pid": os.getpid(),
        "layers": layers,
        "errors": errors,
        "landlock_abi": cfg.landlock_abi if cfg.has("landlock") else 0,
        "tmp": cfg.tmp_base,
        "imports_limited": cfg.imports_limited,
        "profiles": _profiles(layers, cfg),
        "janitor": janitor,
        "uid": os.geteuid(),
        "python": sys.version.split()[0],
        "executable": sys.executable,
        "platform": f"{platform.system()} {platform.release()} {platform.machine()}",
    }
    return b"Z " + json_line(info)


def main(argv: list[str]) -> int:
    """Entry point; ``argv[0]`` is an optional JSON object: layer switches, limits, spares."""
    opts = json.loads(argv[0]) if argv else {}
    want = opts.get("layers", {})
    os.chdir("/")
    _preload()
    if sys.platform == "linux":
        ctypes.CDLL(None).prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    limits = opts.get("limits", {})
    rlimits = Rlimits(int(limits.get("memory_mb", 1024)), int(limits.get("cpu_seconds", 5)))
    cfg, layers, errors = probe.settle(plan(want, rlimits))
    cfg, layers = probe.enter_zygote(cfg, layers, errors)
    tmp_base = tempfile.mkdtemp(prefix="synthls-")  # one dir to sweep if we are killed
    os.chmod(tmp_base, 0o711)
    cfg = dataclasses.replace(cfg, tmp_base=tmp_base)
    zyg = Zygote(cfg, layers, int(opts.get("spares", 2)))
    zyg.emit(_hello(layers, errors, cfg, zyg.janitor.pid))
    gc.collect()
    gc.freeze()
    try:
        zyg.serve()
    finally:
        rmtree(cfg.tmp_base)
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main(sys.argv[1:]))
