"""Login and logout for the web pages (flask ``session["user"]``)."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, session, url_for

from app.auth import check_password
from app.context import db_session
from app.ui import safe_next, ui_blueprint
from app.ui.csrf import rotate

bp = ui_blueprint("ui_auth", __name__, public=True)


@bp.record_once
def _cookie_defaults(state) -> None:
    """Session cookies are HttpOnly (Flask's default) and, unless configured otherwise, SameSite=Lax."""
    if not state.app.config.get("SESSION_COOKIE_SAMESITE"):
        state.app.config["SESSION_COOKIE_SAMESITE"] = "Lax"


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
    with db_session() as s:
        user = check_password(s, name, password) if name and password else None
        role = user.role if user else None
    if user is None:
        flash("Unknown user or wrong password.", "error")
        return render_template("login.html", next=nxt, username=name), 401
    session.clear()
    session["user"] = name
    rotate()
    flash(f"Signed in as {name} ({role}).", "info")
    return redirect(safe_next(nxt), code=303)


@bp.post("/logout")
def logout():
    session.clear()
    flash("Signed out.", "info")
    return redirect(url_for("ui_auth.login"), code=303)
