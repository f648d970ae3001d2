"""Pull diagnostics (``textDocument/diagnostic``) for clients that ask for them, instead of push.

A client that advertises ``textDocument.diagnostic`` is never sent ``publishDiagnostics``: what the
checker would publish is kept here, one report per document with a result id that changes only
when the diagnostics do (a client that sends the id it has gets an "unchanged" report). A pull
waits for the check the document's last change scheduled, so the answer is about the text the
client has; results that arrive while nobody waits (a check that follows the focus, a change the
client did not pull for) ask the client to pull again (``workspace/diagnostic/refresh``) when it
supports that.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from typing import Any

from lsprotocol import types

MAX_WAITS = 16  # checks superseded by newer edits during one pull: wait for this many, then answer
Report = types.RelatedFullDocumentDiagnosticReport | types.RelatedUnchangedDocumentDiagnosticReport


class Reports:
    """The latest diagnostics of each document, for the client to pull."""

    def __init__(self, refresh: Callable[[], object] | None) -> None:
        self.refresh = refresh
        self.latest: dict[str, tuple[str, list[types.Diagnostic]]] = {}
        self.waiting: dict[str, int] = {}
        self._ids = itertools.count(1)

    def put(self, uri: str, diagnostics: list[types.Diagnostic]) -> None:
        old = self.latest.get(uri)
        if old is not None and old[1] == diagnostics:
            return  # same report, same result id
        self.latest[uri] = (str(next(self._ids)), list(diagnostics))
        if not self.waiting.get(uri) and self.refresh is not None:
            self.refresh()

    def forget(self, uri: str) -> None:
        self.latest.pop(uri, None)

    def report(self, uri: str, previous: str | None) -> Report:
        result_id, items = self.latest.get(uri, ("0", []))
        if previous == result_id:
            return types.RelatedUnchangedDocumentDiagnosticReport(result_id=result_id)
        return types.RelatedFullDocumentDiagnosticReport(items=items, result_id=result_id)

    async def answer(
        self, uri: str, previous: str | None, pending: Callable[[], asyncio.Future[Any] | None]
    ) -> Report:
        """The report once the check in flight (``pending()``) is done."""
        self.waiting[uri] = self.waiting.get(uri, 0) + 1
        try:
            for _ in range(MAX_WAITS):
                task = pending()
                if task is None or task.done():
                    break
                await asyncio.wait({task})  # a superseded (cancelled) check: wait for the next
        finally:
            self.waiting[uri] -= 1
            if not self.waiting[uri]:
                del self.waiting[uri]
        return self.report(uri, previous)
