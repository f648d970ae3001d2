"""A cloned repository's ``[tool.synthls]``: it may lower costs and limits, never raise them, and
reading it is bounded (size, nesting, re-reads)."""

from __future__ import annotations

import json
import os
import time
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from synthls import project
from synthls.config import Settings, load, load_settings
from synthls.project_rules import FROM_PROJECT

# every key a project may not raise, at the most it could ask for (in camelCase, as written)
HOSTILE: list[tuple[str, str, Any]] = [
    ("", "engine", "openai"),
    ("", "engine", "all"),
    ("", "rounds", 100),
    ("", "deadline", 3600),
    ("openai", "model", "gpt-4.5-preview"),
    ("openai", "baseUrl", "http://evil.example/v1"),
    ("openai", "apiKeyEnv", "AWS_SECRET_ACCESS_KEY"),
    ("openai", "candidates", 128),
    ("openai", "maxTokens", 1_000_000),
    ("openai", "retries", 20),
    ("openai", "timeout", 3600),
    ("openai", "stallTimeout", 3600),
    ("embedded", "budget", 3600),
    ("completion", "budget", 3600),
    ("sandbox", "timeout", 3600),
    ("sandbox", "memoryMb", 1_048_576),
    ("sandbox", "parallel", 1024),
    ("diagnostics", "maxFunctions", 100_000),
    ("model", "path", "/repo/evil.gguf"),
    ("model", "idleMinutes", 1440),
    ("model", "threads", 256),
    ("ask", "readDocstring", True),  # a model request per function: the user's to turn on
]


def _value(value: Any) -> str:
    return json.dumps(value)


def _write(root: Path, text: str) -> Path:
    path = root / "pyproject.toml"
    path.write_text(text)
    return path


def _toml(entries: list[tuple[str, str, Any]]) -> str:
    tables: dict[str, list[str]] = {}
    for table, key, value in entries:
        tables.setdefault(table, []).append(f"{key} = {_value(value)}")
    out = []
    for table, lines in tables.items():
        out.append(f"[tool.synthls{'.' + table if table else ''}]")
        out += lines
    return "\n".join(out) + "\n"


def test_every_guarded_key_is_tried_here() -> None:
    tried = {f"{t}.{k}".lstrip(".") for t, k, _ in HOSTILE}
    snake = {p.replace("_", "").lower() for p in FROM_PROJECT}
    assert {p.lower() for p in tried} == snake


@pytest.mark.parametrize(("table", "key", "value"), HOSTILE, ids=lambda v: str(v))
def test_a_project_cannot_raise_what_a_request_costs_or_holds(
    tmp_path: Path, table: str, key: str, value: Any
) -> None:
    if table and not hasattr(Settings(), table):
        pytest.skip(f"no {table} settings here")
    _write(tmp_path, _toml([(table, key, value)]))
    loaded = load(None, env={}, root=tmp_path)
    assert loaded.settings == Settings()  # the user's, untouched
    assert loaded.project is not None and loaded.project.changed == ()
    [refused] = loaded.project.refused
    assert refused.startswith(f"{table + '.' if table else ''}{key} = ")
    assert loaded.problems == []


def test_all_at_once_is_one_note_naming_each(tmp_path: Path) -> None:
    hostile = [h for h in HOSTILE[1:] if not h[0] or hasattr(Settings(), h[0])]
    path = _write(tmp_path, _toml([*hostile, ("ask", "edgeCases", False)]))
    loaded = load({"openai": {"temperature": 0.2}}, env={}, root=tmp_path)
    assert loaded.settings.openai == Settings().openai.__class__(temperature=0.2)
    assert loaded.settings.ask.edge_cases is False  # not a cost: the project may set it
    note = loaded.project
    assert note is not None and note.changed == ("ask.edgeCases = false",)
    assert len(note.refused) == len(hostile)
    text = note.text()
    assert "\n" not in text and text.startswith(f"{path} [tool.synthls]: changes ask.edgeCases")
    assert "openai.maxTokens = 1000000 (a project may only lower it; yours: 768)" in text


def test_the_user_settings_win_where_they_are_set(tmp_path: Path) -> None:
    _write(tmp_path, _toml([h for h in HOSTILE[1:] if not h[0] or hasattr(Settings(), h[0])]))
    mine = {"engine": "openai", "openai": {"model": "mine", "candidates": 7}}
    settings, problems = load_settings(mine, env={}, root=tmp_path)
    assert (settings.engine, settings.openai.model, settings.openai.candidates) == (
        "openai",
        "mine",
        7,
    )
    assert settings.rounds == Settings().rounds and settings.sandbox == Settings().sandbox
    assert problems  # the rest was refused


LOWER: list[tuple[str, str, Any]] = [
    ("", "rounds", 1),
    ("", "deadline", 30),
    ("openai", "candidates", 1),
    ("openai", "maxTokens", 256),
    ("openai", "retries", 0),
    ("openai", "timeout", 10),
    ("openai", "stallTimeout", 5),
    ("embedded", "budget", 0.5),
    ("completion", "budget", 0.25),
    ("sandbox", "timeout", 1.5),
    ("sandbox", "memoryMb", 256),
    ("sandbox", "parallel", 1),
    ("diagnostics", "maxFunctions", 10),
]


def test_a_project_may_lower_each(tmp_path: Path) -> None:
    _write(tmp_path, _toml(LOWER))
    loaded = load(None, env={}, root=tmp_path)
    s = loaded.settings
    assert (s.rounds, s.deadline, s.embedded.budget, s.completion.budget) == (1, 30, 0.5, 0.25)
    o = s.openai
    assert (o.candidates, o.max_tokens, o.retries, o.timeout, o.stall_timeout) == (1, 256, 0, 10, 5)
    assert (s.sandbox.timeout, s.sandbox.memory_mb, s.sandbox.parallel) == (1.5, 256, 1)
    assert s.diagnostics.max_functions == 10
    assert loaded.project is not None and loaded.project.refused == ()
    assert len(loaded.project.changed) == len(LOWER) and not loaded.project.warns


def test_a_project_may_choose_the_free_engine_over_a_billed_one(tmp_path: Path) -> None:
    _write(tmp_path, '[tool.synthls]\nengine = "embedded"\n')
    user = Settings(engine="openai")
    assert load(None, env={}, base=user, root=tmp_path).settings.engine == "embedded"
    _write(tmp_path, '[tool.synthls]\nengine = "all"\n')
    assert load(None, env={}, base=user, root=tmp_path).settings.engine == "openai"


def test_parallel_zero_means_one_per_core(tmp_path: Path) -> None:
    _write(tmp_path, "[tool.synthls.sandbox]\nparallel = 0\n")
    one = Settings(sandbox=Settings().sandbox.__class__(parallel=1))
    loaded = load(None, env={}, base=one, root=tmp_path)
    if (os.cpu_count() or 1) > 1:
        assert loaded.settings.sandbox.parallel == 1  # 0 would be every core
    _write(tmp_path, f"[tool.synthls.sandbox]\nparallel = {(os.cpu_count() or 1) + 1}\n")
    assert load(None, env={}, root=tmp_path).settings.sandbox.parallel == 0


DEEP = "[tool.synthls]\nrounds = 1\n[tool.other]\nx = " + "[" * 2000 + "]" * 2000 + "\n"


def test_a_nesting_too_deep_for_the_parser_is_a_note(tmp_path: Path) -> None:
    path = _write(tmp_path, DEEP)
    settings, [problem] = load_settings(None, env={}, root=tmp_path)
    assert settings == Settings()
    assert problem == f"{path} [tool.synthls]: nested too deeply to read; ignored"


def test_a_deep_value_in_a_setting_gets_a_short_message(tmp_path: Path) -> None:
    _write(tmp_path, "[tool.synthls]\nrounds = " + "[" * 300 + "]" * 300 + "\n")
    settings, [problem] = load_settings(None, env={}, root=tmp_path)
    assert settings == Settings() and "rounds: expected a number" in problem
    assert len(problem) < 400


def test_a_deep_settings_tree_in_the_environment_is_a_problem() -> None:
    deep = '{"a": ' * 100_000 + "1" + "}" * 100_000
    settings, [problem] = load_settings(None, env={"SYNTHLS_SETTINGS": deep})
    assert settings == Settings() and "nested too deeply" in problem


def test_a_huge_file_is_not_read(tmp_path: Path) -> None:
    path = _write(tmp_path, "[tool.synthls]\nrounds = 1\n")
    with path.open("r+b") as file:
        file.truncate(300 * 1000 * 1000)  # sparse: 300 MB that take no disk
    tracemalloc.start()
    start = time.perf_counter()
    try:
        settings, [problem] = load_settings(None, env={}, root=tmp_path)
        took = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert settings == Settings()
    assert "300.0 MB, more than the 1.0 MB synthls reads; ignored" in problem
    assert took < 0.5 and peak < 4 * project.MAX_BYTES


def test_an_unchanged_file_is_parsed_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    parsed: list[Path] = []
    parse = project._parse
    monkeypatch.setattr(project, "_parse", lambda p: parsed.append(p) or parse(p))
    path = _write(tmp_path, "[tool.synthls]\nrounds = 1\n")
    for _ in range(3):
        assert load(None, env={}, root=tmp_path).settings.rounds == 1
    assert parsed == [path]
    _write(tmp_path, "[tool.synthls]\nrounds = 2\n")
    assert load(None, env={}, root=tmp_path).settings.rounds == 2
    assert parsed == [path, path]


def test_a_root_that_cannot_be_resolved_is_a_problem(tmp_path: Path) -> None:
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    settings, [problem] = load_settings(None, env={}, root=tmp_path / "a" / "src")
    assert settings == Settings() and "no pyproject.toml could be looked for" in problem
