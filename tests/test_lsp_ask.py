"""End to end: ambiguous examples → questions to the user → the answers kept as examples.

A scripted OpenAI-compatible server (tests/fake_openai.py) returns three bodies that all pass the
docstring's two examples but behave differently elsewhere, so the server must ask. The real
server runs over stdio under a real LSP client (pytest-lsp) that answers, dismisses or ignores
``window/showMessageRequest``, or does not support it at all.
"""

from __future__ import annotations

import ast
import asyncio
import doctest
import itertools
import os
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
from lsprotocol import types
from pytest_lsp import ClientServerConfig, client_capabilities

from synthls.synth.answers import INVALID
from tests.fake_openai import FakeOpenAI, PerN, after_a_wrong_greedy_answer, fenced, searches
from tests.lsp_support import (
    Client,
    apply_workspace_edit,
    change_doc,
    initialized,
    make_client,
    open_doc,
    wait_for,
)

pytestmark = pytest.mark.e2e
URI = "file:///work/ask.py"
TEXT = '''import math


def safe_div(a: float, b: float) -> float:
    """a divided by b, or 0.0 when b is zero.

    >>> safe_div(6, 3)
    2.0
    >>> safe_div(1, 0)
    0.0
    """
    ...
'''
RIGHT = "return a / b if b else 0.0"
BODIES = (RIGHT, "return a - b - 1.0", "return a / b / (b - 2) if b else 0.0")
DEF_LINE = TEXT.splitlines().index("def safe_div(a: float, b: float) -> float:")


def reference(call: str) -> object:
    ns: dict[str, Any] = {}
    exec(f"def safe_div(a, b):\n    {RIGHT}\n", ns)
    return eval(call, ns)


def right_choice(call: str, choices: list[str]) -> str:
    want = reference(call)
    [choice] = [c for c in choices if ast.literal_eval(c) == want]
    return choice


def doctests(text: str) -> tuple[int, int]:
    """(failed, attempted) running the docstring examples of ``safe_div`` in ``text``."""
    ns: dict[str, Any] = {}
    exec(compile(text, "<edited>", "exec"), ns)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for test in doctest.DocTestFinder().find(ns["safe_div"], "safe_div", globs=ns):
        runner.run(test, out=lambda _: None)
    return runner.failures, runner.tries


Answer = Callable[[types.ShowMessageRequestParams], "asyncio.Future[Any] | Any"]


class AskClient(Client):
    questions: list[types.ShowMessageRequestParams]
    answer: Callable[[types.ShowMessageRequestParams], Any]
    withdrawn: int


def make_ask_client() -> AskClient:
    client = make_client()
    client.__class__ = AskClient
    assert isinstance(client, AskClient)
    client.questions = []
    client.withdrawn = 0

    @client.feature(types.WINDOW_SHOW_MESSAGE_REQUEST)
    async def show_message_request(
        c: AskClient, params: types.ShowMessageRequestParams
    ) -> types.MessageActionItem | None:
        c.questions.append(params)
        try:
            answer = c.answer(params)
            return await answer if asyncio.isfuture(answer) else answer  # type: ignore[no-any-return]
        except asyncio.CancelledError:  # the server withdrew the question ($/cancelRequest)
            c.withdrawn += 1
            raise

    return client


@asynccontextmanager
async def session(
    url: str, show_message: bool = True, env: dict[str, str] | None = None, **options: Any
) -> AsyncIterator[AskClient]:
    kept = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "SYNTHLS_"))}
    config = ClientServerConfig(
        server_command=[sys.executable, "-m", "synthls"],
        client_factory=make_ask_client,
        server_env={**kept, "OPENAI_API_KEY": "k", **(env or {})},
    )
    client = await config.start()
    assert isinstance(client, AskClient)
    caps = client_capabilities("visual-studio-code")
    assert caps.workspace is not None and caps.window is not None
    caps.workspace.apply_edit = True
    if not show_message:
        caps.window.show_message = None
    init = {"engine": "openai", "rounds": 2, "openai": {"baseUrl": url, "candidates": 4}}
    params = types.InitializeParams(capabilities=caps, initialization_options={**init, **options})
    async with initialized(client, params):
        yield client


def fake() -> FakeOpenAI:
    """Each body the server writes is the next of ``BODIES`` (however the samples are split
    into requests), after a wrong first greedy answer."""
    served = itertools.count()
    return FakeOpenAI(
        after_a_wrong_greedy_answer([PerN(lambda i: fenced(BODIES[next(served) % len(BODIES)]))])
    )


async def synthesize(client: AskClient, msg_id: str | None = None) -> Any:
    params = types.ExecuteCommandParams(command="synthls.synthesize", arguments=[URI, DEF_LINE])
    return await client.protocol.send_request_async(
        types.WORKSPACE_EXECUTE_COMMAND, params, msg_id=msg_id
    )


async def lenses(client: AskClient) -> list[types.CodeLens]:
    found = await client.text_document_code_lens_async(
        types.CodeLensParams(text_document=types.TextDocumentIdentifier(uri=URI))
    )
    return list(found or [])


def reports(client: AskClient) -> list[str]:
    return [
        v.message or ""
        for token in client.progress_reports
        for v in client.progress_reports[token]
        if isinstance(v, types.WorkDoneProgressReport)
    ]


def assert_body_and_examples(
    params: types.ApplyWorkspaceEditParams, answers: list[tuple[str, str]]
) -> None:
    """One versioned edit that adds the answers to the docstring and puts the right body."""
    [change] = params.edit.document_changes or []
    assert isinstance(change, types.TextDocumentEdit) and len(change.edits) == 2
    new_text, version = apply_workspace_edit(TEXT, params)
    assert version == 1
    for call, want in answers:
        assert f"    >>> {call}\n    {want}\n" in new_text, new_text
    assert f"    {RIGHT}\n" in new_text, new_text
    # the two examples and the answers pass
    assert doctests(new_text) == (0, 2 + len(answers)), new_text


async def test_ask_answer_adds_the_example_and_the_verified_body() -> None:
    with fake() as server:
        async with session(server.url) as client:
            client.answer = lambda p: types.MessageActionItem(
                right_choice(p.message.split("`")[1], [a.title for a in p.actions or []][:-2])
            )
            open_doc(client, URI, TEXT)
            result = await asyncio.wait_for(synthesize(client), 120)
            # the answer rules two behaviours out; one predicted answer could be luck, so the
            # survivor's answer on another input is offered for confirmation
            question, confirming = client.questions
            call = question.message.split("`")[1]
            assert question.message == (
                f"What should `{call}` return? (3 behaviours pass the examples)"
            )
            titles = [a.title for a in question.actions or []]
            assert titles[-2:] == ["Not a valid input", "None of these"] and len(titles) == 5
            confirmed = confirming.message.split("`")[1]
            assert confirming.message == (
                f"What should `{confirmed}` return? (one behaviour passes the examples: "
                "confirm its answer)"
            )
            assert [a.title for a in confirming.actions or []] == [
                repr(reference(confirmed)),
                "Not a valid input",
                "None of these",
            ]
            assert result["applied"] is True and result["status"] == "verified", result
            [params] = client.edits
            answers = [(call, right_choice(call, titles[:-2]))]
            assert_body_and_examples(params, [*answers, (confirmed, repr(reference(confirmed)))])
            assert any(
                r.startswith("waiting for your answer: What should") for r in reports(client)
            )


@pytest.mark.parametrize("how", ["dismissed", "unsupported"])
async def test_lens_fallback_answers_and_reuses_the_candidates(how: str) -> None:
    with fake() as server:
        async with session(server.url, show_message=how != "unsupported") as client:
            client.answer = lambda p: None  # the user closes the dialog
            open_doc(client, URI, TEXT)
            result = await asyncio.wait_for(synthesize(client), 120)
            assert len(client.questions) == (1 if how == "dismissed" else 0)
            assert result["applied"] is False and result["status"] == "ambiguous", result
            assert client.edits == []  # nothing inserted until answered
            call, choices = result["question"]["call"], result["question"]["choices"]
            found = [lens for lens in await lenses(client) if lens.command]
            assert [lens.command.title for lens in found if lens.command] == [
                f"synthls: 3 behaviours pass — choose {call}: {choices[0]}",
                *choices[1:],
                "not a valid input",
            ]
            assert all(lens.range.start.line == DEF_LINE for lens in found)
            requests = len(searches(server.requests))
            answers: list[tuple[str, str]] = []
            answered = result
            # each answer through a lens resumes the job; the confirmation it asks next is
            # dismissed (or cannot be shown) too, so it waits in a lens of its own
            while answered["status"] == "ambiguous" and len(answers) < 3:
                call = answered["question"]["call"]
                found = [lens for lens in await lenses(client) if lens.command]
                right = right_choice(call, answered["question"]["choices"])
                [lens] = [x for x in found if x.command and x.command.arguments[-1] == right]
                assert lens.command is not None
                assert list(lens.command.arguments or []) == [URI, DEF_LINE, call, right]
                answers.append((call, right))
                answered = await asyncio.wait_for(
                    client.workspace_execute_command_async(
                        types.ExecuteCommandParams(
                            command=lens.command.command, arguments=lens.command.arguments
                        )
                    ),
                    120,
                )
            assert answered["applied"] is True and answered["status"] == "verified", answered
            assert len(answers) == 2  # the split, then a confirmation
            assert len(client.questions) == (2 if how == "dismissed" else 0)
            assert (
                len(searches(server.requests)) == requests
            )  # resumed from the candidates found: no new search
            [params] = client.edits
            assert_body_and_examples(params, answers)
            assert await lenses(client) == []


@pytest.mark.parametrize("how", ["cancelRequest", "progress"])
async def test_cancel_while_the_question_waits(how: str) -> None:
    with fake() as server:
        async with session(server.url) as client:
            never: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
            client.answer = lambda p: never
            open_doc(client, URI, TEXT)
            request = asyncio.ensure_future(synthesize(client, msg_id="ask-1"))
            await wait_for(lambda: bool(client.questions), timeout=120)
            await wait_for(
                lambda: any(r.startswith("waiting for your answer") for r in reports(client))
            )
            if how == "cancelRequest":
                client.protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id="ask-1"))
                with pytest.raises(Exception):  # noqa: B017 - RequestCancelled, a JSON-RPC error
                    await asyncio.wait_for(request, 30)
            else:
                [token] = list(client.progress_reports)
                client.window_work_done_progress_cancel(
                    types.WorkDoneProgressCancelParams(token=token)
                )
                result = await asyncio.wait_for(request, 30)
                assert result["applied"] is False and "cancelled" in result["message"]
            await wait_for(lambda: client.withdrawn == 1, timeout=30)  # the dialog was withdrawn
            assert client.edits == [] and await lenses(client) == []
            [token] = list(client.progress_reports)
            assert isinstance(client.progress_reports[token][-1], types.WorkDoneProgressEnd)


async def test_not_a_valid_input_asks_about_another_call_and_keeps_it_out_of_the_docstring() -> (
    None
):
    with fake() as server:
        async with session(server.url) as client:

            def answer(p: types.ShowMessageRequestParams) -> types.MessageActionItem:
                if len(client.questions) == 1:
                    return types.MessageActionItem("Not a valid input")
                titles = [a.title for a in p.actions or []][:-2]
                return types.MessageActionItem(right_choice(p.message.split("`")[1], titles))

            client.answer = answer
            open_doc(client, URI, TEXT)
            result = await asyncio.wait_for(synthesize(client), 120)
            ruled_out, *others = [q.message.split("`")[1] for q in client.questions]
            assert others and ruled_out not in others, client.questions
            assert result["applied"] is True and result["status"] == "verified", result
            [params] = client.edits
            new_text, _ = apply_workspace_edit(TEXT, params)
            assert f">>> {ruled_out}" not in new_text, new_text
            assert_body_and_examples(params, [(c, repr(reference(c))) for c in others])
            assert any(f"{ruled_out} is not a valid input" in r for r in reports(client))


async def test_the_not_a_valid_input_lens_asks_about_another_call() -> None:
    with fake() as server:
        async with session(server.url, show_message=False) as client:
            open_doc(client, URI, TEXT)
            result = await asyncio.wait_for(synthesize(client), 120)
            assert result["status"] == "ambiguous", result
            ruled_out = result["question"]["call"]
            found = [lens for lens in await lenses(client) if lens.command]
            [lens] = [x for x in found if x.command and x.command.title == "not a valid input"]
            assert lens.command is not None
            assert list(lens.command.arguments or []) == [URI, DEF_LINE, ruled_out, INVALID]
            again = await asyncio.wait_for(
                client.workspace_execute_command_async(
                    types.ExecuteCommandParams(
                        command=lens.command.command, arguments=lens.command.arguments
                    )
                ),
                120,
            )
            assert again["status"] == "ambiguous" and again["applied"] is False, again
            assert again["question"]["call"] != ruled_out
            calls = {x.command.arguments[2] for x in await lenses(client) if x.command}
            assert calls == {again["question"]["call"]}  # the new question's lenses only
            assert client.edits == []


async def test_none_of_these_inserts_nothing_and_says_how_to_settle_it() -> None:
    with fake() as server:
        async with session(server.url) as client:
            client.answer = lambda p: types.MessageActionItem("None of these")
            open_doc(client, URI, TEXT)
            result = await asyncio.wait_for(synthesize(client), 120)
            assert result["applied"] is False and result["status"] == "ambiguous", result
            call = result["question"]["call"]
            assert client.edits == [] and await lenses(client) == []  # no lens: none fits
            assert any(
                "None of the answers fits" in m.message and f">>> {call}" in m.message
                for m in client.messages
            ), client.messages


async def test_a_lens_of_a_function_edited_since_answers_nothing() -> None:
    with fake() as server:
        async with session(server.url, show_message=False) as client:
            open_doc(client, URI, TEXT)
            result = await asyncio.wait_for(synthesize(client), 120)
            [lens, *_] = [x for x in await lenses(client) if x.command]
            assert lens.command is not None
            edited = TEXT.replace("or 0.0 when b is zero", "or 0.0 when b is 0")
            change_doc(client, URI, 2, edited)  # the examples' meaning may have changed
            assert await lenses(client) == []
            answered = await client.workspace_execute_command_async(
                types.ExecuteCommandParams(
                    command=lens.command.command, arguments=lens.command.arguments
                )
            )
            assert answered["applied"] is False and "no question waits" in answered["message"]
            assert client.edits == [] and result["status"] == "ambiguous"


def reply_raw(client: AskClient, result: object) -> None:
    """Answer each ``window/showMessageRequest`` with ``result`` as raw JSON (the typed client
    would not send a string or a list where an action item belongs)."""
    handle = client.protocol.handle_message

    def intercept(message: Any) -> None:
        if getattr(message, "method", None) != types.WINDOW_SHOW_MESSAGE_REQUEST:
            handle(message)
            return
        client.questions.append(message.params)
        reply = {"jsonrpc": "2.0", "id": message.id, "result": result}
        client.protocol._send_data(reply)

    client.protocol.handle_message = intercept  # type: ignore[method-assign]


async def assert_waits_in_lenses(client: AskClient, result: dict[str, Any]) -> None:
    assert result["applied"] is False and result["status"] == "ambiguous", result
    assert client.edits == []
    call = result["question"]["call"]
    found = [lens for lens in await lenses(client) if lens.command]
    assert found and all(lens.command and lens.command.arguments[2] == call for lens in found)


@pytest.mark.parametrize("reply", ["Yes", ["0.5", {"title": "0.5"}]], ids=["string", "list"])
async def test_a_dialog_reply_that_is_not_an_action_item_counts_as_dismissed(
    reply: object,
) -> None:
    with fake() as server:
        async with session(server.url) as client:  # the default timeout: 10 minutes
            reply_raw(client, reply)
            open_doc(client, URI, TEXT)
            result = await asyncio.wait_for(synthesize(client), 60)
            assert len(client.questions) == 1
            await assert_waits_in_lenses(client, result)
            # a request for the same function now does not join a job waiting forever
            again = await asyncio.wait_for(synthesize(client), 60)
            assert again["status"] == "ambiguous" and again["applied"] is False, again


async def test_an_unanswered_dialog_is_withdrawn_after_the_timeout() -> None:
    with fake() as server:
        async with session(server.url, env={"SYNTHLS_ASK_TIMEOUT": "2"}) as client:
            never: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
            client.answer = lambda p: never
            open_doc(client, URI, TEXT)
            result = await asyncio.wait_for(synthesize(client), 60)
            assert len(client.questions) == 1
            await wait_for(lambda: client.withdrawn == 1, timeout=30)  # the dialog was closed
            await assert_waits_in_lenses(client, result)
