"""Settings: defaults, then a TOML file, then `CM_SIM_*` environment variables (last wins).

The TOML file is `$CM_SIM_CONFIG` if set, else `cm-sim.toml` in the working directory.
Secrets (API keys) come only from the environment or Streamlit's secrets file, never from
the TOML file, so a shared configuration can be committed safely.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, ValidationError

from simulator.content import Strict
from simulator.errors import ConfigError
from simulator.paths import default_data_dir

ProviderName = Literal["local", "openai", "ollama", "fake"]
PROVIDERS: tuple[ProviderName, ...] = ("local", "openai", "ollama", "fake")


class Settings(Strict):
    provider: ProviderName = "local"
    # local: a candidate name (see simulator/local_models.py) or a path to a GGUF file;
    # openai/ollama: the served model's name.
    model: str | None = None
    base_url: str | None = None
    ollama_url: str = "http://127.0.0.1:11434"
    api_key: SecretStr | None = None
    timeout_s: Annotated[float, Field(gt=0, le=600)] = 30.0
    max_retries: Annotated[int, Field(ge=0, le=5)] = 2
    temperature: Annotated[float, Field(ge=0, le=2)] = 0.7
    max_tokens: Annotated[int, Field(ge=8, le=1024)] = 72
    threads: Annotated[int, Field(ge=1, le=64)] = max(1, os.cpu_count() or 1)
    # How the community's prompt is put: "persona" (the model is the persona, a system turn)
    # or "narrator" (everything in the user turn, the persona in the third person). Both
    # embedded models copied the scripted line more with "narrator" (README).
    prompt_style: Literal["persona", "narrator"] = "persona"
    data_dir: Path = Field(default_factory=default_data_dir)
    # Knowledge index: Chroma server URL (else a persistent index in data_dir/chroma) and
    # the embedding model ("packaged:all-MiniLM-L6-v2" ships in a package; any other name
    # is a sentence-transformers model id or path).
    chroma_url: str | None = None
    embedding_model: str = "packaged:use-multilingual-v3"
    # The grader: "exemplar" (calibrated, default) or "rules" (cue rules, instant).
    grader: Literal["exemplar", "rules"] = "exemplar"
    # An optional LLM judge blended into the grade: its own provider and model (a separate
    # role from the community's voice); unset means no judge.
    judge_provider: ProviderName | None = None
    judge_model: str | None = None
    judge_base_url: str | None = None

    # The store: SQLite in data_dir unless a URL is given (postgresql://user:pw@host/db).
    database_url: str | None = None
    # How long a reply waits for a PostgreSQL server that went away (a restart) before it is
    # refused with a message.
    db_wait_s: Annotated[float, Field(gt=0, le=600)] = 45.0
    # Learning records: the xAPI LRS they are delivered to (its xAPI endpoint, e.g.
    # http://lrs:8100/xAPI/), with HTTP basic auth. Unset: statements wait in the outbox.
    lrs_url: str | None = None
    lrs_user: str | None = None
    lrs_password: SecretStr | None = None

    @property
    def chroma_path(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def store_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'cm-sim.db'}"


ENV_PREFIX = "CM_SIM_"
# Never from the TOML file; read from the environment (or Streamlit secrets) only.
SECRET_FIELDS = frozenset({"api_key", "lrs_password"})


def env_name(field: str) -> str:
    """`database_url` is set by `CM_SIM_DATABASE_URL`: one rule for every setting."""
    return ENV_PREFIX + field.upper()


def config_file() -> Path:
    return Path(os.environ.get("CM_SIM_CONFIG", "cm-sim.toml"))


def _from_file(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    section = data.get("cm_sim", data)
    for secret in SECRET_FIELDS & set(section):
        raise ConfigError(f"{path}: {secret} belongs in the environment ({env_name(secret)})")
    return dict(section)


def load_settings(**overrides: Any) -> Settings:
    """Settings from file and environment; keyword overrides (e.g. --provider) win."""
    values = _from_file(config_file())
    for field in Settings.model_fields:
        if field not in SECRET_FIELDS and os.environ.get(env_name(field)):
            values[field] = os.environ[env_name(field)]
    key = os.environ.get(env_name("api_key")) or os.environ.get("OPENAI_API_KEY")
    if key:
        values["api_key"] = key
    for secret in sorted(SECRET_FIELDS - {"api_key"}):
        if os.environ.get(env_name(secret)):
            values[secret] = os.environ[env_name(secret)]
    values.update({k: v for k, v in overrides.items() if v is not None})
    try:
        return Settings.model_validate(values)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"])
        raise ConfigError(f"setting {field}: {err['msg']}") from None
