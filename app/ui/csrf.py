"""CSRF protection: a per-session token, sent back in a hidden form field or the X-CSRF-Token header.

``csrf_protect`` is an app-wide ``before_request`` function. It checks every state-changing request
(POST/PUT/PATCH/DELETE) that a browser could forge:

* web pages (anything outside ``/api/``): always, login included;
* the JSON API: when the request rides on the login session cookie; requests that authenticate with
  ``Authorization: Bearer`` cannot be forged cross-site and are not checked.
"""
from __future__ import annotations

import hmac
import secrets

from flask import make_response, render_template, request, session

from app.errors import Forbidden

FIELD = "csrf_token"
HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def csrf_token() -> str:
    """The session's token (created on first use)."""
    token = session.get(FIELD)
    if not token:
        token = secrets.token_urlsafe(32)
        session[FIELD] = token
    return token


def rotate() -> str:
    session[FIELD] = secrets.token_urlsafe(32)
    return session[FIELD]


def _valid(sent: str | None) -> bool:
    expected = session.get(FIELD)
    return bool(expected and sent) and hmac.compare_digest(str(sent), str(expected))


def csrf_protect():
    if request.method in SAFE_METHODS:
        return None
    if request.headers.get("Authorization", "").startswith("Bearer "):
        return None
    if request.path.startswith("/api/"):
        if not session.get("user"):
            return None  # not session-authenticated: the API answers 401 itself
        if _valid(request.headers.get(HEADER)):
            return None
        raise Forbidden("missing or invalid CSRF token: send the page's token in the X-CSRF-Token header",
                        code="csrf_failed")
    sent = request.form.get(FIELD) or request.headers.get(HEADER)
    if _valid(sent):
        return None
    from app.ui import security_headers  # app.ui imports this module

    page = render_template("error.html", status=400, csrf_token=csrf_token, user=None, user_can=lambda _r: False,
                           message="This form has expired or did not come from Opsplan (missing or invalid CSRF "
                                   "token). Go back, reload the page and try again.")
    return security_headers(make_response(page, 400))
