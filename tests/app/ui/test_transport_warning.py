"""The plan page says so, per host, when a Windows host's connection does not verify the server."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.db import session_scope
from app.db.models import Asset, Group

pytestmark = pytest.mark.unit


def test_plan_page_warns_about_winrm_without_certificate_validation(ui):
    settings = ui.app.config["OPSPLAN_SETTINGS"]
    with session_scope(settings.database_url) as s:
        iis1 = s.execute(select(Asset).where(Asset.name == "iis-01")).scalar_one()
        iis1.vars = {"ansible_winrm_server_cert_validation": "ignore"}
        legacy = Group(name="legacy-http", description="", vars={"ansible_winrm_scheme": "http"})
        s.add(legacy)
        iis2 = s.execute(select(Asset).where(Asset.name == "iis-02")).scalar_one()
        iis2.groups.append(legacy)
    ui.login("op1")
    body = '{"steps": [{"action": "service.status", "params": {"name": "W3SVC"}, ' \
           '"targets": {"hosts": ["iis-01", "iis-02", "web-01"]}}]}'
    loc = ui.post("/", {"request": "status of W3SVC on iis-01"}).headers["Location"]
    plan_id = loc.rsplit("/", 1)[1]
    assert ui.post(f"/plans/{plan_id}/edit", {"plan": body}, headers={"Referer": f"http://localhost{loc}"}
                   ).status_code == 303
    page = ui.client.get(loc).get_data(as_text=True)
    assert ("<strong>iis-01</strong>: WinRM certificate validation is off "
            "(ansible_winrm_server_cert_validation: ignore).") in page
    assert "<strong>iis-02</strong>: WinRM over plain HTTP (ansible_winrm_scheme: http)" in page
    assert "<strong>web-01</strong>:" not in page
