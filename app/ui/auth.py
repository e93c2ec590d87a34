"""Login and logout for the web pages (flask ``session["user"]``), with failed logins throttled.

The session cookie's flags (Secure, HttpOnly, SameSite) are set by the app factory.
"""
from __future__ import annotations

import math
from datetime import datetime

from flask import flash, redirect, render_template, request, session, url_for

from app.auth import check_password
from app.context import db_session
from app.db.types import utcnow
from app.services import logins
from app.ui import safe_next, ui_blueprint
from app.ui.csrf import rotate

bp = ui_blueprint("ui_auth", __name__, public=True)


@bp.get("/login")
def login():
    if session.get("user"):
        return redirect(safe_next(request.args.get("next")))
    return render_template("login.html", next=request.args.get("next", ""))


@bp.post("/login")
def login_post():
    name = (request.form.get("username") or "").strip()
    password = request.form.get("password") or ""
    nxt = request.form.get("next") or ""
    address = request.remote_addr or "unknown"  # not X-Forwarded-For: a client could choose it
    now = utcnow()
    user, role = None, None
    with db_session() as s:
        until = logins.retry_at(s, name, address, now)
        if until is None:  # only then is the password checked at all
            user = check_password(s, name, password) if name and password and "\x00" not in name else None
            if user is None:
                logins.record_failure(s, name, address, now)
            else:
                logins.clear_failures(s, name)
                role = user.role
    if until is not None:
        return _throttled(until, now, nxt, name)
    if user is None:
        flash("Unknown user or wrong password.", "error")
        return render_template("login.html", next=nxt, username=name), 401
    session.clear()
    session["user"] = name
    rotate()
    flash(f"Signed in as {name} ({role}).", "info")
    return redirect(safe_next(nxt), code=303)


def _throttled(until: datetime, now: datetime, nxt: str, name: str):
    """429: the login page, saying when to try again (the password was not checked)."""
    seconds = max(1, math.ceil((until - now).total_seconds()))
    count, unit = (math.ceil(seconds / 60), "minute") if seconds >= 60 else (seconds, "second")
    wait = f"{count} {unit}{'' if count == 1 else 's'}"
    message = (f"Too many failed sign-ins for this user name or from this address. "
               f"Try again in {wait} (after {until:%H:%M:%S} UTC).")
    body = render_template("login.html", next=nxt, username=name, throttled=message)
    return body, 429, {"Retry-After": str(seconds)}


@bp.post("/logout")
def logout():
    session.clear()
    flash("Signed out.", "info")
    return redirect(url_for("ui_auth.login"), code=303)
