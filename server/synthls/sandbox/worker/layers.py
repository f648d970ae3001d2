"""The isolation layers in one table: each layer's name, when it applies, and how it is applied.

``LAYERS`` is the one place that names a layer. Everything else reads it: ``plan`` (which layers
could apply on this platform, before trying them), ``probe`` (tries them in a throwaway child
and keeps those that work), the zygote (enters the layers set up once for all children),
``apply`` (every child, in table order, which is the order that works: the mounts need the
capabilities the user namespace gave, seccomp forbids what the steps before it call), the
hello and ``synthls doctor`` (active and missing layers), and the server's ``ALL_LAYERS``.
The mechanisms themselves live in ``isolate``, ``landlock`` and ``seccomp``.

A probed layer that fails is dropped (``optional``) or, for the basics every child needs,
still applied and only reported missing, so a child that cannot set them fails closed. A layer
the probe found working but that fails later aborts the child: a candidate never runs with less
than was reported.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, get_args

from . import isolate, landlock, readset, seccomp
from .isolate import Rlimits

# the names, for the type checker (``cfg.has("seccom")`` is an error); ``LAYERS`` below must
# name exactly these, which the import checks
Name = Literal[
    "setsid", "fd_hygiene", "tmp_quota", "readonly_mounts", "netns", "drop_uid", "rlimits",
    "no_new_privs", "landlock", "seccomp",
]  # fmt: skip


@dataclass(frozen=True)
class Profile:
    """Who a child is isolated for: ``strict`` (engine candidates) or ``user`` (their own code)."""

    trust: str
    read: tuple[str, ...]  # read+execute beneath
    listed: tuple[str, ...]  # list the directory only
    keep_read_search: (
        bool  # a child dropped to nobody keeps CAP_DAC_READ_SEARCH (Landlock bounds it)
    )


@dataclass(frozen=True)
class Config:
    """What the zygote settled at start-up; every child is isolated by it."""

    active: frozenset[str]  # the layers children apply
    root: bool  # the worker runs as root
    landlock_abi: int
    base: readset.ReadSet  # the strict profile's read set
    nobody_reads_base: bool  # uid 65534 can read ``base`` through ordinary permissions
    limits: Rlimits = Rlimits()
    tmp_base: str = ""  # the one directory all children's temp dirs live in

    def has(self, name: Name) -> bool:
        return name in self.active

    @property
    def keep_read_search(self) -> bool:
        """Children dropped to nobody keep CAP_DAC_READ_SEARCH: Landlock bounds what it reads."""
        return self.has("drop_uid") and not self.nobody_reads_base and self.has("landlock")

    @property
    def imports_limited(self) -> bool:
        """Children run as nobody, who cannot read the interpreter, without Landlock to bound a
        kept capability: they can import only what the zygote pre-imported (safe, but limited)."""
        return self.has("drop_uid") and not self.nobody_reads_base and not self.has("landlock")

    @property
    def nproc_zero(self) -> bool:
        """Strict children get RLIMIT_NPROC 0 (no fork) when seccomp cannot forbid it."""
        return not self.has("seccomp") and (not self.root or self.has("drop_uid"))

    @property
    def attrs_confined(self) -> bool:
        """chmod, chown, utime and xattr changes are refused outside the temp dir by read-only
        mounts, and Landlock keeps ``/proc/<pid>/root`` of processes outside the child's domain
        (which leads to the host's writable mounts) out of reach. Otherwise seccomp refuses
        those calls everywhere (``seccomp.ATTRS_X86_64``)."""
        return self.has("readonly_mounts") and self.has("landlock")

    def strict_profile(self) -> Profile:
        base = self.base
        return Profile("strict", tuple(base["read"]), tuple(base["list"]), self.keep_read_search)


@dataclass
class Child:
    """One child being isolated (the probe's throwaway child included)."""

    cfg: Config
    tmpdir: str
    profile: Profile
    shm: bool = False  # a private /dev/shm was mounted
    own_mounts: bool = False  # in its own mount namespace (``tmp_quota`` succeeded)


def _always() -> bool:
    return True


def _linux() -> bool:
    return sys.platform == "linux"


def _private_tmp(c: Child) -> None:
    owner = isolate.NOBODY if c.cfg.has("drop_uid") else os.geteuid()
    c.shm = isolate.private_tmp(c.tmpdir, owner)
    c.own_mounts = True


def _readonly_mounts(c: Child) -> None:
    if not c.own_mounts:  # never the zygote's (the host's) mounts
        raise isolate.IsolationError("readonly_mounts: needs tmp_quota's private mount namespace")
    isolate.readonly_mounts([c.tmpdir] + (["/dev/shm"] if c.shm else []))


def _drop_userns_caps(_c: Child) -> None:
    if os.geteuid() != 0:  # the capabilities the user namespace granted stay with the zygote
        isolate.capset(0)


def _rlimits(c: Child) -> None:
    if c.profile.trust == "user":
        nproc = None if os.geteuid() == 0 else isolate.count_processes() + isolate.PROCESS_BUDGET
    else:
        nproc = 0 if c.cfg.nproc_zero else None
    isolate.set_rlimits(c.cfg.limits, nproc)


def _landlock(c: Child) -> None:
    rw = [c.tmpdir] + (["/dev/shm"] if c.profile.trust == "user" and c.shm else [])
    landlock.restrict(list(c.profile.read), rw, c.cfg.landlock_abi, list(c.profile.listed))


@dataclass(frozen=True)
class Layer:
    name: Name
    applies: Callable[[], bool]  # whether this platform could have it (probing decides)
    child: Callable[[Child], object] | None  # applied in every child, in table order
    zygote: Callable[[], None] | None = None  # set up once in the zygote, before any child
    probed: bool = True  # tried at start-up (False: always there, nothing to try)
    optional: bool = True  # can be switched off, and is dropped when the probe fails
    root_only: bool = False  # only matters when the worker runs as root
    needs: str = ""  # what it needs, for people


LAYERS: tuple[Layer, ...] = (
    # own session, PDEATHSIG; stdio = /dev/null, only the result fd: ``isolate.enter_child``,
    # done by ``spares`` as the child's very first step
    Layer("setsid", _always, None, probed=False, optional=False, needs="any Unix"),
    Layer("fd_hygiene", _always, None, probed=False, optional=False, needs="any Unix"),
    Layer("tmp_quota", _linux, _private_tmp, needs="mount namespaces (root, or a user namespace)"),
    # every other mount read-only: no chmod/chown/utime/xattr outside the temp dir; before
    # netns, which drops the user namespace's capabilities that mount_setattr needs
    Layer(
        "readonly_mounts",
        _linux,
        _readonly_mounts,
        needs="Linux >= 5.12 (mount_setattr) and tmp_quota",
    ),
    Layer(
        "netns",
        _linux,
        _drop_userns_caps,
        zygote=isolate.enter_shared_netns,  # one empty namespace, shared by all children
        needs="Linux with namespaces",
    ),
    Layer(
        "drop_uid",
        _always,
        lambda c: isolate.drop_root(c.profile.keep_read_search),
        root_only=True,
        needs="root",
    ),
    Layer("rlimits", _always, _rlimits, optional=False, needs="any Unix"),
    Layer("no_new_privs", _linux, lambda c: isolate.no_new_privs(), optional=False, needs="Linux"),
    Layer("landlock", lambda: landlock.abi_version() > 0, _landlock, needs="Linux >= 5.13"),
    Layer(
        "seccomp",
        seccomp.available,
        lambda c: seccomp.install(os.getpid(), c.profile.trust, not c.cfg.attrs_confined),
        needs="Linux x86_64",
    ),
)
NAMES: tuple[Name, ...] = tuple(layer.name for layer in LAYERS)
BY_NAME: dict[str, Layer] = {layer.name: layer for layer in LAYERS}
if sorted(NAMES) != sorted(get_args(Name)):  # pragma: no cover - a broken edit of this file
    raise ImportError(f"layers: the table names {NAMES}, the type {get_args(Name)}")


def expected(root: bool) -> list[str]:
    """The layers a fully capable platform gives a worker running as root or not."""
    return [layer.name for layer in LAYERS if root or not layer.root_only]


def plan(want: dict[str, bool], limits: Rlimits) -> Config:
    """The layers that could apply here (``want`` switches optional ones off), before probing."""
    root = os.geteuid() == 0
    active = frozenset(
        layer.name
        for layer in LAYERS
        if (not layer.optional or want.get(layer.name, True))
        and (root or not layer.root_only)
        and layer.applies()
    )
    base = readset.strict_base()
    abi = landlock.abi_version() if "landlock" in active else 0
    readable = isolate.nobody_can_read_all(base["read"])
    return Config(active, root, abi, base, readable, limits)


def apply(cfg: Config, tmpdir: str, profile: Profile | None = None) -> list[str]:
    """Apply ``cfg``'s layers to this process in table order; returns the names applied.

    ``profile`` defaults to the strict profile with the zygote's base read set.
    """
    child = Child(cfg, tmpdir, profile or cfg.strict_profile())
    done: list[str] = []
    for layer in LAYERS:
        if layer.child is None or not cfg.has(layer.name):
            continue
        try:
            layer.child(child)
        except isolate.IsolationError:
            raise
        except (OSError, ValueError) as exc:
            raise isolate.IsolationError(f"{layer.name}: {exc}") from exc
        done.append(layer.name)
    return done
