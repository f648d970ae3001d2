"""``synthls check`` and ``python -m doctest`` agree on every example of a real corpus.

The corpus: stdlib modules that carry doctests (their examples pass under doctest on this
Python, deterministically) and files under ``tests/data/doctest_corpus`` with the tricky cases,
failing examples included, so agreement covers ✗ as well as ✓. Both sides run as a user runs
them: ``synthls check FILE --json`` and doctest's own runner (``tests/doctest_oracle.py``).
Every ``>>>`` example of a function doctest collects must be checked by synthls with the same
outcome, and synthls must report no ``>>>`` example doctest does not run.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

HERE = Path(__file__).parent
STDLIB = Path(sysconfig.get_paths()["stdlib"])
STDLIB_FILES = ["statistics.py", "fractions.py", "heapq.py", "difflib.py", "textwrap.py"]
OWN_FILES = sorted((HERE / "data" / "doctest_corpus").glob("*.py"))


def _run(*cmd: str) -> str:
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert out.stdout, out.stderr
    return out.stdout


def doctest_outcomes(path: Path) -> dict[int, bool]:
    raw = json.loads(_run(sys.executable, str(HERE / "doctest_oracle.py"), str(path)))
    return {int(line): passed for line, passed in raw.items()}


def synthls_outcomes(path: Path) -> dict[int, bool]:
    report = json.loads(_run(sys.executable, "-m", "synthls", "check", str(path), "--json"))
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    return {
        ex["line"]: ex["status"] == "passed"
        for fn in report["functions"]
        for ex in fn["examples"]
        if lines[ex["line"] - 1].lstrip().startswith(">>>")
    }


def corpus(tmp: Path) -> list[Path]:
    files = [Path(shutil.copy(STDLIB / name, tmp / name)) for name in STDLIB_FILES]
    files.append(Path(shutil.copy(STDLIB / "collections" / "__init__.py", tmp / "colls.py")))
    return files + OWN_FILES


def test_synthls_check_agrees_with_doctest_on_every_example(tmp_path: Path) -> None:
    files = corpus(tmp_path)
    with ThreadPoolExecutor(4) as pool:
        ours = list(pool.map(synthls_outcomes, files))
        theirs = list(pool.map(doctest_outcomes, files))
    disagreements = []
    total = failing = 0
    for path, mine, truth in zip(files, ours, theirs):
        for line in sorted(set(mine) | set(truth)):
            total += 1
            failing += truth.get(line) is False
            if mine.get(line) != truth.get(line):
                disagreements.append(
                    f"{path.name}:{line}: synthls {mine.get(line)}, doctest {truth.get(line)}"
                )
    assert disagreements == []
    assert total > 250 and failing >= 10  # the corpus really exercises both outcomes
