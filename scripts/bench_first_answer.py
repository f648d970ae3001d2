"""Where the product's first answer loses against the standard protocol (issue 37 item 1).

For each HumanEval task (every K-th from an offset: the dev halves are the even and the odd task
indices), one greedy request per way of asking, each judged by the task's own tests:

- ``standard``: the EvalPlus instruct prompt, the whole script judged (``standard_protocol``);
- ``completion``: what the product sends a llama.cpp server (``openai.mode: auto`` finds raw
  completions there): the file's head continued on ``/v1/completions``, the body cleaned and
  inserted as the product inserts it;
- ``chat``: the product's chat messages (the body only), cleaned and inserted the same way;
- ``chat-function``: the product's chat messages asking for the whole function
  (``prompt.FUNCTION_SYSTEM``, ``prompt.function_prompt``), cleaned and inserted the same way;
- ``chat-function-nosystem``: the same without the system message (the model's default one);
- ``engine``: the product's engine itself (``openai.mode: auto``), its first candidate: the raw
  completion, asked again as a chat when it left the body a stub.

    python scripts/bench_first_answer.py --base-url http://127.0.0.1:8080/v1 \\
        --model qwen2.5-coder-1.5b-instruct --problems humaneval.jsonl.gz --every 4 --offset 0 \\
        --ways standard,completion,chat,chat-function --json out.json

Prints each task's verdicts as it goes and a pass rate per way; ``--json`` is rewritten after
every task, so a stopped run keeps its figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

from openai import AsyncOpenAI

from humaneval_tasks import judge, load_tasks, stub_text, target_of
from standard_protocol import judge_humaneval, standard_row
from synthls.config import OpenAISettings
from synthls.sandbox import Limits, Sandbox
from synthls.synth.openai import OpenAISynthesizer
from synthls.synth.openai.clean import clean_reply
from synthls.synth.openai.completion import STOPS, completion_prompt
from synthls.synth.openai.completion import body_of as completion_body
from synthls.synth.openai.prompt import conversations

WAYS = ("standard", "completion", "chat", "chat-function", "chat-function-nosystem", "engine")
MAX_TOKENS = 768


async def product_reply(
    client: AsyncOpenAI, model: str, way: str, text: str, name: str
) -> tuple[str, float]:
    """The reply to one way of asking (the product's own prompt builders) and its seconds."""
    target = target_of(text, name)
    assert target is not None
    spec = target.spec
    start = time.monotonic()
    if way == "engine":
        settings = OpenAISettings(base_url=str(client.base_url), model=model, api_key_env="")
        engine = OpenAISynthesizer(settings, env={})
        stream = engine.propose(spec, [])
        first = await anext(stream)
        await stream.aclose()
        return first.body, time.monotonic() - start
    if way == "completion":
        done = await client.completions.create(
            model=model,
            prompt=completion_prompt(spec),
            stop=STOPS,
            temperature=0,
            max_tokens=MAX_TOKENS,
        )
        reply = done.choices[0].text if done.choices else ""
    else:
        [messages] = conversations(spec, [], whole_function=way.startswith("chat-function"))
        if way == "chat-function-nosystem":
            messages = [m for m in messages if m["role"] != "system"]
        chat = await client.chat.completions.create(
            model=model,
            messages=messages,  # type: ignore[arg-type]
            temperature=0,
            max_tokens=MAX_TOKENS,
        )
        reply = (chat.choices[0].message.content or "") if chat.choices else ""
    return reply, time.monotonic() - start


def body_of(way: str, reply: str, text: str, name: str) -> str:
    target = target_of(text, name)
    assert target is not None
    if way == "engine":  # already the cleaned body
        return reply
    if way == "completion":  # the continuation is the body itself, indented
        reply = completion_body(reply)
    body, _ = clean_reply(reply, name, target.spec.imports, target.spec.is_async)
    return body


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    tasks = load_tasks(args.problems)[args.offset :: args.every]
    if args.limit:
        tasks = tasks[: args.limit]
    ways = [w for w in args.ways.split(",") if w]
    box = Sandbox(Limits(timeout=20.0, cpu_seconds=20, memory_mb=2048, parallel=1))
    client = AsyncOpenAI(base_url=args.base_url, api_key="none", timeout=900.0, max_retries=0)
    rows: list[dict[str, Any]] = []
    for task in tasks:
        text, name = stub_text(task), task["entry_point"]
        row: dict[str, Any] = {"task_id": task["task_id"]}
        for way in ways:
            if way == "standard":

                async def right(code: str, task: dict[str, Any] = task) -> bool:
                    return await judge_humaneval(box, task, code)

                got = await standard_row(args.base_url, args.model, task["prompt"], right)
                row[way] = got["standard_pass"]
                row[f"{way}_seconds"] = got["standard_seconds"]
                continue
            reply, seconds = await product_reply(client, args.model, way, text, name)
            body = body_of(way, reply, text, name)
            row[way] = await judge(box, task, body) if body else False
            row[f"{way}_seconds"] = round(seconds, 2)
            row[f"{way}_body"] = body
        rows.append(row)
        print(
            f"{row['task_id']:>16} " + " ".join(f"{w}={'+' if row[w] else '-'}" for w in ways),
            flush=True,
        )
        summary = figures(rows, ways, args)
        if args.json:
            args.json.write_text(json.dumps(summary, indent=1))
    await client.close()
    return figures(rows, ways, args)


def figures(
    rows: list[dict[str, Any]], ways: list[str], args: argparse.Namespace
) -> dict[str, Any]:
    n = max(len(rows), 1)
    return {
        "every": args.every,
        "offset": args.offset,
        "tasks": len(rows),
        "pass": {w: round(sum(bool(r[w]) for r in rows) / n, 4) for w in ways},
        "median_seconds": {
            w: sorted(r[f"{w}_seconds"] for r in rows)[len(rows) // 2] if rows else None
            for w in ways
        },
        "rows": rows,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base-url", required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--problems", required=True, type=Path)
    ap.add_argument("--every", type=int, default=1)
    ap.add_argument("--offset", type=int, default=0)
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--ways", default=",".join(WAYS))
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    unknown = set(args.ways.split(",")) - set(WAYS)
    if unknown:
        ap.error(f"unknown ways: {sorted(unknown)}")
    summary = asyncio.run(main_async(args))
    print(
        f"{summary['tasks']} tasks: "
        + ", ".join(f"{w} {100 * p:.1f}%" for w, p in summary["pass"].items()),
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
