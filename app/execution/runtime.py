"""The worker process's own state: its settings, its zones and the credentials key, kept in memory only.

The worker configures this once at start-up, then drops the key from its environment, so no child
process (ansible-playbook, modules) can read it. Job functions (which take only ids) read both here.
"""
from __future__ import annotations

import os
import socket

from app.config import Settings
from app.queue import DEFAULT_ZONE

# Never left in the worker's own environment once it is configured (children get an allowlist anyway).
SCRUBBED_ENV = ("OPSPLAN_SECRET_KEY", "OPSPLAN_AUDIT_KEY", "OPENAI_API_KEY", "OPENAI_BASE_URL", "DATABASE_URL",
                "REDIS_URL", "TEST_POSTGRES_URL")

_settings: Settings | None = None
_secret_key: bytes | None = None
_zones: tuple[str, ...] = (DEFAULT_ZONE,)


def configure(settings: Settings, secret_key: bytes | None, zones: tuple[str, ...] = (DEFAULT_ZONE,)) -> None:
    global _settings, _secret_key, _zones
    _settings, _secret_key, _zones = settings, secret_key, tuple(zones) or (DEFAULT_ZONE,)
    for name in SCRUBBED_ENV:
        os.environ.pop(name, None)


def worker_label() -> str:
    """'host:pid' of the worker's main process (a job runs in its work horse, a child of it)."""
    return f"{socket.gethostname()}:{os.getppid()}"


def zones() -> tuple[str, ...]:
    """The execution zones this worker serves (CONTRACT 10): it contacts only their hosts."""
    return _zones


def settings() -> Settings:
    return _settings or Settings.from_env()


def secret_key(settings: Settings) -> bytes:
    """The credentials key this worker holds (or, outside a configured worker, the local one)."""
    if _secret_key is not None:
        return _secret_key
    from app.execution.keyring import load_secret_key

    return load_secret_key(settings, create=False)
