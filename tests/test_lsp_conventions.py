"""The pieces behind the client-dependent conventions: capabilities, tags, lazy actions, pulled
reports and the warm-up's choice of stub (the end-to-end behaviour is in test_lsp_resolve.py,
test_lsp_tags.py, test_lsp_pull.py and test_lsp_warmup.py)."""

from __future__ import annotations

import asyncio

from lsprotocol import types

from synthls.intent.document import Document
from synthls.lsp import clientcaps, pull
from synthls.lsp.llm_tag import tags_for
from synthls.lsp.resolve import Lazy, relocate, shape
from synthls.lsp.warmup import ready_stub
from tests.lsp_support import capabilities

STUB = '''import math


def triple(n):
    """Three times n.

    >>> triple(2)
    6
    """

'''


def test_capabilities_decide_each_convention() -> None:
    plain, full = capabilities(), capabilities(resolve=True, tags=True, pull=True)
    assert not clientcaps.resolves_edits(plain) and clientcaps.resolves_edits(full)
    assert not clientcaps.tags_model_actions(plain) and clientcaps.tags_model_actions(full)
    assert not clientcaps.pulls_diagnostics(plain) and clientcaps.pulls_diagnostics(full)
    assert clientcaps.refreshes_diagnostics(full)
    assert full.text_document and full.text_document.code_action
    full.text_document.code_action.data_support = False  # data would not come back
    assert not clientcaps.resolves_edits(full)
    empty = types.ClientCapabilities()
    assert not any(
        f(empty)
        for f in (
            clientcaps.resolves_edits,
            clientcaps.tags_model_actions,
            clientcaps.pulls_diagnostics,
            clientcaps.refreshes_diagnostics,
        )
    )


def test_only_model_written_bodies_are_tagged_and_only_for_clients_that_know_the_tag() -> None:
    assert tags_for(["openai"], True) == [types.CodeActionTag.LlmGenerated]
    assert tags_for(["openai"], False) is None
    assert tags_for(["embedded"], True) is None
    assert tags_for(["embedded", "openai"], True) is None  # either may write it
    assert tags_for([], True) is None


def test_a_lazy_action_carries_what_resolve_needs_and_no_command() -> None:
    doc = Document(STUB, 7)
    command = types.Command("Synthesize", "synthls.synthesize", arguments=["file:///t.py", 3])
    action = types.CodeAction("Synthesize", command=command)
    [lazy] = shape([action], doc, lazy=True, tags=None)
    assert lazy.command is None and lazy.edit is None
    assert Lazy.parse(lazy.data) == Lazy(
        "synthls.synthesize", "file:///t.py", 3, 7, "def triple(n):"
    )
    assert shape([action], doc, lazy=False, tags=None) == [action]
    [tagged] = shape([action], doc, lazy=False, tags=[types.CodeActionTag.LlmGenerated])
    assert tagged.command == command and tagged.tags == [types.CodeActionTag.LlmGenerated]
    for bad in (None, "x", {"command": "rm"}, {**(lazy.data or {}), "line": "3"}):
        assert Lazy.parse(bad) is None


def test_relocate_finds_the_nearest_line_that_reads_the_same() -> None:
    doc = Document("x = 1\n" + STUB + "def triple(n):\n    pass\n")
    assert relocate(doc, 3, "def triple(n):") == 4
    assert relocate(doc, 13, "def triple(n):") == 11  # the second one, nearer
    assert relocate(doc, 3, "def gone():") is None


def test_the_warm_up_picks_the_stub_whose_docstring_is_complete() -> None:
    doc = Document(STUB)
    for line in (3, 6, 8, 9, 10):  # the def, an example, the closing quotes, the lines below
        found = ready_stub(doc, line)
        assert found is not None and found.spec.name == "triple", line
    assert ready_stub(doc, 0) is None
    no_examples = Document('def f(n):\n    """Does things."""\n\n')
    assert ready_stub(no_examples, 2) is None
    written = Document(STUB.replace('    """\n\n', '    """\n    return n * 3\n'))
    assert ready_stub(written, 9) is None


def test_pulled_reports_keep_their_id_until_the_diagnostics_change() -> None:
    refreshes: list[int] = []
    reports = pull.Reports(lambda: refreshes.append(1))
    d = types.Diagnostic(types.Range(types.Position(1, 0), types.Position(1, 3)), "expected 9")
    reports.put("u", [d])
    first = reports.report("u", None)
    assert isinstance(first, types.RelatedFullDocumentDiagnosticReport) and first.items == [d]
    reports.put("u", [d])  # the same diagnostics again: the same report
    assert reports.report("u", first.result_id) == types.RelatedUnchangedDocumentDiagnosticReport(
        result_id=first.result_id
    )
    reports.put("u", [])
    changed = reports.report("u", first.result_id)
    assert isinstance(changed, types.RelatedFullDocumentDiagnosticReport) and changed.items == []
    assert len(refreshes) == 2  # nobody was waiting: each new report asked for a pull


async def test_a_pull_waits_for_the_check_in_flight_and_its_successor() -> None:
    reports = pull.Reports(None)
    loop = asyncio.get_running_loop()
    first, second = loop.create_future(), loop.create_future()
    pending = [first]
    answer = asyncio.ensure_future(reports.answer("u", None, lambda: pending[-1]))
    await asyncio.sleep(0)
    pending.append(second)
    first.cancel()  # superseded by a newer edit
    await asyncio.sleep(0)
    assert not answer.done()
    reports.put("u", [])
    second.set_result(None)
    report = await answer
    assert isinstance(report, types.RelatedFullDocumentDiagnosticReport) and report.result_id
    assert reports.waiting == {}
