"""Writing a user's file so that nothing is lost: atomically, and only if nobody changed it.

The new text goes to a temporary file in the target's own directory (so the final rename never
crosses a file system), is flushed and fsynced, gets the target's permission bits (and owner,
where allowed), and then replaces the target with ``os.replace``: a reader, a crash or a full
disk sees either the old file or the new one, never a truncated mix. Just before the rename the
target is read again and compared with the content hash of what the caller started from; if it
changed, nothing is written (:class:`FileChanged`). A symlink is written through (the link stays
a link). A file without any write permission is refused (:class:`ReadOnly`), even for root,
because replacing it would defeat the mark that an in-place write respects.

The check and the rename are two steps: an edit that lands in the instant between them is still
overwritten. Editors that save by rename and the usual scripts are covered; a lock no editor
takes would not help.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import tempfile
from pathlib import Path


class FileChanged(Exception):
    """The file is no longer what was read: another program changed (or removed) it."""


class ReadOnly(OSError):
    """The file may not be written."""


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _current(path: Path) -> str | None:
    try:
        return digest(path.read_bytes())
    except FileNotFoundError:
        return None


def _check(path: Path, expected: str | None) -> None:
    if expected is not None and _current(path) != expected:
        raise FileChanged(f"{path} changed since it was read")


def _copy_metadata(fd: int, info: os.stat_result) -> None:
    os.fchmod(fd, stat.S_IMODE(info.st_mode))
    if (info.st_uid, info.st_gid) != (os.geteuid(), os.getegid()):
        with contextlib.suppress(PermissionError):  # only root may give a file away
            os.fchown(fd, info.st_uid, info.st_gid)


def _fsync_dir(directory: Path) -> None:
    """Make the rename itself durable (best effort: not every file system allows it)."""
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_atomic(path: Path, data: bytes, expected: str | None = None) -> None:
    """Replace ``path``'s content by ``data``; FileChanged when its content hash is no longer
    ``expected``; ReadOnly or another OSError (the file untouched) when it cannot be written."""
    target = Path(os.path.realpath(path))
    _check(target, expected)
    info = os.stat(target)
    if not info.st_mode & 0o222 or not os.access(target, os.W_OK):
        raise ReadOnly(f"{path} is read-only")
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".synthls")
    try:
        with open(fd, "wb", closefd=True) as file:
            _copy_metadata(file.fileno(), info)
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        _check(target, expected)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(target.parent)


class TooBig(OSError):
    """The file holds more than the caller reads (``size`` bytes; at most ``limit`` are read)."""

    def __init__(self, path: Path, size: int, limit: int) -> None:
        super().__init__(f"{path} holds {size} bytes, more than the {limit} read")
        self.size = size
        self.limit = limit


def read_capped(path: Path, limit: int) -> bytes:
    """``path``'s bytes; TooBig, having read at most ``limit + 1`` of them, when it holds more
    than ``limit`` (a file that grows while it is read is caught too)."""
    with path.open("rb") as file:
        size = os.fstat(file.fileno()).st_size
        if size > limit:
            raise TooBig(path, size, limit)
        data = file.read(limit + 1)
    if len(data) > limit:
        raise TooBig(path, len(data), limit)
    return data
