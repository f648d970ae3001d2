"""The local model's shared server (synthls.localmodel): one per user, private, started once by
two clients at once, gone after its idle time; and its state, lock and sources without a model."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from synthls.localmodel import shared, state
from synthls.localmodel.weights import GgufFile, ModelError, PackagedModel, source


def synthls(
    *args: str, env: dict[str, str], timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "synthls", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
    )


def record(pid: int) -> state.Record:
    return state.Record(pid, "http://127.0.0.1:1/v1", "k", "m.gguf", "m", 0.0, 600.0, 3.0)


def test_the_state_file_is_readable_by_the_user_only(tmp_path: Path) -> None:
    where = tmp_path / "server"
    state.write(where, record(os.getpid()))
    assert stat.S_IMODE((where / state.STATE).stat().st_mode) == 0o600
    assert stat.S_IMODE(where.stat().st_mode) == 0o700
    assert state.read(where) == record(os.getpid())
    assert state.last_load(where) == 3.0


def test_a_record_of_a_dead_process_is_no_server(tmp_path: Path) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    state.write(tmp_path, record(dead.pid))
    assert state.read(tmp_path) is None
    assert shared.status(GgufFile(tmp_path / "none.gguf"), tmp_path).state == "not installed"


def test_forget_keeps_a_newer_servers_record(tmp_path: Path) -> None:
    state.write(tmp_path, record(os.getpid()))
    state.forget(tmp_path, os.getpid() + 1)
    assert (tmp_path / state.STATE).exists()
    state.forget(tmp_path, os.getpid())
    assert not (tmp_path / state.STATE).exists()


def test_a_second_starter_waits_for_the_first(tmp_path: Path) -> None:
    with state.starting(tmp_path, 1):
        began = time.monotonic()
        with pytest.raises(TimeoutError), state.starting(tmp_path, 0.5):
            pass
        assert time.monotonic() - began >= 0.5
        assert shared.status(GgufFile(tmp_path / "x.gguf"), tmp_path).state == "starting"
    with state.starting(tmp_path, 0):
        pass


def test_a_users_gguf_must_be_a_gguf(tmp_path: Path) -> None:
    not_gguf = tmp_path / "model.gguf"
    not_gguf.write_bytes(b"PK\x03\x04 not a model")
    with pytest.raises(ModelError, match="not a GGUF"):
        GgufFile(not_gguf).path()
    with pytest.raises(ModelError, match="not a file"):
        GgufFile(tmp_path / "missing.gguf").path()
    good = tmp_path / "mine.gguf"
    good.write_bytes(b"GGUF" + bytes(8))
    assert source(str(good)).path() == good
    assert source(str(good)).name == "mine"
    assert isinstance(source(None), PackagedModel)


def test_model_status_on_the_command_line_says_not_installed(tmp_path: Path) -> None:
    env = {**os.environ, "SYNTHLS_SERVER_DIR": str(tmp_path / "srv")}
    env["SYNTHLS_SETTINGS"] = json.dumps({"model": {"path": str(tmp_path / "none.gguf")}})
    done = synthls("model", "status", env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "local model: not installed" in done.stdout
    stop = synthls("model", "stop", env=env, timeout=60)
    assert stop.stdout.strip() == "not running"


@pytest.mark.e2e
def test_two_clients_share_one_server_which_is_private_and_stops_when_idle(
    tmp_path: Path,
) -> None:
    where = tmp_path / "server"
    options = shared.Options(idle=6, threads=2)
    got: list[state.Record] = []
    waits: list[str] = []

    def client() -> None:
        got.append(shared.ensure(PackagedModel(), options, where=where, on_wait=waits.append))

    clients = [threading.Thread(target=client) for _ in range(2)]
    for c in clients:
        c.start()
    for c in clients:
        c.join(400)
    assert len(got) == 2 and got[0] == got[1]  # one server for both
    assert len(waits) == 1 and waits[0].startswith("starting the local model (first time ~")
    server = got[0]
    assert shared.status(PackagedModel(), where).state == "ready"
    rss = shared.rss_bytes(server.pid)
    assert rss is not None and rss < 2.5 * 2**30
    with pytest.raises(urllib.error.HTTPError) as refused:  # no key: another user is refused
        urllib.request.urlopen(server.base_url + "/models", timeout=30)
    assert refused.value.code == 401
    ok = urllib.request.Request(
        server.base_url + "/models", headers={"Authorization": f"Bearer {server.api_key}"}
    )
    with urllib.request.urlopen(ok, timeout=30) as answer:
        assert answer.status == 200
    deadline = time.monotonic() + 60
    while state.alive(server.pid) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not state.alive(server.pid), "the server outlived its idle time"
    assert not (where / state.STATE).exists()
    assert shared.status(PackagedModel(), where).state == "stopped"


@pytest.mark.e2e
def test_model_stop_stops_the_shared_server(tmp_path: Path) -> None:
    env = {**os.environ, "SYNTHLS_SERVER_DIR": str(tmp_path / "srv")}
    where = tmp_path / "srv"
    server = shared.ensure(PackagedModel(), shared.Options(idle=600, threads=2), where=where)
    try:
        status = synthls("model", "status", env=env, timeout=60)
        assert "local model: ready" in status.stdout
        assert server.base_url in status.stdout
        done = synthls("model", "stop", env=env, timeout=60)
        assert f"stopped the local model (pid {server.pid})" in done.stdout
        assert not state.alive(server.pid)
    finally:
        shared.stop(where)


def test_doctor_says_which_engine_a_request_would_use_and_why(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "SYNTHLS_NO_LOCAL_MODEL"}
    env["SYNTHLS_SERVER_DIR"] = str(tmp_path / "srv")
    env["SYNTHLS_SETTINGS"] = json.dumps({"model": {"path": str(tmp_path / "none.gguf")}})
    done = synthls("doctor", env=env, timeout=120)
    lines = done.stdout.splitlines()
    assert lines[0] == (
        "engine:   auto -> embedded (no model: openai.baseUrl is not set and the local model is "
        'not installed (pip install "synthls[local]"))'
    ), done.stdout
    assert lines[1].startswith("model:    none: not installed")
    assert lines[2].startswith("server:   not installed")
    env["SYNTHLS_BASE_URL"] = "http://127.0.0.1:9/v1"
    told = synthls("doctor", env=env, timeout=120)
    assert told.stdout.startswith(
        "engine:   auto -> openai (openai.baseUrl is set (http://127.0.0.1:9/v1))"
    )
