"""The server's settings and the resources they decide: engines and the sandbox.

One object (``Services``) holds them for the whole server; helpers see it through the small
protocols below (``Configured``: the settings; ``EnginesAndSandbox``: the settings, the engines and
the sandbox), so a helper's signature says what it uses. A change of settings drops the engines and, when the sandbox
settings changed, the sandbox: both are made again on next use.
"""

from __future__ import annotations

import asyncio
import logging
import platform
from pathlib import Path
from typing import Any, Protocol

from lsprotocol import types
from pygls.uris import to_fs_path

from synthls.config import Settings, load
from synthls.project_rules import ProjectNote
from synthls.sandbox import Limits, Sandbox
from synthls.synth.engine_protocol import Synthesizer
from synthls.synth.engines import make_engines

log = logging.getLogger("synthls")
LEVELS = {"error": logging.ERROR, "warning": logging.WARNING, "debug": logging.DEBUG}


class Configured(Protocol):
    @property
    def settings(self) -> Settings: ...


class EnginesAndSandbox(Configured, Protocol):
    def engines(self, name: str | None = None) -> list[Synthesizer]: ...

    async def sandbox(self) -> Sandbox: ...


class Services:
    def __init__(self) -> None:
        self.settings = Settings()
        self.root: Path | None = None  # the workspace root: its pyproject.toml has settings
        self._sandbox: Sandbox | None = None
        self._sandbox_lock = asyncio.Lock()
        self._engines: dict[str, list[Synthesizer]] = {}
        self._noted: set[str] = set()  # the project files (each version) the user was told of

    def configure(self, raw: Any) -> tuple[list[str], ProjectNote | None]:
        """Take the client's settings (over the project's); the problems found, for the user, and
        what the project file did when the user has not been told yet (once per file version)."""
        loaded = load(raw, base=Settings(), root=self.root)
        settings, problems, note = loaded.settings, loaded.problems, loaded.project
        if note is not None and note.key in self._noted:
            note = None
        elif note is not None:
            self._noted.add(note.key)
        old, self.settings = self.settings, settings
        self._engines.clear()
        log.setLevel(LEVELS.get(settings.log_level, logging.INFO))
        if old.sandbox != settings.sandbox and self._sandbox is not None:
            sandbox, self._sandbox = self._sandbox, None
            asyncio.ensure_future(sandbox.close())
        return problems, note

    def set_root(self, params: types.InitializeParams) -> None:
        """The workspace root (the first folder of a multi-root workspace), when it is a path."""
        folders = params.workspace_folders or []
        uri = folders[0].uri if folders else params.root_uri
        if uri and uri.startswith("file:"):
            path = to_fs_path(uri)
            self.root = Path(path) if path else None
        elif params.root_path:
            self.root = Path(params.root_path)

    def engines(self, name: str | None = None) -> list[Synthesizer]:
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

    async def close(self) -> None:
        if self._sandbox is not None:
            await self._sandbox.close()
            self._sandbox = None
