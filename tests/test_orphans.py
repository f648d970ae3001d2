"""Every child dies with its parent: the CLI killed mid-search (SIGKILL, or SIGTERM as from
``timeout 6 synthls synth`` or an editor's reload) leaves no search child burning a core and no
sandbox worker behind."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc"),
]

# nothing in the search space gives these: the search runs for its whole budget
NOISE = '''\
def noise(a, b):
    """
    >>> noise(1, 2)
    [7, 'q', 4.5]
    >>> noise(3, 9)
    {'z': (1, 2)}
    """
    ...
'''
WORKER = "synthls.synth.embedded.worker"


def _stat(pid: int) -> tuple[str, int] | None:
    """(state, parent pid) of ``pid``, None when it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    state, ppid = text[text.rindex(")") + 2 :].split()[:2]
    return state, int(ppid)


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def descendants(root: int) -> set[int]:
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (st := _stat(int(entry))) is not None:
            parents[int(entry)] = st[1]
    found: set[int] = set()
    frontier = {root}
    while frontier:
        frontier = {pid for pid, ppid in parents.items() if ppid in frontier} - found
        found |= frontier
    return found


def running(pid: int) -> bool:
    st = _stat(pid)
    return st is not None and st[0] not in ("Z", "X")


def wait_until(predicate: object, timeout: float) -> float:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if predicate():  # type: ignore[operator]
            return time.monotonic() - start
        time.sleep(0.02)
    raise AssertionError("not reached in time")


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_the_search_child_and_the_sandbox_die_with_the_cli(tmp_path: Path, sig: int) -> None:
    path = tmp_path / "noise.py"
    path.write_text(NOISE)
    env = {
        **os.environ,
        "SYNTHLS_ENGINE": "embedded",
        "SYNTHLS_NO_LOCAL_MODEL": "1",
        "SYNTHLS_SETTINGS": json.dumps({"embedded": {"budget": 60}, "deadline": 120}),
    }
    cli = subprocess.Popen(
        [sys.executable, "-m", "synthls", "synth", str(path)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    children: set[int] = set()
    try:
        wait_until(lambda: any(WORKER in _cmdline(p) for p in descendants(cli.pid)), 60)
        time.sleep(0.5)  # the search is under way
        children = descendants(cli.pid)
        search = [p for p in children if WORKER in _cmdline(p)]
        assert len(search) == 1 and running(search[0])
        assert len(children) > 1  # the sandbox worker and its children too
        os.kill(cli.pid, sig)
        cli.wait(10)
        took = wait_until(lambda: not any(running(p) for p in children), 2.0)
        sys.stderr.write(f"children gone {took:.2f} s after {sig!r}\n")
    finally:
        with contextlib.suppress(ProcessLookupError):
            cli.kill()
        cli.wait()
        for pid in children:  # on failure: nothing left to burn the next test's cores
            with contextlib.suppress(ProcessLookupError, PermissionError):
                if running(pid):
                    os.kill(pid, signal.SIGKILL)


def _send(proc: subprocess.Popen[bytes], msg: dict[str, object]) -> None:
    body = json.dumps({"jsonrpc": "2.0", **msg}).encode()
    assert proc.stdin is not None
    proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    proc.stdin.flush()


def test_the_search_child_dies_with_the_language_server(tmp_path: Path) -> None:
    """An editor's reload kills the server mid-request: its search child goes with it."""
    uri = (tmp_path / "noise.py").as_uri()
    env = {**os.environ, "SYNTHLS_ENGINE": "embedded", "SYNTHLS_NO_LOCAL_MODEL": "1"}
    server = subprocess.Popen(
        [sys.executable, "-m", "synthls"],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    children: set[int] = set()
    try:
        options = {"embedded": {"budget": 60}, "deadline": 120, "diagnostics": {"enabled": False}}
        _send(server, {"id": 1, "method": "initialize", "params": {
            "processId": None, "rootUri": None, "capabilities": {},
            "initializationOptions": options,
        }})  # fmt: skip
        _send(server, {"method": "initialized", "params": {}})
        item = {"uri": uri, "languageId": "python", "version": 1, "text": NOISE}
        _send(server, {"method": "textDocument/didOpen", "params": {"textDocument": item}})
        _send(server, {"id": 2, "method": "workspace/executeCommand", "params": {
            "command": "synthls.synthesize", "arguments": [uri, 0],
        }})  # fmt: skip
        wait_until(lambda: any(WORKER in _cmdline(p) for p in descendants(server.pid)), 60)
        time.sleep(0.5)
        children = descendants(server.pid)
        os.kill(server.pid, signal.SIGKILL)
        server.wait(10)
        took = wait_until(lambda: not any(running(p) for p in children), 2.0)
        sys.stderr.write(f"server's children gone {took:.2f} s after SIGKILL\n")
    finally:
        with contextlib.suppress(ProcessLookupError):
            server.kill()
        server.wait()
        for pid in children:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                if running(pid):
                    os.kill(pid, signal.SIGKILL)
