"""What a synthesis job answers the client (``synthls.lsp.synthesis``): the result's fields."""

from __future__ import annotations

from typing import Any

from synthls.synth.ambiguity import Question
from synthls.synth.service import SynthReport

Result = dict[str, Any]


def landed(
    run_version: int | None,
    report: SynthReport,
    body: str,
    applied: bool,
    edit_version: int | None,
) -> Result:
    """The answer to a job that landed an edit (or tried to)."""
    return {
        "applied": applied,
        "status": report.status,
        "message": report.message,
        "body": body,
        "engine": report.outcome.candidate.engine
        if report.outcome and report.outcome.candidate
        else None,
        "examples": [f">>> {ex.source}\n{ex.want.strip()}" for ex in report.answers],
        "version": edit_version,  # the document version the edit was made for
        "rebased": edit_version != run_version,
    }


def none_fits(report: SynthReport, question: Question) -> str:
    """Why nothing was inserted when the user said none of the answers fits."""
    return (
        f"synthls: {report.message}. None of the answers fits: add the expected result as an "
        f"example (>>> {question.call}) to the docstring and synthesize again."
    )
