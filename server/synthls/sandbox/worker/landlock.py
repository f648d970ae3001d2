"""Landlock through raw syscalls (ctypes): read-only interpreter paths, one writable directory.

Landlock is unprivileged and stackable, so it works as root, as an ordinary user and inside
containers. The ruleset denies everything it handles except: read+execute beneath the given
read-only paths, listing beneath the list-only ones, full access beneath the candidate's temp directory, and (ABI >= 4) no TCP bind
or connect, and (ABI >= 6) no signals or abstract unix sockets outside the domain. Rights the
running kernel does not know are dropped, so older kernels get what they support (fs from 5.13).
"""

from __future__ import annotations

import ctypes
import os
import platform
import stat
import sys
from collections.abc import Sequence

_NR = {"x86_64": (444, 445, 446), "aarch64": (444, 445, 446), "riscv64": (444, 445, 446)}

_EXECUTE, _WRITE_FILE, _READ_FILE, _READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
_FS_V1 = (1 << 13) - 1  # EXECUTE .. MAKE_SYM
_REFER, _TRUNCATE, _IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15
_FILE_RIGHTS = _EXECUTE | _WRITE_FILE | _READ_FILE | _TRUNCATE | _IOCTL_DEV
_NET_ALL = 0b11  # BIND_TCP | CONNECT_TCP
_SCOPE_ALL = 0b11  # ABSTRACT_UNIX_SOCKET | SIGNAL
_RULE_PATH_BENEATH = 1
_CREATE_RULESET_VERSION = 1

_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long


class _PathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = (("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32))


def _syscalls() -> tuple[int, int, int] | None:
    return _NR.get(platform.machine()) if sys.platform == "linux" else None


def abi_version() -> int:
    """The kernel's Landlock ABI version, 0 when Landlock is unavailable."""
    nrs = _syscalls()
    if nrs is None:
        return 0
    ret = _libc.syscall(nrs[0], None, ctypes.c_size_t(0), ctypes.c_uint32(_CREATE_RULESET_VERSION))
    return int(ret) if ret > 0 else 0


def _fs_rights(abi: int) -> int:
    rights = _FS_V1
    if abi >= 2:
        rights |= _REFER
    if abi >= 3:
        rights |= _TRUNCATE
    if abi >= 5:
        rights |= _IOCTL_DEV
    return rights


def _fail(what: str) -> OSError:
    err = ctypes.get_errno()
    return OSError(err, f"landlock {what}: {os.strerror(err)}")


def _add_path(ruleset: int, nr_add: int, path: str, access: int) -> None:
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return  # a path that does not exist needs no rule
    try:
        if not stat.S_ISDIR(os.fstat(fd).st_mode):
            access &= _FILE_RIGHTS
        attr = _PathBeneath(access, fd)
        if _libc.syscall(nr_add, ruleset, _RULE_PATH_BENEATH, ctypes.byref(attr), 0) != 0:
            raise _fail(f"add_rule {path}")
    finally:
        os.close(fd)


def restrict(
    read_paths: Sequence[str], rw_paths: Sequence[str], abi: int, list_paths: Sequence[str] = ()
) -> list[str]:
    """Confine this process (and future children); returns the features applied.

    ``list_paths`` are directories that may be listed (and their subdirectories) but whose
    files stay unreadable unless a ``read_paths`` rule covers them.

    Needs PR_SET_NO_NEW_PRIVS (or CAP_SYS_ADMIN) first. Raises OSError when it cannot apply.
    """
    nrs = _syscalls()
    if nrs is None or abi <= 0:
        raise OSError(38, "landlock unavailable")
    nr_create, nr_add, nr_restrict = nrs
    fs = _fs_rights(abi)
    fields = [fs]
    if abi >= 4:
        fields.append(_NET_ALL)
    if abi >= 6:
        fields.append(_SCOPE_ALL)
    attr = (ctypes.c_uint64 * len(fields))(*fields)
    ruleset = _libc.syscall(nr_create, ctypes.byref(attr), ctypes.sizeof(attr), 0)
    if ruleset < 0:
        raise _fail("create_ruleset")
    try:
        readonly = _EXECUTE | _READ_FILE | _READ_DIR
        for path in read_paths:
            _add_path(ruleset, nr_add, path, readonly)
        for path in list_paths:
            _add_path(ruleset, nr_add, path, _READ_DIR)
        for path in rw_paths:
            _add_path(ruleset, nr_add, path, fs)
        if _libc.syscall(nr_restrict, ruleset, 0) != 0:
            raise _fail("restrict_self")
    finally:
        os.close(ruleset)
    applied = ["fs"] + (["tcp"] if abi >= 4 else []) + (["scope"] if abi >= 6 else [])
    return applied
