"""The search's child process:
``python -m synthls.synth.embedded.worker DEADLINE MEMORY_MB N [PARENT_PID]``.

Reads one JSON spec as a line on stdin, limits its own memory (RLIMIT_AS) and CPU time
(RLIMIT_CPU), searches, and writes one JSON line per body as soon as it is found, then
``{"done": true}``. The example inputs come from the user's docstring, so the search runs here,
never in the server: a blow-up costs this process, which the parent kills at its deadline anyway.

It dies with its parent (which cannot kill it once it is itself killed): the end of stdin, which
the parent keeps open, ends it at once, and on Linux so does the parent's death
(``PR_SET_PDEATHSIG``); a parent already gone by then (``PARENT_PID`` is not the parent any more)
ends it too.
"""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import json
import logging
import math
import os
import signal
import sys
import threading
import time
from typing import Any

from synthls.intent.model import Example, Param, Spec
from synthls.sandbox.worker.procgroup import json_line
from synthls.synth.embedded.problem import MAX_EXAMPLES, build_problem, readable
from synthls.synth.embedded.search import search_problem

log = logging.getLogger(__name__)

MARGIN = 0.1  # seconds kept back from the deadline to report what was found


def spec_to_json(spec: Spec, exclude: list[str] | None = None, prior: bool = True) -> str:
    """The parts of a spec the search reads, as JSON."""
    data: dict[str, Any] = {
        "name": spec.name,
        "params": [[p.name, p.annotation, p.default, p.kind] for p in spec.params],
        "class_name": spec.class_name,
        "returns": spec.returns,
        "docstring": spec.docstring,
        # the ones the search reads (``problem.MAX_EXAMPLES``, none too long to parse)
        "examples": [
            [e.source, e.want, e.line, e.style, e.exc_msg]
            for e in spec.examples[:MAX_EXAMPLES]
            if readable(e)
        ],
        "imports": list(spec.imports),
        "exclude": exclude or [],
        "prior": prior,
    }
    return json.dumps(data)


def spec_from_json(text: str) -> tuple[Spec, list[str], bool]:
    data = json.loads(text)
    params = tuple(Param(n, a, d, k) for n, a, d, k in data["params"])
    examples = tuple(
        Example(source=s, want=w, line=line, style=st, exc_msg=x)
        for s, w, line, st, x in data["examples"]
    )
    spec = Spec(
        name=data["name"],
        params=params,
        class_name=data["class_name"],
        returns=data.get("returns"),
        docstring=data["docstring"],
        examples=examples,
        imports=tuple(data["imports"]),
    )
    return spec, list(data["exclude"]), bool(data.get("prior", True))


def _limit(budget: float, memory_mb: int) -> None:
    try:
        import resource
    except ImportError:  # not on this platform: the parent's deadline still holds
        return
    cpu = int(math.ceil(budget)) + 2
    for res, value in ((resource.RLIMIT_AS, memory_mb * 1024 * 1024), (resource.RLIMIT_CPU, cpu)):
        try:
            resource.setrlimit(res, (value, value))
        except (ValueError, OSError):
            log.debug("could not set limit %s", res)


_PR_SET_PDEATHSIG = 1


def _die_with(parent: int | None) -> None:
    """SIGKILL from the kernel when the parent dies (Linux); exit now if it is already gone."""
    if sys.platform == "linux":
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if parent is not None and os.getppid() != parent:
        os._exit(0)  # it died before the signal was asked for


def _watch_stdin() -> None:
    """Exit at the end of stdin: the parent closes it, or dies (after the spec has been read)."""

    def watch() -> None:
        with contextlib.suppress(OSError):
            while os.read(0, 4096):
                pass
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _emit(obj: dict[str, Any]) -> None:
    sys.stdout.buffer.write(json_line(obj))
    sys.stdout.flush()


def main(argv: list[str]) -> int:
    """argv: DEADLINE (epoch seconds) MEMORY_MB MAX_CANDIDATES [PARENT_PID]."""
    budget = max(0.05, float(argv[0]) - time.time() - MARGIN) if argv else 2.0
    memory_mb = int(argv[1]) if len(argv) > 1 else 1024
    max_candidates = int(argv[2]) if len(argv) > 2 else 5
    _die_with(int(argv[3]) if len(argv) > 3 else None)
    spec, exclude, prior = spec_from_json(sys.stdin.buffer.readline().decode())
    _watch_stdin()
    _limit(budget, memory_mb)
    problem = build_problem(spec)
    if problem is not None and not prior:  # the benchmark's baseline: no word guides the order
        problem = dataclasses.replace(problem, words=frozenset(), prose="")
    if problem is not None:
        search_problem(
            problem,
            budget,
            max_candidates,
            frozenset(exclude),
            lambda body, w: _emit({"body": body, "weight": w}),
        )
    _emit({"done": True})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
