"""The typed settings: every environment variable the service reads, with its default (CONTRACT 2).

Nothing else in the code base reads ``os.environ`` for configuration. ``FIELDS`` documents each
variable; a test checks that the README's configuration table lists exactly these.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path

from app import defaults


@dataclass(frozen=True)
class EnvVar:
    name: str
    default: str
    meaning: str


FIELDS: tuple[EnvVar, ...] = (
    EnvVar("DATABASE_URL", "sqlite:///var/opsplan.db", "SQLAlchemy URL; PostgreSQL (`postgresql+psycopg://...`) "
           "in production"),
    EnvVar("REDIS_URL", "redis://localhost:6379/0", "RQ queues and live event pub/sub"),
    EnvVar("OPSPLAN_SECRET_KEY", "generated into `var/secret.key`", "credentials key; only workers read it "
           "(the web process never does, and `opsplan up` does not hand it to the web process)"),
    EnvVar("OPENAI_API_KEY", "unset", "LLM planner key (any OpenAI-compatible server)"),
    EnvVar("OPENAI_BASE_URL", "unset", "LLM planner endpoint; with the key or this set, requests the rules cannot "
           "read go to the LLM planner"),
    EnvVar("OPSPLAN_LLM_MODEL", defaults.LLM_MODEL, "model name for the LLM planner"),
    EnvVar("OPSPLAN_LLM_TIMEOUT", str(defaults.LLM_TIMEOUT_SECONDS), "seconds before an LLM call gives up "
           "(the rule planner answers instead)"),
    EnvVar("OPSPLAN_VAR_DIR", "var", "state directory (keys, private data dirs while a run lasts)"),
    EnvVar("OPSPLAN_RUN_TIMEOUT", str(defaults.RUN_TIMEOUT_SECONDS), "seconds before a run is stopped and "
           "marked `timed_out`"),
    EnvVar("OPSPLAN_POLICY_FILE", "built-in", "rollout policy YAML"),
    EnvVar("OPSPLAN_QUEUE", "opsplan", "queue name prefix; the installation's identity is appended, so two "
           "installations on one Redis never share work"),
    EnvVar("OPSPLAN_BASE_URL", "http://localhost:5000", "the service's public URL (links in webhooks; https "
           "turns on secure cookies)"),
    EnvVar("OPSPLAN_SECURE_COOKIES", "on when `OPSPLAN_BASE_URL` is https", "`Secure` flag on the login "
           "session cookie (`1`/`0`)"),
    EnvVar("OPSPLAN_AUDIT_KEY", "generated into `var/audit.key`", "HMAC key of the audit chain; keep it (and "
           "`var/audit-head.json`) outside the database's reach"),
    EnvVar("OPSPLAN_USER", "the OS user", "CLI: the Opsplan user the command acts as (`--user` overrides)"),
    EnvVar("OPSPLAN_WEB_WORKERS", "2 x CPU cores + 1 (at most 9)", "`opsplan serve`: gunicorn worker processes"),
    EnvVar("OPSPLAN_WEB_THREADS", str(defaults.WEB_THREADS), "`opsplan serve`: threads per worker process "
           "(each live event stream holds one)"),
    EnvVar("OPSPLAN_STRATEGY", "linear", "workers: Ansible's strategy for runs, `linear` or `mitogen_linear` "
           "(Mitogen, pinned; off by default; not part of the bundle, so an approved bundle stays the same)"),
)


class Strategy(StrEnum):
    """How the worker's ansible-playbook runs the bundle's plays (never written into the bundle)."""
    LINEAR = "linear"  # Ansible's own
    MITOGEN_LINEAR = "mitogen_linear"  # Mitogen's: one persistent interpreter per host instead of a module upload


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value.strip() == "":
        return default
    v = value.strip().lower()
    if v in ("1", "true", "yes", "on"):
        return True
    if v in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"expected 1/0, true/false, yes/no or on/off, got {value!r}")


def _number(env: Mapping[str, str], name: str, default: float, cast=float):
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = cast(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number, got {raw!r}") from None
    if value <= 0:
        raise SettingsError(f"{name} must be positive, got {raw!r}")
    return value


def default_web_workers() -> int:
    """Gunicorn's rule of thumb, 2 x cores + 1, capped (each process holds its own caches and connections)."""
    return min(2 * (os.cpu_count() or 1) + 1, defaults.WEB_WORKERS_MAX)


class SettingsError(ValueError):
    """A variable has a value the service cannot use; the message names it."""


@dataclass(frozen=True)
class Settings:
    database_url: str
    redis_url: str
    var_dir: Path
    openai_api_key: str | None = field(default=None, repr=False)
    openai_base_url: str | None = None
    llm_model: str = defaults.LLM_MODEL
    llm_timeout: float = defaults.LLM_TIMEOUT_SECONDS
    queue_name: str = "opsplan"
    run_timeout: int = defaults.RUN_TIMEOUT_SECONDS
    base_url: str = "http://localhost:5000"
    policy_file: Path | None = None
    secure_cookies: bool = False
    # the credentials key as given in the environment; only the worker's keyring reads it
    secret_key: str | None = field(default=None, repr=False)
    audit_key: str | None = field(default=None, repr=False)
    cli_user: str | None = None
    web_workers: int = field(default_factory=lambda: default_web_workers())
    web_threads: int = defaults.WEB_THREADS
    strategy: Strategy = Strategy.LINEAR

    @property
    def secret_key_file(self) -> Path:
        return self.var_dir / "secret.key"

    @property
    def audit_key_file(self) -> Path:
        return self.var_dir / "audit.key"

    @property
    def audit_head_file(self) -> Path:
        return self.var_dir / "audit-head.json"

    @property
    def llm_enabled(self) -> bool:
        return bool(self.openai_api_key or self.openai_base_url)

    def for_web(self) -> Settings:
        """The web process's copy: without the credentials key, whatever the environment held."""
        return replace(self, secret_key=None)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        var_dir = Path(env.get("OPSPLAN_VAR_DIR") or "var").resolve()
        base_url = (env.get("OPSPLAN_BASE_URL") or "http://localhost:5000").rstrip("/")
        try:
            secure = _bool(env.get("OPSPLAN_SECURE_COOKIES"), base_url.startswith("https://"))
        except ValueError as exc:
            raise SettingsError(f"OPSPLAN_SECURE_COOKIES: {exc}") from None
        policy = env.get("OPSPLAN_POLICY_FILE") or None
        return cls(
            database_url=env.get("DATABASE_URL") or f"sqlite:///{var_dir / 'opsplan.db'}",
            redis_url=env.get("REDIS_URL") or "redis://localhost:6379/0",
            var_dir=var_dir,
            openai_api_key=env.get("OPENAI_API_KEY") or None,
            openai_base_url=env.get("OPENAI_BASE_URL") or None,
            llm_model=env.get("OPSPLAN_LLM_MODEL") or defaults.LLM_MODEL,
            llm_timeout=_number(env, "OPSPLAN_LLM_TIMEOUT", defaults.LLM_TIMEOUT_SECONDS),
            queue_name=env.get("OPSPLAN_QUEUE") or "opsplan",
            run_timeout=_number(env, "OPSPLAN_RUN_TIMEOUT", defaults.RUN_TIMEOUT_SECONDS, int),
            base_url=base_url,
            policy_file=Path(policy) if policy else None,
            secure_cookies=secure,
            secret_key=env.get("OPSPLAN_SECRET_KEY") or None,
            audit_key=env.get("OPSPLAN_AUDIT_KEY") or None,
            cli_user=env.get("OPSPLAN_USER") or None,
            web_workers=_number(env, "OPSPLAN_WEB_WORKERS", default_web_workers(), int),
            web_threads=_number(env, "OPSPLAN_WEB_THREADS", defaults.WEB_THREADS, int),
            strategy=_strategy(env.get("OPSPLAN_STRATEGY")),
        )


def _strategy(value: str | None) -> Strategy:
    try:
        return Strategy((value or Strategy.LINEAR).strip().lower())
    except ValueError:
        raise SettingsError(f"OPSPLAN_STRATEGY must be one of {', '.join(Strategy)}, not {value!r}") from None
