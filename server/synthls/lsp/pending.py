"""Questions waiting for an answer: kept per function, shown as code lenses, resumed on answer.

When the user dismisses the dialog (or the client cannot show one) the ambiguous outcome stays
here with its question. The question appears as code lenses above the function, one per choice
("synthls: 3 behaviours pass — choose safe_div(2, 4): 0.5" · "-1.0"), each running
``synthls.answer``; nothing is inserted until then. Answering resumes the outcome's session
(``synthls.synth.service.resume_target``): no search repeated, no candidate run again on an input
it ran, no question asked twice. A question whose function changed or went away is dropped.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec

from synthls.intent.document import Document
from synthls.intent.model import FunctionTarget
from synthls.intent.targets import find_functions
from synthls.lsp.convert import line_range
from synthls.synth.ambiguity import Question
from synthls.synth.answers import INVALID
from synthls.synth.loop import Outcome
from synthls.synth.module_text import offset_of

ANSWER_COMMAND = "synthls.answer"


def function_key(target: FunctionTarget) -> str:
    spec = target.spec
    return f"{spec.class_name}.{spec.name}" if spec.class_name else spec.name


def function_fingerprint(text: str, target: FunctionTarget) -> str:
    """A hash of the function's own text: a pending question is stale once it changes."""
    start = offset_of(text, target.span.start.line, 0)
    end = offset_of(text, target.span.end.line + 1, 0)
    return hashlib.sha1(text[start:end].encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class Pending:
    """An ambiguous outcome waiting for the user's answer to ``question``."""

    key: str
    fingerprint: str
    question: Question
    outcome: Outcome
    kind: str  # the job that asked: "synthesize" | "regenerate"


@dataclass
class Questions:
    """The unanswered questions per document, by function."""

    pending: dict[str, dict[str, Pending]] = field(default_factory=dict)

    def put(self, uri: str, item: Pending) -> None:
        self.pending.setdefault(uri, {})[item.key] = item

    def drop(self, uri: str, key: str) -> bool:
        return self.pending.get(uri, {}).pop(key, None) is not None

    def forget(self, uri: str) -> None:
        self.pending.pop(uri, None)

    def located(self, uri: str, doc: Document) -> list[tuple[FunctionTarget, Pending]]:
        """The pending questions whose function is still there, unchanged, where it is now."""
        mine = self.pending.get(uri)
        if not mine:
            return []
        out = []
        for target in find_functions(doc):
            item = mine.get(function_key(target))
            if item is not None and item.fingerprint == function_fingerprint(doc.text, target):
                out.append((target, item))
        for key in set(mine) - {item.key for _, item in out}:
            del mine[key]  # the function changed or went away: its question no longer holds
        return out

    def find(self, uri: str, doc: Document, line: int) -> tuple[FunctionTarget, Pending] | None:
        for target, item in self.located(uri, doc):
            if target.span.contains_line(line):
                return target, item
        return None


def lens_titles(question: Question) -> list[str]:
    """``synthls: 3 behaviours pass — choose safe_div(2, 4): 0.5``, then one title per choice."""
    if question.raises and not question.choices:  # the lens only says where the body breaks
        return [f"synthls: the body raises on {question.call} — add its expected result"]
    head = f"synthls: {question.behaviours} behaviours pass — choose {question.call}:"
    if question.raises:  # the model's reading of the docstring is offered
        head = f"synthls: the body raises on {question.call} — the docstring says:"
    elif question.confirms:
        head = f"synthls: 1 behaviour passes — confirm {question.call}:"
    return [f"{head} {c}" if i == 0 else c for i, c in enumerate(question.choices)]


def question_lenses(
    questions: Questions, codec: PositionCodec, uri: str, doc: Document
) -> list[types.CodeLens]:
    """One lens per choice above each function with a pending question, and one saying the
    call is not a valid input; each answers it."""
    out = []
    for target, item in questions.located(uri, doc):
        q = item.question
        rng = line_range(codec, doc, target.def_line)
        if q.raises and not q.choices:  # a title without a command: shown, not clickable
            [title] = lens_titles(q)
            out.append(types.CodeLens(range=rng, command=types.Command(title=title, command="")))
        for title, choice in [*zip(lens_titles(q), q.choices), (INVALID, INVALID)]:
            args: list[object] = [uri, target.def_line, q.call, choice]
            command = types.Command(title=title, command=ANSWER_COMMAND, arguments=args)
            out.append(types.CodeLens(range=rng, command=command))
    return out
