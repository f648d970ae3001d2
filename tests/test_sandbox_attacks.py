"""Hostile candidates, really run, as root and as an unprivileged user.

Every attack sits in ``add(a, b)`` (or at import time) and reaches ``return a + b`` only if it
escaped, so a pass would mean the sandbox failed. For each attack: the verdict is not a pass,
the child ended within the deadline + 1 s (as measured by the worker, not counting queueing),
nothing in the canary directory changed (it is world-writable, so only the sandbox can stop a
write), no marker file appeared, the localhost listener got no connection, the worker survived,
and no process is left behind. The unprivileged run drives a copy of the stdlib-only worker with
Debian's ``/usr/bin/python3`` under ``setpriv`` as uid 65534.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import shutil
import socket
import stat
import subprocess
import tempfile
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from synthls.intent.model import Example
from synthls.sandbox import Limits, Program, RunResult, Sandbox
from synthls.sandbox.client import ALL_LAYERS

pytestmark = pytest.mark.asyncio(loop_scope="module")

DEADLINE = 1.5
LIMITS = Limits(timeout=DEADLINE, memory_mb=512, cpu_seconds=3, output_bytes=1 << 16, parallel=2)
BOX_LIMITS = LIMITS  # the limits of `any_box` (tests/conftest.py)
EXAMPLE = Example(source="add(1, 2)", want="3\n", line=0)

# name -> (where, code). "body" code runs inside add(); "module" code runs at import time.
ATTACKS: dict[str, tuple[str, str]] = {
    "infinite_loop": ("body", "while True:\n    pass"),
    "sleep_forever": ("body", "import time\ntime.sleep(10 ** 6)"),
    "deep_recursion_limit_raised": (
        "body",
        "sys.setrecursionlimit(10 ** 8)\ndef r(n):\n    return r(n + 1) + 1\nr(0)",
    ),
    "memory_bomb_10gib": ("body", "x = bytearray(10 << 30)\nx[-1] = 1"),
    "memory_bomb_incremental": (
        "body",
        "hog = []\nwhile True:\n    hog.append(bytearray(1 << 24))",
    ),
    "fork_bomb_bounded": (
        "body",
        "for _ in range(50):\n    if os.fork() == 0:\n        import time\n        time.sleep(60)\n"
        "        os._exit(0)",
    ),
    "spawn_shell": (
        "body",
        "import subprocess\nsubprocess.run(['/bin/sh', '-c', 'touch {MARK}_sh'], check=True)",
    ),
    "spawn_shell_system_posix_spawn": (
        "body",
        "assert os.system('touch {MARK}_sys') == 0\n"
        "os.posix_spawn('/bin/sh', ['sh', '-c', 'touch {MARK}_ps'], {{}})",
    ),
    "write_outside": ("body", "open('{CANARY}/victim.txt', 'w').write('pwned')"),
    "create_outside": ("body", "open('{CANARY}/new.txt', 'x').write('pwned')"),
    "write_tmp": ("body", "open('{PWNED}', 'w').write('x')"),
    "delete_outside": ("body", "os.remove('{CANARY}/delete_me.txt')"),
    "delete_outside_ctypes": (
        "body",
        "import ctypes\nlibc = ctypes.CDLL(None, use_errno=True)\n"
        "assert libc.unlink(b'{CANARY}/delete_me_ctypes.txt') == 0\n"
        "fd = libc.open(b'{CANARY}/ctypes_new.txt', 0o101, 0o666)\nassert fd >= 0",
    ),
    "read_shadow": ("body", "open('/etc/shadow').read()"),
    "read_ssh_and_secrets": (
        "body",
        "try:\n    os.listdir('{HOME}/.ssh')\nexcept FileNotFoundError:\n    pass\n"
        "assert 'TOP' in open('{CANARY}/secret.txt').read()",
    ),
    "read_server_environment": (
        "body",
        "assert 'sk-' in os.environ.get('SYNTHLS_FAKE_API_KEY', '') or "
        "b'sk-' in open('/proc/{SERVER_PID}/environ', 'rb').read()",
    ),
    "tcp_to_localhost": (
        "body",
        "import socket\nsocket.create_connection(('127.0.0.1', {PORT}), timeout=1).sendall(b'pwned')",
    ),
    "kill_parent": ("body", "os.kill(os.getppid(), 9)\nos.kill({SERVER_PID}, 0)"),
    "kill_minus_one": ("body", "os.kill(-1, 9)"),
    "stdout_1gib": (
        "body",
        "chunk = b'x' * (1 << 20)\nfor _ in range(256):\n    os.write(1, chunk)\n    os.write(2, chunk)\n"
        "line = 'x' * (1 << 20)\nfor _ in range(1024):\n    print(line)",
    ),
    "sys_exit": ("body", "sys.exit(0)"),
    "os_exit_zero": ("body", "os._exit(0)"),
    "forge_result_channel": (
        "module",
        "import json\nfor fd in range(3, 64):\n    try:\n"
        '        os.write(fd, b\'{{"ev": "setup_ok"}}\\n{{"ev": "ex", "i": 0, "got": "3\\\\n"}}\\n\'\n'
        '                 b\'{{"status": "passed", "passed": true}}\\n{{"ev": "done"}}\\n\')\n'
        "    except OSError:\n        pass\nos._exit(0)",
    ),
    "print_pass_markers": (
        "body",
        "print('3')\nprint('passed', '{{\"ev\": \"done\"}}')\nreturn None",
    ),
    "patch_checker": (
        "module",
        "import doctest\ndoctest.OutputChecker.check_output = lambda *a, **k: True\n"
        "doctest.DocTestRunner.run = lambda *a, **k: doctest.TestResults(0, 1)\n"
        "import builtins\nbuiltins.repr = lambda v: '3'\nsys.displayhook = lambda v: print('3')",
    ),
    "threads_outlive_example": (
        "body",
        "import threading, time\ndef late():\n    time.sleep(0.3)\n"
        "    open('{MARK}_thread', 'w').write('x')\n"
        "threading.Thread(target=late).start()\nreturn a - b",
    ),
    "ignore_sigterm": (
        "body",
        "import signal\nfor s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGXCPU):\n"
        "    signal.signal(s, signal.SIG_IGN)\nwhile True:\n    pass",
    ),
    "close_all_fds": ("body", "os.closerange(0, 1024)"),
    "flood_result_channel": ("body", "for _ in range(1 << 14):\n    os.write(3, b'x' * (1 << 16))"),
    "file_size_bomb": ("body", "open('big', 'wb').write(b'x' * (64 << 20))"),
    "inode_flood": ("body", "i = 0\nwhile True:\n    open(str(i), 'w').close()\n    i += 1"),
}


def _program(name: str, env: dict[str, str]) -> Program:
    where, code = ATTACKS[name]
    code = code.format(**env)
    if where == "module":
        setup = f"import os, sys\n{code}\ndef add(a, b):\n    return a - b\n"
    else:
        setup = (
            "import os, sys\ndef add(a, b):\n"
            + textwrap.indent(code, "    ")
            + "\n    return a + b\n"
        )
    return Program(setup=setup, examples=(EXAMPLE,), timeout=DEADLINE, filename=f"<{name}>")


@pytest.fixture(scope="module")
def canary() -> Iterator[Path]:
    root = Path(tempfile.mkdtemp(prefix="synthls-canary-", dir="/tmp"))
    root.chmod(0o777)
    for name, mode in [
        ("victim.txt", 0o666),
        ("delete_me.txt", 0o666),
        ("delete_me_ctypes.txt", 0o666),
    ]:
        (root / name).write_text("victim\n")
        (root / name).chmod(mode)
    (root / "secret.txt").write_text("TOPSECRET\n")
    (root / "secret.txt").chmod(0o644)
    yield root
    shutil.rmtree(root, ignore_errors=True)


def _snapshot(root: Path) -> dict[str, tuple[int, str]]:
    return {
        str(p.relative_to(root)): (p.stat().st_mode, hashlib.sha256(p.read_bytes()).hexdigest())
        for p in sorted(root.rglob("*"))
        if stat.S_ISREG(p.lstat().st_mode)
    }


@pytest.fixture(scope="module")
def box(any_box: Sandbox) -> Sandbox:
    """Every attack as root and as an ordinary user (``any_box``, tests/conftest.py)."""
    return any_box


def _children_of(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if int(fields[1]) == pid or (int(fields[3]) in _SESSIONS and int(entry) != pid):
                found.append(int(entry))
    return found


_SESSIONS: set[int] = set()


async def _leftovers(box: Sandbox) -> list[int]:
    """Processes of children that ran a program, or zygote children but spares and janitor."""
    _SESSIONS.update(box.child_pids)
    zygote = int(box.info["pid"])
    for _ in range(300):  # SIGKILLed processes may take a moment to be reaped on a busy box
        idle = (set(box.spare_pids) - set(box.child_pids)) | {box.info["janitor"]}
        left = [pid for pid in _children_of(zygote) if pid not in idle]
        if not left:
            return []
        await asyncio.sleep(0.02)
    return left


async def test_all_layers_active(box: Sandbox) -> None:
    assert set(ALL_LAYERS) - {"drop_uid"} <= set(box.layers)
    assert ("drop_uid" in box.layers) == (box.info["uid"] == 0)


async def test_attacks_are_contained(
    box: Sandbox, canary: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SYNTHLS_FAKE_API_KEY", "sk-do-not-leak")  # the worker must not inherit it
    # kill(-1, SIGKILL) is only safe to try when the layers that stop it are in place
    assert "seccomp" in box.layers and (box.info["uid"] != 0 or "drop_uid" in box.layers)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.setblocking(False)
    marks = Path(canary) / "marks"
    env = {
        "CANARY": str(canary),
        "MARK": str(marks),
        "HOME": os.path.expanduser("~"),
        "PORT": str(listener.getsockname()[1]),
        "SERVER_PID": str(os.getpid()),
        "PWNED": f"/tmp/synthls-pwned-{os.getpid()}-{id(box)}",
    }
    before = _snapshot(canary)
    zygote = box.info["pid"]
    names = list(ATTACKS)
    results: list[RunResult] = await asyncio.gather(*(box.run(_program(n, env)) for n in names))
    problems = []
    for name, result in zip(names, results):
        first = result.examples[0] if result.examples else None
        if result.all_passed or (first is not None and first.status == "passed"):
            problems.append(f"{name}: passed ({result})")
        if result.elapsed > DEADLINE + 1.0:
            problems.append(f"{name}: verdict after {result.elapsed:.2f}s")
    assert not problems, "\n".join(problems)
    assert _snapshot(canary) == before
    assert not list(canary.glob("marks*")) and not Path(env["PWNED"]).exists()
    with pytest.raises(BlockingIOError):
        listener.accept()
    listener.close()
    assert box.info["pid"] == zygote and os.path.exists(f"/proc/{zygote}")
    assert await _leftovers(box) == []


async def test_attacks_fail_for_the_expected_reason(box: Sandbox, canary: Path) -> None:
    env = {
        "CANARY": str(canary),
        "MARK": str(canary / "m"),
        "HOME": "/root",
        "PORT": "9",
        "SERVER_PID": "1",
    }
    expected = {
        "infinite_loop": "timeout",
        "sleep_forever": "timeout",
        "memory_bomb_10gib": "memory",
        "write_outside": "error",
        "forge_result_channel": "crashed",
        "flood_result_channel": "overflow",
        "stdout_1gib": "truncated",
        "sys_exit": "error",
    }
    results = await asyncio.gather(*(box.run(_program(n, env)) for n in expected))
    got = {}
    for name, result in zip(expected, results):
        got[name] = (
            result.status
            if expected[name] in ("crashed", "overflow")
            else result.examples[0].status
        )
    assert got == expected


async def test_the_canary_sees_an_escape_when_layers_are_switched_off(canary: Path) -> None:
    """Proof the checks above can fail: with only process hygiene, a write does escape."""
    off = {
        "landlock": False,
        "seccomp": False,
        "netns": False,
        "drop_uid": False,
        "readonly_mounts": False,
    }
    sandbox = Sandbox(LIMITS, want_layers=off)
    env = {"CANARY": str(canary), "MARK": "", "HOME": "", "PORT": "", "SERVER_PID": "", "PWNED": ""}
    victim = canary / "victim.txt"
    before = victim.read_text()
    try:
        result = await sandbox.run(_program("write_outside", env))
    finally:
        await sandbox.close()
        after = victim.read_text()
        victim.write_text(before)
    assert not set(off) & set(sandbox.layers)
    assert result.all_passed and after == "pwned"


async def test_without_landlock_root_still_drops_to_nobody(canary: Path) -> None:
    """Losing one layer must not lose the others: /etc/shadow stays unreadable."""
    sandbox = Sandbox(LIMITS, want_layers={"landlock": False})
    env = {"CANARY": str(canary), "MARK": "", "HOME": "", "PORT": "", "SERVER_PID": "", "PWNED": ""}
    try:
        result = await sandbox.run(_program("read_shadow", env))
    finally:
        await sandbox.close()
    assert "landlock" not in sandbox.layers
    assert ("drop_uid" in sandbox.layers) == (os.geteuid() == 0)
    assert not result.all_passed and result.examples[0].exc_type == "PermissionError"


SIGIO_ATTACKS = {
    "fcntl_setown_setsig": (
        "import fcntl\nr, w = os.pipe()\nfcntl.fcntl(r, fcntl.F_SETOWN, {VICTIM})\n"
        "fcntl.fcntl(r, 10, 9)  # F_SETSIG: SIGKILL\nfcntl.fcntl(r, fcntl.F_SETFL, os.O_ASYNC)\n"
        "os.write(w, b'x')"
    ),
    "fcntl_setown_ex": (
        "import fcntl, struct\nr, w = os.pipe()\n"
        "fcntl.fcntl(r, 15, struct.pack('ii', 1, {VICTIM}))  # F_SETOWN_EX, F_OWNER_PID\n"
        "fcntl.fcntl(r, fcntl.F_SETFL, os.O_ASYNC)\nos.write(w, b'x')"
    ),
    "ioctl_fiosetown": (
        "import fcntl, socket, struct\na, b = socket.socketpair()\n"
        "fcntl.ioctl(a, 0x8901, struct.pack('i', {VICTIM}))  # FIOSETOWN\n"
        "fcntl.ioctl(a, 0x5452, struct.pack('i', 1))  # FIOASYNC\nb.send(b'x')"
    ),
}


def _victim() -> subprocess.Popen[bytes]:
    """A process of the children's uid (nobody when the server is root) to be signalled."""
    cmd = ["sleep", "60"]
    if os.geteuid() == 0:
        cmd = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *cmd]
    return subprocess.Popen(cmd)


async def test_sigio_cannot_signal_other_processes_without_landlock_scopes() -> None:
    """O_ASYNC + F_SETOWN delivers a signal to any process of the uid; only Landlock's signal
    scope (Linux 6.12) or seccomp stop it, so this runs with Landlock off."""
    sandbox = Sandbox(LIMITS, want_layers={"landlock": False})
    victims = {name: _victim() for name in SIGIO_ATTACKS}
    programs = [
        Program(
            "import os, sys\ndef add(a, b):\n"
            + textwrap.indent(code.format(VICTIM=victims[name].pid), "    ")
            + "\n    import time\n    time.sleep(0.2)\n    return a + b\n",
            (EXAMPLE,),
            timeout=DEADLINE,
        )
        for name, code in SIGIO_ATTACKS.items()
    ]
    try:
        results = await asyncio.gather(*(sandbox.run(p) for p in programs))
        await asyncio.sleep(0.3)
        alive = {name: v.poll() is None for name, v in victims.items()}
    finally:
        await sandbox.close()
        for v in victims.values():
            v.kill()
            v.wait()
    assert "seccomp" in sandbox.layers and "landlock" not in sandbox.layers
    assert alive == dict.fromkeys(SIGIO_ATTACKS, True)
    assert [r.examples[0].exc_type for r in results] == ["PermissionError"] * len(programs)


UNIX_ATTACKS = {
    "sendto_dgram": "a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)\n"
    "a.sendto(b'pwned', {ADDR})",
    "sendmsg_dgram": "a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)\n"
    "a.sendmsg([b'pwned'], [], 0, {ADDR})",
    "connect_pair": "a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)\n"
    "a.connect({ADDR})\na.send(b'pwned')",
    "connect_new": "s = socket.socket(socket.AF_UNIX, socket.{KIND})\ns.connect({ADDR})\n"
    "s.send(b'pwned')",
}


async def test_unix_sockets_of_the_host_receive_nothing(box: Sandbox) -> None:
    """Datagram and stream listeners, by path (like /dev/log) and abstract: nothing arrives."""
    where = Path(tempfile.mkdtemp(prefix="synthls-unix-", dir="/tmp"))
    where.chmod(0o777)
    tag = f"synthls-{os.getpid()}-{id(box)}"
    listeners: list[tuple[socket.socket, str, str]] = []
    for kind in ("SOCK_DGRAM", "SOCK_STREAM"):
        for addr in (str(where / kind), "\0" + tag + kind):
            sock = socket.socket(socket.AF_UNIX, getattr(socket, kind))
            sock.bind(addr)
            if addr[0] != "\0":
                os.chmod(addr, 0o777)
            if kind == "SOCK_STREAM":
                sock.listen(8)
            sock.setblocking(False)
            listeners.append((sock, kind, addr))
    programs = []
    for _, kind, addr in listeners:
        for name, code in UNIX_ATTACKS.items():
            body = "import socket\n" + code.format(ADDR=repr(addr), KIND=kind)
            setup = "def add(a, b):\n" + textwrap.indent(body, "    ") + "\n    return a + b\n"
            programs.append((f"{name} {kind} {addr!r}", Program(setup, (EXAMPLE,))))
    try:
        results = await asyncio.gather(*(box.run(p) for _, p in programs))
        got = []
        for sock, kind, addr in listeners:
            with contextlib.suppress(BlockingIOError):
                got.append((kind, addr, sock.recv(64) if kind == "SOCK_DGRAM" else sock.accept()))
    finally:
        for sock, _, _ in listeners:
            sock.close()
        shutil.rmtree(where, ignore_errors=True)
    assert got == []
    assert [name for (name, _), r in zip(programs, results) if r.examples[0].passed] == []


async def test_a_flood_of_lines_is_cut_off_and_runs_in_flight_are_unaffected() -> None:
    """8 MiB of newlines on the result fd (under the byte cap): the flooder is cut off at the
    zygote, concurrent ordinary runs pass, and the worker is not restarted."""
    sandbox = Sandbox(Limits(timeout=10.0, parallel=4))
    flood = "import os\ndef add(a, b):\n    os.write(3, b'\\n' * (8 << 20))\n    return a + b\n"
    good = "def add(a, b):\n    return a + b\n"
    try:
        await sandbox.start()
        zygote = sandbox.info["pid"]
        runs = [Program(flood, (EXAMPLE,))] + [Program(good, (EXAMPLE,))] * 6
        results = await asyncio.gather(*(sandbox.run(p) for p in runs))
        after = await sandbox.run(Program(good, (EXAMPLE,)))
        same_worker = sandbox.info["pid"] == zygote and os.path.exists(f"/proc/{zygote}")
    finally:
        await sandbox.close()
    assert results[0].status == "overflow", results[0]
    flooder = results[0]
    assert "result channel flooded" in (flooder.setup_error or "") + str(flooder.examples[0])
    assert all(r.all_passed for r in results[1:]) and after.all_passed
    assert same_worker
