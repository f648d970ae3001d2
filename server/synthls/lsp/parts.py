"""The language server's parts, in one place.

``Services`` holds the settings and what they decide (engines, the sandbox); ``Documents`` the open
documents; each feature keeps its own state (the checker its results, the jobs their runs, the
questions waiting for an answer, the completions their runs). ``synthls.lsp.wiring`` builds and wires
them; the handlers (``synthls.lsp.handlers``) reach them through this object, and each part gets
only the others it uses.
"""

from __future__ import annotations

from dataclasses import dataclass

from synthls.lsp.completion import Completions
from synthls.lsp.diagnostics import Checker
from synthls.lsp.documents import Documents
from synthls.lsp.editor import Editor
from synthls.lsp.pending import Questions
from synthls.lsp.services import Services
from synthls.lsp.synthesis import Jobs


@dataclass(frozen=True)
class Parts:
    services: Services
    docs: Documents
    editor: Editor
    questions: Questions
    checker: Checker
    jobs: Jobs
    completions: Completions
