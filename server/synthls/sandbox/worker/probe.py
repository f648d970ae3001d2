"""Find out once, at worker start-up, which isolation layers this platform really supports.

The planned layers (``layers.plan``) are tried in a throwaway forked child exactly as the
zygote and the real children apply them (``layers.LAYERS``: first what the zygote sets up once,
then each child step in table order, in the strict profile); only layers that succeeded there
are kept. This is how the sandbox degrades on containers without user namespaces, old kernels
without Landlock, or other architectures.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import os
import shutil
import tempfile
from collections.abc import Callable

from . import isolate
from .layers import LAYERS, Child, Config

Found = dict[str, str | None]  # layer -> None (works) or why it does not


def _try(cfg: Config, tmpdir: str) -> Found:
    """Try every planned, probed layer in this process; a failure is a finding, not an error."""
    found: Found = {}
    child = Child(cfg, tmpdir, cfg.strict_profile())
    planned = [layer for layer in LAYERS if layer.probed and cfg.has(layer.name)]

    def attempt(name: str, step: Callable[[], object]) -> None:
        if found.get(name) is not None:
            return  # its zygote part failed already
        try:
            step()
            found[name] = None
        except Exception as exc:
            found[name] = f"{type(exc).__name__}: {exc}"

    for layer in planned:  # as the zygote does it, before any child exists
        if layer.zygote is not None:
            attempt(layer.name, layer.zygote)
    for layer in planned:  # then as each child does it
        if layer.child is not None:
            attempt(layer.name, functools.partial(layer.child, child))
    return found


def probe(cfg: Config) -> Found:
    """Try the planned layers in a forked child; returns what it found for each."""
    tmpdir = tempfile.mkdtemp(prefix="synthls-probe-")
    if cfg.has("drop_uid"):
        os.chown(tmpdir, isolate.NOBODY, isolate.NOBODY)
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        code = 1
        try:
            os.close(r)
            os.chdir(tmpdir)
            os.write(w, json.dumps(_try(cfg, tmpdir)).encode())
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
        found = json.loads(b"".join(chunks) or b"{}")
    except ValueError:
        found = {}
    return found if isinstance(found, dict) else {}


def settle(cfg: Config) -> tuple[Config, list[str], dict[str, str]]:
    """Probe and keep only working layers: (config for children, active layers, errors)."""
    found = probe(cfg)
    works = {name for name, error in found.items() if error is None}
    keep = {layer.name for layer in LAYERS if not layer.optional or layer.name in works}
    final = dataclasses.replace(cfg, active=cfg.active & keep)
    layers: list[str] = [
        layer.name
        for layer in LAYERS
        if cfg.has(layer.name) and (not layer.probed or layer.name in works)
    ]
    errors = {name: str(error) for name, error in found.items() if error is not None}
    return final, layers, errors


def enter_zygote(
    cfg: Config, layers: list[str], errors: dict[str, str]
) -> tuple[Config, list[str]]:
    """Set up, in the zygote itself, the layers done once for all children (the network
    namespace); one that fails now is dropped like a failed probe."""
    for layer in LAYERS:
        if layer.zygote is None or not cfg.has(layer.name):
            continue
        try:
            layer.zygote()
        except (OSError, isolate.IsolationError) as exc:
            cfg = dataclasses.replace(cfg, active=cfg.active - {layer.name})
            layers = [name for name in layers if name != layer.name]
            errors[layer.name] = f"set up in the worker: {exc}"
    return cfg, layers
