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
from collections import OrderedDict
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
Made = tuple[str, int, str, int | None]  # uri, line, kind, document version at the resolve
MAX_MADE = 32  # edits kept for a resolve of the same action again


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


class Resolver:
    """Resolves lazy actions; resolves of one listed action share their work.

    VS Code resolves an action when the pointer rests on it in the menu (to offer a preview), again
    when it is chosen, and the menu lists it anew each time it opens: concurrent resolves of the
    same action at the same document version share one job (``run`` coalesces them), and a resolve
    whose edit is already made for the current version returns it at once.
    """

    def __init__(
        self,
        doc_of: Callable[[str], Document | None],
        run: Run,
        message: Callable[[str], None],
        tags_supported: Callable[[], bool],
    ) -> None:
        self.doc_of, self.run, self.message = doc_of, run, message
        self.tags_supported = tags_supported
        self.made: OrderedDict[Made, list[Any]] = OrderedDict()  # [edit, engine]

    async def resolve(self, action: types.CodeAction) -> types.CodeAction:
        """``action`` with the edit its job made (none when the job made none or ``data`` is
        not ours)."""
        lazy = Lazy.parse(action.data)
        if lazy is None:
            return action
        doc = self.doc_of(lazy.uri)
        line = None if doc is None else lazy.line
        if doc is not None and doc.version != lazy.version:
            line = relocate(doc, lazy.line, lazy.text)
        if doc is None or line is None:
            self.message(
                f"synthls: {action.title}: the code changed since it was offered; ask again"
            )
            return action
        key: Made = (lazy.uri, line, KINDS[lazy.command], doc.version)
        made = self.made.get(key)
        if made is None or _version_of(made[0]) != doc.version:
            made = await self._run(key)
        if made is None:
            return action
        edit, engine = made
        tags = tags_for([engine] if isinstance(engine, str) else [], self.tags_supported())
        return attrs.evolve(action, edit=edit, tags=tags)

    async def _run(self, key: Made) -> list[Any] | None:
        uri, line, kind, _ = key

        async def deliver(edit: types.WorkspaceEdit) -> bool:
            self.made[key] = [edit, None]
            while len(self.made) > MAX_MADE:
                self.made.popitem(last=False)
            return True

        result = await self.run(uri, line, kind, deliver)
        made = self.made.get(key)
        if made is None:
            log.info("no edit at line %d (%s)", line + 1, result.get("message", ""))
            return None
        made[1] = result.get("engine")
        return made


def _version_of(edit: types.WorkspaceEdit) -> int | None:
    changes = edit.document_changes or []
    first = changes[0] if changes else None
    return first.text_document.version if isinstance(first, types.TextDocumentEdit) else None
