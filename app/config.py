"""Settings read from the environment (CONTRACT section 2), with embedded defaults."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


def _var_dir() -> Path:
    return Path(os.environ.get("OPSPLAN_VAR_DIR", "var")).resolve()


@dataclass(frozen=True)
class Settings:
    database_url: str
    redis_url: str
    var_dir: Path
    secret_key_file: Path
    openai_api_key: str | None = None
    openai_base_url: str | None = None
    llm_model: str = "gpt-4o-mini"
    queue_name: str = "opsplan"
    run_timeout: int = 3600
    base_url: str = "http://localhost:5000"
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_env(cls, env: dict | None = None) -> "Settings":
        env = os.environ if env is None else env
        var_dir = Path(env.get("OPSPLAN_VAR_DIR", "var")).resolve()
        default_db = f"sqlite:///{var_dir / 'opsplan.db'}"
        return cls(
            database_url=env.get("DATABASE_URL") or default_db,
            redis_url=env.get("REDIS_URL") or "redis://localhost:6379/0",
            var_dir=var_dir,
            secret_key_file=var_dir / "secret.key",
            openai_api_key=env.get("OPENAI_API_KEY") or None,
            openai_base_url=env.get("OPENAI_BASE_URL") or None,
            llm_model=env.get("OPSPLAN_LLM_MODEL") or "gpt-4o-mini",
            queue_name=env.get("OPSPLAN_QUEUE") or "opsplan",
            run_timeout=int(env.get("OPSPLAN_RUN_TIMEOUT") or 3600),
            base_url=env.get("OPSPLAN_BASE_URL") or "http://localhost:5000",
        )


def get_settings() -> Settings:
    return Settings.from_env()
