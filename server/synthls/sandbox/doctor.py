"""``synthls doctor``: what this platform gives the sandbox, and proof that it works.

Starts a real sandbox, reports the platform, which isolation layers are active (and why the
others are not) and what each trust profile gets, then runs a small self-test: a correct
candidate must pass, a wrong one must fail, a hang must time out, and attempts to reach the
network, write outside the temp dir, read the user's home, start a process, aim SIGIO at
another process or send a datagram to a host socket must all be contained, and a file outside
the temp dir must keep its mode, times and extended attributes; the temp dir must be capped, and the user profile must read its project and run a process pool (where the
platform gives the layers these need).
"""

from __future__ import annotations

import asyncio
import os
import platform
import sys
import tempfile
from dataclasses import dataclass

from synthls.intent.model import Example
from synthls.sandbox.client import Limits, Sandbox
from synthls.sandbox.types import Program, RunResult
from synthls.sandbox.worker.layers import BY_NAME


@dataclass(frozen=True)
class _Check:
    name: str
    program: Program
    expect_pass: bool
    expect_exc: str | None = None  # the exception that proves the layer stopped it


def _example(source: str, want: str) -> Example:
    return Example(source=source, want=want, line=0)


def _hostile(name: str, body: str, exc: str | None = None, **kw: object) -> _Check:
    setup = "def attack():\n" + "".join(f"    {line}\n" for line in body.splitlines())
    program = Program(setup, (_example("attack()", ""),), **kw)  # type: ignore[arg-type]
    return _Check(name, program, False, exc)


def _layer_checks(layers: tuple[str, ...], project: str) -> list[_Check]:
    """Checks of the newer limits (each only where its layer exists here)."""
    checks = []
    if "seccomp" in layers:
        sigio = "import fcntl, os\nr, w = os.pipe()\nfcntl.fcntl(r, fcntl.F_SETOWN, os.getppid())"
        unix = "import socket\na, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)\n"
        unix += "a.sendto(b'x', '/dev/log')"
        checks.append(
            _hostile("SIGIO cannot be aimed at other processes", sigio, "PermissionError")
        )
        checks.append(_hostile("no datagrams to host unix sockets", unix, "PermissionError"))
    if "tmp_quota" in layers:
        fill = "for i in range(6):\n    open(f'f{i}', 'wb').write(b'x' * (15 << 20))"
        checks.append(_hostile("temp dir has a total quota", fill, "OSError"))
        data = os.path.join(project, "data.txt")
        user = (
            f"import multiprocessing\nDATA = open({data!r}).read()\n"
            "def f():\n    with multiprocessing.Pool(2) as p:\n"
            "        return p.map(len, [DATA, DATA + DATA])\n"
        )
        program = Program(user, (_example("f()", "[2, 4]\n"),), trust="user", project=project)
        checks.append(_Check("user profile: reads its project, runs a pool", program, True))
    net = "import socket\nsocket.create_connection(('127.0.0.1', 22), 1)"
    kw = {"trust": "user", "project": project}
    checks.append(_hostile("user profile: network is unreachable", net, **kw))
    return checks


def _checks(marker: str) -> list[_Check]:
    add = "def add(a, b):\n    return a + b\n"
    hostile = {
        "network is unreachable": "import socket\ns = socket.create_connection(('127.0.0.1', 22), 1)\n",
        "no writes outside the temp dir": f"open({marker!r}, 'w').write('x')\n",
        "home directory is unreadable": f"import os\nos.listdir({os.path.expanduser('~')!r})\n",
        "cannot start processes": "import os\nos.system('true')\nos.fork()\n",
    }
    checks = [
        _Check("correct candidate passes", Program(add, (_example("add(1, 2)", "3\n"),)), True),
        _Check("wrong candidate fails", Program(add, (_example("add(1, 2)", "4\n"),)), False),
        _Check(
            "endless loop times out",
            Program("def f():\n    while True: pass\n", (_example("f()", ""),), timeout=1.0),
            False,
        ),
    ]
    for name, body in hostile.items():
        setup = "def attack():\n" + "".join(f"    {line}\n" for line in body.splitlines())
        checks.append(_Check(name, Program(setup, (_example("attack()", ""),)), False))
    return checks


_ATTRS_CHECK = "files outside the temp dir keep their mode, times and xattrs"


def _attrs_check(victim: str) -> _Check:
    """chmod, utime and setxattr on ``victim`` (owned by the children's uid): the example
    counts the calls that went through, which must be none."""
    setup = f"""import os

def attack():
    v = {victim!r}
    calls = (
        lambda: os.chmod(v, 0o777),
        lambda: os.utime(v, (0, 0)),
        lambda: os.setxattr(v, "user.synthls", b"x"),
    )
    done = 0
    for call in calls:
        try:
            call()
            done += 1
        except OSError:
            pass
    return done
"""
    return _Check(_ATTRS_CHECK, Program(setup, (_example("attack()", "0\n"),)), True)


def _file_state(path: str) -> tuple[int, int, list[str]]:
    st = os.stat(path)
    try:
        names = os.listxattr(path)
    except OSError:
        names = []
    return st.st_mode, st.st_mtime_ns, names


async def _self_test(box: Sandbox) -> list[tuple[str, bool, str]]:
    with tempfile.TemporaryDirectory(prefix="synthls-doctor-") as tmp:
        os.chmod(tmp, 0o777)
        marker = os.path.join(tmp, "escaped")
        with open(os.path.join(tmp, "data.txt"), "w") as fh:
            fh.write("ab")
        victim = os.path.join(tmp, "victim.txt")
        with open(victim, "w") as fh:
            fh.write("v")
        if os.geteuid() == 0 and "drop_uid" in box.layers:  # so only the sandbox stops it
            os.chown(victim, 65534, 65534)
        before = _file_state(victim)
        checks = _checks(marker) + _layer_checks(box.layers, tmp) + [_attrs_check(victim)]
        results: list[RunResult] = await asyncio.gather(*(box.run(c.program) for c in checks))
        escaped = os.path.exists(marker)
        changed = _file_state(victim) != before
    lines = []
    for check, result in zip(checks, results):
        ok = result.all_passed == check.expect_pass
        if check.expect_exc is not None:
            ok = ok and bool(result.examples) and result.examples[0].exc_type == check.expect_exc
        if check.name.startswith("no writes") and escaped:
            ok = False
        if check.name == _ATTRS_CHECK and changed:
            ok = False
        first = result.examples[0] if result.examples else None
        detail = (
            result.status if first is None else f"{first.status} {first.exc_type or ''}".strip()
        )
        lines.append((check.name, ok, detail))
    return lines


async def _report() -> tuple[str, bool]:
    box = Sandbox(Limits(timeout=5.0))
    try:
        await box.start()
        tests = await _self_test(box)
    finally:
        await box.close()
    info = box.info
    out = [
        f"platform: {platform.platform()} ({platform.machine()})",
        f"python:   {sys.version.split()[0]} at {sys.executable}",
        f"user:     uid {os.geteuid()}"
        + (" (root: children run as nobody)" if os.geteuid() == 0 else ""),
        f"landlock: ABI {info.get('landlock_abi', 0)}",
        "layers:   " + ", ".join(box.layers),
    ]
    errors = info.get("errors") or {}
    for layer in box.missing_layers():
        why = errors.get(layer) or f"not supported here (needs {BY_NAME[layer].needs})"
        out.append(f"  missing {layer}: {why}")
    if info.get("imports_limited"):
        out.append(
            "  note: children run as nobody, who cannot read this interpreter's files, and "
            "there is no Landlock: only pre-imported modules are available to candidates"
        )
    out += _profile_lines(info.get("profiles") or {})
    out.append("self-test:")
    for name, ok, detail in tests:
        out.append(f"  [{'ok' if ok else 'FAIL'}] {name} ({detail})")
    passed = all(ok for _, ok, _ in tests)
    out.append("result:   " + ("ok" if passed else "FAILED"))
    return "\n".join(out), passed


_WHO = {"strict": "engine candidates", "user": "your own code: diagnostics, synthls check"}


def _profile_lines(profiles: dict[str, dict[str, object]]) -> list[str]:
    """One block per trust profile: what it may read, processes, unix sockets, temp quota."""
    out = ["profiles:"]
    for name, p in profiles.items():
        quota = p.get("tmp_quota")
        procs = p.get("processes")
        out += [
            f"  {name} ({_WHO.get(name, name)}):",
            f"    reads:     {p.get('reads')}",
            "    processes: "
            + ("none" if procs == 0 else "no limit (root)" if procs is None else f"{procs} more"),
            f"    files:     chmod/chown/utime/xattr {p.get('files')}",
            "    network:   none"
            + ("; unix datagrams by path as the uid allows" if p.get("unix_send") else "")
            + ("" if p.get("unix_send") else "; no datagrams to host unix sockets"),
            "    temp dir:  "
            + (
                f"{int(quota) >> 20} MiB in all (private tmpfs)"  # type: ignore[call-overload]
                if quota
                else "no total quota here (no mount namespace); 16 MiB per file"
            )
            + ("; private /dev/shm" if p.get("shm") else ""),
        ]
    return out


def doctor_report() -> tuple[str, bool]:
    """Human-readable platform, layer and self-test report, and whether the self-test passed."""
    try:
        return asyncio.run(_report())
    except Exception as exc:  # the report itself must say what broke
        return f"sandbox could not start: {type(exc).__name__}: {exc}", False
