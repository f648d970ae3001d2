"""Whether a body was checked against the docstring's words, or only fits its examples.

The embedded search reads the examples, not the description: on tasks it was not tuned to, about
a third of the bodies it found passing every example did something else than the words asked
("keeping the order" answered with ``sorted(set(items))``). Such a body is called "fits the
examples", not "verified", unless a language model, which reads the description, wrote a body of
the same behaviour (engine ``all``, or the local model beside the search): two independent
readings agreeing is what "verified" means for it.
"""

from __future__ import annotations

from synthls.synth.ambiguity import behaviours
from synthls.synth.engines import language_model, only_fits_examples
from synthls.synth.outcome import Outcome
from synthls.synth.ranking import passing

FITS = "fits the examples; not checked against the description (no language model read it)"


def checked_against_description(outcome: Outcome) -> bool:
    """Whether the outcome's body was written, or matched in behaviour, by an engine that reads
    the docstring's words (True for any body not from an engine that reads only the examples)."""
    chosen = outcome.candidate
    if chosen is None or not only_fits_examples(chosen.engine):
        return True
    pool = passing(outcome.attempts)
    mine = [i for i, t in enumerate(pool) if t.candidate == chosen]
    for _, _, members in behaviours(pool):
        if any(i in members for i in mine):
            return any(language_model(pool[i].candidate.engine) for i in members)
    return False
