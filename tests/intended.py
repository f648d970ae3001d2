"""A simulated user who answers synthls's questions with the function they meant."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from synthls.synth.ambiguity import Question


class User:
    """Answers each question with ``intended``'s result on its call (``name`` is the function
    the call names) and keeps the questions."""

    def __init__(self, name: str, intended: Callable[..., Any]) -> None:
        self.name = name
        self.intended = intended
        self.questions: list[Question] = []

    async def __call__(self, question: Question) -> str | None:
        self.questions.append(question)
        await asyncio.sleep(0)
        return repr(eval(question.call, {self.name: self.intended}))
