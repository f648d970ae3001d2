"""End to end: pull diagnostics for clients that ask for them, push for the others, never both."""

from __future__ import annotations

from typing import Any

import pytest
from lsprotocol import types

from tests.lsp_support import capabilities, change_doc, open_doc, session, wait_for

pytestmark = pytest.mark.e2e
URI = "file:///work/pull.py"
WRONG = '''def sq(x):
    """Square.

    >>> sq(3)
    9
    """
    return x + x
'''


async def pull(client: Any, previous: str | None = None) -> Any:
    return await client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(
            text_document=types.TextDocumentIdentifier(uri=URI), previous_result_id=previous
        )
    )


async def test_a_pull_client_asks_for_diagnostics_and_is_never_sent_them() -> None:
    async with session(caps=capabilities(pull=True)) as client:
        open_doc(client, URI, WRONG, version=1)
        first = await pull(client)  # answered once the check of the opened text is done
        assert isinstance(first, types.RelatedFullDocumentDiagnosticReport), first
        assert [d.message for d in first.items] == ["expected 9, got 6"]
        assert first.result_id
        again = await pull(client, first.result_id)
        assert isinstance(again, types.RelatedUnchangedDocumentDiagnosticReport), again
        assert again.result_id == first.result_id
        refreshes = client.diagnostic_refreshes
        change_doc(client, URI, 2, WRONG.replace("x + x", "x * x"))
        # nobody asked while that text was checked: the server asks the client to pull again
        await wait_for(lambda: client.diagnostic_refreshes > refreshes)
        fixed = await pull(client, first.result_id)
        assert isinstance(fixed, types.RelatedFullDocumentDiagnosticReport), fixed
        assert list(fixed.items) == [] and fixed.result_id != first.result_id
        result = await client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="synthls.checkFile", arguments=[URI])
        )
        assert result["functions"] == 1
        assert client.published == []  # never pushed to a client that pulls


async def test_a_push_client_is_sent_diagnostics() -> None:
    async with session(caps=capabilities(pull=False)) as client:
        open_doc(client, URI, WRONG, version=1)
        await wait_for(lambda: bool(client.published))
        assert [d.message for d in client.published[-1].diagnostics] == ["expected 9, got 6"]
        assert client.diagnostic_refreshes == 0
