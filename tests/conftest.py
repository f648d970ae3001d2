"""What the test modules share: the sandbox fixtures, and the order the tests run in.

``box`` is one started sandbox per module (a module may set ``BOX_LIMITS`` for other limits);
``any_box`` is the same once as root (children drop to nobody) and once as an ordinary user
(a copy of the worker under Debian's ``/usr/bin/python3``, ``setpriv`` to uid 65534).

The test extra installs the local model, so engine ``auto`` (the default) would start it for
every test that leaves the engine to the defaults: ``$SYNTHLS_NO_LOCAL_MODEL`` keeps ``auto`` on
the embedded search here (and in every server and CLI the tests start); the tests of the local
model itself remove it from the environment of the processes they start.

Tests marked ``e2e`` or ``nvim`` start real processes (the server, the CLI, Neovim, a llama.cpp
server with a real model); they run after all the others, so a unit failure shows within
seconds and the slow tests come last (``make test`` = the README's ``python -m pytest``).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from synthls.sandbox import Limits, Sandbox

pytest_plugins = ["pytester"]

os.environ["SYNTHLS_NO_LOCAL_MODEL"] = "1"  # see above: auto means the search in the tests
ROOT = Path(__file__).resolve().parents[1]
SYSTEM_PYTHON = "/usr/bin/python3"
BOX_LIMITS = Limits(timeout=10.0, parallel=2)
LAST = ("e2e", "nvim")


@pytest.hookimpl(trylast=True)  # after pytest groups the items by their parametrized fixtures
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """End-to-end tests last, each group in the order it was collected."""
    items.sort(key=is_e2e)


def is_e2e(item: pytest.Item) -> bool:
    return any(item.get_closest_marker(name) for name in LAST)


def module_limits(request: pytest.FixtureRequest) -> Limits:
    limits = getattr(request.module, "BOX_LIMITS", BOX_LIMITS)
    assert isinstance(limits, Limits), f"{request.module.__name__}.BOX_LIMITS is not Limits"
    return limits


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def box(request: pytest.FixtureRequest) -> AsyncIterator[Sandbox]:
    sandbox = Sandbox(module_limits(request))
    await sandbox.start()
    try:
        yield sandbox
    finally:
        await sandbox.close()


@pytest_asyncio.fixture(
    loop_scope="module", scope="module", params=["as_root_or_self", "unprivileged"]
)
async def any_box(request: pytest.FixtureRequest) -> AsyncIterator[Sandbox]:
    """As root (children drop to nobody) and as an ordinary user (user namespace)."""
    tmp = Path(tempfile.mkdtemp(prefix="synthls-worker-copy-", dir="/tmp"))
    limits = module_limits(request)
    unprivileged = request.param == "unprivileged"
    sandbox = unprivileged_sandbox(tmp, limits) if unprivileged else Sandbox(limits)
    try:
        await sandbox.start()
        yield sandbox
    finally:
        await sandbox.close()
        shutil.rmtree(tmp, ignore_errors=True)


def unprivileged_sandbox(tmp: Path, limits: Limits) -> Sandbox:
    """A sandbox whose worker runs as uid 65534 from a world-readable copy in ``tmp``."""
    if os.geteuid() != 0:
        return Sandbox(limits)  # this process already is an ordinary user
    if not os.access(SYSTEM_PYTHON, os.X_OK):
        pytest.fail(f"{SYSTEM_PYTHON} is needed for the unprivileged run and is missing")
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.fail("setpriv (util-linux) is needed for the unprivileged run and is missing")
    worker = tmp / "worker"
    shutil.copytree(ROOT / "server/synthls/sandbox/worker", worker)
    for path in [tmp, *tmp.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    prefix = (setpriv, "--reuid=65534", "--regid=65534", "--clear-groups")
    return Sandbox(limits, python=SYSTEM_PYTHON, worker_dir=str(worker), launch_prefix=prefix)
