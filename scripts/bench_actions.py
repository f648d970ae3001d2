"""Benchmark: code-action listing on a 5,000-line file, against an empty request's round trip.

Starts the real server over stdio with a pygls client, opens a generated 5,000-line file with
~500 functions (stubs and implemented ones), then times, in one run:
  * the round trip of ``textDocument/codeAction`` at many cursor positions,
  * the round trip of an empty request (``shutdown`` is not repeatable, so an unknown
    ``workspace/executeCommand`` that the server rejects at once),
  * the server-side work of listing (the same domain calls the handler makes), in process.
Prints median and p95 of each and the ratio; ``--json PATH`` writes them.

    python scripts/bench_actions.py [--lines 5000] [--requests 300] [--json out.json]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import statistics
import sys
import time

from lsprotocol import types
from pygls.lsp.client import LanguageClient

from synthls.intent.comments import comment_at
from synthls.intent.document import Document
from synthls.intent.targets import function_at


def make_file(lines: int) -> str:
    out = ["import math", "", "LIMIT = 10", ""]
    i = 0
    while len(out) < lines:
        if i % 2:
            out += [
                f"def f{i}(a, b):",
                f'    """Function {i}.',
                "",
                f"    >>> f{i}(1, 2)",
                "    3",
                '    """',
                "    ...",
                "",
                "",
            ]
        else:
            out += [
                f"# helper number {i}",
                f"def g{i}(x):",
                "    y = x * 2",
                "    return y + 1",
                "",
                "",
            ]
        i += 1
    return "\n".join(out[:lines]) + "\n"


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def summary(values: list[float]) -> dict[str, float]:
    return {"median_ms": statistics.median(values) * 1000, "p95_ms": pct(values, 0.95) * 1000}


async def main(args: argparse.Namespace) -> dict[str, object]:
    text = make_file(args.lines)
    rnd = random.Random(1)
    positions = [rnd.randrange(args.lines) for _ in range(args.requests)]
    client = LanguageClient("bench", "1")

    @client.feature(types.WINDOW_LOG_MESSAGE)
    def _log(params: types.LogMessageParams) -> None:  # the server's log: not measured here
        return None

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def _diagnostics(params: types.PublishDiagnosticsParams) -> None:
        return None

    await client.start_io(sys.executable, "-m", "synthls")
    await client.initialize_async(types.InitializeParams(capabilities=types.ClientCapabilities()))
    client.initialized(types.InitializedParams())
    uri = "file:///bench/big.py"
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "python", 1, text))
    )
    empty, action = [], []
    for line in positions:
        t0 = time.perf_counter()
        with contextlib.suppress(Exception):  # rejected at once: that is the point
            await client.workspace_execute_command_async(
                types.ExecuteCommandParams(command="synthls.noSuchCommand")
            )
        empty.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        await client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri),
                range=types.Range(types.Position(line, 0), types.Position(line, 0)),
                context=types.CodeActionContext(diagnostics=[]),
            )
        )
        action.append(time.perf_counter() - t0)
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    doc = Document(text)
    server_side = []
    for line in positions:
        t0 = time.perf_counter()
        function_at(doc, line)
        comment_at(doc, line)
        server_side.append(time.perf_counter() - t0)
    result = {
        "lines": args.lines,
        "requests": args.requests,
        "empty_request": summary(empty),
        "code_action_round_trip": summary(action),
        "code_action_server_side": summary(server_side),
    }
    result["ratio_round_trip_vs_empty_p95"] = result["code_action_round_trip"]["p95_ms"] / max(
        result["empty_request"]["p95_ms"], 1e-9
    )  # type: ignore[index]
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--lines", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--json", metavar="PATH")
    args = parser.parse_args()
    res = asyncio.run(main(args))
    for key in ("empty_request", "code_action_round_trip", "code_action_server_side"):
        v = res[key]
        print(f"{key:26s} median {v['median_ms']:7.2f} ms   p95 {v['p95_ms']:7.2f} ms")  # type: ignore[index]
    print(
        f"round trip p95 / empty request p95: {res['ratio_round_trip_vs_empty_p95']:.2f}x  (target: server-side p95 <= 10 ms)"
    )
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(res, fh, indent=2)
