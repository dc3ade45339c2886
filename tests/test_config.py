"""Settings: every field is set by `CM_SIM_<FIELD>`, with no table to keep in step."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.config import SECRET_FIELDS, Settings, env_name, load_settings

# A valid value for each field, as the environment would give it.
SAMPLES = {
    "provider": "ollama",
    "model": "qwen2.5:0.5b",
    "base_url": "http://127.0.0.1:8000/v1",
    "ollama_url": "http://127.0.0.1:11435",
    "timeout_s": "7",
    "max_retries": "1",
    "temperature": "0.2",
    "max_tokens": "64",
    "threads": "1",
    "data_dir": "/tmp/cm-sim-data",
    "chroma_url": "http://127.0.0.1:8001",
    "embedding_model": "packaged:all-MiniLM-L6-v2",
    "grader": "rules",
    "judge_provider": "openai",
    "judge_model": "judge",
    "judge_base_url": "http://127.0.0.1:8002/v1",
    "database_url": "sqlite:////tmp/x.db",
    "db_wait_s": "12.5",
    "prompt_style": "narrator",
    "lrs_url": "http://127.0.0.1:8100/xAPI/",
    "lrs_user": "cm-sim",
}


def test_every_setting_has_its_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    fields = set(Settings.model_fields) - SECRET_FIELDS
    assert fields <= set(SAMPLES), f"add a sample for {sorted(fields - set(SAMPLES))}"
    for field in fields:
        monkeypatch.setenv(env_name(field), SAMPLES[field])
    settings = load_settings()
    for field in fields:
        value = getattr(settings, field)
        expected = SAMPLES[field]
        shown = str(value) if not isinstance(value, float) else repr(value).rstrip("0")
        assert shown.rstrip(".") == expected.rstrip(".") or str(value) == expected, field


def test_the_variable_name_is_the_field_name(monkeypatch: pytest.MonkeyPatch) -> None:
    assert env_name("database_url") == "CM_SIM_DATABASE_URL"
    monkeypatch.setenv("CM_SIM_DATA_DIR", "/tmp/elsewhere")
    assert load_settings().data_dir == Path("/tmp/elsewhere")


def test_the_api_key_comes_only_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CM_SIM_API_KEY", "sk-env")
    settings = load_settings()
    assert settings.api_key is not None and settings.api_key.get_secret_value() == "sk-env"
    assert "sk-env" not in repr(settings)
