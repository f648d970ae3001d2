"""Find out once, at worker start-up, which isolation layers this platform really supports.

Each candidate layer is tried in a throwaway forked child in the same order the real children
use; only layers that succeeded there are applied later. This is how the sandbox degrades on
containers without user namespaces, old kernels without Landlock, or other architectures.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from typing import Any

from . import isolate, landlock, seccomp


def _try_layers(cfg: dict[str, Any], tmpdir: str) -> dict[str, Any]:
    found: dict[str, Any] = {}
    owner = isolate.NOBODY if cfg.get("drop_uid") else os.geteuid()
    nproc = 0 if cfg.get("nproc") else None
    read, listed = cfg["read_paths"], cfg.get("list_paths", [])
    steps: list[tuple[str, Callable[[], object]]] = [
        ("netns", isolate.enter_shared_netns),  # as the zygote does it: uid maps included
        ("mntns", lambda: isolate.private_tmp(tmpdir, owner)),
        ("drop_uid", lambda: isolate.drop_root(bool(cfg.get("keep_read_search")))),
        ("rlimits", lambda: isolate.set_rlimits(cfg["limits"], nproc=nproc)),
        ("no_new_privs", _no_new_privs),
        ("landlock", lambda: landlock.restrict(read, [tmpdir], int(cfg["landlock"]), listed)),
        ("seccomp", lambda: seccomp.install(os.getpid())),
    ]
    for name, step in steps:
        if name not in ("rlimits", "no_new_privs") and not cfg.get(name):
            continue
        try:
            step()
            found[name] = True
        except Exception as exc:  # a missing layer is a finding, not a failure
            found[name] = False
            found[name + "_error"] = f"{type(exc).__name__}: {exc}"
    return found


def _no_new_privs() -> None:
    if sys.platform != "linux":
        raise OSError(38, "PR_SET_NO_NEW_PRIVS is Linux-only")
    isolate._check(isolate._libc.prctl(38, 1, 0, 0, 0), "no_new_privs")


def probe(cfg: dict[str, Any]) -> dict[str, Any]:
    """Try the planned layers in a forked child; returns {layer: bool, layer_error: str}."""
    tmpdir = tempfile.mkdtemp(prefix="synthls-probe-")
    if cfg.get("drop_uid"):
        os.chown(tmpdir, isolate.NOBODY, isolate.NOBODY)
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        code = 1
        try:
            os.close(r)
            os.chdir(tmpdir)
            os.write(w, json.dumps(_try_layers(cfg, tmpdir)).encode())
            code = 0
        finally:
            os._exit(code)
    os.close(w)
    chunks = []
    while chunk := os.read(r, 65536):
        chunks.append(chunk)
    os.close(r)
    os.waitpid(pid, 0)
    shutil.rmtree(tmpdir, ignore_errors=True)
    try:
        result: dict[str, Any] = json.loads(b"".join(chunks) or b"{}")
    except ValueError:
        result = {}
    return result


def settle(cfg: dict[str, Any]) -> tuple[dict[str, Any], list[str], dict[str, str]]:
    """Probe and keep only working layers: (config for children, active layers, errors)."""
    found = probe(cfg)
    final = dict(cfg)
    for name in ("netns", "mntns", "drop_uid", "landlock", "seccomp"):
        if not found.get(name):
            final[name] = 0 if name == "landlock" else False
    if not final["drop_uid"]:
        final["keep_read_search"] = final["imports_limited"] = False
    elif final["keep_read_search"] and not final["landlock"]:
        final["keep_read_search"], final["imports_limited"] = False, True
    if not final["seccomp"]:
        final["nproc"] = os.geteuid() != 0 or bool(final["drop_uid"])
    layers = ["setsid", "fd_hygiene"]
    layers += [n for n in ("rlimits", "no_new_privs") if found.get(n)]
    layers += [n for n in ("netns", "landlock", "seccomp", "drop_uid") if final.get(n)]
    layers += ["tmp_quota"] if final.get("mntns") else []
    errors = {k[: -len("_error")]: str(v) for k, v in found.items() if k.endswith("_error")}
    if "mntns" in errors:
        errors["tmp_quota"] = errors.pop("mntns")
    return final, layers, errors
