"""The pygls language server of synthls, and the log handler that reports to the client.

The server holds no state of synthls' (see ``synthls.lsp.parts``) and wires nothing (see
``synthls.lsp.wiring``): it is pygls' server with synthls' protocol (``synthls.lsp.protocol``).
"""

from __future__ import annotations

import logging

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from synthls import __version__
from synthls.lsp.protocol import SynthProtocol


class LspLogHandler(logging.Handler):
    """Sends log records to the client's log (``window/logMessage``), never to stdout."""

    LEVELS = {
        logging.ERROR: types.MessageType.Error,
        logging.WARNING: types.MessageType.Warning,
        logging.INFO: types.MessageType.Info,
    }

    def __init__(self, ls: LanguageServer) -> None:
        super().__init__()
        self.ls = ls

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith("pygls.protocol") and "logMessage" in str(record.msg):
            return  # never log about sending logs
        try:
            kind = self.LEVELS.get(record.levelno, types.MessageType.Log)
            self.ls.window_log_message(
                types.LogMessageParams(type=kind, message=self.format(record))
            )
        except Exception:  # logging must never break the server
            pass


class SynthServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__(
            "synthls",
            __version__,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
            protocol_cls=SynthProtocol,
        )
