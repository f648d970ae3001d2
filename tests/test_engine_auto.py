"""Engine ``auto``: the endpoint the user set, else the local model when installed, else the
embedded search; never a paid endpoint nobody named."""

from __future__ import annotations

from pathlib import Path

import pytest

from synthls.config import Settings, load_settings
from synthls.synth.engines import NO_LOCAL_ENV, auto, make_engines, needs_examples, resolve
from synthls.synth.openai.local import LocalModelSynthesizer


def settings(tree: dict[str, object]) -> Settings:
    loaded, problems = load_settings(tree, env={})
    assert not problems
    return loaded


def gguf(tmp_path: Path) -> str:
    file = tmp_path / "mine.gguf"
    file.write_bytes(b"GGUF" + bytes(16))
    return str(file)


def test_auto_uses_the_endpoint_the_user_set() -> None:
    chosen, why = auto(settings({"openai": {"baseUrl": "http://127.0.0.1:9/v1"}}), env={})
    assert chosen == "openai" and "openai.baseUrl is set" in why


def test_auto_uses_the_local_model_when_it_is_installed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(NO_LOCAL_ENV)
    s = settings({"engine": "auto", "model": {"path": gguf(tmp_path)}})
    assert auto(s, env={}) == ("local", "the local model is installed (mine)")
    [engine] = make_engines(s, env={})
    assert isinstance(engine, LocalModelSynthesizer) and engine.name == "local"
    assert not needs_examples("auto", s)  # a model can write from the docstring alone


def test_auto_falls_back_to_the_search_without_a_model(tmp_path: Path) -> None:
    s = settings({"engine": "auto", "model": {"path": str(tmp_path / "none.gguf")}})
    chosen, why = auto(s, env={"OPENAI_API_KEY": "sk-a-key-is-not-a-choice"})
    assert chosen == "embedded" and 'pip install "synthls[local]"' in why
    assert resolve("auto", s, env={}) == ["embedded"] and needs_examples("auto", s)
    present = settings({"engine": "auto", "model": {"path": gguf(tmp_path)}})
    assert auto(present, env={NO_LOCAL_ENV: "1"})[0] == "embedded"


def test_the_other_choices_keep_their_engines() -> None:
    s = settings({})
    assert resolve("all", s) == ["embedded", "openai"]
    assert resolve("embedded", s) == ["embedded"] and resolve("openai", s) == ["openai"]
