"""Settings: camelCase tree from the client, environment overrides, bad values reported."""

from __future__ import annotations

import pytest

from synthls.config import Settings, load_settings


def test_defaults_without_input() -> None:
    settings, problems = load_settings(None, env={})
    assert settings == Settings() and problems == []
    assert settings.engine == "embedded" and settings.openai.api_key_env == "OPENAI_API_KEY"


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
        ({"engine": "gpt"}, "engine: expected one of embedded, openai, all"),
        ({"rounds": 0}, "rounds: must be greater than 0"),
        ({"rounds": "many"}, "rounds: expected a number"),
        ({"rounds": 2.5}, "rounds: expected a number"),
        ({"openai": {"temperature": -1}}, "openai.temperature: must not be negative"),
        ({"openai": "fast"}, "openai: expected an object"),
        ({"diagnostics": {"enabled": "yes"}}, "diagnostics.enabled: expected true or false"),
        ({"colour": "blue"}, "colour: unknown setting"),
        ({"openai": {"model": 3}}, "openai.model: expected a string"),
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
    assert settings.engine == "embedded"
    assert any("SYNTHLS_ENGINE" in p for p in problems)


def test_not_an_object() -> None:
    settings, problems = load_settings(["engine"], env={})  # type: ignore[arg-type]
    assert settings == Settings() and problems


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
