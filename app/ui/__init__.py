"""Server-rendered web UI: one blueprint per page group, all behind the login session.

Every blueprint made by :func:`ui_blueprint` redirects anonymous visitors to ``/login``, renders
``OpsplanError`` as a flashed message or an HTML error page (never a JSON body or a 500), exposes
``csrf_token()``/``user`` to its templates and sends strict security headers.
"""
from __future__ import annotations

from urllib.parse import urlparse

from flask import Blueprint, flash, g, redirect, render_template, request, url_for

from app.auth import RANK
from app.db.models import Role
from app.errors import OpsplanError, Unauthorized
from app.ui.csrf import csrf_token

# Strict by design: no inline script or style anywhere in the templates.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")

def user_can(minimum: str) -> bool:
    user = getattr(g, "user", None)
    return bool(user) and RANK[Role(user["role"])] >= RANK[Role(minimum)]


def ui_blueprint(name: str, import_name: str, *, public: bool = False) -> Blueprint:
    bp = Blueprint(name, import_name)

    if not public:
        @bp.before_request
        def _login_required():
            if getattr(g, "user", None) is None:
                nxt = request.full_path if request.method == "GET" else request.path
                return redirect(url_for("ui_auth.login", next=nxt.rstrip("?")))
            return None

    @bp.context_processor
    def _globals():
        return {"csrf_token": csrf_token, "user": getattr(g, "user", None), "user_can": user_can}

    @bp.errorhandler(OpsplanError)
    def _error(err: OpsplanError):
        if isinstance(err, Unauthorized):
            return redirect(url_for("ui_auth.login"))
        if request.method == "POST":  # an action failed: say why on the page the user came from
            flash(err.message, "error")
            return redirect(back_url(), code=303)
        return render_template("error.html", message=err.message, status=err.status), err.status

    @bp.after_request
    def _headers(resp):
        resp.headers.setdefault("Content-Security-Policy", CSP)
        resp.headers.setdefault("X-Frame-Options", "DENY")
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("Referrer-Policy", "same-origin")
        if resp.mimetype == "text/html":
            resp.headers.setdefault("Cache-Control", "no-store")
        return resp

    return bp


def back_url(default: str | None = None) -> str:
    """The same-origin page the request came from, else ``default`` (or the request form)."""
    ref = request.referrer or ""
    parsed = urlparse(ref)
    if ref and parsed.netloc == request.host and parsed.scheme in ("http", "https"):
        return parsed.path + (f"?{parsed.query}" if parsed.query else "")
    return default or url_for("ui_pages.index")


def safe_next(target: str | None) -> str:
    """Only local paths are valid login redirect targets (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("ui_pages.index")
