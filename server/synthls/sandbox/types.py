"""Results of running untrusted code, as plain data (no pygls; only small derived views)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from synthls.intent.model import Example

ExampleStatus = Literal[
    "passed", "failed", "error", "timeout", "memory", "killed", "truncated", "not_run"
]
Trust = Literal["strict", "user"]
RunStatus = Literal["ok", "setup_error", "timeout", "memory", "killed", "crashed", "overflow"]


@dataclass(frozen=True)
class Program:
    """A module to load (`setup`) and the examples to check against it.

    `probes` are extra expressions whose repr is reported without a verdict (used to compare
    candidates by behaviour on generated inputs). Each probe has its own wall-clock budget of
    `probe_timeout` seconds (0 = none) inside the child: an overrun probe reports None and the
    next one still runs; `timeout` still bounds the whole program.

    `trust` picks the isolation profile: "strict" for candidates from engines (reads only the
    stdlib, site-packages and the packages it imports, never dotfiles; no processes; no unix
    datagrams to host sockets), "user" for the user's own code being checked (diagnostics,
    `synthls check`): read-only access to `project` (the project directory) and `sys.path`, a
    small process budget (multiprocessing, subprocess), still no network and no writes
    outside its temp dir.
    """

    setup: str
    examples: tuple[Example, ...] = ()
    probes: tuple[str, ...] = ()
    timeout: float = 5.0  # wall-clock seconds for the whole program
    filename: str = "<candidate>"
    probe_timeout: float = 0.25  # wall-clock seconds per probe
    trust: Trust = "strict"
    project: str | None = None  # absolute path of the project directory (trust="user")


@dataclass(frozen=True)
class ExampleResult:
    index: int
    status: ExampleStatus
    got: str = ""  # output text (doctest) or repr of the value (value style)
    exc_type: str | None = None
    exc_msg: str | None = None
    traceback: str | None = None  # trimmed

    @property
    def passed(self) -> bool:
        return self.status == "passed"


@dataclass(frozen=True)
class RunResult:
    status: RunStatus
    examples: tuple[ExampleResult, ...] = ()
    probes: tuple[str | None, ...] = ()  # repr per probe, None when it raised or did not run
    setup_error: str | None = None  # exception (trimmed traceback) while loading the module
    elapsed: float = 0.0
    layers: tuple[str, ...] = field(default=())

    @property
    def passed(self) -> int:
        return sum(1 for r in self.examples if r.passed)

    @property
    def all_passed(self) -> bool:
        return self.status == "ok" and bool(self.examples) and all(r.passed for r in self.examples)

    def per_example(self, examples: Sequence[Example]) -> list[tuple[Example, ExampleResult]]:
        """Each of ``examples`` with its result, in order; "not_run" where the run gave none."""
        by_index = {r.index: r for r in self.examples}
        return [
            (ex, by_index.get(i) or ExampleResult(i, "not_run")) for i, ex in enumerate(examples)
        ]
