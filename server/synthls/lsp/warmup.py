"""Completion warm-up: a stub's body is synthesized as soon as its docstring is complete.

The first completion request waits at most ``completion.budget`` (1 s by default), less than a cold
synthesis takes, and a client that got an empty list does not ask again until the user types, which
makes the line non-blank, where nothing is offered. So the work starts earlier: a change (debounced
by ``DELAY_S``; a newer change restarts the wait) that ends in a stub with examples, or on the blank
line below its docstring, starts the synthesis the completion request would start; the request then
finds it done or running. A warm-up of the same function for an older docstring is cancelled. Once
the body is ready the server logs ``completion for NAME is ready (STATUS)``.

Only incremental changes say where the user types: a whole-document change warms nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from synthls.intent.document import Document
from synthls.intent.model import FunctionTarget
from synthls.intent.targets import function_at
from synthls.lsp import background
from synthls.synth.service import SynthReport

log = logging.getLogger(__name__)
DELAY_S = 0.3  # a pause in typing this long starts the warm-up
Start = Callable[[Document, FunctionTarget], Awaitable["asyncio.Future[SynthReport]"]]


def ready_stub(doc: Document, line: int) -> FunctionTarget | None:
    """The stub with examples and a complete docstring at ``line``, or ending just above it."""
    above = line - 1
    while above >= 0 and not doc.line_text(above).strip():
        above -= 1
    for where in (line, above):
        t = function_at(doc, where) if where >= 0 else None
        if t is not None and t.is_stub and t.docstring_span is not None and t.spec.examples:
            return t
    return None


class Warmup:
    """Debounced warm-ups per document; ``start`` gives the completion's synthesis of a target."""

    def __init__(self, start: Start, enabled: Callable[[], bool]) -> None:
        self.start = start
        self.enabled = enabled
        self.timers: dict[str, asyncio.Task[None]] = {}
        self.current: dict[tuple[str, str], asyncio.Future[SynthReport]] = {}

    def changed(self, uri: str, doc: Document, line: int) -> None:
        """The user typed in ``doc``; the change ended on ``line``."""
        timer = self.timers.pop(uri, None)
        if timer is not None:
            timer.cancel()
        if self.enabled():
            self.timers[uri] = asyncio.ensure_future(self._later(uri, doc, line))

    def forget(self, uri: str) -> None:
        timer = self.timers.pop(uri, None)
        if timer is not None:
            timer.cancel()
        for key in [k for k in self.current if k[0] == uri]:
            del self.current[key]

    def cancel_all(self) -> None:
        for uri in list(self.timers):
            self.forget(uri)

    async def _later(self, uri: str, doc: Document, line: int) -> None:
        await asyncio.sleep(DELAY_S)
        snap = background.snapshot(doc)  # read in a thread, while edits may come
        target = await background.read(ready_stub, snap, line)
        if target is None:
            return
        name = target.spec.name
        task = await self.start(snap, target)
        old = self.current.get((uri, name))
        if old is not None and old is not task and not old.done():
            old.cancel()  # the same function, an older docstring: its body is of no use
        self.current[(uri, name)] = task
        try:
            report = await asyncio.shield(task)
        except asyncio.CancelledError:
            if task.cancelled():
                return  # superseded by a newer warm-up
            raise
        except Exception as exc:  # the request that needs it will report the problem
            log.info("completion warm-up for %s failed: %s", name, exc)
            return
        log.info("completion for %s is ready (%s)", name, report.status)
