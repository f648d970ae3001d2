"""The versioned edit of a synthesis result, rebased onto the document as it is when it is ready.

A result is a list of replacements in the snapshot's coordinates (the body; other parts such as
the docstring may join it), all inside the target's anchored lines. They become one
``TextDocumentEdit`` for the document's current version, shifted by as many lines as the target
moved; ``None`` when the target itself changed, so nothing typed since is overwritten.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec

from synthls.intent.docedit import add_examples
from synthls.intent.document import Document
from synthls.intent.model import Example, FunctionTarget, Span
from synthls.intent.relocate import Anchor, inside, relocate, shift
from synthls.lsp.convert import to_client_range
from synthls.synth.module_text import body_replacement

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Replacement:
    span: Span  # in the snapshot the work started from
    text: str


def result_parts(
    text: str, target: FunctionTarget, body: str, answers: Sequence[Example] = ()
) -> list[Replacement]:
    """What the result changes, in the snapshot's coordinates (one versioned edit): the body
    and, when questions were answered, the docstring with the answers as examples."""
    newline = "\r\n" if "\r\n" in text else "\n"
    parts = [Replacement(target.body_span, body_replacement(target, body, newline))]
    if answers:
        try:
            span, docstring = add_examples(text, target, answers)
        except ValueError as exc:  # e.g. examples in # comments: no docstring to grow
            log.info("the answers stay out of the docstring: %s", exc)
        else:
            parts.insert(0, Replacement(span, docstring))
    return parts


def rebased_edit(
    codec: PositionCodec, uri: str, doc: Document, anchor: Anchor, parts: list[Replacement]
) -> types.TextDocumentEdit | None:
    if not all(inside(anchor, p.span) for p in parts):
        return None
    delta = relocate(doc, anchor)
    if delta is None:
        return None
    edits = [
        types.TextEdit(range=to_client_range(codec, doc, shift(p.span, delta)), new_text=p.text)
        for p in sorted(parts, key=lambda p: (p.span.start.line, p.span.start.col))
    ]
    return types.TextDocumentEdit(
        text_document=types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=doc.version),
        edits=list(edits),
    )
