"""Settings: camelCase tree from the client, environment overrides, bad values reported."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from synthls.config import ENGINES, Settings, load_settings, maximum


def test_defaults_without_input() -> None:
    settings, problems = load_settings(None, env={})
    assert settings == Settings() and problems == []
    assert settings.engine == "auto" and settings.openai.api_key_env == "OPENAI_API_KEY"


def test_nested_camel_case_tree() -> None:
    raw = {
        "synthls": {
            "engine": "all",
            "openai": {"baseUrl": "http://127.0.0.1:1/v1", "maxTokens": 99},
            "sandbox": {"memoryMb": 512},
            "diagnostics": {"onChange": False},
        }
    }
    settings, problems = load_settings(raw, env={})
    assert problems == []
    assert settings.engine == "all"
    assert settings.openai.base_url == "http://127.0.0.1:1/v1" and settings.openai.max_tokens == 99
    assert settings.sandbox.memory_mb == 512 and settings.diagnostics.on_change is False


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ({"engine": "gpt"}, f"engine: expected one of {', '.join(ENGINES)}"),
        ({"rounds": 0}, "rounds: must be greater than 0"),
        ({"rounds": "many"}, "rounds: expected a number"),
        ({"rounds": 2.5}, "rounds: expected a number"),
        ({"openai": {"temperature": -1}}, "openai.temperature: must not be negative"),
        ({"openai": "fast"}, "openai: expected an object"),
        ({"diagnostics": {"enabled": "yes"}}, "diagnostics.enabled: expected true or false"),
        ({"colour": "blue"}, "colour: unknown setting"),
        ({"openai": {"model": 3}}, "openai.model: expected a string"),
        ({"openai": {"mode": "fim"}}, "openai.mode: expected one of auto, chat, completion"),
    ],
)
def test_bad_values_are_reported_and_defaulted(raw: dict[str, object], fragment: str) -> None:
    settings, problems = load_settings(raw, env={})
    assert any(fragment in p for p in problems), problems
    assert settings == Settings()


def test_good_values_survive_next_to_bad_ones() -> None:
    settings, problems = load_settings({"rounds": 5, "deadline": -1}, env={})
    assert settings.rounds == 5 and settings.deadline == Settings().deadline
    assert len(problems) == 1


def test_environment_overrides() -> None:
    env = {
        "SYNTHLS_MODEL": "llama3",
        "OPENAI_BASE_URL": "http://localhost:11434/v1",
        "SYNTHLS_ENGINE": "openai",
    }
    settings, problems = load_settings({"openai": {"model": "gpt-x"}}, env=env)
    assert problems == []
    assert settings.openai.model == "llama3"
    assert settings.openai.base_url == "http://localhost:11434/v1"
    assert settings.engine == "openai"


def test_bad_environment_value_is_reported() -> None:
    settings, problems = load_settings(None, env={"SYNTHLS_ENGINE": "magic"})
    assert settings.engine == "auto"
    assert any("SYNTHLS_ENGINE" in p for p in problems)


def test_not_an_object() -> None:
    settings, problems = load_settings(["engine"], env={})  # type: ignore[arg-type]
    assert settings == Settings() and problems


@pytest.mark.parametrize(
    "raw",
    [
        {"sandbox": {"timeout": "inf"}},
        {"sandbox": {"timeout": "nan"}},
        {"sandbox": {"timeout": 1e13}},
        {"sandbox": {"timeout": -1e15}},
        {"deadline": "Infinity"},
        {"embedded": {"budget": 1e15}},
        {"openai": {"temperature": "nan"}},
        {"openai": {"temperature": 1e13}},
        {"openai": {"timeout": "-inf"}},
        {"sandbox": {"memoryMb": 1e15}},
        {"sandbox": {"memoryMb": "inf"}},
        {"sandbox": {"parallel": 1e13}},
        {"rounds": 1e15},
        {"openai": {"candidates": 1e13}},
        {"openai": {"maxTokens": 1e15}},
        {"openai": {"retries": 1e13}},
        {"diagnostics": {"debounceMs": 1e15}},
        {"diagnostics": {"maxFunctions": -1e15}},
    ],
)
def test_non_finite_and_out_of_range_numbers_are_rejected(raw: dict[str, object]) -> None:
    settings, problems = load_settings(raw, env={})
    assert settings == Settings()
    assert len(problems) == 1, problems


def _numbers(obj: object, prefix: str = "") -> list[tuple[str, float]]:
    out: list[tuple[str, float]] = []
    for f in dataclasses.fields(obj):  # type: ignore[arg-type]
        value = getattr(obj, f.name)
        if dataclasses.is_dataclass(value):
            out += _numbers(value, f"{prefix}{f.name}.")
        elif isinstance(value, int | float) and not isinstance(value, bool):
            out.append((prefix + f.name, value))
    return out


def test_every_default_is_within_its_range() -> None:
    numbers = _numbers(Settings())
    assert len(numbers) >= 12
    for path, value in numbers:
        assert 0 <= value <= maximum(path.rsplit(".", 1)[-1]), path


def test_the_range_is_in_the_message() -> None:
    _, [problem] = load_settings({"sandbox": {"timeout": 1e13}}, env={})
    assert problem.startswith("sandbox.timeout: must be at most ")
    _, [problem] = load_settings({"sandbox": {"timeout": "nan"}}, env={})
    assert problem == "sandbox.timeout: expected a finite number, got 'nan'"


def test_largest_values_in_range_are_kept() -> None:
    raw = {"sandbox": {"timeout": maximum("timeout")}, "openai": {"temperature": 2}}
    settings, problems = load_settings(raw, env={})
    assert problems == []
    assert settings.sandbox.timeout == maximum("timeout") and settings.openai.temperature == 2


def _pyproject(directory: Path, text: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "pyproject.toml"
    path.write_text(text)
    return path


PROJECT = """
[project]
name = "demo"

[tool.synthls]
rounds = 2
engine = "embedded"

[tool.synthls.sandbox]
timeout = 2.5
memory-mb = 512

[tool.synthls.embedded]
budget = 1.5
"""


def test_project_settings_from_the_nearest_pyproject(tmp_path: Path) -> None:
    _pyproject(tmp_path, PROJECT)
    settings, problems = load_settings(None, env={}, root=tmp_path / "src" / "pkg")
    assert problems == []
    assert (settings.rounds, settings.engine, settings.embedded.budget) == (2, "embedded", 1.5)
    assert settings.sandbox.timeout == 2.5 and settings.sandbox.memory_mb == 512


def test_editor_settings_on_top_of_the_project_and_environment_on_top_of_both(
    tmp_path: Path,
) -> None:
    _pyproject(tmp_path, PROJECT)
    raw = {"rounds": 1, "sandbox": {"memoryMb": 256}}
    settings, problems = load_settings(raw, env={"SYNTHLS_ENGINE": "openai"}, root=tmp_path)
    assert problems == []
    assert settings.rounds == 1 and settings.sandbox.memory_mb == 256
    assert settings.sandbox.timeout == 2.5  # the project's, not overridden
    assert settings.engine == "openai"


def test_a_pyproject_without_the_table_is_passed_over(tmp_path: Path) -> None:
    _pyproject(tmp_path, PROJECT)
    _pyproject(tmp_path / "sub", '[project]\nname = "inner"\n[tool.ruff]\nline-length = 99\n')
    nearer = tmp_path / "sub" / "nested"
    _pyproject(nearer, "[tool.synthls]\nrounds = 1\n")
    assert load_settings(None, env={}, root=tmp_path / "sub")[0].rounds == 2
    settings, _ = load_settings(None, env={}, root=nearer)
    assert settings.rounds == 1 and settings.sandbox.timeout == Settings().sandbox.timeout


def test_bad_project_values_name_the_file(tmp_path: Path) -> None:
    path = _pyproject(tmp_path, "[tool.synthls.sandbox]\ntimeout = inf\nparallel = 1\n")
    settings, [problem] = load_settings(None, env={}, root=tmp_path)
    assert problem.startswith(f"{path} [tool.synthls]: sandbox.timeout: expected a finite number")
    assert settings.sandbox.timeout == Settings().sandbox.timeout and settings.sandbox.parallel == 1


def test_invalid_toml_is_reported_and_ignored(tmp_path: Path) -> None:
    path = _pyproject(tmp_path, "[tool.synthls\nrounds = 5\n")
    settings, [problem] = load_settings(None, env={}, root=tmp_path)
    assert settings == Settings()
    assert problem.startswith(f"{path} [tool.synthls]: not valid TOML") and "ignored" in problem


def test_a_project_cannot_choose_where_the_key_goes(tmp_path: Path) -> None:
    _pyproject(
        tmp_path,
        '[tool.synthls.openai]\nbaseUrl = "http://evil.example/v1"\napi_key_env = "AWS_SECRET"\n'
        'model = "llama3"\n',
    )
    settings, problems = load_settings(None, env={}, root=tmp_path)
    assert settings == Settings()
    assert len(problems) == 3 and all("only your settings choose it" in p for p in problems)


def test_settings_tree_from_the_environment() -> None:
    env = {
        "SYNTHLS_SETTINGS": '{"openai": {"temperature": 0, "candidates": 1}, "deadline": 90}',
        "SYNTHLS_ROUNDS": "2",
    }
    settings, problems = load_settings({"openai": {"temperature": 0.5, "maxTokens": 99}}, env=env)
    assert problems == []
    assert settings.openai.temperature == 0 and settings.openai.candidates == 1
    assert settings.openai.max_tokens == 99 and settings.deadline == 90 and settings.rounds == 2


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("{not json", "$SYNTHLS_SETTINGS: not JSON"),
        ('["engine"]', "$SYNTHLS_SETTINGS: expected a JSON object"),
        ('{"rounds": 0}', "$SYNTHLS_SETTINGS -> rounds: must be greater than 0"),
    ],
)
def test_bad_settings_tree_in_the_environment_is_reported(value: str, fragment: str) -> None:
    settings, problems = load_settings(None, env={"SYNTHLS_SETTINGS": value})
    assert settings == Settings()
    assert any(fragment in p for p in problems), problems


def test_the_old_name_ask_mutants_still_switches_edge_cases_with_a_deprecation(
    tmp_path: Path,
) -> None:
    """``ask.mutants`` became ``ask.edgeCases``: the old key still gives its value (from the
    editor, ``$SYNTHLS_SETTINGS`` or pyproject.toml), and the user is told once to move."""
    moved = "ask.mutants is deprecated: use ask.edgeCases"
    editor, problems = load_settings({"ask": {"mutants": False}}, env={})
    assert editor.ask.edge_cases is False and problems == [moved]
    env = {"SYNTHLS_SETTINGS": '{"ask": {"mutants": false}}'}
    from_env, problems = load_settings(None, env=env)
    assert from_env.ask.edge_cases is False and problems == [f"$SYNTHLS_SETTINGS -> {moved}"]
    both, problems = load_settings({"ask": {"mutants": False, "edgeCases": True}}, env={})
    assert both.ask.edge_cases is True and problems == [moved]  # the new name wins
    (tmp_path / "pyproject.toml").write_text("[tool.synthls.ask]\nmutants = false\n")
    project, problems = load_settings(None, env={}, root=tmp_path)
    assert project.ask.edge_cases is False and problems == [
        f"{tmp_path / 'pyproject.toml'} [tool.synthls]: " + moved
    ]
