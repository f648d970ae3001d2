"""Settings through the real server: numbers that would break requests, project settings."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from lsprotocol import types

from tests.lsp_support import (
    DATA,
    Client,
    apply_workspace_edit,
    open_doc,
    run_examples,
    session,
    wait_for,
)

pytestmark = pytest.mark.e2e
TEXT = (DATA / "stubs.py").read_text()
ADD_LINE = next(i for i, ln in enumerate(TEXT.splitlines()) if ln.startswith("def add"))


async def synthesize_add(client: Client, uri: str) -> dict[str, Any]:
    open_doc(client, uri, TEXT)
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(types.Position(ADD_LINE, 0), types.Position(ADD_LINE, 0)),
            context=types.CodeActionContext(diagnostics=[]),
        )
    )
    [action] = [a for a in actions or [] if isinstance(a, types.CodeAction)]
    assert action.command is not None
    result: dict[str, Any] = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(
            command=action.command.command, arguments=action.command.arguments
        )
    )
    return result


async def test_non_finite_and_huge_numbers_get_one_warning_and_requests_still_work() -> None:
    bad = {
        "deadline": "inf",
        "sandbox": {"timeout": "nan", "memoryMb": 1e15},
        "embedded": {"budget": 1e13},
        "openai": {"temperature": "-inf"},
    }
    async with session(bad) as client:
        await wait_for(lambda: bool(client.messages))
        [msg] = client.messages
        assert msg.type == types.MessageType.Warning
        for name in ("deadline", "sandbox.timeout", "sandbox.memoryMb", "embedded.budget"):
            assert name in msg.message
        result = await asyncio.wait_for(synthesize_add(client, "file:///work/stubs.py"), 120)
        assert result["applied"] is True, result
        [params] = client.edits
        new_text, _ = apply_workspace_edit(TEXT, params)
        run_examples(new_text, {"add(1, 2)": 3, "add(5, 7)": 12})
