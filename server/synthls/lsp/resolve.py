"""Lazy code actions for clients that resolve edits: listed with ``data``, synthesized at resolve.

Listing stays cheap either way: a lazy action only names the command it stands for, the document
version it was listed at and the text of its line. At ``codeAction/resolve`` the job runs as the
command would (progress, cancellation, questions, rebasing) but its edit comes back in the action
instead of a ``workspace/applyEdit``: the client shows it (VS Code: a preview) and applies it as
one undo step. The edit names the document version it was made for, so a client whose text moved
on refuses it instead of clobbering. If the document changed since the listing, the action's line
is found again by its text (the nearest line that reads the same); when it is gone nothing is edited.

``data`` comes back from the client as it likes: it is checked before anything runs. ``data`` (or
a command argument, a diagnostic's data) nested deeper than ``MAX_DEPTH`` levels, which could not
even be sent back, and ``data`` of ours with fields of the wrong type or out of range (a line
outside 0..2³¹-1, ``true`` for a number) get an InvalidParams error; a line that is not the
document's line reading the listed text is "the code changed" (the action comes back unchanged),
so every resolve is answered.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import attrs
from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams

from synthls.intent.document import Document
from synthls.lsp.llm_tag import tags_for

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
MAX_DEPTH = 32  # levels of nesting in ``data`` (ours has 1)
MAX_INT = 2**31 - 1  # LSP integers are 32-bit


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
        """The lazy action ``data`` stands for; None when it is not ours or is malformed."""
        if Lazy.problems(data):
            return None
        assert isinstance(data, dict)
        uri, line, version, text = (data.get(k) for k in ("uri", "line", "version", "text"))
        assert isinstance(uri, str) and isinstance(line, int) and isinstance(text, str)
        assert version is None or isinstance(version, int)
        return Lazy(str(data["command"]), uri, line, version, text)

    @staticmethod
    def problems(data: object) -> list[str]:
        """What is wrong with ``data``: ["not ours"] when it is not a lazy action of ours, else
        the fields that are malformed (none: it parses)."""
        if not isinstance(data, dict) or data.get("command") not in KINDS:
            return ["not ours"]
        uri, line, version, text = (data.get(k) for k in ("uri", "line", "version", "text"))
        return [
            *([] if isinstance(uri, str) else ["data.uri is not a string"]),
            *([] if isinstance(text, str) else ["data.text is not a string"]),
            *([] if _lsp_int(line, 0) else [f"data.line is not a line number: {line!r:.40}"]),
            *(
                []
                if version is None or _lsp_int(version, -MAX_INT - 1)
                else [f"data.version is not a version: {version!r:.40}"]
            ),
        ]


def _lsp_int(value: object, low: int) -> bool:
    """Whether ``value`` is a JSON integer (not a boolean) from ``low`` to 2³¹-1."""
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= MAX_INT


def _deeper_than(value: object, limit: int) -> bool:
    """Whether ``value`` nests lists and objects more than ``limit`` levels (no recursion)."""
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = (
            item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        )
        if children is None:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


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


def _reads(doc: Document, line: int, text: str) -> bool:
    """Whether ``line`` is a line of ``doc`` that reads ``text``."""
    return 0 <= line <= doc.text.count("\n") and doc.line_text(line) == text


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
        cmd = action.command
        echoed = [
            action.data,
            *(cmd.arguments or [] if cmd else []),
            *(d.data for d in action.diagnostics or []),
        ]
        if _deeper_than(echoed, MAX_DEPTH + 1):  # it could not even be sent back
            raise JsonRpcInvalidParams(
                f"codeAction/resolve: data nested deeper than {MAX_DEPTH} levels"
            )
        problems = Lazy.problems(action.data)
        if problems and problems != ["not ours"]:  # ours, but malformed: say which field
            raise JsonRpcInvalidParams("codeAction/resolve: " + "; ".join(problems))
        lazy = Lazy.parse(action.data)
        if lazy is None:
            return action
        doc = self.doc_of(lazy.uri)
        line = None
        if doc is not None and doc.version != lazy.version:
            line = relocate(doc, lazy.line, lazy.text)
        elif doc is not None and _reads(doc, lazy.line, lazy.text):
            line = lazy.line  # as listed (a line that does not read so was not listed)
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
