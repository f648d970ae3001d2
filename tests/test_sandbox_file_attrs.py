"""Mode, owner, times and extended attributes of files outside the temp dir (issue 38.2).

Landlock does not cover chmod, chown, utime or xattr changes; the sandbox refuses them with
read-only mounts (every mount of the child's namespace but its temp dir and private /dev/shm)
and, where those are missing, with seccomp everywhere. Every attack below targets a file (or its
directory) owned by the uid the children run as (nobody for a root server, the unprivileged
worker's own uid otherwise), so only the sandbox can stop it; it runs in both trust profiles,
as root and as an ordinary user (``any_box``). The file must be exactly as it was (mode, owner,
mtime, ctime - which any of these calls bumps - and xattrs) and the call must have raised.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import tempfile
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from synthls.intent.model import Example
from synthls.sandbox import Limits, Program, RunResult, Sandbox
from synthls.sandbox.types import Trust
from tests.conftest import unprivileged_sandbox

pytestmark = pytest.mark.asyncio(loop_scope="module")

BOX_LIMITS = Limits(timeout=10.0, parallel=2)
CHILD_UID = 65534 if os.geteuid() == 0 else os.geteuid()  # who the children run as
KEEP = b"keep"

# name -> code run in attack(); {V} is the victim file, {D} its directory, {SLEEPER} the pid of
# another process of the children's uid (outside the sandbox)
ATTACKS: dict[str, str] = {
    "chmod": "os.chmod({V!r}, 0o777)",
    "chmod_parent_dir": "os.chmod({D!r}, 0o777)",
    "fchmodat_dir_fd": "d = os.open({D!r}, os.O_PATH)\nos.chmod(os.path.basename({V!r}), 0o777, dir_fd=d)",
    "chmod_through_o_path_fd": "fd = os.open({V!r}, os.O_PATH)\nos.chmod(f'/proc/self/fd/{{fd}}', 0o777)",
    "fchmod_read_only_fd": "fd = os.open({V!r}, os.O_RDONLY)\nos.fchmod(fd, 0o777)",
    "fchmodat2_raw": (
        "import ctypes\nlibc = ctypes.CDLL(None, use_errno=True)\n"
        "if libc.syscall(452, -100, {V!r}.encode(), 0o777, 0) != 0:\n"
        "    raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))"
    ),
    "chown_to_own_uid": "os.chown({V!r}, os.getuid(), os.getgid())",
    "lchown_to_own_uid": "os.lchown({V!r}, os.getuid(), os.getgid())",
    "fchown_read_only_fd": "fd = os.open({V!r}, os.O_RDONLY)\nos.fchown(fd, os.getuid(), -1)",
    "utime": "os.utime({V!r}, (0, 0))",
    "utime_now": "os.utime({V!r})",
    "futimens_read_only_fd": "fd = os.open({V!r}, os.O_RDONLY)\nos.utime(fd, (0, 0))",
    "utime_raw": (
        "import ctypes\nlibc = ctypes.CDLL(None, use_errno=True)\n"
        "if libc.syscall(132, {V!r}.encode(), None) != 0:\n"
        "    raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))"
    ),
    "setxattr": "os.setxattr({V!r}, 'user.pwned', b'1')",
    "lsetxattr": "os.setxattr({V!r}, 'user.pwned', b'1', follow_symlinks=False)",
    "fsetxattr_read_only_fd": "fd = os.open({V!r}, os.O_RDONLY)\nos.setxattr(fd, 'user.pwned', b'1')",
    "removexattr": "os.removexattr({V!r}, 'user.keep')",
    "fremovexattr_read_only_fd": "fd = os.open({V!r}, os.O_RDONLY)\nos.removexattr(fd, 'user.keep')",
    "chmod_through_proc_root_of_the_uids_process": (
        "os.chmod('/proc/{SLEEPER}/root' + {V!r}, 0o777)"
    ),
}  # fmt: skip

# what a program may still do in its own temp dir (shutil.copy2 calls utime, chmod, setxattr)
IN_TEMP_DIR = """
import os, shutil

def own_files():
    open("a", "w").write("x")
    os.chmod("a", 0o640)
    os.utime("a", (5, 5))
    shutil.copy2("a", "b")
    try:
        os.setxattr("b", "user.mine", b"1")
    except OSError as exc:  # tmpfs without user xattrs (Linux < 6.6)
        if exc.errno != 95:
            raise
    st = os.stat("b")
    return oct(st.st_mode & 0o777), st.st_mtime
"""
OWN_FILES = "('0o640', 5.0)\n"


def _state(path: Path) -> tuple[int, int, int, int, int, list[tuple[str, bytes]]]:
    st = os.lstat(path)
    xattrs = [(name, os.getxattr(path, name)) for name in sorted(os.listxattr(path))]
    return st.st_mode, st.st_uid, st.st_gid, st.st_mtime_ns, st.st_ctime_ns, xattrs


class Victims:
    """One directory per attack and profile, owned by the children's uid, with one file in it."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="synthls-attrs-", dir="/tmp"))
        self.root.chmod(0o755)

    def make(self, name: str) -> tuple[Path, Path]:
        where = self.root / name
        where.mkdir(0o755)
        victim = where / "victim.txt"
        victim.write_text("victim\n")
        victim.chmod(0o644)
        os.setxattr(victim, "user.keep", KEEP)
        os.utime(victim, (1_000_000, 1_000_000))
        if os.geteuid() == 0:
            os.chown(where, CHILD_UID, CHILD_UID)
            os.chown(victim, CHILD_UID, CHILD_UID)
        return where, victim


@pytest.fixture(scope="module")
def victims() -> Iterator[Victims]:
    made = Victims()
    yield made
    shutil.rmtree(made.root, ignore_errors=True)


@pytest.fixture(scope="module")
def sleeper() -> Iterator[int]:
    """A process of the children's uid outside the sandbox (its /proc/<pid>/root leads to the
    host's mounts)."""
    cmd = ["sleep", "600"]
    if os.geteuid() == 0:
        cmd = ["setpriv", f"--reuid={CHILD_UID}", f"--regid={CHILD_UID}", "--clear-groups", *cmd]
    proc = subprocess.Popen(cmd)
    yield proc.pid
    proc.kill()
    proc.wait()


def _attack(code: str, trust: Trust, project: Path) -> Program:
    setup = (
        "import os\n\ndef attack():\n" + textwrap.indent(code, "    ") + "\n    return 'escaped'\n"
    )
    example = Example("attack()", "'escaped'\n", 0)
    return Program(setup, (example,), timeout=10.0, trust=trust, project=str(project))


async def _run_all(
    box: Sandbox, victims: Victims, sleeper: int, tag: str
) -> tuple[list[str], dict[str, RunResult]]:
    """Every attack in both profiles; returns the problems found and the results by name."""
    planned: list[tuple[Trust, str, Path, Path, tuple[object, ...], tuple[object, ...], str]] = []
    trusts: tuple[Trust, ...] = ("strict", "user")
    for trust in trusts:
        for name, code in ATTACKS.items():
            where, victim = victims.make(f"{tag}-{trust}-{name}")
            text = code.format(V=str(victim), D=str(where), SLEEPER=sleeper)
            key = f"{trust} {name}"
            planned.append((trust, key, where, victim, _state(victim), _state(where), text))
    results = await asyncio.gather(
        *(box.run(_attack(text, trust, where)) for trust, _, where, _, _, _, text in planned)
    )
    problems, by_name = [], {}
    for (_, key, where, victim, before, dir_before, _), result in zip(planned, results):
        by_name[key] = result
        first = result.examples[0] if result.examples else None
        if first is None or first.exc_type not in ("PermissionError", "OSError"):
            problems.append(f"{key}: did not raise ({result})")
        if _state(victim) != before:
            problems.append(f"{key}: the file changed {before} -> {_state(victim)}")
        if _state(where) != dir_before:
            problems.append(f"{key}: its directory changed {dir_before} -> {_state(where)}")
    return problems, by_name


async def test_modes_owners_times_and_xattrs_outside_the_temp_dir_are_refused(
    any_box: Sandbox, victims: Victims, sleeper: int
) -> None:
    box = any_box
    tag = "root" if box.info["uid"] == 0 else "user"
    problems, results = await _run_all(box, victims, sleeper, tag)
    assert not problems, "\n".join(problems)
    # read-only mounts refuse what the uid's permissions allow: EROFS, whatever the profile
    assert "[Errno 30]" in (results["user chmod"].examples[0].exc_msg or "")
    assert "[Errno 30]" in (results["strict utime"].examples[0].exc_msg or "")
    project = victims.root
    own = await asyncio.gather(
        *(
            box.run(
                Program(
                    IN_TEMP_DIR,
                    (Example("own_files()", OWN_FILES, 0),),
                    trust=trust,
                    project=str(project),
                )
            )
            for trust in ("strict", "user")
        )
    )
    assert [r.examples[0].got for r in own] == [OWN_FILES] * 2, own


@pytest.mark.parametrize("who", ["as_root_or_self", "unprivileged"])
async def test_without_landlock_seccomp_refuses_them_everywhere(
    who: str, victims: Victims, sleeper: int
) -> None:
    """Read-only mounts alone leave /proc/<pid>/root of the uid's other processes (their mounts
    are writable) within reach; without Landlock to close it, seccomp denies the calls with
    EPERM everywhere, the temp dir included."""
    tmp = Path(tempfile.mkdtemp(prefix="synthls-worker-copy-", dir="/tmp"))
    limits = Limits(timeout=10.0, parallel=2)
    box = unprivileged_sandbox(tmp, limits) if who == "unprivileged" else Sandbox(limits)
    box.want_layers = {"landlock": False}
    try:
        await box.start()
        problems, results = await _run_all(box, victims, sleeper, f"nolandlock-{who}")
        own = await box.run(
            Program(
                IN_TEMP_DIR,
                (Example("own_files()", OWN_FILES, 0),),
                trust="user",
                project=str(victims.root),
            )
        )
    finally:
        await box.close()
        shutil.rmtree(tmp, ignore_errors=True)
    assert "landlock" not in box.layers and "seccomp" in box.layers
    assert not problems, "\n".join(problems)
    raised = {key: r.examples[0].exc_type for key, r in results.items()}
    assert raised == dict.fromkeys(raised, "PermissionError")
    assert own.examples[0].exc_type == "PermissionError", own
