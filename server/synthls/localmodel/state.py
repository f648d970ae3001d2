"""Where the user's one local model server is recorded: a folder only the user can read.

``server.json`` holds the running server (pid, base URL, API key, model, idle time, how long it
took to load); ``server.lock`` is held (``flock``) by whoever is starting one, so two editor
windows that need the model at once start one server, not two; ``used`` is touched by every
client at every request, and the server stops after its idle time counted from the later of that
touch and its last decode. ``last_load`` keeps the last load time, for "first time ~N s".
The folder is ``$SYNTHLS_SERVER_DIR``, else ``$XDG_CACHE_HOME/synthls/server`` (~/.cache).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from synthls.localmodel.weights import user_cache

STATE = "server.json"
LOCK = "server.lock"
USED = "used"
LAST_LOAD = "last_load"
MAX_STATE = 64 * 1024  # a state file bigger than this is not ours


@dataclass(frozen=True)
class Record:
    pid: int
    base_url: str
    api_key: str
    model: str
    name: str
    started: float
    idle: float
    load_seconds: float


def folder() -> Path:
    return user_cache("SYNTHLS_SERVER_DIR", "server")


def _private(where: Path) -> Path:
    where.mkdir(parents=True, exist_ok=True, mode=0o700)
    with contextlib.suppress(OSError):
        os.chmod(where, 0o700)
    return where


def write(where: Path, record: Record) -> None:
    """Record ``record`` atomically, readable by the user only (it holds the API key)."""
    _private(where)
    tmp = where / f".{STATE}.{os.getpid()}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        json.dump(asdict(record), out)
    os.replace(tmp, where / STATE)
    (where / LAST_LOAD).write_text(str(record.load_seconds))
    touch(where)


def read(where: Path) -> Record | None:
    """The recorded server, or None (no file, not ours, unreadable, or its process is gone)."""
    try:
        with (where / STATE).open("rb") as f:
            data = json.loads(f.read(MAX_STATE))
        record = Record(**data)
    except (OSError, ValueError, TypeError):
        return None
    return record if alive(record.pid) else None


def alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    with contextlib.suppress(OSError):  # a zombie is not a server
        if Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1].startswith("Z"):
            return False
    return True


def forget(where: Path, pid: int) -> None:
    """Remove the state file if it still records ``pid`` (a newer server's is kept)."""
    with contextlib.suppress(OSError, ValueError, TypeError):
        data = json.loads((where / STATE).read_text())
        if data.get("pid") == pid:
            (where / STATE).unlink()


def touch(where: Path) -> None:
    with contextlib.suppress(OSError):
        _private(where)
        (where / USED).touch()


def last_used(where: Path) -> float:
    try:
        return (where / USED).stat().st_mtime
    except OSError:
        return 0.0


def last_load(where: Path) -> float | None:
    try:
        return float((where / LAST_LOAD).read_text())
    except (OSError, ValueError):
        return None


@contextlib.contextmanager
def starting(where: Path, timeout: float) -> Iterator[None]:
    """Hold the start lock (waiting up to ``timeout`` s for another starter); TimeoutError."""
    _private(where)
    fd = os.open(where / LOCK, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise TimeoutError("another process is starting the local model") from None
                time.sleep(0.2)
        yield
    finally:
        os.close(fd)  # closing releases the lock
