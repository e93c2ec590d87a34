"""Web login hardening: same-site redirects only, secure session cookie, throttled failures, strict CSP pages."""
from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urljoin, urlsplit

import pytest
from sqlalchemy import func, select

from app import defaults
from app.db import session_scope
from app.db.models import LoginFailure
from app.db.types import utcnow
from app.ui import CSP
from tests.app.ui.conftest import token_of, ui_app

pytestmark = pytest.mark.unit

BASE = "http://localhost/login"
# value -> where the login redirects ("/" is the request form, the fallback)
NEXT_TABLE = {
    "//evil.example": "/",
    "//evil.example/x": "/",
    "/\t/evil.example": "/",
    "/\n/evil.example": "/",
    "/\r\n/evil.example": "/",
    "\t//evil.example": "/",
    " //evil.example": "/",
    "\x00//evil.example": "/",
    "/\x0b/evil.example": "/",
    "\\\\evil.example": "/",
    "/\\evil.example": "/",
    "\\/evil.example": "/",
    "/x\\..\\..\\evil": "/",
    "https://evil.example": "/",
    "https:/evil.example": "/",
    "http:evil.example": "/",
    "javascript:alert(1)": "/",
    "\tjavascript:alert(1)": "/",
    "evil.example": "/",
    "": "/",
    "/%09/evil.example": "/%09/evil.example",  # a path on this site (percent-encoding is not undone)
    "/%2F%2Fevil.example": "/%2F%2Fevil.example",
    " /x": "/x",  # what a browser would follow
    "/a\tb": "/ab",
    "/ok?x=1": "/ok?x=1",
    "/plans/abc?page=2#top": "/plans/abc?page=2#top",
}


def browser_target(location: str, base: str = BASE) -> tuple[str, str]:
    """(scheme, host) a browser lands on following ``location`` from ``base`` (WHATWG URL parsing)."""
    cleaned = location.strip("".join(map(chr, range(0x21)))).translate({9: None, 10: None, 13: None})
    parts = urlsplit(urljoin(base, cleaned.replace("\\", "/")))
    return parts.scheme, parts.netloc


def assert_strict_csp(resp) -> None:
    assert resp.headers["Content-Security-Policy"] == CSP
    html = resp.get_data(as_text=True)
    assert resp.mimetype == "text/html" and "<html" in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline script"
    assert not re.search(r"<style\b|\sstyle=|\son[a-z]+=", html, re.IGNORECASE), "inline style or handler"


def login(client, name: str, password: str | None = None, next_: str | None = None, **kw):
    page = client.get("/login").get_data(as_text=True)
    data = {"username": name, "password": f"pw-{name}" if password is None else password,
            "csrf_token": token_of(page)}
    if next_ is not None:
        data["next"] = next_
    return client.post("/login", data=data, **kw)


def failures(ui, **where) -> int:
    with session_scope(ui.app.config["OPSPLAN_SETTINGS"].database_url) as s:
        return s.scalar(select(func.count()).select_from(LoginFailure).filter_by(**where))


def add_failures(ui, count: int, age: timedelta, username: str = "someone", address: str = "127.0.0.1") -> None:
    with session_scope(ui.app.config["OPSPLAN_SETTINGS"].database_url) as s:
        s.add_all(LoginFailure(username=username, address=address, at=utcnow() - age) for _ in range(count))


# --- redirects after login ------------------------------------------------------------------------


def test_safe_next_keeps_only_paths_on_this_site(ui):
    from app.ui import safe_next

    wrong = []
    with ui.app.test_request_context("/login"):
        for value, expected in NEXT_TABLE.items():
            got = safe_next(value)
            if got != expected or browser_target(got) != ("http", "localhost"):
                wrong.append((value, got))
        assert safe_next(None) == "/"
    assert not wrong, wrong


def test_login_form_and_login_page_redirect_only_on_site(ui):
    wrong = []
    for value, expected in NEXT_TABLE.items():
        client = ui.app.test_client()
        r = login(client, "op1", next_=value)
        if r.status_code != 303 or r.headers["Location"] != expected:
            wrong.append(("form", value, r.status_code, r.headers.get("Location")))
        if "\x00" in value:
            continue  # a NUL in the query string is refused with a 400 before the page runs
        r = client.get("/login", query_string={"next": value})  # already signed in: straight to next
        if r.status_code != 302 or browser_target(r.headers["Location"]) != ("http", "localhost"):
            wrong.append(("page", value, r.status_code, r.headers.get("Location")))
    # the query string is percent-decoded: /%09/evil.example arrives as a tab and must not leave the site
    client = ui.app.test_client()
    login(client, "op1")
    r = client.get("/login?next=/%09/evil.example")
    assert r.headers["Location"] == "/"
    assert not wrong, wrong


def test_back_url_ignores_a_referer_whose_path_leaves_the_site(ui):
    ui.login("op1")
    r = ui.post("/plans/nope/reject", {"reason": "x"}, headers={"Referer": "http://localhost//evil.example/x"})
    assert r.status_code == 303 and browser_target(r.headers["Location"]) == ("http", "localhost")
    assert r.headers["Location"] == "/"
    r = ui.post("/plans/nope/reject", {"reason": "x"}, headers={"Referer": "http://localhost/plans?page=2"})
    assert r.headers["Location"] == "/plans?page=2"


# --- the session cookie ---------------------------------------------------------------------------


@pytest.mark.parametrize("env,secure", [
    ({"OPSPLAN_BASE_URL": "https://ops.example"}, True),
    ({"OPSPLAN_BASE_URL": "http://ops.example"}, False),
    ({"OPSPLAN_BASE_URL": "https://ops.example", "OPSPLAN_SECURE_COOKIES": "0"}, False),
    ({"OPSPLAN_BASE_URL": "http://ops.example", "OPSPLAN_SECURE_COOKIES": "1"}, True),
])
def test_session_cookie_flags_follow_the_settings(settings, env, secure):
    from app.config import Settings

    app = ui_app(Settings.from_env({"DATABASE_URL": settings.database_url, "REDIS_URL": settings.redis_url,
                                    "OPSPLAN_VAR_DIR": str(settings.var_dir), **env}))
    assert app.config["SESSION_COOKIE_SECURE"] is secure and app.config["SESSION_COOKIE_NAME"] == "session"
    cookie = app.test_client().get("/login", base_url="https://localhost").headers["Set-Cookie"]
    flags = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
    assert cookie.startswith("session=") and {"httponly", "path"} <= flags and "SameSite=Lax" in cookie
    assert ("secure" in flags) is secure


# --- throttling -----------------------------------------------------------------------------------


def test_failed_logins_for_one_user_are_throttled_without_checking_the_password(ui, monkeypatch):
    client = ui.app.test_client()
    for _ in range(defaults.LOGIN_FAILURES_PER_USER):
        assert login(client, "op1", "wrong").status_code == 401
    assert failures(ui, username="op1") == defaults.LOGIN_FAILURES_PER_USER

    def no_password_check(*_a, **_kw):
        raise AssertionError("the password was checked while throttled")

    monkeypatch.setattr("app.ui.auth.check_password", no_password_check)
    r = login(client, "op1")  # the right password
    assert r.status_code == 429 and 240 < int(r.headers["Retry-After"]) <= defaults.LOGIN_WINDOW_SECONDS
    assert "Try again in 5 minutes" in r.get_data(as_text=True) and "UTC" in r.get_data(as_text=True)
    assert_strict_csp(r)
    assert client.get("/").status_code == 302  # not signed in
    assert failures(ui, username="op1") == defaults.LOGIN_FAILURES_PER_USER  # a throttled try is not counted
    monkeypatch.undo()
    assert login(ui.app.test_client(), "appr1").status_code == 303  # other users are not affected


def test_a_success_clears_that_users_failures(ui):
    client = ui.app.test_client()
    for _ in range(defaults.LOGIN_FAILURES_PER_USER - 1):
        assert login(client, "op1", "wrong").status_code == 401
    add_failures(ui, 2, timedelta(seconds=1), username="appr1")
    assert failures(ui, username="op1") == defaults.LOGIN_FAILURES_PER_USER - 1
    assert login(client, "op1").status_code == 303
    assert failures(ui, username="op1") == 0 and failures(ui, username="appr1") == 2
    for _ in range(defaults.LOGIN_FAILURES_PER_USER - 1):
        assert login(ui.app.test_client(), "op1", "wrong").status_code == 401
    assert login(ui.app.test_client(), "op1").status_code == 303  # counting started again
    for _ in range(defaults.LOGIN_FAILURES_PER_USER):
        assert login(ui.app.test_client(), "op1", "wrong").status_code == 401
    assert login(ui.app.test_client(), "op1").status_code == 429


def test_the_window_is_sliding_and_old_failures_are_pruned(ui):
    window = timedelta(seconds=defaults.LOGIN_WINDOW_SECONDS)
    add_failures(ui, defaults.LOGIN_FAILURES_PER_USER, window + timedelta(seconds=1), username="op1")
    assert login(ui.app.test_client(), "op1").status_code == 303  # all of them left the window
    add_failures(ui, defaults.LOGIN_FAILURES_PER_USER - 1, window - timedelta(seconds=90), username="op1")
    add_failures(ui, 1, window + timedelta(days=1), username="op1")
    assert login(ui.app.test_client(), "op1", "wrong").status_code == 401  # the 5th within the window
    assert failures(ui, username="op1") == defaults.LOGIN_FAILURES_PER_USER  # the stale row was pruned
    r = login(ui.app.test_client(), "op1")
    assert r.status_code == 429 and 75 <= int(r.headers["Retry-After"]) <= 90  # when the oldest of the 5 leaves
    assert "Try again in 2 minutes (" in r.get_data(as_text=True)


def test_failed_logins_from_one_address_are_throttled(ui):
    add_failures(ui, defaults.LOGIN_FAILURES_PER_ADDRESS - 1, timedelta(seconds=30), address="127.0.0.1")
    assert login(ui.app.test_client(), "nobody", "x").status_code == 401
    r = login(ui.app.test_client(), "appr1")
    assert r.status_code == 429 and "Too many failed sign-ins" in r.get_data(as_text=True)
    other = ui.app.test_client()
    assert login(other, "appr1", environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code == 303
    # X-Forwarded-For is chosen by the client and is not trusted
    r = login(ui.app.test_client(), "view1", headers={"X-Forwarded-For": "10.0.0.10"})
    assert r.status_code == 429


def test_failures_are_shared_by_every_web_process(ui, settings):
    first, second = ui.app.test_client(), ui_app(settings).test_client()
    for _ in range(defaults.LOGIN_FAILURES_PER_USER):
        assert login(first, "op1", "wrong").status_code == 401
    assert login(second, "op1").status_code == 429


def test_odd_user_names_are_counted_not_a_500(ui):
    for name in ("x" * 500, "nul\x00name", ""):
        assert login(ui.app.test_client(), name, "wrong").status_code == 401
    assert failures(ui, address="127.0.0.1") == 3


# --- pages under the strict CSP -------------------------------------------------------------------


def test_error_pages_render_under_the_strict_csp(ui):
    assert_strict_csp(ui.client.post("/", data={"request": "x"}))  # CSRF refusal on a page
    assert_strict_csp(ui.client.post("/no/such/page", data={}))  # CSRF refusal outside any page
    ui.login("op1")
    r = ui.client.get("/plans/nope")
    assert r.status_code == 404
    assert_strict_csp(r)
    assert_strict_csp(login(ui.app.test_client(), "op1", "wrong"))
