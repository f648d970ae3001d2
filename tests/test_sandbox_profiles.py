"""The two trust profiles, really run: the user's own code vs an engine's candidate.

"user" (diagnostics, ``synthls check``) may read its project directory and start a small pool
of processes, as under ``python -m doctest``; "strict" (engine candidates) may not, and may not
read a project that only an editable install's ``.pth`` put on ``sys.path`` (its ``.env``).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from synthls.intent.model import Example
from synthls.sandbox import Limits, Program, Sandbox
from synthls.sandbox.types import Trust
from tests.lsp_support import open_doc, session, wait_for

pytestmark = pytest.mark.asyncio(loop_scope="module")

ROOT = Path(__file__).parents[1]
SECRET = "API_KEY=sk-do-not-leak"


@pytest.fixture(scope="module")
def project() -> Iterator[Path]:
    """A project directory only root can read (like one under /root), with data and a .env."""
    root = Path(tempfile.mkdtemp(prefix="synthls-project-"))
    (root / "pyproject.toml").write_text("[project]\nname = 'demo'\n")
    (root / "data.txt").write_text("42\n")
    (root / ".env").write_text(SECRET + "\n")
    (root / "mypkg").mkdir()
    (root / "mypkg" / "__init__.py").write_text("VALUE = 7\n")
    yield root
    shutil.rmtree(root, ignore_errors=True)


def _run(box: Sandbox, setup: str, call: str, trust: Trust, project: Path) -> Program:
    return Program(
        setup=textwrap.dedent(setup),
        examples=(Example(call, "", 0, style="value"),),
        timeout=10.0,
        trust=trust,
        project=str(project),
    )


READS_DATA = """
import os
DATA = open({path!r}).read().strip()

def answer():
    return int(DATA)
"""


async def test_user_code_reads_a_data_file_of_its_project_strict_code_does_not(
    box: Sandbox, project: Path
) -> None:
    setup = READS_DATA.format(path=str(project / "data.txt"))
    user, strict = await asyncio.gather(
        box.run(_run(box, setup, "answer()", "user", project)),
        box.run(_run(box, setup, "answer()", "strict", project)),
    )
    assert user.status == "ok" and user.examples[0].got == "42", user
    assert strict.status == "setup_error", strict
    assert strict.setup_error is not None and "PermissionError" in strict.setup_error


POOL = """
import multiprocessing, subprocess, sys

def square(x):
    return x * x

def squares(n):
    with multiprocessing.Pool(2) as pool:
        return pool.map(square, range(n))

def child_output():
    return subprocess.run([sys.executable, "-I", "-S", "-c", "print(6 * 7)"],
                          capture_output=True, text=True).stdout
"""


async def test_user_code_may_use_a_small_process_pool_strict_code_may_not(
    any_box: Sandbox, project: Path
) -> None:
    box = any_box
    user, spawn, strict = await asyncio.gather(
        box.run(_run(box, POOL, "squares(5)", "user", project)),
        box.run(_run(box, POOL, "child_output()", "user", project)),
        box.run(_run(box, POOL, "squares(5)", "strict", project)),
    )
    assert user.examples[0].got == "[0, 1, 4, 9, 16]", user
    assert spawn.examples[0].got == "'42\\n'", spawn
    assert strict.examples[0].status == "error", strict


FORKS = """
import os, time

def forks():
    made = 0
    for _ in range(100):
        try:
            pid = os.fork()
        except OSError:
            break
        if pid == 0:
            time.sleep(60)
            os._exit(0)
        made += 1
    return made
"""


async def test_the_user_process_budget_is_small_and_nothing_outlives_the_run(
    any_box: Sandbox, project: Path
) -> None:
    box = any_box
    result = await box.run(_run(box, FORKS, "forks()", "user", project))
    made = int(result.examples[0].got)
    assert 1 <= made <= 40, result  # the budget, not the 100 asked for
    zygote = int(box.info["pid"])
    for _ in range(300):
        left = [p for p in _descendants(zygote) if p not in _idle(box)]
        if not left:
            break
        await asyncio.sleep(0.02)
    assert not left


def _idle(box: Sandbox) -> set[int]:
    return (set(box.spare_pids) - set(box.child_pids)) | {int(box.info["janitor"])}


def _descendants(pid: int) -> list[int]:
    kids = []
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            kids.append(int(entry))
    return kids


@pytest.fixture(scope="module")
def venv_with_project_on_path(project: Path) -> Iterator[Path]:
    """A venv whose site-packages has a .pth line naming the project (an editable install)."""
    where = Path(tempfile.mkdtemp(prefix="synthls-venv-"))
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", "--system-site-packages", str(where)],
        check=True,
    )
    python = where / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    Path(site, "demo_editable.pth").write_text(str(project) + "\n")
    yield python
    shutil.rmtree(where, ignore_errors=True)


async def test_strict_code_cannot_read_the_dotenv_of_a_project_on_sys_path(
    venv_with_project_on_path: Path, project: Path
) -> None:
    sandbox = Sandbox(Limits(timeout=10.0, parallel=2), python=str(venv_with_project_on_path))
    setup = f"import mypkg\n\ndef leak():\n    return open({str(project / '.env')!r}).read()\n"
    other = f"import mypkg\n\ndef leak():\n    return open({str(project / 'data.txt')!r}).read()\n"
    try:
        await sandbox.start()
        on_path = await sandbox.run(
            Program("import sys\n", (Example(f"{str(project)!r} in sys.path", "", 0, "value"),))
        )
        imported, dotenv, data = await asyncio.gather(
            sandbox.run(Program(setup, (Example("mypkg.VALUE", "", 0, style="value"),))),
            sandbox.run(Program(setup, (Example("leak()", "", 0, style="value"),))),
            sandbox.run(Program(other, (Example("leak()", "", 0, style="value"),))),
        )
    finally:
        await sandbox.close()
    assert on_path.examples[0].got == "True", on_path  # the .pth did put it there
    assert imported.examples[0].got == "7", imported  # a package it imports is readable
    assert "sk-" not in dotenv.examples[0].got and dotenv.examples[0].exc_type == "PermissionError"
    assert data.examples[0].exc_type == "PermissionError", data  # so is nothing else there


@pytest.mark.e2e
async def test_synthls_check_runs_the_users_code_with_its_project_readable(project: Path) -> None:
    source = project / "answer.py"
    source.write_text(
        textwrap.dedent(
            f'''
            DATA = open({str(project / "data.txt")!r}).read()

            def answer():
                """
                >>> answer()
                42
                """
                return int(DATA)
            '''
        )
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "server")}
    out = subprocess.run(
        [sys.executable, "-m", "synthls", "check", str(source), "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    report = json.loads(out.stdout)
    (example,) = report["functions"][0]["examples"]
    assert example["status"] == "passed", report


@pytest.mark.e2e
async def test_diagnostics_run_the_users_code_with_its_project_readable(project: Path) -> None:
    """Over a real LSP session: a module that reads its data at import gets no diagnostic."""
    text = textwrap.dedent(
        f'''
        DATA = open({str(project / "data.txt")!r}).read()

        def answer():
            """
            >>> answer()
            42
            """
            return int(DATA)
        '''
    )
    uri = (project / "reads_data.py").as_uri()
    async with session() as client:
        open_doc(client, uri, text)
        await wait_for(lambda: uri in client.diagnostics)
        assert list(client.diagnostics[uri]) == []
