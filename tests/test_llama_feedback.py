"""The language server against a real model, through a feedback round: the model's first answer
fails an example, the failure goes back to it, and its repair is verified and applied.

The stub is one whose first reading misleads: Qwen2.5-Coder-1.5B-Instruct at temperature 0 counts
``aeiou`` only, though the docstring says y counts too, and fixes it once it is told that
``count_vowels('rhythm')`` gave 0, not 1.
A recording proxy (``scripts/recording_proxy.py``) between the server and llama.cpp observes the
requests from outside: the repair request carries the first answer and the failing example.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from lsprotocol import types
from scripts.recording_proxy import RecordingProxy

from tests.llama_support import LlamaServer, model_path
from tests.lsp_support import apply_workspace_edit, open_doc, run_examples, session
from tests.test_llama_real import MODEL, clean_env

pytestmark = pytest.mark.e2e

STUB = '''\
def count_vowels(s: str) -> int:
    """Count the vowels in s (y counts as a vowel).

    >>> count_vowels('hello')
    2
    >>> count_vowels('rhythm')
    1
    >>> count_vowels('YES')
    2
    """
    ...
'''
FAILING = "count_vowels('rhythm')"
CHECKS = {"count_vowels('rhythm')": 1, "count_vowels('YES')": 2, "count_vowels('Sky Lab')": 2}
# Greedy answers, few short rounds; a generous deadline for a loaded 2-core machine. The chat
# mode (mode auto would continue raw code on llama.cpp): the repair is a dialog with the failures.
OPTIONS: dict[str, Any] = {
    "engine": "openai",
    "rounds": 3,
    "deadline": 300,
    "openai": {
        "model": MODEL,
        "mode": "chat",
        "temperature": 0,
        "candidates": 1,
        "maxTokens": 256,
        "timeout": 240,
    },
}


@pytest.fixture(scope="module")
def llama() -> Iterator[str]:
    with LlamaServer(model_path()) as server:
        yield server.url


async def synthesize(client: Any, uri: str) -> Any:
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(types.Position(0, 0), types.Position(0, 0)),
            context=types.CodeActionContext(diagnostics=[]),
        )
    )
    [action] = [a for a in actions or [] if isinstance(a, types.CodeAction)]
    assert action.command is not None
    return await client.workspace_execute_command_async(
        types.ExecuteCommandParams(
            command=action.command.command, arguments=action.command.arguments
        )
    )


async def test_lsp_repairs_the_models_wrong_first_answer_and_applies_a_verified_body(
    llama: str,
) -> None:
    uri = "file:///work/vowels.py"
    with RecordingProxy(llama) as proxy:
        options = {**OPTIONS, "openai": {**OPTIONS["openai"], "baseUrl": proxy.url}}
        async with session(options, env=clean_env()) as client:
            open_doc(client, uri, STUB, version=2)
            result = await synthesize(client, uri)
        exchanges = proxy.since(0)
    answers = [e.content for e in exchanges]
    assert result["applied"] is True and result["status"] == "verified", (result, answers)
    [edit] = client.edits
    new_text, version = apply_workspace_edit(STUB, edit)
    assert version == 2
    run_examples(new_text, CHECKS)
    first, *later = exchanges
    assert not first.is_feedback, answers
    repairs = [e for e in later if e.is_feedback]
    assert repairs, f"no feedback round; the model answered {answers}"
    assert FAILING in repairs[0].messages[-1]["content"], repairs[0].messages[-1]
