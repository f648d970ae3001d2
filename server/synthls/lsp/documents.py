"""The open documents: the one store of their text, parsed, kept in step with the editor.

Each open document is a :class:`~synthls.intent.document.Document` (text + tree-sitter tree) that
``didChange`` edits in place, so the next parse reuses the unchanged parts. pygls' workspace keeps
no copy (``synthls.lsp.protocol`` takes over its text synchronisation): it splits lines with
``str.splitlines``, which also breaks at a form feed, so an edit below one would land a line off,
and every keystroke of a big file would be applied twice. A document's identity changes only when it
is opened again; its version says which edit of the client's it reflects.
"""

from __future__ import annotations

import logging

from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec

from synthls.intent.document import Document
from synthls.lsp.convert import apply_changes

log = logging.getLogger(__name__)


class Documents:
    def __init__(self) -> None:
        self._open: dict[str, Document] = {}

    def get(self, uri: str) -> Document | None:
        """The open document at ``uri``, or None when the editor has not opened it."""
        return self._open.get(uri)

    def uris(self) -> list[str]:
        return list(self._open)

    def open(self, item: types.TextDocumentItem) -> Document:
        doc = self._open[item.uri] = Document(item.text, item.version)
        return doc

    def change(
        self, params: types.DidChangeTextDocumentParams, codec: PositionCodec
    ) -> Document | None:
        """Apply the client's changes (in order) and take its version; None if not open."""
        uri = params.text_document.uri
        doc = self._open.get(uri)
        if doc is None:
            log.info("a change to %s, which is not open, was ignored", uri)
            return None
        apply_changes(codec, doc, list(params.content_changes))
        doc.version = params.text_document.version
        return doc

    def close(self, uri: str) -> None:
        self._open.pop(uri, None)
