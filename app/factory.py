"""The Flask application factory: one blueprint per resource."""
from __future__ import annotations

import importlib

from flask import Flask

from app.config import Settings
from app.errors import register_error_handlers

# module path of each blueprint (module attribute ``bp``); one resource each
BLUEPRINTS = (
    "app.api.openapi",
    "app.api.health",
    "app.api.plans",
    "app.api.runs",
    "app.api.actions",
    "app.api.assets",
    "app.api.chat",
    "app.api.metrics",
    "app.api.webhooks",
    "app.api.audit",
    "app.api.users",
    "app.ui.auth",
    "app.ui.pages",
    "app.ui.plans",
    "app.ui.runs",
    "app.ui.chat",
    "app.ui.assets",
)


def create_app(settings: Settings | None = None, *, migrate: bool = True) -> Flask:
    settings = settings or Settings.from_env()
    app = Flask(__name__, template_folder="templates", static_folder="static")
    app.config["OPSPLAN_SETTINGS"] = settings
    app.config["JSON_SORT_KEYS"] = False
    if migrate:
        from app.db.migrate import upgrade

        upgrade(settings.database_url)
    register_error_handlers(app)
    from app.logs import configure_logging

    configure_logging(app)
    from app.auth import load_request_user

    app.secret_key = _session_key(settings)
    app.before_request(load_request_user)
    from app.ui.csrf import csrf_protect

    app.before_request(csrf_protect)
    for name in BLUEPRINTS:
        app.register_blueprint(importlib.import_module(name).bp)
    from app.api.openapi import register as register_openapi

    register_openapi(app)
    return app


def _session_key(settings: Settings) -> bytes:
    """Signing key of web login sessions (not the credentials key), generated into var/ once."""
    path = settings.var_dir / "session.key"
    if not path.exists():
        import secrets

        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(secrets.token_hex(32).encode())
        tmp.chmod(0o600)
        tmp.replace(path)
    return path.read_bytes()
