"""The suite's own rules (tests/conftest.py): end-to-end tests run after all the others."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

CONFTEST = Path(__file__).with_name("conftest.py")


def test_end_to_end_and_editor_tests_run_last_in_collection_order(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeconftest(CONFTEST.read_text())
    pytester.makeini(
        "[pytest]\nasyncio_default_fixture_loop_scope = function\nmarkers =\n    e2e: real processes\n    nvim: real Neovim\n"
    )
    pytester.makepyfile(
        test_a=(
            "import pytest\n\n"
            "@pytest.mark.e2e\ndef test_server():\n    pass\n\n"
            "def test_unit_one():\n    pass\n"
        ),
        test_b="import pytest\n\npytestmark = pytest.mark.nvim\n\ndef test_editor():\n    pass\n",
        test_c="def test_unit_two():\n    pass\n",
    )
    result = pytester.runpytest("-v", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=4)
    ran = re.findall(r"::(test_\w+) PASSED", result.stdout.str())
    assert ran == ["test_unit_one", "test_unit_two", "test_server", "test_editor"]


def test_the_sandbox_fixture_takes_the_modules_limits(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(CONFTEST.read_text())
    pytester.makeini(
        "[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\n"
    )
    pytester.makepyfile(
        test_limits=(
            "import pytest\n"
            "from synthls.sandbox import Limits\n\n"
            "pytestmark = pytest.mark.asyncio(loop_scope='module')\n"
            "BOX_LIMITS = Limits(timeout=2.5, parallel=1)\n\n"
            "async def test_limits(box):\n"
            "    assert box.limits == BOX_LIMITS\n"
        )
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)
