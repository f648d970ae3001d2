"""The isolation layer table (``sandbox/worker/layers.py``) as a real worker reads it.

Every layer the table names is active or reported missing, in the table's (application) order;
a layer whose probe really fails here is dropped with the probe's reason while the others still
hold. The failing probe is the unprivileged worker's mount namespace without a user namespace:
an ordinary user cannot unshare one, so ``tmp_quota`` must go and seccomp must still stop a
socket.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from synthls.intent.model import Example
from synthls.sandbox.client import ALL_LAYERS, Limits, Sandbox
from synthls.sandbox.types import Program
from synthls.sandbox.worker.layers import LAYERS, expected
from tests.conftest import unprivileged_sandbox

ADD = Program("def add(a, b):\n    return a + b\n", (Example("add(1, 2)", "3\n", 0),))
SOCKET = Program(
    "def attack():\n    import socket\n    socket.socket()\n", (Example("attack()", "", 0),)
)


def test_the_server_names_exactly_the_tables_layers() -> None:
    assert tuple(layer.name for layer in LAYERS) == ALL_LAYERS
    assert set(expected(root=True)) - set(expected(root=False)) == {"drop_uid"}


async def test_every_layer_is_active_or_missing_in_table_order() -> None:
    box = Sandbox(Limits(parallel=1), want_layers={"landlock": False})
    try:
        await box.start()
    finally:
        await box.close()
    assert list(box.layers) == [name for name in ALL_LAYERS if name in box.layers]
    assert "landlock" in box.missing_layers() and "landlock" not in box.layers
    assert set(box.layers) | set(box.missing_layers()) == set(expected(os.geteuid() == 0))


async def test_a_layer_whose_probe_fails_is_dropped_and_the_others_hold() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="synthls-worker-copy-", dir="/tmp"))  # nobody reaches it
    box = unprivileged_sandbox(tmp, Limits(parallel=1))
    box.want_layers = {"netns": False}  # no user namespace: no mount namespace either
    try:
        add, attack = await box.run(ADD), await box.run(SOCKET)
    finally:
        await box.close()
        shutil.rmtree(tmp)
    assert box.info["uid"] != 0
    assert {"tmp_quota", "netns"} <= set(box.missing_layers())
    assert "Operation not permitted" in box.info["errors"]["tmp_quota"]
    assert {"landlock", "seccomp", "rlimits", "no_new_privs"} <= set(box.layers)
    assert box.info["profiles"]["strict"]["tmp_quota"] is None
    assert add.all_passed
    assert attack.examples[0].exc_type == "PermissionError"
