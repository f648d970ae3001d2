"""End to end: reading a document's examples happens off the event loop (issue 38, item 1).

A stub whose docstring holds thousands of example lines takes the example reader a second or
more; while the checker reads it (on open), a request about another document is answered at
once instead of after the reading.
"""

from __future__ import annotations

import asyncio
import time

import pytest
from lsprotocol import types

from synthls.intent.document import Document
from synthls.intent.targets import find_functions
from synthls.lsp import background
from tests.lsp_support import open_doc, session

pytestmark = pytest.mark.e2e
BIG_URI, SMALL_URI = "file:///work/big.py", "file:///work/small.py"
SMALL = 'def double(n):\n    """Twice n.\n\n    >>> double(2)\n    4\n    """\n'


def big_text(lines: int) -> str:
    """A stub (never run: only its examples are read) with ``lines`` example lines."""
    body = "".join(f"    ex {i}. f(w{i}) => True\n" for i in range(lines))
    return f'def f(s: str):\n    """Examples:\n\n{body}    """\n    ...\n'


async def code_actions(client: object, uri: str, line: int) -> float:
    """Seconds the server takes to list the code actions at ``line`` of ``uri``."""
    start = time.perf_counter()
    await client.text_document_code_action_async(  # type: ignore[attr-defined]
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(types.Position(line, 0), types.Position(line, 0)),
            context=types.CodeActionContext(diagnostics=[]),
        )
    )
    return time.perf_counter() - start


async def test_a_slow_docstring_does_not_delay_requests_about_other_documents() -> None:
    text = big_text(6_000)
    assert len(text) < background.BIG  # (a bigger text is first compiled in a child process)
    start = time.perf_counter()
    [target] = find_functions(Document(text))
    reading = time.perf_counter() - start
    assert len(target.spec.examples) == 6_000
    # about 0.5 s on a quiet 2-core machine, more under load
    assert reading > 0.3, "the docstring must take a while to read for the test to mean anything"
    async with session() as client:
        open_doc(client, SMALL_URI, SMALL)
        await code_actions(client, SMALL_URI, 0)  # warm: the first request builds the engines
        open_doc(client, BIG_URI, text)  # the checker starts reading its functions
        await asyncio.sleep(0.1)
        waits = [await code_actions(client, SMALL_URI, 0) for _ in range(3)]
        # the big docstring is read again for its own actions: they take the reading's time
        own = await code_actions(client, BIG_URI, 0)
    assert max(waits) < min(0.5, reading / 2), (waits, reading, own)
    assert own > max(waits), (waits, reading, own)
