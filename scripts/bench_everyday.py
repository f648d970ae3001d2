"""The five everyday stubs (``everyday_stubs.py``) through ``synthls synth`` with default settings.

Only the base URL and the model are set (``$SYNTHLS_BASE_URL``, ``$SYNTHLS_MODEL``); everything else
is the product's default, as a new user has it. The CLI writes a copy of the stubs; each body it
inserted is then judged on checks the model never saw, in a child process. Prints, per function,
the CLI's verdict and the judge's (right / WRONG / nothing inserted), the seconds the whole run took
and the totals; ``--json`` writes them.

    python scripts/bench_everyday.py --base-url http://127.0.0.1:8080/v1 \
        --model qwen2.5-coder-1.5b-instruct
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
STUBS = HERE / "everyday_stubs.py"
# checks the model never sees: (call, expected value)
HIDDEN: dict[str, list[tuple[str, Any]]] = {
    "safe_div": [("safe_div(7, 2)", 3.5), ("safe_div(0, 5)", 0.0), ("safe_div(-3, 0)", None)],
    "fizzbuzz": [("fizzbuzz(9)", "Fizz"), ("fizzbuzz(25)", "Buzz"), ("fizzbuzz(45)", "FizzBuzz")]
    + [("fizzbuzz(1)", "1"), ("fizzbuzz(98)", "98")],
    "median": [("median([5])", 5), ("median([1, 2])", 1.5), ("median([9, 2, 7, 4, 5])", 5)]
    + [("median([1.5, 0.5, 2.5, 3.5])", 2.0)],
    "slugify": [("slugify('Rock & Roll')", "rock-roll"), ("slugify('A--B')", "a-b")]
    + [
        ("slugify('already-a-slug')", "already-a-slug"),
        ("slugify('MiXeD CaSe 42')", "mixed-case-42"),
    ],
    "word_counts": [
        ("word_counts('')", {}),
        ("word_counts('Go go GO stop')", {"go": 3, "stop": 1}),
    ],
}
JUDGE = r"""
import json, sys
ns = {}
exec(open(sys.argv[1]).read(), ns)
out = {}
for name, checks in json.loads(sys.argv[2]).items():
    ok = True
    for call, want in checks:
        try:
            ok = ok and eval(call, ns) == want
        except Exception:
            ok = False
    out[name] = ok
print(json.dumps(out))
"""
VERDICT = re.compile(r"^\s*(\w+)\s+(\w+) \(line \d+\)", re.M)


def judge(path: Path, names: list[str]) -> dict[str, bool]:
    checks = {n: HIDDEN[n] for n in names}
    done = subprocess.run(
        [sys.executable, "-c", JUDGE, str(path), json.dumps(checks)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    if done.returncode != 0:
        return dict.fromkeys(names, False)
    result: dict[str, bool] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def run(base_url: str, model: str) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "SYNTHLS_"))}
    env.update(SYNTHLS_BASE_URL=base_url, SYNTHLS_MODEL=model)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "everyday.py"
        path.write_text(STUBS.read_text())
        start = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-m", "synthls", "synth", str(path), "--engine", "openai", "--write"],
            env=env,
            capture_output=True,
            text=True,
            timeout=1800,
        )
        seconds = round(time.monotonic() - start, 1)
        status = {name: verdict for verdict, name in VERDICT.findall(done.stderr)}
        verified = [n for n in HIDDEN if status.get(n) == "verified"]
        right = judge(path, verified) if verified else {}
    rows = {
        n: {"cli": status.get(n, "?"), "judge": "nothing" if n not in right else "right"}
        for n in HIDDEN
    }
    for n, ok in right.items():
        rows[n]["judge"] = "right" if ok else "WRONG"
    return {
        "functions": rows,
        "verified_right": sum(r["judge"] == "right" for r in rows.values()),
        "wrong": sum(r["judge"] == "WRONG" for r in rows.values()),
        "nothing": sum(r["judge"] == "nothing" for r in rows.values()),
        "seconds": seconds,
        "stderr": done.stderr,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base-url", required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    result = run(args.base_url, args.model)
    print(result["stderr"], end="")
    for name, row in result["functions"].items():
        print(f"{name:>12}: synthls {row['cli']}, judge {row['judge']}")
    print(
        f"verified and right {result['verified_right']} of {len(HIDDEN)}, wrong {result['wrong']},"
        f" nothing inserted {result['nothing']}; {result['seconds']} s for the whole file"
    )
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
