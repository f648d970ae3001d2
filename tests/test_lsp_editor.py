"""End to end, in-editor behaviours: comments, cancellation, coalescing, inline completion."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
from lsprotocol import types

from tests.lsp_support import (
    apply_workspace_edit,
    change_doc,
    open_doc,
    run_examples,
    session,
    wait_for,
)

pytestmark = pytest.mark.e2e
URI = "file:///work/editor.py"

COMMENT_MODULE = (
    "import os\n\n# double a number\n# >>> double(3)\n# 6\n# >>> double(5)\n# 10\n"
    "# >>> double(-3)\n# -6\n\nX = 1\n"
)
COMMENT_INSIDE = '''def total(xs):
    """Sum of the squares.

    >>> total([1, 2, 3])
    14
    >>> total([])
    0
    >>> total([2, 5])
    29
    >>> total([5, 5])
    50
    """
    # add up the squares of xs
    return -1
'''
SLOW = '''def impossible(x):
    """No expression gives these.

    >>> impossible(1)
    'a7f3c'
    >>> impossible(2)
    'q0z9'
    """
    ...
'''


def children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            out.append(int(entry.name))
    return out


def descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        for child in children(todo.pop()):
            found.append(child)
            todo.append(child)
    return found


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


async def code_actions(client, line: int) -> list[types.CodeAction]:  # type: ignore[no-untyped-def]
    result = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=URI),
            range=types.Range(types.Position(line, 0), types.Position(line, 0)),
            context=types.CodeActionContext(diagnostics=[]),
        )
    )
    return [a for a in result or [] if isinstance(a, types.CodeAction)]


def command_params(action: types.CodeAction) -> types.ExecuteCommandParams:
    assert action.command is not None
    return types.ExecuteCommandParams(
        command=action.command.command, arguments=action.command.arguments
    )


async def test_comment_at_module_level_creates_the_named_function() -> None:
    async with session() as client:
        open_doc(client, URI, COMMENT_MODULE)
        actions = await code_actions(client, 3)
        assert [a.title for a in actions] == ["Generate code from comment"]
        assert await code_actions(client, 10) == []  # X = 1 is not a comment
        result = await client.workspace_execute_command_async(command_params(actions[0]))
        assert result["applied"] is True, result
        new_text, _ = apply_workspace_edit(COMMENT_MODULE, client.edits[0])
        run_examples(new_text, {"double(3)": 6, "double(5)": 10, "double(-2)": -4})
        assert new_text.startswith(COMMENT_MODULE[: COMMENT_MODULE.index("\n\nX = 1")])
        assert new_text.endswith("\n\nX = 1\n")


async def test_comment_inside_a_function_inserts_statements_below_it() -> None:
    async with session() as client:
        open_doc(client, URI, COMMENT_INSIDE)
        line = COMMENT_INSIDE.splitlines().index("    # add up the squares of xs")
        [action] = [
            a for a in await code_actions(client, line) if a.title == "Generate code from comment"
        ]
        result = await client.workspace_execute_command_async(command_params(action))
        assert result["applied"] is True, result
        new_text, _ = apply_workspace_edit(COMMENT_INSIDE, client.edits[0])
        lines = new_text.splitlines()
        assert lines[line] == "    # add up the squares of xs"
        assert lines[-1] == "    return -1"  # the existing code stays below the new statements
        run_examples(new_text, {"total([1, 2, 3])": 14, "total([4])": 16})


async def test_cancel_request_stops_the_search_and_its_processes() -> None:
    async with session({"embedded": {"budget": 60}, "deadline": 120, "rounds": 1}) as client:
        open_doc(client, URI, SLOW)
        server = client._server
        assert server is not None
        [action] = await code_actions(client, 0)
        request = asyncio.ensure_future(
            client.protocol.send_request_async(
                types.WORKSPACE_EXECUTE_COMMAND, command_params(action), msg_id="slow-1"
            )
        )

        def searching() -> set[int]:
            return {p for p in children(server.pid) if "synthls.synth.embedded" in cmdline(p)}

        await wait_for(lambda: bool(searching()), timeout=30)
        extra = searching()
        client.protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id="slow-1"))
        with pytest.raises(Exception):  # noqa: B017 - RequestCancelled surfaces as a JSON-RPC error
            await asyncio.wait_for(request, 30)
        await wait_for(lambda: not (set(descendants(server.pid)) & extra), timeout=10)
        assert client.edits == []


async def test_progress_cancel_button_stops_the_work() -> None:
    async with session({"embedded": {"budget": 60}, "deadline": 120, "rounds": 1}) as client:
        open_doc(client, URI, SLOW)
        [action] = await code_actions(client, 0)
        request = asyncio.ensure_future(
            client.workspace_execute_command_async(command_params(action))
        )
        await wait_for(lambda: bool(client.progress_reports), timeout=30)
        [token] = list(client.progress_reports)
        await wait_for(lambda: len(client.progress_reports[token]) >= 1)
        client.window_work_done_progress_cancel(types.WorkDoneProgressCancelParams(token=token))
        result = await asyncio.wait_for(request, 30)
        assert result["applied"] is False and "cancelled" in result["message"]
        assert client.edits == []
        kinds = [type(v).__name__ for v in client.progress_reports[token]]
        assert kinds[-1] == "WorkDoneProgressEnd"


async def test_identical_concurrent_requests_are_coalesced() -> None:
    text = (
        SLOW.replace("impossible", "inc")
        .replace("'a7f3c'", "2")
        .replace("'q0z9'", "3\n    >>> inc(-5)\n    -4")
    )
    async with session() as client:
        open_doc(client, URI, text)
        [action] = await code_actions(client, 0)
        first, second = await asyncio.gather(
            client.workspace_execute_command_async(command_params(action)),
            client.workspace_execute_command_async(command_params(action)),
        )
        assert first["applied"] and second["applied"]
        assert first["body"] == second["body"]
        assert [first.get("coalesced"), second.get("coalesced")].count(True) == 1
        assert len(client.edits) == 1
        run_examples(apply_workspace_edit(text, client.edits[0])[0], {"inc(1)": 2, "inc(10)": 11})


async def test_inline_completion_offers_a_verified_body() -> None:
    text = (
        '''def triple(n):
    """Three times n.

    >>> triple(2)
    6
    >>> triple(7)
    21
    >>> triple(-4)
    -12
    """
'''
        + "    \n"
    )
    async with session({"insertFitting": True}) as client:  # the search's bodies only fit
        open_doc(client, URI, text)
        params = types.InlineCompletionParams(
            text_document=types.TextDocumentIdentifier(uri=URI),
            position=types.Position(10, 4),
            context=types.InlineCompletionContext(
                trigger_kind=types.InlineCompletionTriggerKind.Invoked
            ),
        )
        items: list[types.InlineCompletionItem] = []
        for _ in range(20):
            result = await client.text_document_inline_completion_async(params)
            items = list(result.items) if isinstance(result, types.InlineCompletionList) else []
            if items:
                break
        [item] = items
        assert isinstance(item.insert_text, str)
        lines = text.splitlines(keepends=True)
        lines[10] = lines[10][:4] + item.insert_text + lines[10][4:]
        run_examples("".join(lines), {"triple(2)": 6, "triple(0)": 0, "triple(-3)": -9})


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="needs /proc to list processes")
async def test_no_process_left_after_shutdown() -> None:
    async with session() as client:
        open_doc(client, URI, COMMENT_INSIDE)
        server = client._server
        assert server is not None
        await wait_for(lambda: URI in client.diagnostics)
        procs = descendants(server.pid)
    await wait_for(lambda: not [p for p in procs if cmdline(p)], timeout=10)


WRONG = '''def sq(x):
    """Square.

    >>> sq(3)
    9
    """
    return x + x
'''


async def test_diagnostics_are_debounced_and_newer_edits_cancel_older_runs() -> None:
    async with session({"diagnostics": {"debounceMs": 300}}) as client:
        open_doc(client, URI, WRONG, version=1)
        await wait_for(lambda: bool(client.published))
        assert client.published[-1].version == 1
        assert [d.message for d in client.published[-1].diagnostics] == ["expected 9, got 6"]
        client.published.clear()
        for version in range(2, 7):  # typing: five edits inside the debounce window
            body = "x * x" if version == 6 else f"x + {version}"
            change_doc(client, URI, version, WRONG.replace("x + x", body))
        await wait_for(lambda: bool(client.published))
        await asyncio.sleep(1.0)  # a cancelled older run would publish within this second
        assert [p.version for p in client.published] == [6]
        assert list(client.published[0].diagnostics) == []


MALFORMED = {
    types.TEXT_DOCUMENT_CODE_ACTION: {"textDocument": {"uri": URI}, "context": {"diagnostics": []}},
    types.TEXT_DOCUMENT_COMPLETION: {"textDocument": {"uri": URI}},
    types.TEXT_DOCUMENT_CODE_LENS: {"textDocument": {}},
    types.TEXT_DOCUMENT_INLINE_COMPLETION: {
        "textDocument": {"uri": URI},
        "position": {"line": "one", "character": 0},
    },
    types.WORKSPACE_EXECUTE_COMMAND: {"command": "synthls.synthesize", "arguments": [URI]},
}


def send_raw(client, msg_id: str, method: str, params: object) -> asyncio.Future[object]:  # type: ignore[no-untyped-def]
    """Send a request as raw JSON (the typed client would refuse to build a malformed one)."""
    future: asyncio.Future[object] = asyncio.get_running_loop().create_future()
    client.protocol._request_futures[msg_id] = future
    client.protocol._send_data({"jsonrpc": "2.0", "id": msg_id, "method": method, "params": params})
    return future


FRAGMENT = {
    types.TEXT_DOCUMENT_CODE_ACTION: "textDocument/codeAction: required field missing @ "
    "request.params.range",
    types.TEXT_DOCUMENT_COMPLETION: "params.position",
    types.WORKSPACE_EXECUTE_COMMAND: "Expected 2 arguments, got 1",
}


async def test_malformed_requests_are_answered_with_invalid_params() -> None:
    from pygls.exceptions import JsonRpcException

    async with session() as client:
        open_doc(client, URI, WRONG)
        for i, (method, params) in enumerate(MALFORMED.items()):
            request = send_raw(client, f"bad-{i}", method, params)
            with pytest.raises(JsonRpcException) as raised:
                await asyncio.wait_for(request, 10)
            assert raised.value.code == -32602, (method, raised.value)
            assert FRAGMENT.get(method, "Invalid Params") in raised.value.message, method
        # and the server still answers a good request
        assert isinstance(await code_actions(client, 0), list)


def many_functions(n: int, wrong: set[int]) -> str:
    return "".join(
        f'def f{i}(x):\n    """Add {i}.\n\n    >>> f{i}(1)\n    {1 + i}\n    """\n'
        f"    return x + {i + 1 if i in wrong else i}\n\n\n"
        for i in range(n)
    )


async def test_diagnostics_start_where_the_client_works_and_requests_are_answered_first() -> None:
    text = many_functions(400, wrong={1, 350})
    focus = text.splitlines().index("    >>> f350(1)")
    async with session({"diagnostics": {"maxFunctions": 2}}) as client:
        open_doc(client, URI, text)
        assert await code_actions(client, focus) == []
        assert client.published == []  # answered while the diagnostics were still running
        await wait_for(
            lambda: any(d.range.start.line == focus for d in client.diagnostics.get(URI, [])),
            timeout=30,
        )
        [diag] = [d for d in client.diagnostics[URI] if d.range.start.line == focus]
        assert diag.message == "expected 351, got 352"


async def test_code_from_a_comment_lands_below_it_after_an_edit_above() -> None:
    async with session() as client:
        open_doc(client, URI, COMMENT_MODULE, version=1)
        [action] = [a for a in await code_actions(client, 3) if a.title.startswith("Generate")]
        pending = asyncio.ensure_future(
            client.workspace_execute_command_async(command_params(action))
        )
        await asyncio.sleep(0)
        typed = "import sys\n" + COMMENT_MODULE
        change_doc(client, URI, 2, typed)
        result = await pending
        assert result["applied"] is True and result["rebased"] is True, result
        new_text, version = apply_workspace_edit(typed, client.edits[0])
        assert version == 2 and new_text.startswith("import sys\nimport os\n\n# double a number\n")
        run_examples(new_text, {"double(3)": 6, "double(-2)": -4})


async def test_a_big_module_is_compiled_once_in_another_process() -> None:
    from synthls.lsp import background
    from synthls.synth import module_text

    good = many_functions(3000, wrong=set())
    assert len(good) >= background.BIG
    for text, compiles in ((good, True), (good + "def (:\n", False), (good + "\0", False)):
        await background.precompile(text)
        assert module_text._COMPILES.get(text) is compiles
