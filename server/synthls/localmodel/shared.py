"""The user's one local model server: found if it runs, started on first need, stopped on demand.

:func:`ensure` gives the running server's record, starting it when there is none: a detached
``synthls.localmodel.daemon`` (its own session, so closing one editor window does not stop the
server the others share), started under the start lock so that two clients at once agree on one
server. The daemon stops itself after its idle time; :func:`stop` stops it now. :func:`status`
says what a user asks ``synthls model status``: not installed, stopped, starting, ready.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from synthls.localmodel import state as st
from synthls.localmodel.weights import ModelError, ModelSource

LOG = "server.log"
FIRST_LOAD_GUESS = 30.0  # seconds, shown before any load was measured on this machine


@dataclass(frozen=True)
class Options:
    idle: float = 600.0  # seconds without a request before the server stops
    threads: int = 0  # 0: every core
    ctx: int = 4096
    start_timeout: float = 300.0


def healthy(record: st.Record) -> bool:
    address = record.base_url.removesuffix("/v1")
    try:
        with urllib.request.urlopen(address + "/health", timeout=5) as response:
            return int(response.status) == 200
    except OSError:
        return False


def running(where: Path | None = None) -> st.Record | None:
    """The recorded server if it answers, else None."""
    where = where or st.folder()
    record = st.read(where)
    return record if record is not None and healthy(record) else None


def ensure(
    source: ModelSource,
    options: Options = Options(),
    *,
    where: Path | None = None,
    on_wait: Callable[[str], None] = lambda _: None,
) -> st.Record:
    """The running server (started now if needed, serving ``source``); ModelError otherwise.

    ``on_wait`` gets one message while a start is awaited. Blocking: call it off the event loop.
    """
    where = where or st.folder()
    st.touch(where)
    record = running(where)
    if record is not None:
        return record
    model = source.path()  # joined and checked before anything starts
    try:
        with st.starting(where, options.start_timeout):
            record = running(where)  # another client may have started it meanwhile
            if record is not None:
                return record
            guess = st.last_load(where)
            first = "first time " if guess is None else ""
            on_wait(f"starting the local model ({first}~{round(guess or FIRST_LOAD_GUESS)} s)")
            return _start(model, source.name, options, where)
    except TimeoutError as exc:
        raise ModelError(f"{exc} (waited {options.start_timeout:.0f} s)") from None


def _start(model: Path, name: str, options: Options, where: Path) -> st.Record:
    cmd = [sys.executable, "-m", "synthls.localmodel.daemon", "--model", str(model)]
    cmd += ["--name", name, "--state", str(where), "--idle", str(options.idle)]
    cmd += ["--threads", str(options.threads or os.cpu_count() or 2), "--ctx", str(options.ctx)]
    cmd += ["--start-timeout", str(options.start_timeout)]
    with (where / LOG).open("wb") as log:
        proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            start_new_session=True,  # shared: it outlives the client that started it
            close_fds=True,
        )
    deadline = time.monotonic() + options.start_timeout + 10
    while time.monotonic() < deadline:
        record = st.read(where)
        if record is not None and record.pid == proc.pid and healthy(record):
            return record
        if proc.poll() is not None:
            raise ModelError(f"the local model server exited ({proc.returncode}): {tail(where)}")
        time.sleep(0.2)
    _kill(proc.pid)
    raise ModelError(f"the local model did not start within {options.start_timeout:.0f} s")


def tail(where: Path | None = None, lines: int = 5) -> str:
    """The last lines of the server's log."""
    try:
        text = ((where or st.folder()) / LOG).read_text(errors="replace")
    except OSError:
        return ""
    return " / ".join(line for line in text.splitlines()[-lines:] if line.strip())


def _kill(pid: int, wait: float = 10.0) -> bool:
    """SIGTERM, then SIGKILL after ``wait`` s; whether the process is gone."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + wait
    while st.alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if st.alive(pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        time.sleep(0.2)
    return not st.alive(pid)


def stop(where: Path | None = None) -> st.Record | None:
    """Stop the recorded server; the record of the one stopped, or None when none ran."""
    where = where or st.folder()
    record = st.read(where)
    if record is None:
        return None
    _kill(record.pid)
    st.forget(where, record.pid)
    return record


def rss_bytes(pid: int) -> int | None:
    """Resident memory of ``pid`` (Linux), or None."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


@dataclass(frozen=True)
class Status:
    state: str  # "not installed" | "stopped" | "starting" | "ready"
    record: st.Record | None
    detail: str


def status(source: ModelSource, where: Path | None = None) -> Status:
    where = where or st.folder()
    record = st.read(where)
    if record is not None:
        if healthy(record):
            left = max(0.0, record.idle - (time.time() - st.last_used(where)))
            return Status("ready", record, f"stops after {left:.0f} s more without a request")
        return Status("starting", record, "loading")
    starting = _lock_held(where)
    if starting:
        return Status("starting", None, "loading")
    if not source.installed():
        return Status("not installed", None, 'pip install "synthls[local]"')
    return Status("stopped", None, "starts on the first request")


def _lock_held(where: Path) -> bool:
    try:
        with st.starting(where, 0):
            return False
    except (TimeoutError, OSError):
        return True
