"""``synthls doctor``: what this platform gives the sandbox, and proof that it works.

Starts a real sandbox, reports the platform and which isolation layers are active (and why the
others are not), then runs a small self-test: a correct candidate must pass, a wrong one must
fail, a hang must time out, and attempts to reach the network, write outside the temp dir,
read the user's home or start a process must all be contained.
"""

from __future__ import annotations

import asyncio
import os
import platform
import sys
import tempfile
from dataclasses import dataclass

from synthls.sandbox.runner import Limits, Sandbox
from synthls.sandbox.types import Program, RunResult
from synthls.spec.model import Example


@dataclass(frozen=True)
class _Check:
    name: str
    program: Program
    expect_pass: bool


def _example(source: str, want: str) -> Example:
    return Example(source=source, want=want, line=0)


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


async def _self_test(box: Sandbox) -> list[tuple[str, bool, str]]:
    with tempfile.TemporaryDirectory(prefix="synthls-doctor-") as tmp:
        os.chmod(tmp, 0o777)
        marker = os.path.join(tmp, "escaped")
        checks = _checks(marker)
        results: list[RunResult] = await asyncio.gather(*(box.run(c.program) for c in checks))
        escaped = os.path.exists(marker)
    lines = []
    for check, result in zip(checks, results):
        ok = result.all_passed == check.expect_pass
        if check.name.startswith("no writes") and escaped:
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
        out.append(f"  missing {layer}: {errors.get(layer, 'not supported on this platform')}")
    if info.get("imports_limited"):
        out.append(
            "  note: children run as nobody, who cannot read this interpreter's files, and "
            "there is no Landlock: only pre-imported modules are available to candidates"
        )
    out.append("self-test:")
    for name, ok, detail in tests:
        out.append(f"  [{'ok' if ok else 'FAIL'}] {name} ({detail})")
    passed = all(ok for _, ok, _ in tests)
    out.append("result:   " + ("ok" if passed else "FAILED"))
    return "\n".join(out), passed


def doctor_report() -> tuple[str, bool]:
    """Human-readable platform, layer and self-test report, and whether the self-test passed."""
    try:
        return asyncio.run(_report())
    except Exception as exc:  # the report itself must say what broke
        return f"sandbox could not start: {type(exc).__name__}: {exc}", False
