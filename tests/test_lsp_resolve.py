"""End to end: `codeAction/resolve` for clients that resolve edits, commands for the others."""

from __future__ import annotations

import asyncio

import pytest
from lsprotocol import types

from tests.lsp_support import (
    DATA,
    apply_text_edits,
    capabilities,
    change_doc,
    open_doc,
    run_examples,
    session,
    wait_for,
)

pytestmark = pytest.mark.e2e
URI = "file:///work/stubs.py"
TEXT = (DATA / "stubs.py").read_text()
LINES = TEXT.splitlines()
ADD = {"add(1, 2)": 3, "add(5, 7)": 12, "add(-3, 3)": 0}


def line_of(fragment: str, lines: list[str] = LINES) -> int:
    return next(i for i, ln in enumerate(lines) if fragment in ln)


async def actions_at(client, line: int) -> list[types.CodeAction]:  # type: ignore[no-untyped-def]
    result = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=URI),
            range=types.Range(types.Position(line, 0), types.Position(line, 0)),
            context=types.CodeActionContext(diagnostics=[]),
        )
    )
    return [a for a in result or [] if isinstance(a, types.CodeAction)]


def the_edit(action: types.CodeAction) -> types.TextDocumentEdit:
    assert action.edit is not None, action
    changes = action.edit.document_changes or []
    assert len(changes) == 1 and isinstance(changes[0], types.TextDocumentEdit)
    return changes[0]


def applied(text: str, edit: types.TextDocumentEdit) -> str:
    return apply_text_edits(text, [e for e in edit.edits if isinstance(e, types.TextEdit)])


async def test_a_resolving_client_lists_cheap_actions_and_gets_the_edit_at_resolve() -> None:
    async with session(caps=capabilities(resolve=True)) as client:
        open_doc(client, URI, TEXT, version=3)
        [action] = await actions_at(client, line_of("def add"))
        assert action.command is None and action.edit is None and action.data is not None
        assert client.progress_reports == {}  # listing did not synthesize
        resolved = await client.code_action_resolve_async(action)
        edit = the_edit(resolved)
        assert edit.text_document.uri == URI and edit.text_document.version == 3
        run_examples(applied(TEXT, edit), ADD)
        assert resolved.command is None
        assert client.edits == []  # no workspace/applyEdit: the client applies the edit itself
        kinds = [type(v).__name__ for vs in client.progress_reports.values() for v in vs]
        assert kinds[0] == "WorkDoneProgressBegin" and kinds[-1] == "WorkDoneProgressEnd"


async def test_a_resolve_after_an_edit_above_is_made_for_the_current_version() -> None:
    async with session(caps=capabilities(resolve=True)) as client:
        open_doc(client, URI, TEXT, version=1)
        [action] = await actions_at(client, line_of("def add"))
        moved = "# a comment typed above\n\n" + TEXT
        change_doc(client, URI, 2, moved)
        resolved = await client.code_action_resolve_async(action)
        edit = the_edit(resolved)
        assert edit.text_document.version == 2
        new_text = applied(moved, edit)
        run_examples(new_text, ADD)
        assert new_text.startswith("# a comment typed above\n\n") and "def shout" in new_text


async def test_a_resolve_whose_function_went_away_edits_nothing() -> None:
    async with session(caps=capabilities(resolve=True)) as client:
        open_doc(client, URI, TEXT, version=1)
        [action] = await actions_at(client, line_of("def add"))
        change_doc(client, URI, 2, TEXT.replace("def add(a, b):", "def plus(a, b):"))
        resolved = await client.code_action_resolve_async(action)
        assert resolved.edit is None and resolved.command is None
        assert client.edits == []


async def test_a_client_without_edit_resolve_gets_commands() -> None:
    caps = capabilities(resolve=True)
    assert caps.text_document and caps.text_document.code_action
    caps.text_document.code_action.resolve_support = types.ClientCodeActionResolveOptions(
        properties=["documentation"]
    )
    for client_caps in (caps, capabilities(resolve=False)):
        async with session(caps=client_caps) as client:
            open_doc(client, URI, TEXT, version=1)
            [action] = await actions_at(client, line_of("def add"))
            assert action.edit is None and action.data is None
            assert action.command is not None and action.command.command == "synthls.synthesize"
            # resolving a command action (as VS Code does before running it) changes nothing
            assert await client.code_action_resolve_async(action) == action


SLOW = '''def impossible(x):
    """No expression gives these.

    >>> impossible(1)
    'a7f3c'
    >>> impossible(2)
    'q0z9'
    """
    ...
'''
SLOW_OPTIONS = {"embedded": {"budget": 60}, "deadline": 120, "rounds": 1}


async def test_a_resolve_is_cancelled_by_the_progress_button_and_edits_nothing() -> None:
    async with session(SLOW_OPTIONS, caps=capabilities(resolve=True)) as client:
        open_doc(client, URI, SLOW)
        [action] = await actions_at(client, 0)
        request = asyncio.ensure_future(client.code_action_resolve_async(action))
        await wait_for(lambda: bool(client.progress_reports), timeout=30)
        [token] = list(client.progress_reports)
        client.window_work_done_progress_cancel(types.WorkDoneProgressCancelParams(token=token))
        resolved = await asyncio.wait_for(request, 30)
        assert resolved.edit is None and client.edits == []
        assert type(client.progress_reports[token][-1]).__name__ == "WorkDoneProgressEnd"
        assert any("impossible: cancelled" in m.message for m in client.messages)


async def test_a_resolve_is_cancelled_by_cancel_request() -> None:
    async with session(SLOW_OPTIONS, caps=capabilities(resolve=True)) as client:
        open_doc(client, URI, SLOW)
        [action] = await actions_at(client, 0)
        request = asyncio.ensure_future(
            client.protocol.send_request_async(
                types.CODE_ACTION_RESOLVE, action, msg_id="resolve-1"
            )
        )
        await wait_for(lambda: bool(client.progress_reports), timeout=30)
        [token] = list(client.progress_reports)
        client.protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id="resolve-1"))
        with pytest.raises(Exception):  # noqa: B017 - RequestCancelled surfaces as a JSON-RPC error
            await asyncio.wait_for(request, 30)
        await wait_for(
            lambda: type(client.progress_reports[token][-1]).__name__ == "WorkDoneProgressEnd"
        )
        assert client.edits == []


async def test_a_modern_client_pulls_a_failure_and_resolves_its_quick_fix() -> None:
    async with session(caps=capabilities(resolve=True, pull=True)) as client:
        open_doc(client, URI, TEXT, version=1)
        report = await client.text_document_diagnostic_async(
            types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=URI))
        )
        assert isinstance(report, types.RelatedFullDocumentDiagnosticReport)
        failing = [d for d in report.items if d.code == "example-failed"]
        line = line_of("def wrong")
        assert failing and all(line < d.range.start.line < line + 8 for d in failing)
        result = await client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=URI),
                range=failing[0].range,
                context=types.CodeActionContext(
                    diagnostics=failing, only=[types.CodeActionKind.QuickFix]
                ),
            )
        )
        [fix] = [a for a in result or [] if isinstance(a, types.CodeAction)]
        assert fix.title == "Regenerate body to satisfy examples" and fix.command is None
        edit = the_edit(await client.code_action_resolve_async(fix))
        assert edit.text_document.version == 1
        run_examples(applied(TEXT, edit), {"wrong(3)": 9, "wrong(2)": 4, "wrong(5)": 25})
        assert client.published == [] and client.edits == []


async def test_resolves_of_one_action_share_one_synthesis() -> None:
    """VS Code resolves on hover, again on choosing, and again whenever the menu reopens."""
    async with session(caps=capabilities(resolve=True)) as client:
        open_doc(client, URI, TEXT, version=2)
        [action] = await actions_at(client, line_of("def add"))
        hover, chosen = await asyncio.gather(
            client.code_action_resolve_async(action), client.code_action_resolve_async(action)
        )
        assert the_edit(hover) == the_edit(chosen)
        [again] = await actions_at(client, line_of("def add"))  # the menu opens again
        assert the_edit(await client.code_action_resolve_async(again)) == the_edit(hover)
        assert len(client.progress_reports) == 1  # one synthesis
        run_examples(applied(TEXT, the_edit(hover)), ADD)


def send_raw(client, msg_id: str, params: object) -> asyncio.Future[object]:  # type: ignore[no-untyped-def]
    """A ``codeAction/resolve`` as raw JSON (the typed client would not build every one)."""
    future: asyncio.Future[object] = asyncio.get_running_loop().create_future()
    client.protocol._request_futures[msg_id] = future
    message = {"jsonrpc": "2.0", "id": msg_id, "method": types.CODE_ACTION_RESOLVE}
    client.protocol._send_data({**message, "params": params})
    return future


def forged(line: object, text: str = "def add(a, b):", version: object = 1) -> dict[str, object]:
    data = {"command": "synthls.synthesize", "uri": URI, "line": line, "version": version}
    return {"title": "Synthesize body", "data": {**data, "text": text}}


def nested(depth: int) -> object:
    value: object = 0
    for i in range(depth):
        value = {"a": value} if i % 2 else [value]
    return value


FORGED_ERRORS = {
    "data nested 500 levels": {"title": "t", "data": nested(500)},
    "a command argument nested 500 levels": {
        "title": "t",
        "command": {"title": "t", "command": "x", "arguments": [nested(500)]},
    },
    "line 2**32 + its line": forged(2**32 + line_of("def add")),
    "line -2**32": forged(-(2**32)),
    "line -1": forged(-1),
    "line true": forged(True),
    "line 1.5": forged(1.5),
    "version 2**40": forged(line_of("def add"), version=2**40),
    "text not a string": forged(line_of("def add"), text=None),  # type: ignore[arg-type]
}


async def test_forged_resolve_data_is_answered_and_runs_nothing() -> None:
    from pygls.exceptions import JsonRpcException

    async with session(caps=capabilities(resolve=True)) as client:
        open_doc(client, URI, TEXT, version=1)
        for i, (what, params) in enumerate(FORGED_ERRORS.items()):
            with pytest.raises(JsonRpcException) as raised:
                await asyncio.wait_for(send_raw(client, f"forged-{i}", params), 20)
            assert raised.value.code == -32602, (what, raised.value)
            assert "codeAction/resolve: data" in raised.value.message, (what, raised.value)
        # lines that are not where the listed text is: the action comes back as it was
        stale = {
            "past the last line": forged(len(LINES) + 1),
            "the last line + 1": forged(TEXT.count("\n") + 1),
            "another line's text": forged(line_of("def add"), text="LIMIT = 10"),
            "a line far away": forged(2**31 - 1),
        }
        for i, (what, params) in enumerate(stale.items()):
            got = await asyncio.wait_for(send_raw(client, f"stale-{i}", params), 20)
            assert getattr(got, "edit", None) is None, (what, got)
            assert getattr(got, "title", None) == "Synthesize body", (what, got)
        assert client.progress_reports == {} and client.edits == []  # no job ran
        # and the server still resolves a real action
        [action] = await actions_at(client, line_of("def add"))
        run_examples(applied(TEXT, the_edit(await client.code_action_resolve_async(action))), ADD)
