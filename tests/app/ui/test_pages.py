"""Web pages without a browser: login, CSRF, role rules, rendering of every page (SQLite, no Redis)."""
from __future__ import annotations

import pytest

from app.db import session_scope
from app.db.models import Plan
from tests.conftest import sqlite_only

pytestmark = [pytest.mark.unit, sqlite_only]


def plans_in(ui) -> int:
    with session_scope(ui.app.config["OPSPLAN_SETTINGS"].database_url) as s:
        return s.query(Plan).count()


@pytest.mark.parametrize("path", ["/", "/chat", "/plans", "/runs", "/assets", "/actions", "/plans/nope", "/runs/nope"])
def test_every_page_needs_a_login(ui, path):
    r = ui.client.get(path)
    assert r.status_code == 302 and r.headers["Location"].startswith("/login?next=")


def test_login_rejects_a_wrong_password_and_logout_ends_the_session(ui):
    page = ui.client.get("/login").get_data(as_text=True)
    assert 'autocomplete="current-password"' in page
    from tests.app.ui.conftest import token_of

    r = ui.client.post("/login", data={"username": "op1", "password": "nope", "csrf_token": token_of(page)})
    assert r.status_code == 401 and "wrong password" in r.get_data(as_text=True)
    ui.login("op1")
    assert ui.client.get("/").status_code == 200
    assert ui.post("/logout").status_code == 303
    assert ui.client.get("/").status_code == 302


def test_login_redirects_only_to_local_paths(ui):
    page = ui.client.get("/login").get_data(as_text=True)
    from tests.app.ui.conftest import token_of

    r = ui.client.post("/login", data={"username": "op1", "password": "pw-op1", "next": "//evil.example/x",
                                       "csrf_token": token_of(page)})
    assert r.status_code == 303 and r.headers["Location"] == "/"


def test_form_post_without_csrf_token_is_refused(ui):
    ui.login("op1")
    r = ui.client.post("/", data={"request": "ping web-01"})
    assert r.status_code == 400 and "CSRF" in r.get_data(as_text=True)
    r = ui.client.post("/", data={"request": "ping web-01", "csrf_token": "forged"})
    assert r.status_code == 400
    assert plans_in(ui) == 0
    assert ui.client.post("/login", data={"username": "op1", "password": "pw-op1"}).status_code == 400


def test_session_api_mutations_need_the_csrf_header_but_bearer_calls_do_not(ui):
    from app.auth import create_token

    ui.login("op1")
    r = ui.client.post("/api/v1/chat", json={"message": "ping web-01"})
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "csrf_failed"
    r = ui.client.post("/api/v1/chat", json={"message": "ping web-01"}, headers={"X-CSRF-Token": ui.token()})
    assert r.status_code == 200 and r.get_json()["plan"]["status"] == "ready"
    with session_scope(ui.app.config["OPSPLAN_SETTINGS"].database_url) as s:
        token = create_token(s, "op1")[1]
    bearer = ui.app.test_client()
    r = bearer.post("/api/v1/chat", json={"message": "ping web-01"}, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200
    assert bearer.post("/api/v1/chat", json={"message": "x"}).status_code == 401  # no session, no token


def test_request_form_plans_and_the_question_is_answered_with_a_new_plan(ui):
    ui.login("op1")
    page = ui.client.get("/").get_data(as_text=True)
    assert '<option value="staging">' in page and '<option value="web">' in page  # pickers from the assets
    r = ui.post("/", {"request": "check disk space"})
    assert r.status_code == 303
    page = ui.client.get(r.headers["Location"]).get_data(as_text=True)
    assert "The planner needs an answer" in page and 'name="answer"' in page
    plan_id = r.headers["Location"].rsplit("/", 1)[1]
    r = ui.post(f"/plans/{plan_id}/answer", {"answer": "on web-01"})
    assert r.status_code == 303 and not r.headers["Location"].endswith(plan_id)
    page = ui.client.get(r.headers["Location"]).get_data(as_text=True)
    for text in ("What will happen", "disk.check", "web-01", "LOW risk", "READ-ONLY", "Rollout policy",
                 "No preview yet", 'id="btn-run-now"', "needs no preview and no approval"):
        assert text in page, text  # a question runs at once


def test_pickers_are_appended_to_the_request(ui):
    ui.login("op1")
    r = ui.post("/", {"request": "check disk space", "group": "web", "environment": "staging"})
    page = ui.client.get(r.headers["Location"]).get_data(as_text=True)
    assert "check disk space on web in staging" in page
    assert ui.post("/", {"request": "ping", "group": "no-such-group"}).status_code == 303  # flashed, not a 500
    assert "unknown group" in ui.client.get("/").get_data(as_text=True)


def test_refusal_reason_is_shown(ui):
    ui.login("op1")
    r = ui.post("/", {"request": "write me a poem"})
    page = ui.client.get(r.headers["Location"]).get_data(as_text=True)
    assert "The planner refused this request" in page


def test_roles_viewer_cannot_plan_and_operator_cannot_approve(ui):
    ui.login("view1")
    assert "can look but not make plans" in ui.client.get("/").get_data(as_text=True)
    r = ui.post("/", {"request": "ping web-01"})
    assert r.status_code == 303 and plans_in(ui) == 0
    assert "requires the operator role" in ui.client.get("/").get_data(as_text=True)
    ui.post("/logout")
    ui.login("op1")
    loc = ui.post("/", {"request": "restart nginx on web-01"}).headers["Location"]
    plan_id = loc.rsplit("/", 1)[1]
    page = ui.client.get(loc).get_data(as_text=True)
    assert "Approving needs the approver role" in page and "btn-run-now" not in page
    r = ui.post(f"/plans/{plan_id}/approve-run", {"revision": "1"}, headers={"Referer": f"http://localhost{loc}"})
    assert r.status_code == 303 and r.headers["Location"] == loc
    assert "requires the approver role" in ui.client.get(loc).get_data(as_text=True)


def test_approve_without_preview_is_flashed_not_a_500(ui):
    ui.login("appr1")
    loc = ui.post("/", {"request": "restart nginx on web-01"}).headers["Location"]
    plan_id = loc.rsplit("/", 1)[1]
    r = ui.post(f"/plans/{plan_id}/approve-run", {"revision": "1", "confirm": "yes"},
                headers={"Referer": f"http://localhost{loc}"})
    assert r.status_code == 303
    assert "needs a finished preview" in ui.client.get(loc).get_data(as_text=True)


def test_edit_makes_a_new_revision_and_bad_json_is_flashed(ui):
    ui.login("op1")
    loc = ui.post("/", {"request": "ping web-01"}).headers["Location"]
    plan_id = loc.rsplit("/", 1)[1]
    ref = {"Referer": f"http://localhost{loc}"}
    ui.post(f"/plans/{plan_id}/edit", {"plan": "{nope"}, headers=ref)
    assert "not valid JSON" in ui.client.get(loc).get_data(as_text=True)
    body = '{"steps": [{"action": "service.status", "params": {"name": "nginx"}, "targets": {"hosts": ["web-02"]}}]}'
    assert ui.post(f"/plans/{plan_id}/edit", {"plan": body}, headers=ref).status_code == 303
    page = ui.client.get(loc).get_data(as_text=True)
    assert "revision 2" in page and "service.status" in page and "web-02" in page


def test_reject_needs_a_reason(ui):
    ui.login("appr1")
    loc = ui.post("/", {"request": "ping web-01"}).headers["Location"]
    plan_id = loc.rsplit("/", 1)[1]
    ref = {"Referer": f"http://localhost{loc}"}
    ui.post(f"/plans/{plan_id}/reject", {"reason": "  "}, headers=ref)
    assert "needs a reason" in ui.client.get(loc).get_data(as_text=True)
    ui.post(f"/plans/{plan_id}/reject", {"reason": "wrong host"}, headers=ref)
    page = ui.client.get(loc).get_data(as_text=True)
    assert "Rejected by appr1" in page and "wrong host" in page


def test_history_and_assets_pages(ui):
    ui.login("op1")
    ui.post("/", {"request": "ping web-01"})
    ui.post("/", {"request": "check disk space"})
    page = ui.client.get("/plans?status=needs_clarification").get_data(as_text=True)
    assert "check disk space" in page and "ping web-01" not in page and "1 plan(s)" in page
    assert "0 run(s)" in ui.client.get("/runs?mode=check&status=failed").get_data(as_text=True)
    assets = ui.client.get("/assets").get_data(as_text=True)
    assert "web-01" in assets and "staging" in assets
    assert "secret" not in assets.lower() and "password" not in assets.lower()
    resp = ui.client.get("/assets?group=web")
    assert "default-src 'self'" in resp.headers["Content-Security-Policy"]


def test_unknown_plan_is_an_html_404(ui):
    ui.login("op1")
    r = ui.client.get("/plans/nope")
    assert r.status_code == 404 and "not found" in r.get_data(as_text=True) and r.mimetype == "text/html"


def test_deep_json_in_the_edit_form_is_flashed_and_a_huge_form_is_a_413(ui):
    from app import defaults

    ui.login("op1")
    loc = ui.post("/", {"request": "ping web-01"}).headers["Location"]
    plan_id = loc.rsplit("/", 1)[1]
    ref = {"Referer": f"http://localhost{loc}"}
    for body in ("[" * 100_000 + "]" * 100_000, '{"a":' * 100_000 + "1" + "}" * 100_000):
        r = ui.post(f"/plans/{plan_id}/edit", {"plan": body}, headers=ref)
        assert r.status_code == 303 and r.headers["Location"] == loc, r.status_code
        assert "nested deeper than" in ui.client.get(loc).get_data(as_text=True)
    r = ui.client.post("/", data="[" * 100_000, content_type="application/json", headers={"X-CSRF-Token": ui.token()})
    assert r.status_code in (303, 400)
    r = ui.post("/", {"request": "x" * (defaults.MAX_BODY_BYTES + 1)})
    assert r.status_code == 413 and r.get_json()["error"]["code"] == "request_entity_too_large"
    assert plans_in(ui) == 1


def test_the_actions_page_shows_the_catalog(ui):
    from compiler import builtin_catalog

    ui.login("view1")
    page = ui.client.get("/actions").get_data(as_text=True)
    for action in builtin_catalog().values():
        assert f'id="action-{action.name}"' in page
    assert "command.run" in page and "commands have no check mode" in page and "built-in" in page
    assert 'aria-current="page"' in page
