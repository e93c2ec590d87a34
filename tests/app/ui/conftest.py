"""UI test helpers: the real app (the factory registers the UI blueprints and the CSRF check)."""
from __future__ import annotations

import re

import pytest


def ui_app(settings):
    from app import create_app

    flask_app = create_app(settings)
    flask_app.config["TESTING"] = True
    return flask_app


def token_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF field on the page"
    return match.group(1)


@pytest.fixture
def ui(settings):
    """A test client of the real app plus users: admin1 (admin), op1 (operator), appr1 (approver), view1 (viewer)."""
    from app.auth import create_user
    from app.db import session_scope
    from tests.app.planner.helpers import load_fleet_into_db

    flask_app = ui_app(settings)
    with session_scope(settings.database_url) as s:
        load_fleet_into_db(s)
        for name, role in [("admin1", "admin"), ("op1", "operator"), ("appr1", "approver"), ("view1", "viewer")]:
            create_user(s, name, role, password=f"pw-{name}")
    return UiClient(flask_app)


class UiClient:
    def __init__(self, flask_app):
        self.app = flask_app
        self.client = flask_app.test_client()

    def login(self, name: str) -> UiClient:
        page = self.client.get("/login")
        r = self.client.post("/login", data={"username": name, "password": f"pw-{name}",
                                             "csrf_token": token_of(page.get_data(as_text=True))})
        assert r.status_code == 303, r.get_data(as_text=True)
        return self

    def token(self, path: str = "/") -> str:
        return token_of(self.client.get(path).get_data(as_text=True))

    def post(self, path: str, data: dict | None = None, **kw):
        data = dict(data or {})
        data.setdefault("csrf_token", self.token())
        return self.client.post(path, data=data, **kw)
