"""scripts/bench_everyday.py: the CLI with default settings on the everyday stubs, and a judge that
tells a body that only passes the docstring's examples from a right one."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.fake_openai import FakeOpenAI, asked_for, fenced, reply

ROOT = Path(__file__).resolve().parents[1]

BODIES = {
    "def safe_div": "return None if b == 0 else a / b",
    # passes the four examples, not the hidden checks
    "def fizzbuzz": "return {3: 'Fizz', 10: 'Buzz', 30: 'FizzBuzz'}.get(n, str(n))",
    "def median": "s = sorted(xs)\nn = len(s)\nreturn s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2",
    "def slugify": "import re\nreturn '-'.join(re.findall(r'[a-z0-9]+', title.lower()))",
}


def script(body: dict[str, Any]) -> Any:
    head = f"def {asked_for(body)}"
    if head in BODIES:
        return reply(fenced(BODIES[head]))
    return reply(fenced("return 1 / 0"))  # word_counts: never passes


def test_everyday_stubs_are_judged_right_wrong_or_nothing(tmp_path: Path) -> None:
    out = tmp_path / "everyday.json"
    with FakeOpenAI(script) as server:
        done = subprocess.run(
            [sys.executable, str(ROOT / "scripts" / "bench_everyday.py"), "--base-url", server.url]
            + ["--model", "fake", "--json", str(out)],
            capture_output=True,
            text=True,
            timeout=600,
        )
    assert done.returncode == 0, done.stderr
    result = json.loads(out.read_text())
    judged = {name: row["judge"] for name, row in result["functions"].items()}
    assert judged == {
        "safe_div": "right",
        "fizzbuzz": "WRONG",
        "median": "right",
        "slugify": "right",
        "word_counts": "nothing",
    }, result["stderr"]
    assert (result["verified_right"], result["wrong"], result["nothing"]) == (3, 1, 1)
    assert "verified and right 3 of 5, wrong 1, nothing inserted 1" in done.stdout
