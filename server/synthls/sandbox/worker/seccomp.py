"""A seccomp-BPF filter built by hand (ctypes + prctl), no libseccomp needed.

The ``strict`` filter (engine candidates) keeps a candidate from doing anything but computing: no
new sockets, no fork, exec or non-thread clone, no signals to other processes, no ptrace, mounts,
namespaces, BPF, io_uring, keyrings, modules or clock changes. Threads stay allowed (``clone``
with CLONE_THREAD; ``clone3`` answers ENOSYS so glibc falls back to ``clone``). ``socketpair``
stays allowed because asyncio's event loop needs one; ``sendto`` with an address and
``sendmsg``/``sendmmsg`` are denied, so an unnamed pair cannot be aimed at a host listener
(``/dev/log``, journald, an abstract socket). In both profiles a file's owner for SIGIO/O_ASYNC
cannot be set (``fcntl F_SETOWN/F_SETOWN_EX/F_SETSIG``, ``ioctl FIOSETOWN/SIOCSPGRP``): that
would deliver a chosen signal to any process of the same uid. The ``user`` filter (the user's own
code, checked like ``python -m doctest``) also allows fork, exec and signals to pids >= 0 (its
own pool workers); the process budget is RLIMIT_NPROC. Where the child's mounts cannot be made
read-only (``layers.Config.attrs_confined``), both filters also refuse every call that changes a
file's mode, owner, times or extended attributes (``ATTRS_X86_64``), by path or descriptor,
everywhere: seccomp cannot see which directory a path names, so the temp dir loses them too.
Denied calls fail with EPERM rather than killing, so the code sees an ordinary Python exception. Only x86_64 numbers are tabled; elsewhere
the layer reports itself unavailable.
"""

from __future__ import annotations

import ctypes
import platform
import struct
import sys

_AUDIT_ARCH_X86_64 = 0xC000003E
_X32_BIT = 0x40000000
_CLONE_THREAD = 0x00010000
_EPERM, _ENOSYS = 1, 38

_RET_ALLOW = 0x7FFF0000
_RET_ERRNO = 0x00050000
_RET_KILL_PROCESS = 0x80000000

_LD_ABS_W, _JA, _JEQ, _JGE, _JSET, _RET = 0x20, 0x05, 0x15, 0x35, 0x45, 0x06
_OFF_NR, _OFF_ARCH = 0, 4


def _arg_lo(i: int) -> int:
    return 16 + 8 * i


def _arg_hi(i: int) -> int:
    return 20 + 8 * i


# x86_64 numbers of the calls denied outright.
DENIED_X86_64: dict[str, int] = {
    "socket": 41, "connect": 42, "accept": 43, "bind": 49, "listen": 50, "accept4": 288,
    "fork": 57, "vfork": 58, "execve": 59, "execveat": 322,
    "tkill": 200, "rt_sigqueueinfo": 129, "rt_tgsigqueueinfo": 297,
    "pidfd_send_signal": 424, "pidfd_open": 434, "pidfd_getfd": 438,
    "ptrace": 101, "process_vm_readv": 310, "process_vm_writev": 311, "kcmp": 312,
    "process_madvise": 440, "get_robust_list": 274, "migrate_pages": 256, "move_pages": 279,
    "mount": 165, "umount2": 166, "pivot_root": 155, "chroot": 161, "unshare": 272, "setns": 308,
    "open_tree": 428, "move_mount": 429, "fsopen": 430, "fsconfig": 431, "fsmount": 432,
    "fspick": 433, "mount_setattr": 442,
    "bpf": 321, "perf_event_open": 298, "userfaultfd": 323,
    "io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427,
    "keyctl": 250, "add_key": 248, "request_key": 249,
    "init_module": 175, "finit_module": 313, "delete_module": 176,
    "kexec_load": 246, "kexec_file_load": 320, "reboot": 169, "swapon": 167, "swapoff": 168,
    "settimeofday": 164, "clock_settime": 227, "clock_adjtime": 305, "adjtimex": 159,
    "acct": 163, "quotactl": 179, "syslog": 103, "vhangup": 153,
    "mknod": 133, "mknodat": 259, "name_to_handle_at": 303, "open_by_handle_at": 304,
    "personality": 135, "iopl": 172, "ioperm": 173, "setpriority": 141,
}  # fmt: skip
# mode, owner, times and extended attributes of files: denied only where read-only mounts do not
# already refuse them outside the temp dir (``install(deny_attrs=True)``)
ATTRS_X86_64: dict[str, int] = {
    "chmod": 90, "fchmod": 91, "fchmodat": 268, "fchmodat2": 452,
    "chown": 92, "fchown": 93, "lchown": 94, "fchownat": 260,
    "utime": 132, "utimes": 235, "futimesat": 261, "utimensat": 280,
    "setxattr": 188, "lsetxattr": 189, "fsetxattr": 190, "setxattrat": 463,
    "removexattr": 197, "lremovexattr": 198, "fremovexattr": 199, "removexattrat": 466,
}  # fmt: skip
_NR_CLONE, _NR_CLONE3, _NR_KILL, _NR_TGKILL = 56, 435, 62, 234
_NR_FCNTL, _NR_IOCTL, _NR_SENDTO, _NR_SENDMSG, _NR_SENDMMSG = 72, 16, 44, 46, 307
_F_SETOWN, _F_SETSIG, _F_SETOWN_EX = 8, 10, 15
_FIOSETOWN, _SIOCSPGRP = 0x8901, 0x8902
# what the user profile may do that candidates may not: start processes
_USER_ALLOWED = {"fork", "vfork", "execve", "execveat"}
PROFILES = ("strict", "user")

_PR_SET_SECCOMP = 22
_SECCOMP_MODE_FILTER = 2
_libc = ctypes.CDLL(None, use_errno=True)


def available() -> bool:
    """True when this architecture's table exists and the kernel has seccomp filters."""
    if sys.platform != "linux" or platform.machine() != "x86_64":
        return False
    return int(_libc.prctl(21, 0, 0, 0, 0)) >= 0  # PR_GET_SECCOMP


def _ins(code: int, k: int, jt: int = 0, jf: int = 0) -> bytes:
    return struct.pack("=HBBI", code, jt, jf, k & 0xFFFFFFFF)


def _own_pid_only(nr: int, pid: int) -> list[bytes]:
    """Allow syscall ``nr`` only when its first argument is this process's pid."""
    errno = _RET_ERRNO | _EPERM
    return [
        _ins(_JEQ, nr, 0, 6),
        _ins(_LD_ABS_W, _arg_hi(0)),
        _ins(_JEQ, 0, 0, 3),
        _ins(_LD_ABS_W, _arg_lo(0)),
        _ins(_JEQ, pid, 0, 1),
        _ins(_RET, _RET_ALLOW),
        _ins(_RET, errno),
    ]


def _deny_arg_values(nr: int, arg: int, values: tuple[int, ...]) -> list[bytes]:
    """Deny syscall ``nr`` when the low word of argument ``arg`` is one of ``values``.

    Expects the syscall number in A and leaves it there on every path that falls through.
    """
    m = len(values)
    block = [_ins(_JEQ, nr, 0, 4 + m), _ins(_LD_ABS_W, _arg_lo(arg))]
    block += [_ins(_JEQ, v, m - i + 1, 0) for i, v in enumerate(values)]
    block += [_ins(_LD_ABS_W, _OFF_NR), _ins(_JA, 1), _ins(_RET, _RET_ERRNO | _EPERM)]
    return block


def _deny_if_pointer(nr: int, arg: int) -> list[bytes]:
    """Deny ``nr`` when argument ``arg`` (a pointer) is not NULL; allow it otherwise."""
    return [
        _ins(_JEQ, nr, 0, 6),
        _ins(_LD_ABS_W, _arg_lo(arg)),
        _ins(_JEQ, 0, 0, 3),
        _ins(_LD_ABS_W, _arg_hi(arg)),
        _ins(_JEQ, 0, 0, 1),
        _ins(_RET, _RET_ALLOW),
        _ins(_RET, _RET_ERRNO | _EPERM),
    ]


def _non_negative_pid_only(nr: int) -> list[bytes]:
    """Allow ``nr`` when its first argument (a pid) is >= 0: never -1 or a process group."""
    return [
        _ins(_JEQ, nr, 0, 4),
        _ins(_LD_ABS_W, _arg_hi(0)),
        _ins(_JEQ, 0, 0, 1),
        _ins(_RET, _RET_ALLOW),
        _ins(_RET, _RET_ERRNO | _EPERM),
    ]


def _pid_independent_head(profile: str, deny_attrs: bool) -> bytes:
    """Everything of the filter up to the own-pid checks (built once per profile, at import)."""
    errno = _RET_ERRNO | _EPERM
    prog = [
        _ins(_LD_ABS_W, _OFF_ARCH),
        _ins(_JEQ, _AUDIT_ARCH_X86_64, 1, 0),
        _ins(_RET, _RET_KILL_PROCESS),
        _ins(_LD_ABS_W, _OFF_NR),
        _ins(_JGE, _X32_BIT, 0, 1),
        _ins(_RET, errno),
        _ins(_JEQ, _NR_CLONE3, 0, 1),
        _ins(_RET, _RET_ERRNO | _ENOSYS),
    ]
    skip = _USER_ALLOWED if profile == "user" else set()
    denied = {name: nr for name, nr in DENIED_X86_64.items() if name not in skip}
    if deny_attrs:
        denied.update(ATTRS_X86_64)
    for nr in sorted(denied.values()):
        prog += [_ins(_JEQ, nr, 0, 1), _ins(_RET, errno)]
    prog += _deny_arg_values(_NR_FCNTL, 1, (_F_SETOWN, _F_SETSIG, _F_SETOWN_EX))
    prog += _deny_arg_values(_NR_IOCTL, 1, (_FIOSETOWN, _SIOCSPGRP))
    if profile == "user":
        return b"".join(prog)
    prog += _deny_if_pointer(_NR_SENDTO, 4)
    prog += [_ins(_JEQ, _NR_SENDMSG, 0, 1), _ins(_RET, errno)]
    prog += [_ins(_JEQ, _NR_SENDMMSG, 0, 1), _ins(_RET, errno)]
    prog += [
        _ins(_JEQ, _NR_CLONE, 0, 4),
        _ins(_LD_ABS_W, _arg_lo(0)),
        _ins(_JSET, _CLONE_THREAD, 0, 1),
        _ins(_RET, _RET_ALLOW),
        _ins(_RET, errno),
    ]
    return b"".join(prog)


# built in the zygote at import, so each child only packs the few pid-dependent instructions
_HEADS = {
    (profile, deny_attrs): _pid_independent_head(profile, deny_attrs)
    for profile in PROFILES
    for deny_attrs in (False, True)
}


def build_filter(pid: int, profile: str = "strict", deny_attrs: bool = True) -> bytes:
    """The BPF program for a process whose pid is ``pid``, for trust ``profile``.

    ``deny_attrs``: also refuse ``ATTRS_X86_64`` (when read-only mounts do not).
    """
    head = _HEADS[profile, deny_attrs]
    if profile == "user":  # its pool workers are its own children; Landlock scopes bound it
        prog = [head, *_non_negative_pid_only(_NR_KILL)]
        prog += _non_negative_pid_only(_NR_TGKILL)
        return b"".join([*prog, _ins(_RET, _RET_ALLOW)])
    prog = [head, *_own_pid_only(_NR_KILL, pid), _ins(_LD_ABS_W, _OFF_NR)]
    prog += _own_pid_only(_NR_TGKILL, pid)
    prog += [_ins(_RET, _RET_ALLOW)]
    return b"".join(prog)


class _SockFprog(ctypes.Structure):
    _fields_ = (("len", ctypes.c_ushort), ("filter", ctypes.c_void_p))


def install(pid: int, profile: str = "strict", deny_attrs: bool = True) -> int:
    """Load the filter into this process (needs no_new_privs); returns the instruction count."""
    if platform.machine() != "x86_64":
        raise OSError(38, "seccomp table only for x86_64")
    code = build_filter(pid, profile, deny_attrs)
    buf = ctypes.create_string_buffer(code, len(code))
    prog = _SockFprog(len(code) // 8, ctypes.cast(buf, ctypes.c_void_p))
    if _libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(prog), 0, 0) != 0:
        err = ctypes.get_errno()
        raise OSError(err, "seccomp filter refused")
    return len(code) // 8
