"""The open documents over LSP: the server's text follows the client's edits, line for line.

LSP counts lines at ``\\n``, ``\\r\\n`` and ``\\r`` only; a form feed (a page break in many Python
files) is not one. An edit below a form feed must land where the client made it.
"""

from __future__ import annotations

import pytest
from lsprotocol import types

from tests.lsp_support import open_doc, session

pytestmark = pytest.mark.e2e
URI = "file:///work/pages.py"
STUB = 'def double(x):\n    """Twice x.\n\n    >>> double(3)\n    6\n    """\n    ...\n'


def insert(uri: str, version: int, line: int, text: str) -> types.DidChangeTextDocumentParams:
    at = types.Position(line, 0)
    return types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
        content_changes=[types.TextDocumentContentChangePartial(types.Range(at, at), text)],
    )


async def test_an_edit_below_a_form_feed_lands_on_the_line_the_client_made_it() -> None:
    async with session() as client:
        open_doc(client, URI, "X = 1\n\x0c\n\n")
        client.text_document_did_change(insert(URI, 2, 2, STUB))  # the client's line 2: empty
        actions = await client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=URI),
                range=types.Range(types.Position(2, 0), types.Position(2, 0)),
                context=types.CodeActionContext(diagnostics=[]),
            )
        )
        commands = [a.command for a in actions or [] if isinstance(a, types.CodeAction)]
        assert [(c.command, list(c.arguments or [])) for c in commands if c] == [
            ("synthls.synthesize", [URI, 2])  # the def is on line 2, as the client has it
        ]
