"""End to end: the real server over stdio, driven by a real LSP client (pytest-lsp)."""

from __future__ import annotations

import asyncio

import pytest
from lsprotocol import types

from tests.lsp_support import (
    DATA,
    apply_workspace_edit,
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


def line_of(fragment: str) -> int:
    return next(i for i, ln in enumerate(LINES) if fragment in ln)


async def actions_at(client, line: int, diagnostics=()) -> list[types.CodeAction]:  # type: ignore[no-untyped-def]
    result = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=URI),
            range=types.Range(types.Position(line, 0), types.Position(line, 0)),
            context=types.CodeActionContext(diagnostics=list(diagnostics)),
        )
    )
    return [a for a in result or [] if isinstance(a, types.CodeAction)]


async def execute(client, action: types.CodeAction):  # type: ignore[no-untyped-def]
    assert action.command is not None
    return await client.workspace_execute_command_async(
        types.ExecuteCommandParams(
            command=action.command.command, arguments=action.command.arguments
        )
    )


async def test_actions_offered_exactly_on_stubs() -> None:
    async with session() as client:
        open_doc(client, URI, TEXT)
        for fragment in ("def add", ">>> add(1, 2)", "    ...", "def shout", "def no_examples"):
            titles = [a.title for a in await actions_at(client, line_of(fragment))]
            assert titles == ["Synthesize body from docstring"], fragment
        for fragment in ("import math", "LIMIT = 10", "def implemented", "return x * 2"):
            assert await actions_at(client, line_of(fragment)) == [], fragment


async def test_synthesize_applies_a_verified_versioned_edit_with_progress() -> None:
    async with session() as client:
        open_doc(client, URI, TEXT, version=3)
        [action] = await actions_at(client, line_of("def add"))
        result = await execute(client, action)
        assert result["applied"] is True, result
        [params] = client.edits
        new_text, version = apply_workspace_edit(TEXT, params)
        assert version == 3
        run_examples(new_text, {"add(1, 2)": 3, "add(5, 7)": 12, "add(-3, 3)": 0})
        # nothing else in the file changed
        fn_start, fn_end = line_of("def add"), line_of("def shout")
        old, new = TEXT.splitlines(), new_text.splitlines()
        assert old[:fn_start] == new[:fn_start]
        assert old[fn_end - 2 :] == new[len(new) - (len(old) - fn_end + 2) :]
        kinds = [
            type(v).__name__
            for token in client.progress_reports
            for v in client.progress_reports[token]
        ]
        assert kinds[0] == "WorkDoneProgressBegin" and kinds[-1] == "WorkDoneProgressEnd"
        assert "WorkDoneProgressReport" in kinds


class Buffer:
    """The client's copy of the file: applies an edit only if it was made for its version (as
    editors do), then sends the change like an editor would."""

    def __init__(self, client, text: str, version: int) -> None:  # type: ignore[no-untyped-def]
        self.client, self.text, self.version = client, text, version
        self.refused: list[int | None] = []
        client.on_apply = self.apply

    def apply(self, params: types.ApplyWorkspaceEditParams) -> None:
        new_text, version = apply_workspace_edit(self.text, params)
        self.client.apply_result = version == self.version
        if version != self.version:
            self.refused.append(version)
            return
        self.type(new_text)

    def type(self, new_text: str) -> None:
        self.text, self.version = new_text, self.version + 1
        change_doc(self.client, URI, self.version, new_text)


async def test_two_syntheses_in_one_file_both_apply() -> None:
    async with session() as client:
        open_doc(client, URI, TEXT, version=1)
        buffer = Buffer(client, TEXT, 1)
        [add] = await actions_at(client, line_of("def add"))
        [shout] = await actions_at(client, line_of("def shout"))
        first, second = await asyncio.gather(execute(client, add), execute(client, shout))
        assert first["applied"] is True, first
        assert second["applied"] is True, second
        assert buffer.version == 3 and buffer.refused == []
        assert sorted([first["version"], second["version"]]) == [1, 2]
        assert [first["rebased"], second["rebased"]].count(True) == 1
        run_examples(buffer.text, {"add(1, 2)": 3, "add(-3, 3)": 0, "shout('hi')": "HI"})
        assert buffer.text.count("\n") == TEXT.count("\n")  # each stub line became one line


async def test_an_edit_elsewhere_while_synthesizing_is_kept_and_the_result_rebased() -> None:
    async with session() as client:
        open_doc(client, URI, TEXT, version=1)
        buffer = Buffer(client, TEXT, 1)
        [action] = await actions_at(client, line_of("def shout"))
        pending = asyncio.ensure_future(execute(client, action))
        await asyncio.sleep(0)  # the request is on the wire before the edit
        buffer.type(TEXT.replace("LIMIT = 10\n", "LIMIT = 11\n\nEXTRA = [\n    1,\n]\n"))
        result = await pending
        assert result["applied"] is True, result
        assert result["rebased"] is True and result["version"] == 2
        assert [e.edit.document_changes[0].text_document.version for e in client.edits] == [2]
        assert "EXTRA = [\n    1,\n]\n" in buffer.text and "LIMIT = 11" in buffer.text
        run_examples(buffer.text, {"shout('hi')": "HI", "EXTRA": [1]})


async def test_an_edit_inside_the_function_while_synthesizing_is_refused_and_kept() -> None:
    async with session() as client:
        open_doc(client, URI, TEXT, version=1)
        buffer = Buffer(client, TEXT, 1)
        [action] = await actions_at(client, line_of("def shout"))
        pending = asyncio.ensure_future(execute(client, action))
        await asyncio.sleep(0)
        typed = TEXT.replace('    """Upper-case the text.', '    """Upper-case the text!', 1)
        buffer.type(typed)
        result = await pending
        assert result["applied"] is False
        assert client.edits == [] and buffer.text == typed
        [msg] = [m.message for m in client.messages]
        assert "shout changed while it was being synthesized" in msg
        assert "not applied" in msg and "your edits are kept" in msg


async def test_no_examples_says_how_to_add_one() -> None:
    async with session() as client:
        open_doc(client, URI, TEXT)
        [action] = await actions_at(client, line_of("def no_examples"))
        result = await execute(client, action)
        assert result["applied"] is False and client.edits == []
        [msg] = [m.message for m in client.messages]
        assert "no examples" in msg and ">>> no_examples(" in msg


async def test_nothing_passes_names_each_example() -> None:
    async with session({"rounds": 1, "embedded": {"budget": 1.0}}) as client:
        open_doc(client, URI, TEXT)
        [action] = await actions_at(client, line_of("def impossible"))
        result = await execute(client, action)
        assert result["applied"] is False and client.edits == []
        text = "\n".join(m.message for m in client.messages)
        assert f"line {line_of('>>> impossible(1)') + 1}" in text
        assert "'a7f3c'" in text and "'q0z9'" in text


async def test_failing_example_diagnostic_quick_fix_and_lens() -> None:
    async with session() as client:
        open_doc(client, URI, TEXT, version=1)
        await wait_for(lambda: URI in client.diagnostics)
        [diag] = client.diagnostics[URI]
        assert diag.range.start.line == line_of(">>> wrong(3)")
        assert diag.message == "expected 9, got 6"
        assert diag.related_information and diag.related_information[
            0
        ].location.range.start.line == line_of("def wrong")
        lenses = await client.text_document_code_lens_async(
            types.CodeLensParams(text_document=types.TextDocumentIdentifier(uri=URI))
        )
        titles = sorted(lens.command.title for lens in lenses if lens.command)
        assert titles == ["✓ 1/1 examples", "✗ 1/2 examples — regenerate"]
        [fix] = await actions_at(client, diag.range.start.line, [diag])
        assert (
            fix.title == "Regenerate body to satisfy examples"
            and fix.kind == types.CodeActionKind.QuickFix
        )
        assert list(fix.diagnostics or []) == [diag]
        # Anywhere in the failing function (the client sends no diagnostic there), the same fix;
        # in a function whose examples pass, none.
        for fragment in ("def wrong", "return x + x", "Square a number"):
            [there] = await actions_at(client, line_of(fragment))
            assert there.title == fix.title and list(there.diagnostics or []) == [diag], fragment
        assert await actions_at(client, line_of("return x * 2")) == []
        result = await execute(client, fix)
        assert result["applied"] is True, result
        new_text, version = apply_workspace_edit(TEXT, client.edits[0])
        assert version == 1
        run_examples(new_text, {"wrong(3)": 9, "wrong(2)": 4, "wrong(5)": 25})
        client.diagnostics.pop(URI)
        change_doc(client, URI, 2, new_text)
        await wait_for(lambda: URI in client.diagnostics)
        assert list(client.diagnostics[URI]) == []


async def test_completion_offers_nothing_that_only_fits_the_examples_unless_asked() -> None:
    async with session() as client:
        text = TEXT.replace('    """\n    ...\n\n\ndef shout', '    """\n    \n\n\ndef shout', 1)
        open_doc(client, URI, text)
        line = line_of("def shout") - 3
        params = types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=URI), position=types.Position(line, 4)
        )
        result = None
        for _ in range(40):  # incomplete while the search runs; then complete, and empty
            result = await client.text_document_completion_async(params)
            assert isinstance(result, types.CompletionList)
            assert list(result.items) == []
            if not result.is_incomplete:
                break
            await asyncio.sleep(0.25)
        assert result is not None and not result.is_incomplete


async def test_completion_offers_a_fitting_body_with_insert_fitting() -> None:
    async with session({"insertFitting": True}) as client:
        text = TEXT.replace('    """\n    ...\n\n\ndef shout', '    """\n    \n\n\ndef shout', 1)
        open_doc(client, URI, text)
        line = line_of("def shout") - 3
        params = types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=URI), position=types.Position(line, 4)
        )
        items: list[types.CompletionItem] = []
        for _ in range(20):  # the list is incomplete until the body is verified
            result = await client.text_document_completion_async(params)
            assert isinstance(result, types.CompletionList)
            items = list(result.items)
            if items:
                break
        [item] = items
        assert item.text_edit is not None
        edit = item.text_edit
        assert isinstance(edit, types.TextEdit)
        lines = text.splitlines(keepends=True)
        lines[line] = lines[line][:4] + edit.new_text + lines[line][4:]
        run_examples("".join(lines), {"add(1, 2)": 3, "add(5, 7)": 12})


async def test_sandbox_status_reports_layers() -> None:
    async with session() as client:
        status = await client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="synthls.sandboxStatus", arguments=[])
        )
        assert status["engine"] == "auto"  # the default: the tests keep it on the search
        assert status["engineInUse"] == "embedded"
        assert status["why"] == "$SYNTHLS_NO_LOCAL_MODEL is set"
        assert status["model"]["state"] in ("stopped", "ready", "starting", "not installed")
        assert "rlimits" in status["layers"]


async def test_bad_settings_get_one_clear_message() -> None:
    async with session({"engine": "gpt", "rounds": -2}) as client:
        await wait_for(lambda: bool(client.messages))
        [msg] = client.messages
        assert "engine" in msg.message and "rounds" in msg.message


CALLER = '''def helper(x):
    return x + 1


def f(x):
    """Twice helper.

    >>> f(1)
    4
    """
    return 2 * helper(x)
'''


async def test_a_changed_helper_updates_the_diagnostics_of_its_caller() -> None:
    async with session() as client:
        open_doc(client, URI, CALLER, version=1)
        await wait_for(lambda: any(p.version == 1 for p in client.published))
        assert list(client.diagnostics[URI]) == []
        change_doc(client, URI, 2, CALLER.replace("return x + 1", "return x + 2"))
        await wait_for(lambda: any(p.version == 2 for p in client.published))
        [diag] = client.diagnostics[URI]
        assert diag.message == "expected 4, got 6"
        assert diag.range.start.line == CALLER.splitlines().index("    >>> f(1)")
