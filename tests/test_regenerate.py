"""Regenerating a wrong body: the current body and its failing examples are the first feedback."""

from __future__ import annotations

import json

import pytest
from lsprotocol import types

from tests.fake_openai import FakeOpenAI, fenced, reply
from tests.lsp_support import DATA, apply_workspace_edit, open_doc, run_examples, session
from tests.test_openai_e2e import clean_env

pytestmark = pytest.mark.e2e
TEXT = (DATA / "stubs.py").read_text()
URI = "file:///work/stubs.py"


async def test_regenerate_sends_the_current_failures_to_the_model() -> None:
    with FakeOpenAI(lambda body: reply(fenced("return x * x"))) as server:
        options = {"engine": "openai", "openai": {"baseUrl": server.url, "candidates": 1}}
        async with session(options, env=clean_env(OPENAI_API_KEY="k")) as client:
            open_doc(client, URI, TEXT)
            line = next(i for i, ln in enumerate(TEXT.splitlines()) if "def wrong" in ln)
            result = await client.workspace_execute_command_async(
                types.ExecuteCommandParams(command="synthls.regenerate", arguments=[URI, line])
            )
            assert result["applied"] is True, result
            new_text, _ = apply_workspace_edit(TEXT, client.edits[0])
            run_examples(new_text, {"wrong(3)": 9, "wrong(4)": 16})
    first = json.dumps(server.requests[0]["messages"])
    assert "return x + x" in first  # the current body
    assert "expected 9, got 6" in first  # and how it fails
