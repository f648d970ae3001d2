"""A file of everyday stubs through ``synthls synth --write`` as a new user runs it, one function at
a time (as in an editor), judged by hidden checks.

No engine or model settings and no ``SYNTHLS_``/``OPENAI_`` variables reach the CLI (only
``$SYNTHLS_SERVER_DIR``, so the run has a model server of its own): engine ``auto`` picks the local
model when the ``local`` extra is installed, else the embedded search. The first function's time
includes starting the model (cold start); the rest use the running server. The hidden checks
(``hidden.py FILE``: ``NAME right|WRONG|unfilled`` per function) judge what was written. Prints,
per function, the CLI's verdict, the seconds and the judge's word; then the totals per half (the
first and the second half of the functions), the cold start, the median of the later bodies, the
model server's resident memory and whether it is gone after its idle time (``--idle-check``).

    python scripts/bench_everyday_file.py --stubs DATA/everyday_dev/stubs.py \
        --hidden DATA/everyday_dev/hidden.py --python /tmp/venv/bin/python --json out.json
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

VERDICT = re.compile(r"^\s*(verified|fits|ambiguous|failed|skipped|unverified)\s+(\w+) \(line")


def stub_names(text: str) -> list[str]:
    return re.findall(r"^def (\w+)\(", text, re.M)


def user_env(server_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SYNTHLS_", "OPENAI_"))}
    return {**env, "SYNTHLS_SERVER_DIR": str(server_dir)}


def rss_of_server(server_dir: Path) -> tuple[int | None, int | None]:
    try:
        pid = int(json.loads((server_dir / "server.json").read_text())["pid"])
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return pid, int(line.split()[1]) * 1024
    except (OSError, ValueError, KeyError):
        return None, None
    return pid, None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--stubs", type=Path, required=True)
    ap.add_argument("--hidden", type=Path, required=True)
    ap.add_argument("--python", default=sys.executable, help="the interpreter synthls runs under")
    ap.add_argument("--limit", type=int, default=0, help="only the first N functions")
    ap.add_argument("--idle-check", type=float, default=0, help="minutes idle to wait for")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="synthls-everyday-"))
    server_dir = work / "server"
    target = work / "stubs.py"
    shutil.copyfile(args.stubs, target)
    target.chmod(0o644)
    names = stub_names(target.read_text())
    if args.limit:
        names = names[: args.limit]
    env = user_env(server_dir)
    if args.idle_check:
        env["SYNTHLS_SETTINGS"] = json.dumps({"model": {"idleMinutes": args.idle_check}})
    load = os.getloadavg()
    rows: list[dict[str, Any]] = []
    for name in names:
        began = time.monotonic()
        done = subprocess.run(
            [args.python, "-m", "synthls", "synth", str(target), "--function", name, "--write"],
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )
        seconds = time.monotonic() - began
        verdicts = [m.group(1) for ln in done.stderr.splitlines() if (m := VERDICT.match(ln))]
        rows.append({"name": name, "cli": verdicts[0] if verdicts else "?", "seconds": seconds})
        print(f"{name:28} {rows[-1]['cli']:>10} {seconds:6.1f} s", flush=True)
    pid, rss = rss_of_server(server_dir)
    judged = subprocess.run(
        [sys.executable, str(args.hidden), str(target)], capture_output=True, text=True
    )
    words = dict(re.findall(r"^(\w+) (right|WRONG|unfilled)", judged.stdout, re.M))
    for row in rows:
        row["judge"] = words.get(row["name"], "unfilled")
    half = len(rows) // 2
    halves = {"first half": rows[:half], "second half": rows[half:], "all": rows}
    totals = {
        label: {w: sum(r["judge"] == w for r in part) for w in ("right", "WRONG", "unfilled")}
        for label, part in halves.items()
    }
    written = [r["seconds"] for r in rows[1:] if r["judge"] != "unfilled"]
    summary: dict[str, Any] = {
        "functions": len(rows),
        "totals": totals,
        "cold_start_s": rows[0]["seconds"] if rows else None,
        "first_judge": rows[0]["judge"] if rows else None,
        "median_later_s": statistics.median(written) if written else None,
        "server_rss_bytes": rss,
        "load_average_before": load,
        "load_average_after": os.getloadavg(),
    }
    if args.idle_check and pid is not None:
        time.sleep(args.idle_check * 60 + 15)
        summary["server_gone_after_idle"] = not Path(f"/proc/{pid}").exists()
    elif pid is not None:
        subprocess.run(
            [args.python, "-m", "synthls", "model", "stop"], env=env, capture_output=True
        )
    for row in rows:
        print(f"{row['name']:28} {row['cli']:>10} {row['seconds']:6.1f} s  {row['judge']}")
    print(json.dumps(summary, indent=1))
    if args.json:
        args.json.write_text(json.dumps({"summary": summary, "rows": rows}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
