"""The composition root: builds the language server and its parts, wires them, serves stdio.

Every part gets what it uses and nothing more (see ``synthls.lsp.parts``); only here are they
all known at once. ``serve`` routes every log record to the client's log.
"""

from __future__ import annotations

import logging

from synthls.lsp import handlers
from synthls.lsp.completion import Completions
from synthls.lsp.diagnostics import Checker
from synthls.lsp.documents import Documents
from synthls.lsp.editor import Editor
from synthls.lsp.parts import Parts
from synthls.lsp.pending import Questions
from synthls.lsp.server import LspLogHandler, SynthServer
from synthls.lsp.services import Services
from synthls.lsp.synthesis import Jobs

log = logging.getLogger("synthls")


def build() -> SynthServer:
    server = SynthServer()
    services, docs, editor, questions = Services(), Documents(), Editor(server), Questions()
    checker = Checker(services, docs, editor, questions)
    parts = Parts(
        services=services,
        docs=docs,
        editor=editor,
        questions=questions,
        checker=checker,
        jobs=Jobs(services, docs, editor, questions, checker.mark_unverified),
        completions=Completions(services, docs, editor.codec),
    )
    handlers.register(server, parts)
    return server


def serve() -> None:
    server = build()
    handler = LspLogHandler(server)
    handler.setFormatter(logging.Formatter("%(name)s: %(message)s"))
    # Every log record (ours and the libraries') goes to the client's log; nothing to stdout, and
    # nothing to stderr either, which a client may never read (a full pipe would block the server).
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)
    log.setLevel(logging.INFO)
    logging.getLogger("pygls").setLevel(logging.WARNING)
    server.start_io()
