"""Which requests a round sends, and in what order: the budget spent where it pays.

A model's greedy (temperature 0) answer is its most likely right one, and a repair told what went
wrong beats another blind sample (the seed paper's feedback loop). So:

- the first round asks for one greedy answer (nothing else: when it is right, nothing else is
  spent, and when it is wrong its failures feed the next round at once);
- a round with feedback first asks for the greedy repair of the best failing candidate, then (in
  a second stage, started when the first one is over) for ``candidates - 1`` temperature samples
  spread over the repair dialogs of every candidate fed back and the fresh task.

Every conversation starts with the same system and task messages (feedback is appended), so a
llama.cpp-style server reuses its prompt cache. A stage's requests are sent together; on a
one-slot local server they queue, and the loop stops them as soon as one answer passes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from synthls.intent.model import Spec
from synthls.synth.engine_protocol import Trial
from synthls.synth.openai.prompt import Message, conversations


@dataclass(frozen=True)
class Request:
    messages: list[Message]
    n: int
    greedy: bool  # temperature 0; otherwise the settings' temperature
    repair: Trial | None = None  # the candidate the request repairs (completion mode's prompt)
    chat: bool = False  # asked as a chat even where raw completions are served


Stage = list[Request]


def split(total: int, parts: int) -> list[int]:
    """``total`` spread over ``parts`` as evenly as possible, earlier parts first (at least 1)."""
    parts = max(parts, 1)
    total = max(total, parts)
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


def plan(spec: Spec, feedback: Sequence[Trial], candidates: int) -> list[Stage]:
    """The stages of one round: each stage's requests go together, the next when it is done."""
    [fresh] = conversations(spec, ())
    if not feedback:
        return [[Request(fresh, 1, True)]]
    repairs = conversations(spec, feedback)
    stages = [[Request(repairs[0], 1, True, feedback[0])]]
    rest = candidates - 1
    if rest > 0:
        pool = [*zip(repairs, feedback), (fresh, None)][:rest]
        stages.append(
            [
                Request(messages, n, False, item)
                for (messages, item), n in zip(pool, split(rest, len(pool)))
            ]
        )
    return stages
