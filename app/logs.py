"""Structured logs: one JSON object per line (ts, level, logger, msg, request_id, extras) and request ids.

    configure_logging(app)            # in the factory: JSON logs + X-Request-ID on every request/response
    configure_logging(None)           # in a worker or CLI: JSON logs only

A request's id comes from a well-formed ``X-Request-ID`` header or is a new uuid4 hex; it is on ``g``, on
the response header and on every log record made while serving the request. Headers (so Authorization)
and request bodies are never logged; the access line has the method, path (no query), status and time.
"""
from __future__ import annotations

import json as jsonlib
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime
from typing import Any

HEADER = "X-Request-ID"
_VALID_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "request_id"}
_MARK = "_opsplan_handler"
access_log = logging.getLogger("opsplan.access")


def current_request_id() -> str | None:
    try:
        from flask import g, has_request_context

        return getattr(g, "request_id", None) if has_request_context() else None
    except Exception:  # noqa: BLE001 - logging must never fail on the request id
        return None


class RequestIdFilter(logging.Filter):
    """Puts the current request's id (or None outside a request) on every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_") and key not in out:
                out[key] = value
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        if record.stack_info:
            out["stack"] = self.formatStack(record.stack_info)
        return jsonlib.dumps(out, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")


def configure_logging(app=None, json: bool = True, level: int | str = logging.INFO, stream=None) -> logging.Handler:
    """Install one handler on the root logger (replacing a previous one of ours) and, given a Flask
    app, the request-id hooks. Safe to call more than once."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, _MARK, False)]:
        root.removeHandler(old)
    handler = logging.StreamHandler(stream or sys.stderr)
    setattr(handler, _MARK, True)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter() if json else TextFormatter())
    root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # its access lines carry query strings
    if app is not None:
        install_request_id(app)
    return handler


def install_request_id(app) -> None:
    if app.extensions.get("opsplan_request_id"):
        return
    app.extensions["opsplan_request_id"] = True
    # first in line, so even a request refused by authentication has an id
    app.before_request_funcs.setdefault(None, []).insert(0, _assign_request_id)
    app.after_request(_finish_request)


def _assign_request_id() -> None:
    from flask import g, request

    given = request.headers.get(HEADER, "")
    g.request_id = given if _VALID_ID.match(given) else uuid.uuid4().hex
    g.request_started = time.monotonic()


def _finish_request(response):
    from flask import g, request

    request_id = getattr(g, "request_id", None)
    if request_id:
        response.headers[HEADER] = request_id
        started = getattr(g, "request_started", None)
        access_log.info("%s %s %s", request.method, request.path, response.status_code,
                        extra={"method": request.method, "path": request.path, "status": response.status_code,
                               "duration_ms": round((time.monotonic() - started) * 1000, 1) if started else None,
                               "user": (getattr(g, "user", None) or {}).get("name")})
    return response
