"""Application errors and the one place that maps exceptions to HTTP responses."""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the web stack is imported by register_error_handlers only: the CLI never loads it
    from flask import Flask


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


class TooManyRequests(OpsplanError):
    status, code = 429, "too_many_requests"


class QueueUnavailable(OpsplanError):
    """The job queue (Redis) cannot take work right now; nothing was started."""

    status, code = 503, "queue_unavailable"


def error_body(code: str, message: str) -> dict:
    return {"error": {"code": code, "message": message}}


def register_error_handlers(app: Flask) -> None:
    from flask import jsonify, request
    from sqlalchemy.exc import DataError
    from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

    @app.errorhandler(OpsplanError)
    def _opsplan(err: OpsplanError):
        return jsonify(error_body(err.code, err.message)), err.status

    @app.errorhandler(HTTPException)
    def _http(err: HTTPException):
        code = (err.name or "error").lower().replace(" ", "_")
        return jsonify(error_body(code, err.description or err.name)), err.code

    @app.errorhandler(RequestEntityTooLarge)
    def _too_large(err: RequestEntityTooLarge):
        limit = app.config.get("MAX_CONTENT_LENGTH")
        if limit and (request.content_length or 0) > limit:
            message = f"the request body is larger than the limit of {limit} bytes"
        else:  # a chunked body over the limit, or a form field over MAX_FORM_MEMORY_SIZE
            message = "the request body or one of its form fields is too large"
        return jsonify(error_body("request_entity_too_large", message)), 413

    @app.errorhandler(RecursionError)
    def _too_deep(err: RecursionError):
        # input nested deeper than the code can walk (JSON parsed outside app.json, a form field): the
        # request's fault, answered like any other bad input (the blueprint's own error handler applies)
        app.logger.warning("request nested too deeply: %s", err)
        return app.handle_user_exception(BadRequest("the request is nested too deeply to process"))

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
