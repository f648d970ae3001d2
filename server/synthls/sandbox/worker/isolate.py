"""The isolation mechanisms a freshly forked child uses before any candidate code runs.

Session and death signal, file descriptors and working directory (``enter_child``), the shared
empty network namespace (entered once by the zygote), a private mount namespace whose
size-capped tmpfs is the temp dir (the total a child may write) and its own ``/dev/shm``, every
other mount of that namespace made read-only (no chmod, chown, utime or xattr change outside the
temp dir, by path or by descriptor), dropping root or the user namespace's capabilities, resource limits (with the user profile's
process budget) and no_new_privs; Landlock and seccomp live in their own modules. Which of
them a child applies, and in which order, is the table in ``layers``.
"""

from __future__ import annotations

import ctypes
import fcntl
import os
import platform
import resource
import signal
import sys
from dataclasses import dataclass

NOBODY = 65534
_CLONE_NEWNET = 0x40000000
_CLONE_NEWUSER = 0x10000000
_CLONE_NEWNS = 0x00020000
_MS_NOSUID, _MS_NODEV, _MS_REC, _MS_SLAVE = 2, 4, 0x4000, 0x80000
_NR_MOUNT_SETATTR = 442  # the same number on every architecture (added in Linux 5.12)
_MOUNT_ATTR_RDONLY = 0x1
_AT_FDCWD, _AT_RECURSIVE = -100, 0x8000
TMP_QUOTA = 64 << 20  # bytes a child may keep in its temp dir, all files together
TMP_INODES = 4096
SHM_QUOTA = 16 << 20  # the user profile's private /dev/shm (multiprocessing's semaphores)
PROCESS_BUDGET = 32  # processes and threads the user profile may start (RLIMIT_NPROC counts both)
_PR_SET_PDEATHSIG = 1
_PR_SET_KEEPCAPS = 8
_PR_SET_NO_NEW_PRIVS = 38
_CAP_DAC_READ_SEARCH = 2
_CAP_V3 = 0x20080522
RESULT_FD = 3

_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long


class IsolationError(RuntimeError):
    """A layer that the worker promised could not be applied."""


def _check(ret: int, what: str) -> None:
    if ret != 0:
        err = ctypes.get_errno()
        raise IsolationError(f"{what}: {os.strerror(err)}")


def _nobody_can_read(path: str) -> bool:
    """Whether uid/gid 65534 can reach and list ``path`` through ordinary permissions."""
    parts = os.path.abspath(path).split(os.sep)
    for depth in range(1, len(parts) + 1):
        sub = os.sep + os.path.join(*parts[1:depth]) if depth > 1 else os.sep
        try:
            mode = os.stat(sub).st_mode
        except OSError:
            return False
        if not mode & 0o001:
            return False
    return bool(os.stat(path).st_mode & 0o004)


def capset(bits: int) -> None:
    """Set effective and permitted capabilities to ``bits`` (the low 32), inheritable none."""
    header = (ctypes.c_uint32 * 2)(_CAP_V3, 0)
    data = (ctypes.c_uint32 * 6)(bits, bits, 0, 0, 0, 0)
    _check(_libc.syscall(126, ctypes.byref(header), ctypes.byref(data)), "capset")


def _capset_read_search() -> None:
    """Keep only CAP_DAC_READ_SEARCH (after setresuid with keepcaps); Landlock bounds reads."""
    capset(1 << _CAP_DAC_READ_SEARCH)


def enter_shared_netns() -> None:
    """Move this process (the zygote) into a new, empty network namespace for all children.

    Root unshares the network namespace alone; an ordinary user needs a user namespace too,
    mapped to its own ids, and its children then drop the capabilities that come with it.
    One namespace for all children costs nothing per candidate; its loopback stays down.
    """
    if os.geteuid() == 0:
        _unshare(_CLONE_NEWNET)
        return
    uid, gid = os.geteuid(), os.getegid()
    _unshare(_CLONE_NEWUSER | _CLONE_NEWNET)
    for path, text in (
        ("/proc/self/setgroups", "deny"),
        ("/proc/self/uid_map", f"{uid} {uid} 1"),
        ("/proc/self/gid_map", f"{gid} {gid} 1"),
    ):
        with open(path, "w") as fh:
            fh.write(text)


def _unshare(flags: int) -> None:
    _check(_libc.unshare(flags), "unshare")


def drop_root(keep_read_search: bool) -> None:
    if keep_read_search:
        _check(_libc.prctl(_PR_SET_KEEPCAPS, 1, 0, 0, 0), "keepcaps")
    os.setgroups([])
    if hasattr(os, "setresuid"):
        os.setresgid(NOBODY, NOBODY, NOBODY)
        os.setresuid(NOBODY, NOBODY, NOBODY)
    else:  # macOS: setgid/setuid as root set real, effective and saved ids
        os.setgid(NOBODY)
        os.setuid(NOBODY)
    if keep_read_search:
        _capset_read_search()


@dataclass(frozen=True)
class Rlimits:
    """The child's resource limits (the job's own limits may lower them afterwards)."""

    memory_mb: int = 1024
    cpu_seconds: int = 5
    file_bytes: int = 16 << 20


def set_rlimits(limits: Rlimits, nproc: int | None) -> None:
    """The child's resource limits; ``nproc`` is RLIMIT_NPROC (None: leave it)."""
    mem = limits.memory_mb << 20
    cpu = max(1, int(limits.cpu_seconds))
    pairs = [
        (resource.RLIMIT_AS, mem, mem),
        (resource.RLIMIT_CPU, cpu, cpu + 1),
        (resource.RLIMIT_FSIZE, limits.file_bytes, limits.file_bytes),
        (resource.RLIMIT_NOFILE, 64, 64),
        (resource.RLIMIT_CORE, 0, 0),
    ]
    if nproc is not None:
        pairs.append((resource.RLIMIT_NPROC, nproc, nproc))
    for which, soft, hard in pairs:
        try:
            resource.setrlimit(which, (soft, hard))
        except (ValueError, OSError):
            if sys.platform == "linux":
                raise
            # elsewhere some limits are not settable (macOS RLIMIT_AS); the wall clock stays


def no_new_privs() -> None:
    if sys.platform != "linux":
        raise IsolationError("no_new_privs: PR_SET_NO_NEW_PRIVS is Linux-only")
    _check(_libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")


def enter_child(
    result_fd: int, zygote_pid: int, tmpdir: str, extra_fd: tuple[int, int] | None = None
) -> None:
    """Process-level hygiene every child gets: session, death signal, stdio, fds, cwd.

    Afterwards fd 0-2 are /dev/null, ``RESULT_FD`` is the result pipe, ``extra_fd[1]`` is
    ``extra_fd[0]`` (when given), and every other inherited descriptor is closed.
    """
    os.setsid()
    if sys.platform == "linux":
        _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != zygote_pid:
        os._exit(70)
    keep = [(fcntl.fcntl(result_fd, fcntl.F_DUPFD, 256), RESULT_FD)]
    if extra_fd is not None:
        keep.append((fcntl.fcntl(extra_fd[0], fcntl.F_DUPFD, 256), extra_fd[1]))
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    for high, low in keep:
        os.dup2(high, low, inheritable=False)
    os.closerange(max(low for _, low in keep) + 1, 1 << 16)
    os.chdir(tmpdir)
    os.umask(0o077)
    signal.set_wakeup_fd(-1)
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGPIPE, signal.SIGCHLD):
        signal.signal(sig, signal.SIG_DFL)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # oversized writes fail with EFBIG instead


def _mount_tmpfs(target: str, options: str) -> None:
    flags = _MS_NOSUID | _MS_NODEV
    _check(_libc.mount(b"tmpfs", target.encode(), b"tmpfs", flags, options.encode()), "mount")


def private_tmp(tmpdir: str, owner: int) -> bool:
    """A private mount namespace: the temp dir becomes a size-capped tmpfs owned by ``owner``.

    Also a private ``/dev/shm`` when it can be mounted (returns whether it was; only the user
    profile's Landlock rules let it be written, and only a private one). Mounts made here are
    invisible to the zygote and vanish with the child.
    """
    _unshare(_CLONE_NEWNS)
    _check(_libc.mount(None, b"/", None, _MS_REC | _MS_SLAVE, None), "mount --make-rslave /")
    ids = f"uid={owner},gid={owner}"
    _mount_tmpfs(tmpdir, f"size={TMP_QUOTA},nr_inodes={TMP_INODES},mode=700,{ids}")
    os.chdir(tmpdir)  # the tmpfs, not the directory underneath it
    try:
        _mount_tmpfs("/dev/shm", f"size={SHM_QUOTA},nr_inodes=256,mode=1777")
    except IsolationError:
        return False
    return True


class _MountAttr(ctypes.Structure):
    _fields_ = (
        ("attr_set", ctypes.c_uint64),
        ("attr_clr", ctypes.c_uint64),
        ("propagation", ctypes.c_uint64),
        ("userns_fd", ctypes.c_uint64),
    )


def _mount_setattr(path: str, set_bits: int, clear_bits: int, flags: int) -> None:
    attr = _MountAttr(set_bits, clear_bits, 0, 0)
    ret = _libc.syscall(
        _NR_MOUNT_SETATTR,
        _AT_FDCWD,
        path.encode(),
        ctypes.c_uint(flags),
        ctypes.byref(attr),
        ctypes.c_size_t(ctypes.sizeof(attr)),
    )
    _check(int(ret), f"mount_setattr {path}")


def readonly_mounts(writable: list[str]) -> None:
    """Make every mount of this (private) mount namespace read-only but ``writable``.

    Only ever called in a child's own mount namespace (``private_tmp``): the host's mounts are
    untouched. A read-only mount refuses chmod, chown, utime and xattr changes (EROFS) whether
    the file is named by path or by a descriptor opened before or after, which seccomp cannot
    tell apart; the mounts in ``writable`` (the child's tmpfs mounts, made in this namespace and
    so not locked) are switched back to read-write.
    """
    if sys.platform != "linux" or platform.machine() not in ("x86_64", "aarch64", "riscv64"):
        raise IsolationError("readonly_mounts: mount_setattr not known here")
    _mount_setattr("/", _MOUNT_ATTR_RDONLY, 0, _AT_RECURSIVE)
    for path in writable:
        _mount_setattr(path, 0, _MOUNT_ATTR_RDONLY, 0)


def count_processes() -> int:
    """Processes RLIMIT_NPROC counts for this real uid: in the init user namespace all of the
    uid's, in the zygote's own namespace only those in it (outside ones show unmapped ids)."""
    uid, mine = os.getuid(), os.readlink("/proc/self/ns/user")
    with open("/proc/self/uid_map") as fh:
        in_init = fh.read().split() == ["0", "0", "4294967295"]
    count = 0
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            if not in_init and os.readlink(f"/proc/{name}/ns/user") != mine:
                continue
            with open(f"/proc/{name}/status", "rb") as fh:
                real = next(ln for ln in fh if ln.startswith(b"Uid:")).split()[1]
        except (OSError, StopIteration, IndexError):
            continue
        count += int(real) == uid
    return count


def nobody_can_read_all(paths: list[str]) -> bool:
    return all(_nobody_can_read(p) for p in paths if os.path.isdir(p))
