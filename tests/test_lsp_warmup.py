"""End to end: a stub's body is warmed up as its docstring is typed, so the first completion
request after the docstring already offers it."""

from __future__ import annotations

from typing import Any

import pytest
from lsprotocol import types

from tests.lsp_support import apply_text_edits, open_doc, run_examples, session, wait_for

pytestmark = pytest.mark.e2e
URI = "file:///work/typed.py"
HEAD = "import math\n\n\n"
END, INSIDE = "end", "inside"  # at the end of the text, or before the docstring's closing quotes
TYPED = [  # what the user types after HEAD, one change at a time (VS Code closes the quotes)
    ("def triple(n):\n", END),
    ('    """Three times n.\n    """', END),
    ("\n\n    >>> triple(2)\n    6", INSIDE),
    ("\n    >>> triple(7)\n    21\n    >>> triple(-4)\n    -12", INSIDE),
    ("\n    ", END),  # Enter after the closing quotes: the cursor on the body's first line
]


def position(text: str, offset: int) -> types.Position:
    lines = text[:offset].split("\n")
    return types.Position(len(lines) - 1, len(lines[-1].encode("utf-16-le")) // 2)


def type_stub(client: Any) -> str:
    """Type the stub into the open document as incremental changes; returns the text."""
    text = HEAD
    open_doc(client, URI, text, 1)
    for version, (piece, where) in enumerate(TYPED, start=2):
        offset = len(text) if where == END else text.rindex('\n    """')
        at = position(text, offset)
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=URI, version=version),
                content_changes=[
                    types.TextDocumentContentChangePartial(range=types.Range(at, at), text=piece)
                ],
            )
        )
        text = text[:offset] + piece + text[offset:]
    return text


def warmed(client: Any, name: str) -> bool:
    return any(f"completion for {name} is ready" in m.message for m in client.log_messages)


async def test_the_first_completion_after_a_typed_docstring_offers_the_body() -> None:
    async with session({"insertFitting": True}) as client:  # the search's bodies only fit
        text = type_stub(client)
        assert text.endswith('    -12\n    """\n    ')
        await wait_for(lambda: warmed(client, "triple"))  # the server says the body is ready
        cursor = position(text, len(text))
        result = await client.text_document_completion_async(
            types.CompletionParams(
                text_document=types.TextDocumentIdentifier(uri=URI), position=cursor
            )
        )
        assert isinstance(result, types.CompletionList) and result.items, result
        edit = result.items[0].text_edit
        assert isinstance(edit, types.TextEdit)
        run_examples(apply_text_edits(text, [edit]), {"triple(2)": 6, "triple(-3)": -9})
        inline = await client.text_document_inline_completion_async(
            types.InlineCompletionParams(
                text_document=types.TextDocumentIdentifier(uri=URI),
                position=cursor,
                context=types.InlineCompletionContext(
                    trigger_kind=types.InlineCompletionTriggerKind.Automatic
                ),
            )
        )
        assert isinstance(inline, types.InlineCompletionList) and inline.items
        [item] = inline.items
        assert (
            item.range is not None and item.range.start.line == item.range.end.line == cursor.line
        )
