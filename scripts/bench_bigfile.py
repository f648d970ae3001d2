"""Benchmark: how soon the server answers, and shows diagnostics, after opening a big file.

Starts the real server over stdio with a pygls client and, in one run:
  * baseline: the round trip of an empty request (an unknown command, rejected at once) on an idle
    server, and the same measurements as below on a small file (``--small`` lines);
  * opens a generated ``--lines``-line file of functions with doctests (every 7th one wrong), sends
    a ``textDocument/codeAction`` at a wrong function in the middle of the file right after
    ``didOpen``, and times: the answer to that request, the first ``publishDiagnostics``, and the
    first publication holding the diagnostic of the function the request was at (the "visible"
    one); while the diagnostics run, an empty request every 50 ms gives the worst stall.

A diagnostic never shown within ``--wait`` seconds prints as None.

    python scripts/bench_bigfile.py [--lines 50000] [--small 500] [--wait 120] [--json out.json]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
import time

from lsprotocol import types
from pygls.lsp.client import LanguageClient


def make_file(lines: int) -> tuple[str, list[int]]:
    """The text, and the line of each wrong function's example."""
    out, wrong, i = ["import math", "", "LIMIT = 10", "", ""], [], 0
    while len(out) + 9 <= lines:
        bad = i % 7 == 3
        if bad:
            wrong.append(len(out) + 3)
        out += [
            f"def f{i}(a, b):",
            f'    """Add a, b and {i}.',
            "",
            f"    >>> f{i}(1, 2)",
            f"    {3 + i}",
            '    """',
            f"    return a + b + {i + 1 if bad else i}",
            "",
            "",
        ]
        i += 1
    return "\n".join(out) + "\n", wrong


async def empty_request(client: LanguageClient) -> float:
    t0 = time.perf_counter()
    with contextlib.suppress(Exception):  # rejected at once: that is the point
        await client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="synthls.noSuchCommand")
        )
    return time.perf_counter() - t0


async def measure(
    client: LanguageClient, seen: dict[str, list], uri: str, lines: int, wait: float
) -> dict:
    text, wrong = make_file(lines)
    focus = wrong[len(wrong) // 2]
    seen[uri] = []
    t0 = time.perf_counter()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "python", 1, text))
    )
    await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri),
            range=types.Range(types.Position(focus, 0), types.Position(focus, 0)),
            context=types.CodeActionContext(diagnostics=[]),
        )
    )
    answer = time.perf_counter() - t0
    stalls = []

    def focus_shown() -> float | None:
        return next((t for t, lines_ in seen[uri] if focus in lines_), None)

    while focus_shown() is None and time.perf_counter() - t0 < wait:
        stalls.append(await empty_request(client))
        await asyncio.sleep(0.05)
    first = seen[uri][0][0] - t0 if seen[uri] else None
    shown = focus_shown()
    return {
        "lines": text.count("\n"),
        "first_answer_ms": answer * 1000,
        "first_diagnostics_ms": first * 1000 if first is not None else None,
        "focus_diagnostic_ms": (shown - t0) * 1000 if shown is not None else None,
        "worst_empty_request_during_run_ms": max(stalls, default=0) * 1000,
    }


async def main(args: argparse.Namespace) -> dict[str, object]:
    client = LanguageClient("bench", "1")
    seen: dict[str, list] = {}

    @client.feature(types.WINDOW_LOG_MESSAGE)
    def _log(params: types.LogMessageParams) -> None:
        return None

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def _diagnostics(params: types.PublishDiagnosticsParams) -> None:
        lines = {d.range.start.line for d in params.diagnostics}
        seen.setdefault(params.uri, []).append((time.perf_counter(), lines))

    await client.start_io(sys.executable, "-m", "synthls")
    await client.initialize_async(types.InitializeParams(capabilities=types.ClientCapabilities()))
    client.initialized(types.InitializedParams())
    await asyncio.sleep(1.0)  # the sandbox starts on `initialized`
    idle = sorted([await empty_request(client) for _ in range(50)])
    small = await measure(client, seen, "file:///bench/small.py", args.small, args.wait)
    big = await measure(client, seen, "file:///bench/big.py", args.lines, args.wait)
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    return {"empty_request_idle_median_ms": idle[len(idle) // 2] * 1000, "small": small, "big": big}


def _fmt(v: object) -> str:
    return f"{v:9.1f}" if isinstance(v, float) else f"{v!s:>9}"


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--lines", type=int, default=50000)
    parser.add_argument("--small", type=int, default=500)
    parser.add_argument(
        "--wait", type=float, default=120, help="seconds to wait for the focused diagnostic"
    )
    parser.add_argument("--json", metavar="PATH")
    args = parser.parse_args()
    res = asyncio.run(main(args))
    print(f"empty request, idle server: median {res['empty_request_idle_median_ms']:.1f} ms")
    for key in ("first_answer_ms", "first_diagnostics_ms", "focus_diagnostic_ms"):
        small, big = res["small"], res["big"]  # type: ignore[index]
        print(
            f"{key:36s} {small['lines']:>6} lines {_fmt(small[key])}   {big['lines']:>6} lines {_fmt(big[key])}"
        )
    key = "worst_empty_request_during_run_ms"
    print(f"{key:36s} {res['small'][key]:22.1f} {res['big'][key]:22.1f}")  # type: ignore[index]
    print("target on the big file: first answer <= 200 ms; the focused function's diagnostic first")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(res, fh, indent=2)
