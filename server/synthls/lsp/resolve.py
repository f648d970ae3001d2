"""Lazy code actions for clients that resolve edits: listed with ``data``, synthesized at resolve.

Listing stays cheap either way: a lazy action only names the command it stands for, the document
version it was listed at and the text of its line. At ``codeAction/resolve`` the job runs as the
command would (progress, cancellation, questions, rebasing) but its edit comes back in the action
instead of a ``workspace/applyEdit``: the client shows it (VS Code: a preview) and applies it as
one undo step. The edit names the document version it was made for, so a client whose text moved
on refuses it instead of clobbering. If the document changed since the listing, the action's line
is found again by its text (the nearest line that reads the same); when it is gone nothing is edited.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import attrs
from lsprotocol import types

from synthls.lsp.modeltag import tags_for
from synthls.spec.document import Document

log = logging.getLogger(__name__)
KINDS = {
    "synthls.synthesize": "synthesize",
    "synthls.regenerate": "regenerate",
    "synthls.generateFromComment": "comment",
}
Deliver = Callable[[types.WorkspaceEdit], Awaitable[bool]]
Run = Callable[[str, int, str, Deliver], Awaitable[dict[str, Any]]]


@dataclass(frozen=True)
class Lazy:
    """What a lazy action's ``data`` holds."""

    command: str
    uri: str
    line: int
    version: int | None
    text: str

    @staticmethod
    def parse(data: object) -> Lazy | None:
        if not isinstance(data, dict) or data.get("command") not in KINDS:
            return None
        uri, line, version, text = (data.get(k) for k in ("uri", "line", "version", "text"))
        if not (isinstance(uri, str) and isinstance(line, int) and isinstance(text, str)):
            return None
        if version is not None and not isinstance(version, int):
            return None
        return Lazy(str(data["command"]), uri, line, version, text)


def shape(
    actions: Sequence[types.CodeAction],
    doc: Document | None,
    lazy: bool,
    tags: list[types.CodeActionTag] | None,
) -> list[types.CodeAction]:
    """The listed actions as this client takes them: lazy (``data``, no command) when it resolves
    edits, with ``tags`` when there are any."""
    out = []
    for action in actions:
        cmd = action.command
        args: list[Any] = list(cmd.arguments or []) if cmd else []
        if lazy and doc is not None and cmd and cmd.command in KINDS and len(args) == 2:
            uri, line = str(args[0]), int(args[1])
            data = {"command": cmd.command, "uri": uri, "line": line, "version": doc.version}
            data["text"] = doc.line_text(line)
            action = attrs.evolve(action, command=None, data=data)
        out.append(attrs.evolve(action, tags=tags) if tags else action)
    return out


def relocate(doc: Document, line: int, text: str) -> int | None:
    """The line nearest ``line`` that reads ``text`` (the action's line after an edit elsewhere)."""
    n = doc.text.count("\n") + 1
    for distance in range(n):
        for candidate in (line - distance, line + distance):
            if 0 <= candidate < n and doc.line_text(candidate) == text:
                return candidate
    return None


async def resolve(
    action: types.CodeAction,
    doc_of: Callable[[str], Document | None],
    run: Run,
    message: Callable[[str], None],
    tags_supported: bool,
) -> types.CodeAction:
    """``action`` with the edit its job made (none when the job made none or ``data`` is not
    ours); ``run(uri, line, kind, deliver)`` runs the job, handing its edit to ``deliver``."""
    lazy = Lazy.parse(action.data)
    if lazy is None:
        return action
    doc = doc_of(lazy.uri)
    line = None if doc is None else lazy.line
    if doc is not None and doc.version != lazy.version:
        line = relocate(doc, lazy.line, lazy.text)
    if line is None:
        message(f"synthls: {action.title}: the code changed since it was offered; ask again")
        return action
    edits: list[types.WorkspaceEdit] = []

    async def deliver(edit: types.WorkspaceEdit) -> bool:
        edits.append(edit)
        return True

    result = await run(lazy.uri, line, KINDS[lazy.command], deliver)
    if not edits:
        log.info("%s: no edit (%s)", action.title, result.get("message", ""))
        return action
    engine = result.get("engine")
    tags = tags_for([engine] if isinstance(engine, str) else [], tags_supported)
    return attrs.evolve(action, edit=edits[-1], tags=tags)
