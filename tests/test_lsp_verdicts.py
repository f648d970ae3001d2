"""The real server over stdio: a hostile result never kills a file's diagnostics or a command,
and a nested function (which doctest never collects) gets no false failure."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from lsprotocol import types

from tests.lsp_support import open_doc, session, wait_for

pytestmark = pytest.mark.e2e

TEXT = textwrap.dedent('''
    def big():
        """
        >>> big()
        1e308
        """
        return 10**400


    def tuples():
        """
        tuples() == set(zip(range(20000), map((0.1).__mul__, range(20000))))
        """
        return {(i, i * 0.1 * (1 + 1e-12)) for i in range(20000)}


    def wrong():
        """
        >>> wrong()
        2
        """
        return 1


    def right():
        """
        >>> right()
        1
        """
        return 1


    def outer(n):
        """
        >>> outer(1)
        2
        """
        step = 1

        def inner(x):
            """
            >>> inner(1)
            2
            """
            return x + step

        return inner(n)
''').lstrip("\n")


def line_of(fragment: str) -> int:
    return next(i for i, ln in enumerate(TEXT.splitlines()) if fragment in ln)


async def test_overflow_and_huge_sets_leave_every_other_verdict_intact(tmp_path: Path) -> None:
    path = tmp_path / "hostile.py"
    path.write_text(TEXT)
    uri = path.as_uri()
    async with session() as client:
        open_doc(client, uri, TEXT)
        await wait_for(lambda: uri in client.diagnostics, timeout=120)
        lines = sorted(d.range.start.line for d in client.diagnostics[uri])
        assert lines == [line_of(">>> big()"), line_of(">>> wrong()")]
        result = await client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="synthls.checkFile", arguments=[uri])
        )
        assert result["functions"] == 5 and result["failed"] == 2, result  # inner: not checked
