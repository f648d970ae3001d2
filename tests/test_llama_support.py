"""The model fixture's own checks: parts that do not join into the expected GGUF leave nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import llama_support


def test_parts_that_do_not_match_are_refused_and_leave_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parts = []
    for i in range(3):
        part = tmp_path / f"part{i:02d}.bin"
        part.write_bytes(bytes([i]) * 1000)
        parts.append(part)
    monkeypatch.setattr(llama_support, "part_files", lambda: parts)
    cache = tmp_path / "cache"
    with pytest.raises(RuntimeError, match="is 3000 bytes with SHA-256 .* expected 1117320768"):
        llama_support.model_path(cache)
    assert list(cache.iterdir()) == []  # no half-written or unverified model left behind


def test_every_part_is_installed_where_the_fixture_looks() -> None:
    files = llama_support.part_files()
    assert len(files) == llama_support.PARTS
    assert sum(f.stat().st_size for f in files) == llama_support.MODEL_SIZE
