"""Settings through the real server: numbers that would break requests, project settings."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types
from pytest_lsp import ClientServerConfig, client_capabilities

from synthls.config import Settings
from tests.lsp_support import (
    DATA,
    Client,
    apply_workspace_edit,
    initialized,
    make_client,
    open_doc,
    run_examples,
    session,
    synthesize_at,
    wait_for,
)

pytestmark = pytest.mark.e2e
TEXT = (DATA / "stubs.py").read_text()
ADD_LINE = next(i for i, ln in enumerate(TEXT.splitlines()) if ln.startswith("def add"))


async def synthesize_add(client: Client, uri: str) -> dict[str, Any]:
    open_doc(client, uri, TEXT)
    result: dict[str, Any] = await synthesize_at(client, uri, ADD_LINE)
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


@asynccontextmanager
async def rooted(root: Path, init_options: dict[str, Any] | None = None) -> AsyncIterator[Client]:
    """A session whose workspace root is ``root`` (lsp_support.session sends none)."""
    config = ClientServerConfig(
        server_command=[sys.executable, "-m", "synthls"], client_factory=make_client
    )
    client = await config.start()
    assert isinstance(client, Client)
    params = types.InitializeParams(
        capabilities=client_capabilities("visual-studio-code"),
        root_uri=root.as_uri(),
        workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name=root.name)],
        initialization_options=init_options,
    )
    async with initialized(client, params):
        yield client


async def status(client: Client) -> dict[str, Any]:
    result: dict[str, Any] = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="synthls.sandboxStatus", arguments=[])
    )
    return result


USERS = Settings().engine  # no editor setting, no environment: the default


def change_settings(client: Client, settings: dict[str, Any]) -> None:
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=settings))


async def test_the_workspace_pyproject_is_told_once_and_cannot_raise_costs(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text(
        '[tool.synthls]\nengine = "all"\nrounds = 1\n\n[tool.synthls.openai]\ncandidates = 128\n'
        '\n[tool.synthls.sandbox]\ntimeout = "soon"\n'
    )
    async with rooted(tmp_path) as client:
        assert (await status(client))["engine"] == USERS  # "all" would call the model
        await wait_for(lambda: bool(client.messages))
        [msg] = client.messages
        assert msg.type == types.MessageType.Warning
        assert msg.message.startswith(f"synthls: {path} [tool.synthls]: changes rounds = 1; ")
        for part in ('engine = "all"', "openai.candidates = 128", "sandbox.timeout"):
            assert part in msg.message
        for _ in range(2):  # the client's settings again: the same project, not told again
            change_settings(client, {"synthls": {"completion": {"enabled": True}}})
        assert (await status(client))["engine"] == USERS
        assert len(client.messages) == 1
        change_settings(client, {"synthls": {"engine": "all"}})  # the user's own choice
        assert (await status(client))["engine"] == "all"
        assert len(client.messages) == 1
    async with rooted(tmp_path, {"engine": "embedded"}) as client:
        assert (await status(client))["engine"] == "embedded"


DEEP = "[tool.synthls]\nrounds = 1\n[tool.other]\nx = " + "[" * 2000 + "]" * 2000 + "\n"


@pytest.mark.parametrize("kind", ["deep", "huge"])
async def test_an_unreadable_pyproject_is_a_message_and_diagnostics_still_publish(
    tmp_path: Path, kind: str
) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text(DEEP if kind == "deep" else "[tool.synthls]\nrounds = 1\n")
    if kind == "huge":
        with path.open("r+b") as file:
            file.truncate(300 * 1000 * 1000)  # sparse: no disk used
    async with rooted(tmp_path) as client:
        await wait_for(lambda: bool(client.messages))
        [msg] = client.messages
        why = "nested too deeply" if kind == "deep" else "300.0 MB, more than the 1.0 MB"
        assert str(path) in msg.message and why in msg.message
        uri = (tmp_path / "sq.py").as_uri()
        open_doc(client, uri, WRONG)
        await wait_for(lambda: bool(client.published))
        assert [d.message for d in client.published[-1].diagnostics] == ["expected 9, got 6"]


WRONG = '''def sq(x):
    """Square.

    >>> sq(3)
    9
    """
    return x + x
'''
