"""The server's handle on the sandbox: an asyncio client of the fork-server worker.

``Sandbox`` starts the stdlib-only worker (``sandbox/worker``) as a fresh interpreter with a
scrubbed environment, logs the isolation layers it reports, and runs programs through it with
at most ``Limits.parallel`` in flight. Child reports arrive as ``<id> <json>`` lines and are
judged here (``results.build_result``), so the verdict never depends on code the candidate could
reach. Cancelling ``run`` tells the worker to SIGKILL that child's process group at once; a
worker that dies is restarted on the next run and its in-flight runs end as ``crashed``.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import itertools
import json
import logging
import math
import os
import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from synthls.sandbox import worker
from synthls.sandbox.results import build_result_off_loop
from synthls.sandbox.types import Program, RunResult
from synthls.sandbox.worker import layers as layer_table
from synthls.sandbox.worker.procgroup import json_line, json_object, scrubbed_env

logger = logging.getLogger(__name__)
ALL_LAYERS = layer_table.NAMES  # every isolation layer the sandbox knows, in the order applied
_GRACE = 5.0  # extra seconds before the server gives up on a silent worker
_STREAM_LIMIT = 1 << 24


@dataclass(frozen=True)
class Limits:
    timeout: float = 5.0  # default wall clock per program if Program.timeout is not set lower
    memory_mb: int = 1024
    cpu_seconds: int = 5
    output_bytes: int = 1 << 20
    parallel: int = 0  # 0 = os.cpu_count()


@dataclass
class _Pending:
    future: asyncio.Future[dict[str, Any]]
    events: list[dict[str, Any]] = field(default_factory=list)
    pid: int | None = None


def _request(job_id: int, program: Program, limits: Limits) -> dict[str, Any]:
    timeout = max(0.05, min(program.timeout, limits.timeout))
    examples = [
        {
            "source": ex.source,
            "style": ex.style,
            **({"want": ex.want} if ex.style == "value" else {}),
        }
        for ex in program.examples  # doctest `want` never reaches the child
    ]
    return {
        "op": "run",
        "id": job_id,
        "setup": program.setup,
        "filename": program.filename,
        "examples": examples,
        "probes": list(program.probes),
        "trust": program.trust,
        "project": os.path.abspath(program.project) if program.project else None,
        "probe_timeout": max(0.0, min(program.probe_timeout, timeout)),
        "timeout": timeout,
        "output_bytes": limits.output_bytes,
        "limits": {
            "memory_mb": limits.memory_mb,
            "cpu_seconds": max(1, min(limits.cpu_seconds, math.ceil(timeout) + 1)),
        },
    }


class Sandbox:
    """Runs untrusted programs in isolated children of one pre-warmed worker process.

    Use it from one event loop. ``python`` is the interpreter for the worker (default: this
    one); ``worker_dir``, ``launch_prefix`` (e.g. ``setpriv --reuid=...``) and ``want_layers``
    (``{"seccomp": False, ...}`` to switch layers off) exist for tests and diagnostics.
    """

    def __init__(
        self,
        limits: Limits = Limits(),
        python: str | None = None,
        *,
        worker_dir: str | None = None,
        launch_prefix: Sequence[str] = (),
        want_layers: dict[str, bool] | None = None,
    ) -> None:
        self.limits = limits
        self.python = python or sys.executable
        self.worker_dir = worker_dir or str(Path(worker.__file__).parent)
        self.launch_prefix = tuple(launch_prefix)
        self.want_layers = dict(want_layers or {})
        self.info: dict[str, Any] = {}
        self._proc: asyncio.subprocess.Process | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._pending: dict[int, _Pending] = {}
        self._ids = itertools.count(1)
        self._start_lock: asyncio.Lock | None = None
        self._sem: asyncio.Semaphore | None = None
        self._hello: asyncio.Future[dict[str, Any]] | None = None
        self._alive = False  # false from the moment the worker's stdout closes
        # for audits: pids of children that ran a program, and of pre-forked idle spares
        self.child_pids: collections.deque[int] = collections.deque(maxlen=4096)
        self.spare_pids: collections.deque[int] = collections.deque(maxlen=4096)

    @property
    def layers(self) -> tuple[str, ...]:
        return tuple(self.info.get("layers", ()))

    def missing_layers(self) -> list[str]:
        """Layers of ``ALL_LAYERS`` this platform lacks (root-only ones count only for root)."""
        needed = layer_table.expected(root=self.info.get("uid") == 0)
        return [name for name in needed if name not in self.layers]

    @property
    def parallel(self) -> int:
        return self.limits.parallel or os.cpu_count() or 1

    async def start(self) -> None:
        """Start (or restart) the worker if it is not running; logs the active layers."""
        if self._start_lock is None:
            self._start_lock = asyncio.Lock()
            self._sem = asyncio.Semaphore(self.parallel)
        async with self._start_lock:
            if self._alive:
                return
            await self._spawn()

    async def _spawn(self) -> None:
        await self._reap_worker()
        cmd = [*self.launch_prefix, self.python, "-I", "-c", worker.BOOTSTRAP, self.worker_dir]
        env = scrubbed_env()  # never the server's: no API keys
        try:
            self._proc = await asyncio.create_subprocess_exec(
                *cmd,
                json.dumps(self._worker_options()),
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                env=env,
                start_new_session=True,
                limit=_STREAM_LIMIT,
            )
        except OSError as exc:
            raise RuntimeError(f"sandbox worker could not be started ({cmd[0]}): {exc}") from exc
        self._hello = asyncio.get_running_loop().create_future()
        self._alive = True
        self._tasks = [
            asyncio.create_task(self._read_stdout(self._proc)),
            asyncio.create_task(self._read_stderr(self._proc)),
        ]
        try:
            self.info = await asyncio.wait_for(asyncio.shield(self._hello), 60)
        except (asyncio.TimeoutError, RuntimeError) as exc:
            await self._reap_worker()
            raise RuntimeError(f"sandbox worker did not start: {exc}") from exc
        missing = self.missing_layers()
        logger.info(
            "sandbox worker pid %s, active layers: %s", self.info.get("pid"), ", ".join(self.layers)
        )
        if missing:
            logger.warning(
                "sandbox layers unavailable: %s %s",
                ", ".join(missing),
                self.info.get("errors") or "",
            )

    def _worker_options(self) -> dict[str, Any]:
        timeout = self.limits.timeout
        cpu = max(1, min(self.limits.cpu_seconds, math.ceil(timeout) + 1))
        return {
            "layers": self.want_layers,
            "limits": {"memory_mb": self.limits.memory_mb, "cpu_seconds": cpu},
            "spares": max(2, min(self.parallel, 8)),
        }

    async def _read_stdout(self, proc: asyncio.subprocess.Process) -> None:
        assert proc.stdout is not None
        try:
            while line := await proc.stdout.readline():
                self._on_line(line)
        except ValueError as exc:  # a line over the stream limit: the worker is broken
            logger.error("sandbox worker protocol error: %s; restarting it", exc)
            proc.kill()
        finally:
            self._worker_gone()

    def _on_line(self, line: bytes) -> None:
        head, _, body = line.partition(b" ")
        event = json_object(body)
        if event is None:
            event = {"ev": "garbage"}
        if head == b"Z":
            self._on_zygote_event(event)
        elif head.isdigit() and (pend := self._pending.get(int(head))) is not None:
            pend.events.append(event)

    def _on_zygote_event(self, event: dict[str, Any]) -> None:
        kind = event.get("ev")
        if kind == "hello" and self._hello is not None and not self._hello.done():
            self._hello.set_result(event)
        if kind == "spare" and isinstance(event.get("pid"), int):
            self.spare_pids.append(event["pid"])
        pend = self._pending.get(event.get("id", -1))
        if pend is None:
            return
        if kind == "started" and isinstance(event.get("pid"), int):
            pend.pid = event["pid"]
            self.child_pids.append(event["pid"])
        elif kind == "end" and not pend.future.done():
            pend.future.set_result(event)

    def _worker_gone(self) -> None:
        self._alive = False
        if self._hello is not None and not self._hello.done():
            self._hello.set_exception(RuntimeError("worker exited during start-up"))
        for pend in self._pending.values():
            if not pend.future.done():
                pend.future.set_result({"ev": "end", "reason": "worker_died"})

    async def _read_stderr(self, proc: asyncio.subprocess.Process) -> None:
        assert proc.stderr is not None
        while line := await proc.stderr.readline():
            logger.warning("sandbox worker: %s", line.decode(errors="replace").rstrip())

    def _send(self, req: dict[str, Any]) -> None:
        proc = self._proc
        if proc is None or proc.stdin is None or not self._alive:
            raise ConnectionError("sandbox worker is not running")
        proc.stdin.write(json_line(req))

    async def run(self, program: Program) -> RunResult:
        """Run ``program`` in a fresh isolated child; cancelling kills the child at once."""
        await self.start()
        assert self._sem is not None
        async with self._sem:
            pend, end = await self._run_once(program)
            if end.get("reason") == "worker_died" and pend.pid is None:
                pend, end = await self._run_once(program)  # it never started: safe to retry
        return await build_result_off_loop(program, pend.events, end, self.layers)

    async def _run_once(self, program: Program) -> tuple[_Pending, dict[str, Any]]:
        if not self._alive:
            await self.start()
        job_id = next(self._ids)
        req = _request(job_id, program, self.limits)
        pend = _Pending(asyncio.get_running_loop().create_future())
        self._pending[job_id] = pend
        try:
            self._send(req)
            end = await asyncio.wait_for(asyncio.shield(pend.future), req["timeout"] + _GRACE)
        except asyncio.TimeoutError:
            logger.error("sandbox worker did not answer job %s; restarting it", job_id)
            await self._reap_worker()
            end = {"ev": "end", "reason": "lost"}
        except asyncio.CancelledError:
            with contextlib.suppress(ConnectionError, RuntimeError):
                self._send({"op": "cancel", "id": job_id})
            raise
        except ConnectionError:
            end = {"ev": "end", "reason": "worker_died"}
        finally:
            self._pending.pop(job_id, None)
        return pend, {**end, "limit": req["timeout"]}  # the time limit the run really had

    async def close(self) -> None:
        """Kill every child and the worker, reap them and remove their temp directories."""
        proc = self._proc
        if proc is not None and proc.returncode is None and proc.stdin is not None:
            with contextlib.suppress(ConnectionError, RuntimeError):
                self._send({"op": "exit"})
                proc.stdin.close()
            try:
                await asyncio.wait_for(proc.wait(), 10)
            except asyncio.TimeoutError:
                logger.error("sandbox worker did not exit; killing it")
        await self._reap_worker()

    async def _reap_worker(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()  # its children die with it (PDEATHSIG)
            await proc.wait()
        if proc is not None and isinstance(self.info.get("tmp"), str):
            # a killed worker could not remove its children's temp dirs
            shutil.rmtree(self.info["tmp"], ignore_errors=True)
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        self._worker_gone()


def run_programs_sync(programs: Sequence[Program], limits: Limits = Limits()) -> list[RunResult]:
    """Run ``programs`` in parallel with a private sandbox and wait (CLI/benchmark helper)."""

    async def _all() -> list[RunResult]:
        box = Sandbox(limits)
        try:
            return list(await asyncio.gather(*(box.run(p) for p in programs)))
        finally:
            await box.close()

    return asyncio.run(_all())
