"""The Flask application factory: one blueprint per resource."""
from __future__ import annotations

from flask import Blueprint, Flask

from app import defaults
from app.config import Settings
from app.errors import register_error_handlers
from app.json_provider import LimitedJSONProvider


def blueprints() -> tuple[Blueprint, ...]:
    """Every blueprint, imported explicitly (one resource each): static tools see the whole web side."""
    from app.api import (
        actions,
        ask,
        assets,
        audit,
        chat,
        health,
        inventory,
        metrics,
        openapi,
        plans,
        runs,
        users,
        webhooks,
    )
    from app.ui import actions as ui_actions
    from app.ui import assets as ui_assets
    from app.ui import auth as ui_auth
    from app.ui import chat as ui_chat
    from app.ui import pages as ui_pages
    from app.ui import plans as ui_plans
    from app.ui import runs as ui_runs

    return (openapi.bp, health.bp, plans.bp, ask.bp, runs.bp, actions.bp, assets.bp, chat.bp, metrics.bp, webhooks.bp,
            audit.bp, users.bp, inventory.bp, ui_auth.bp, ui_pages.bp, ui_plans.bp, ui_runs.bp, ui_chat.bp,
            ui_assets.bp, ui_actions.bp)


def create_app(settings: Settings | None = None, *, migrate: bool = True) -> Flask:
    settings = (settings or Settings.from_env()).for_web()
    app = Flask(__name__, template_folder="templates", static_folder="static")
    app.json = LimitedJSONProvider(app)  # a body nested deeper than MAX_JSON_DEPTH is a 400
    app.config["OPSPLAN_SETTINGS"] = settings
    from app import audit

    audit.configure(settings)  # a bad or unwritable audit key fails at start-up, not on the first request
    app.config["JSON_SORT_KEYS"] = False
    app.config["MAX_CONTENT_LENGTH"] = defaults.MAX_BODY_BYTES  # larger bodies are a 413
    # the login session cookie: Secure behind https (OPSPLAN_SECURE_COOKIES), never readable by scripts
    app.config.update(SESSION_COOKIE_SECURE=settings.secure_cookies, SESSION_COOKIE_HTTPONLY=True,
                      SESSION_COOKIE_SAMESITE="Lax")
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
    for bp in blueprints():
        app.register_blueprint(bp)
    from app.api.openapi import register as register_openapi

    register_openapi(app)
    return app


def _session_key(settings: Settings) -> bytes:
    """Signing key of web login sessions (not the credentials key), generated into var/ once."""
    path = settings.var_dir / "session.key"
    if not path.exists():
        import os
        import secrets

        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(secrets.token_hex(32).encode())
        tmp.replace(path)
    return path.read_bytes()
