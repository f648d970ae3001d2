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


async def test_the_workspace_pyproject_gives_settings_and_the_editor_overrides_them(
    tmp_path: Path,
) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.synthls]\nengine = "all"\n\n[tool.synthls.sandbox]\ntimeout = "soon"\n'
    )
    async with rooted(tmp_path) as client:
        assert (await status(client))["engine"] == "all"
        await wait_for(lambda: bool(client.messages))
        [msg] = client.messages
        assert f"{tmp_path / 'pyproject.toml'} [tool.synthls] sandbox.timeout" in msg.message
    async with rooted(tmp_path, {"engine": "embedded"}) as client:
        assert (await status(client))["engine"] == "embedded"
