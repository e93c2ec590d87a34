"""Server-rendered web UI: one blueprint per page group, all behind the login session.

Every blueprint made by :func:`ui_blueprint` redirects anonymous visitors to ``/login``, renders
``OpsplanError`` as a flashed message or an HTML error page (never a JSON body or a 500), exposes
``csrf_token()``/``user`` to its templates and sends strict security headers.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, Response, flash, g, redirect, render_template, request, url_for

from app.db.models import Role
from app.errors import OpsplanError, Unauthorized
from app.ui.csrf import csrf_token

# Strict by design: no inline script or style anywhere in the templates.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")

def user_can(minimum: str) -> bool:
    user = getattr(g, "user", None)
    return user is not None and Role(user["role"]).allows(Role(minimum))


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

    bp.after_request(security_headers)
    return bp


def security_headers(resp: Response) -> Response:
    """The strict headers of every page (also of pages rendered outside a UI blueprint, e.g. a CSRF refusal)."""
    resp.headers.setdefault("Content-Security-Policy", CSP)
    resp.headers.setdefault("X-Frame-Options", "DENY")
    resp.headers.setdefault("X-Content-Type-Options", "nosniff")
    resp.headers.setdefault("Referrer-Policy", "same-origin")
    if resp.mimetype == "text/html":
        resp.headers.setdefault("Cache-Control", "no-store")
    return resp


def back_url(default: str | None = None) -> str:
    """The same-origin page the request came from, else ``default`` (or the request form)."""
    ref = request.referrer or ""
    parsed = urlsplit(ref)
    if ref and parsed.netloc == request.host and parsed.scheme in ("http", "https"):
        path = local_path(parsed.path + (f"?{parsed.query}" if parsed.query else ""))
        if path:
            return path
    return default or url_for("ui_pages.index")


# what a browser's URL parser (WHATWG URL standard) drops: C0 controls and space at either end, and every
# ASCII tab and newline anywhere; "/\t/evil.example" is followed as "//evil.example"
_TRIMMED = "".join(chr(c) for c in range(0x21))
_DROPPED = {ord("\t"): None, ord("\n"): None, ord("\r"): None}


def local_path(target: str | None) -> str | None:
    """``target`` as a browser would read it, if that is a path on this site; else None.

    Normalized like a browser does first, so the check sees what the browser would follow. Refused: an
    absolute URL (a scheme or a host), a network-path reference ("//host"), any backslash (browsers read it
    as "/"), control characters, and anything that does not start with exactly one "/".
    """
    if not target:
        return None
    path = target.strip(_TRIMMED).translate(_DROPPED)
    if not path.startswith("/") or path.startswith("//") or "\\" in path:
        return None
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in path):
        return None
    parts = urlsplit(path)
    if parts.scheme or parts.netloc:
        return None
    return path


def safe_next(target: str | None) -> str:
    """The login redirect target: a path on this site (no open redirect), else the request form."""
    return local_path(target) or url_for("ui_pages.index")
