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

Questions (``question_figures`` in the JSON, and a table), per simulated user and half (the first
and the second half of the functions): questions per function, right / wrong / nothing. The run
above has nobody to ask (``synthls synth --write``, no ``--ask``: a question stays pending, the
function unfilled). ``--dismissing`` adds a second pass over a fresh copy with ``--ask --write``
and a terminal on stdin (a pseudo-terminal) where the user presses Enter at every question (the
product's own dismiss); its questions are counted from the prompts on the terminal;
``--only-dismissing`` runs that pass alone. There are no reference solutions here, so no user
who answers; the CLI does not report questions settled without asking (``settled`` stays 0).
"""

from __future__ import annotations

import argparse
import json
import os
import pty
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from question_figures import Run, Verdict, by_halves, table

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


# TerminalAsk's prompt, one per question; no newline follows it (the Enter goes to the terminal)
ASKED = re.compile(r"choose 1-\d+ \(or type the value[^)]*\): ")
JUDGED: dict[str, Verdict] = {"right": "right", "WRONG": "wrong", "unfilled": "nothing"}
HALVES = ("first", "second")


def synth_one(
    python: str, target: Path, name: str, env: dict[str, str], ask: bool
) -> dict[str, Any]:
    """One function through the CLI; ``ask``: ``--ask`` with a pseudo-terminal on stdin that
    holds an empty line per question (Enter: the question is dismissed)."""
    cmd = [python, "-m", "synthls", "synth", str(target), "--function", name, "--write"]
    began = time.monotonic()
    if ask:
        master, slave = pty.openpty()
        try:
            os.write(master, b"\n" * 32)  # more Enters than questions the CLI asks
            done = subprocess.run(
                [*cmd, "--ask"], env=env, stdin=slave, capture_output=True, text=True, timeout=900
            )
        finally:
            os.close(slave)
            os.close(master)
    else:
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)
    seconds = time.monotonic() - began
    said = ASKED.sub("\n", done.stderr)
    verdicts = [m.group(1) for ln in said.splitlines() if (m := VERDICT.match(ln))]
    cli = verdicts[0] if verdicts else "?"
    return {
        "name": name,
        "cli": cli,
        "seconds": seconds,
        "questions": len(ASKED.findall(done.stderr)) if ask else 0,
        "pending": int(cli == "ambiguous"),
    }


def judge_file(hidden: Path, target: Path, rows: list[dict[str, Any]]) -> None:
    judged = subprocess.run(
        [sys.executable, str(hidden), str(target)], capture_output=True, text=True
    )
    words = dict(re.findall(r"^(\w+) (right|WRONG|unfilled)", judged.stdout, re.M))
    for row in rows:
        row["judge"] = words.get(row["name"], "unfilled")


def question_runs(rows: list[dict[str, Any]]) -> list[Run]:
    """The rows as runs of ``question_figures``: the first half of the functions, then the
    second; nobody answers (``answered`` 0)."""
    half = len(rows) // 2
    return [
        Run(HALVES[i >= half], JUDGED[r["judge"]], r["questions"], 0, r.get("settled", 0))
        for i, r in enumerate(rows)
    ]


def dismissing_pass(
    args: argparse.Namespace, work: Path, names: list[str], env: dict[str, str]
) -> list[dict[str, Any]]:
    """The functions again, on a fresh copy, with a user who dismisses every question."""
    target = work / "stubs_dismissing.py"
    shutil.copyfile(args.stubs, target)
    target.chmod(0o644)
    rows = []
    for name in names:
        rows.append(synth_one(args.python, target, name, env, ask=True))
        row = rows[-1]
        print(
            f"{name:28} {row['cli']:>10} {row['seconds']:6.1f} s q={row['questions']}", flush=True
        )
    judge_file(args.hidden, target, rows)
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--stubs", type=Path, required=True)
    ap.add_argument("--hidden", type=Path, required=True)
    ap.add_argument("--python", default=sys.executable, help="the interpreter synthls runs under")
    ap.add_argument("--limit", type=int, default=0, help="only the first N functions")
    ap.add_argument("--idle-check", type=float, default=0, help="minutes idle to wait for")
    ap.add_argument("--json", type=Path)
    ap.add_argument(
        "--dismissing",
        action="store_true",
        help="a second pass with --ask where the user dismisses every question",
    )
    ap.add_argument(
        "--only-dismissing", action="store_true", help="only the pass with the dismissing user"
    )
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
    users: dict[str, list[dict[str, Any]]] = {}
    if args.only_dismissing:
        rows = users["dismissing"] = dismissing_pass(args, work, names, env)
    else:
        for name in names:
            rows.append(synth_one(args.python, target, name, env, ask=False))
            print(f"{name:28} {rows[-1]['cli']:>10} {rows[-1]['seconds']:6.1f} s", flush=True)
        judge_file(args.hidden, target, rows)
        users["nobody"] = rows
        if args.dismissing:
            users["dismissing"] = dismissing_pass(args, work, names, env)
    pid, rss = rss_of_server(server_dir)
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
        "question_figures": {
            user: by_halves(question_runs(part), 2, HALVES) for user, part in users.items()
        },
        "pending_questions": {
            user: sum(r["pending"] for r in part) for user, part in users.items()
        },
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
    print("questions per user and half (nobody: no --ask; dismissing: Enter at every question):")
    print("\n".join(table(summary["question_figures"])))
    if args.json:
        out: dict[str, Any] = {"summary": summary, "rows": rows}
        if "dismissing" in users and not args.only_dismissing:
            out["dismissing_rows"] = users["dismissing"]
        args.json.write_text(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
