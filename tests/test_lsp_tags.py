"""End to end: actions whose body a language model writes carry `CodeActionTag.LLMGenerated`,
for clients that know the tag; none for the embedded engine or for clients without tag support."""

from __future__ import annotations

import os
from typing import Any

import pytest
from lsprotocol import types

from tests.fake_openai import FakeOpenAI, reply
from tests.lsp_support import DATA, capabilities, open_doc, session

pytestmark = pytest.mark.e2e
URI = "file:///work/stubs.py"
TEXT = (DATA / "stubs.py").read_text()
LLM = [types.CodeActionTag.LlmGenerated]


def script(body: dict[str, Any]) -> Any:
    return reply("```python\ndef shout(s: str) -> str:\n    return s.upper()\n```")


def env() -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "SYNTHLS_"))}
    return {**clean, "OPENAI_API_KEY": "k"}


async def action_at(client: Any, fragment: str) -> types.CodeAction:
    line = next(i for i, ln in enumerate(TEXT.splitlines()) if fragment in ln)
    result = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=URI),
            range=types.Range(types.Position(line, 0), types.Position(line, 0)),
            context=types.CodeActionContext(diagnostics=[]),
        )
    )
    [action] = [a for a in result or [] if isinstance(a, types.CodeAction)]
    return action


async def test_a_model_written_action_is_tagged_when_listed_and_resolved() -> None:
    with FakeOpenAI(script) as server:
        options = {"engine": "openai", "openai": {"baseUrl": server.url, "candidates": 1}}
        async with session(options, env(), capabilities(resolve=True, tags=True)) as client:
            open_doc(client, URI, TEXT)
            action = await action_at(client, "def shout")
            assert list(action.tags or []) == LLM and action.edit is None
            resolved = await client.code_action_resolve_async(action)
            assert resolved.edit is not None and list(resolved.tags or []) == LLM
        async with session(options, env(), capabilities(tags=True)) as client:
            open_doc(client, URI, TEXT)
            action = await action_at(client, "def shout")
            assert (
                list(action.tags or []) == LLM and action.command is not None
            )  # the command path too


async def test_no_tag_without_client_support_or_for_the_embedded_engine() -> None:
    with FakeOpenAI(script) as server:
        options = {"engine": "openai", "openai": {"baseUrl": server.url, "candidates": 1}}
        async with session(options, env(), capabilities(resolve=True)) as client:
            open_doc(client, URI, TEXT)
            action = await action_at(client, "def shout")
            assert action.tags is None
            resolved = await client.code_action_resolve_async(action)
            assert resolved.edit is not None and resolved.tags is None
    async with session(caps=capabilities(resolve=True, tags=True)) as client:
        open_doc(client, URI, TEXT)
        action = await action_at(client, "def add")
        assert action.tags is None
        resolved = await client.code_action_resolve_async(action)
        assert resolved.edit is not None and resolved.tags is None
