"""The language server: state, lifecycle and the registration of thin handlers.

Handlers fetch the document, call one domain function and convert the result; the domain code
lives in ``synthls.spec``, ``synthls.synth`` and ``synthls.sandbox``.
"""

from __future__ import annotations

import asyncio
import logging
import platform
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from synthls import __version__
from synthls.config import Settings, load_settings
from synthls.lsp.documents import Documents
from synthls.sandbox import Limits, Sandbox
from synthls.synth.base import Synthesizer
from synthls.synth.jobs import SynthReport

log = logging.getLogger("synthls")


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
        from synthls.lsp.protocol import SynthProtocol

        super().__init__(
            "synthls",
            __version__,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
            protocol_cls=SynthProtocol,
        )
        self.settings = Settings()
        self.root: Path | None = None  # the workspace root: its pyproject.toml has settings
        self.docs = Documents()
        self._sandbox: Sandbox | None = None
        self._sandbox_lock = asyncio.Lock()
        self._engines: dict[str, list[Synthesizer]] = {}
        self.completions: dict[str, asyncio.Future[SynthReport]] = {}
        from synthls.lsp.diagnostics import Checker
        from synthls.lsp.jobs import Jobs
        from synthls.lsp.pending import Questions

        self.checker = Checker(self)
        self.jobs = Jobs(self)
        self.questions = Questions()

    # -- settings ------------------------------------------------------------------------------
    def configure(self, raw: Any) -> None:
        settings, problems = load_settings(raw, base=Settings(), root=self.root)
        old = self.settings
        self.settings = settings
        self._engines.clear()
        level = {"error": logging.ERROR, "warning": logging.WARNING, "debug": logging.DEBUG}
        log.setLevel(level.get(settings.log_level, logging.INFO))
        if problems:
            text = "synthls: some settings were ignored (defaults used instead):\n" + "\n".join(
                problems
            )
            self.window_show_message(
                types.ShowMessageParams(type=types.MessageType.Warning, message=text)
            )
            log.warning(text)
        if old.sandbox != settings.sandbox and self._sandbox is not None:
            sandbox, self._sandbox = self._sandbox, None
            asyncio.ensure_future(sandbox.close())

    def set_root(self, params: types.InitializeParams) -> None:
        """The workspace root (the first folder of a multi-root workspace), when it is a path."""
        folders = params.workspace_folders or []
        uri = folders[0].uri if folders else params.root_uri
        if uri and uri.startswith("file:"):
            from pygls.uris import to_fs_path

            path = to_fs_path(uri)
            self.root = Path(path) if path else None
        elif params.root_path:
            self.root = Path(params.root_path)

    def engines(self, name: str | None = None) -> list[Synthesizer]:
        from synthls.synth.engines import make_engines

        key = name or self.settings.engine
        if key not in self._engines:
            self._engines[key] = make_engines(self.settings, key)
        return self._engines[key]

    async def sandbox(self) -> Sandbox:
        async with self._sandbox_lock:
            if self._sandbox is None:
                s = self.settings.sandbox
                sandbox = Sandbox(
                    Limits(timeout=s.timeout, memory_mb=s.memory_mb, parallel=s.parallel)
                )
                await sandbox.start()
                log.info(
                    "sandbox ready on %s; isolation layers: %s; unavailable here: %s",
                    platform.platform(),
                    ", ".join(sandbox.layers) or "none",
                    ", ".join(sandbox.missing_layers()) or "none",
                )
                self._sandbox = sandbox
            return self._sandbox

    async def shutdown_all(self) -> None:
        self.checker.cancel_all()
        self.jobs.cancel_all()
        if self._sandbox is not None:
            await self._sandbox.close()
            self._sandbox = None

    def message(self, text: str, kind: types.MessageType = types.MessageType.Info) -> None:
        self.window_show_message(types.ShowMessageParams(type=kind, message=text))


def serve() -> None:
    from synthls.lsp import handlers

    server = handlers.build()
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
