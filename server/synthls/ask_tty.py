"""`synthls synth --ask`: ask the user, on the terminal, what an ambiguous function should return.

The question comes from ``synthls.synth.ambiguity``: the candidates' answers as numbered choices,
then "not a valid input" (the call is outside the function's domain: the next question is about
another input), then "none of these", which lets the user type the value (a Python literal) or
skip with an empty line. Questions from functions synthesized concurrently are asked one at a time. The line is
read by a daemon thread, so Ctrl-C while a question waits ends the program at once.
"""

from __future__ import annotations

import ast
import asyncio
import threading
from typing import TextIO

from synthls.synth.ambiguity import Question
from synthls.synth.answers import INVALID

NONE_OF_THESE = "none of these"


def is_literal(text: str) -> bool:
    try:
        ast.literal_eval(text)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False
    return True


def _settle(done: asyncio.Future[str], line: str) -> None:
    if not done.done():
        done.set_result(line)


class TerminalAsk:
    """An ``Ask`` callback reading answers from ``stdin`` and writing prompts to ``out``."""

    def __init__(self, stdin: TextIO, out: TextIO) -> None:
        self.stdin = stdin
        self.out = out
        self.lock = asyncio.Lock()
        self.asked = 0

    async def __call__(self, question: Question) -> str | None:
        async with self.lock:
            self.asked += 1
            return await self._dialogue(question)

    async def _dialogue(self, question: Question) -> str | None:
        invalid, none = len(question.choices) + 1, len(question.choices) + 2
        context = question.context  # "3 behaviours pass the examples", "…; does the order matter?"
        self._say(f"\n{question.function}: {context}{'' if context.endswith('?') else '.'}")
        self._say(question.text)
        for i, choice in enumerate(question.choices, 1):
            self._say(f"  {i}) {choice}")
        self._say(f"  {invalid}) {INVALID}")
        self._say(f"  {none}) {NONE_OF_THESE}")
        while True:
            line = await self._read(f"choose 1-{none} (or type the value; Enter skips): ")
            if line is None or not line.strip():
                return None
            text = line.strip()
            if text.isdigit() and 1 <= int(text) <= none:
                if int(text) <= len(question.choices):
                    return question.choices[int(text) - 1]
                if int(text) == invalid:
                    return INVALID
                typed = await self._read("type the value (a Python literal; Enter skips): ")
                if typed is None or not typed.strip():
                    return None
                text = typed.strip()
            if is_literal(text):
                return text
            self._say(f"not a number from 1 to {none} nor a Python literal: {text!r}")

    def _say(self, line: str) -> None:
        self.out.write(line + "\n")
        self.out.flush()

    async def _read(self, prompt: str) -> str | None:
        """One line from ``stdin`` (None at end of input), without blocking the event loop."""
        self.out.write(prompt)
        self.out.flush()
        loop = asyncio.get_running_loop()
        done: asyncio.Future[str] = loop.create_future()

        def reader() -> None:
            try:
                line = self.stdin.readline()
            except (OSError, ValueError):
                line = ""
            loop.call_soon_threadsafe(_settle, done, line)

        threading.Thread(target=reader, name="synthls-ask", daemon=True).start()
        line = await done
        return line if line else None
