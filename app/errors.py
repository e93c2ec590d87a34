"""Application errors and the one place that maps exceptions to HTTP responses."""
from __future__ import annotations

from flask import Flask, jsonify, request
from sqlalchemy.exc import DataError
from werkzeug.exceptions import HTTPException


class OpsplanError(Exception):
    """Base of every error the app raises on purpose; status is the HTTP status it maps to."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        if status:
            self.status = status


class BadRequest(OpsplanError):
    status, code = 400, "bad_request"


class Unauthorized(OpsplanError):
    status, code = 401, "unauthorized"


class Forbidden(OpsplanError):
    status, code = 403, "forbidden"


class NotFound(OpsplanError):
    status, code = 404, "not_found"


class Conflict(OpsplanError):
    status, code = 409, "conflict"


def error_body(code: str, message: str) -> dict:
    return {"error": {"code": code, "message": message}}


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(OpsplanError)
    def _opsplan(err: OpsplanError):
        return jsonify(error_body(err.code, err.message)), err.status

    @app.errorhandler(HTTPException)
    def _http(err: HTTPException):
        code = (err.name or "error").lower().replace(" ", "_")
        return jsonify(error_body(code, err.description or err.name)), err.code

    @app.before_request
    def _no_nul_in_query():
        # PostgreSQL cannot store NUL characters; refuse them up front rather than fail in the database
        if any("\x00" in k or "\x00" in v for k, v in request.args.items(multi=True)) or "\x00" in request.path:
            raise BadRequest("NUL characters are not allowed in the URL")

    @app.errorhandler(DataError)
    def _data_error(err: DataError):  # a value the database cannot hold (NUL bytes, out-of-range numbers)
        return jsonify(error_body("bad_request", "a value in the request is not valid for the database")), 400

    @app.errorhandler(Exception)
    def _unexpected(err: Exception):  # a 5xx is always a bug; keep the body generic
        app.logger.exception("unhandled error")
        return jsonify(error_body("internal_error", "internal error; see the server log")), 500
