"""GET /api/v1/audit/verify and `opsplan audit verify` catch entries deleted from the end of the log and a log
re-hashed without the audit key, naming the anchor (var/audit-head.json) they checked against."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import delete, select

from app import audit
from app.api.schemas import AuditVerifyOut
from app.db import session_scope
from app.db.models import AuditEntry

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[3]


def opsplan(stack_env, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, **stack_env}
    return subprocess.run([sys.executable, "-m", "app", *args], env=env, cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


@pytest.fixture
def logged(api):
    """Three audit entries made through the API (user.created): their ids."""
    admin = api.as_("admin1")
    for name in ("carol", "dave", "erin"):
        assert admin.post("/api/v1/users", json={"name": name, "role": "viewer"}).status_code == 201
    with session_scope(api.settings.database_url) as s:
        return s.execute(select(AuditEntry.id).order_by(AuditEntry.id)).scalars().all()


def test_api_reports_keyed_entries_and_the_anchor(api, logged):
    anchor_file = api.settings.audit_head_file
    assert api.as_("approver1").get("/api/v1/audit/verify").get_json() == {
        "intact": True, "entries": 3, "keyed": 3, "legacy": 0, "problems": [], "warnings": [],
        "anchor": f"entry {logged[-1]} in {anchor_file} (matches)", "anchor_entry": logged[-1]}
    assert api.as_("viewer1").get("/api/v1/audit/verify").status_code == 403
    documented = api.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    verify_out = next(v for k, v in documented.items() if k.startswith("AuditVerifyOut"))
    assert set(verify_out["properties"]) == set(AuditVerifyOut.model_fields) == set(verify_out["required"])


def test_api_reports_truncation_and_a_rewrite(api, logged):
    anchor_file = api.settings.audit_head_file
    with session_scope(api.settings.database_url) as s:
        s.execute(delete(AuditEntry).where(AuditEntry.id == logged[-1]))
    r = api.as_("approver1").get("/api/v1/audit/verify")
    assert r.status_code == 200
    body = r.get_json()
    assert body["intact"] is False and body["entries"] == 2 and body["anchor_entry"] == logged[-1]
    assert body["problems"] == [f"truncated: the anchor in {anchor_file} names entry {logged[-1]} but the newest "
                                f"entry is {logged[-2]} (entries were deleted from the end)"]

    anchor_file.unlink()  # start over: a new entry anchors the log again, then it is re-hashed with sha256
    assert api.as_("admin1").post("/api/v1/users", json={"name": "frank", "role": "viewer"}).status_code == 201
    assert api.as_("approver1").get("/api/v1/audit/verify").get_json()["intact"] is True
    with session_scope(api.settings.database_url) as s:
        prev = None
        for e in s.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars():
            e.prev_hash = prev.hash if prev else audit.GENESIS
            e.hash = audit.legacy_hash(e)
            s.flush()
            prev = e
        head = prev.id
    body = api.as_("approver1").get("/api/v1/audit/verify").get_json()
    assert body["intact"] is False and body["legacy"] == 3 and body["keyed"] == 0
    assert body["problems"] == [f"entry {head}: its hash differs from the one the anchor in {anchor_file} recorded "
                                "(rewritten)"]
    assert AuditVerifyOut.model_validate(body).model_dump() == body


def test_cli_verify_prints_the_summary_problems_and_warnings(api, logged, stack_env):
    anchor_file = api.settings.audit_head_file
    ok = opsplan(stack_env, "audit", "verify")
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.strip() == (f"audit log intact: 3 entries (3 keyed, 0 legacy); "
                                 f"anchor: entry {logged[-1]} in {anchor_file} (matches)")

    with session_scope(api.settings.database_url) as s:
        s.execute(delete(AuditEntry).where(AuditEntry.id >= logged[1]))
    bad = opsplan(stack_env, "audit", "verify")
    assert bad.returncode == 1 and bad.stdout == ""
    lines = bad.stderr.splitlines()
    assert lines[0] == (f"truncated: the anchor in {anchor_file} names entry {logged[-1]} but the newest entry is "
                        f"{logged[0]} (entries were deleted from the end)")
    assert lines[1].startswith("Error: audit log NOT intact: 1 entries (1 keyed, 0 legacy); anchor: ")
    assert lines[1].endswith("; 1 problem(s)") and len(lines) == 2

    anchor_file.unlink()
    unanchored = opsplan(stack_env, "audit", "verify")
    assert unanchored.returncode == 0, unanchored.stderr
    assert unanchored.stderr.startswith(f"warning: no anchor: {anchor_file} does not exist")
    assert unanchored.stdout.strip().endswith(f"anchor: none ({anchor_file} does not exist)")
    export = opsplan(stack_env, "audit", "export", "--jsonl")
    assert export.returncode == 0 and len(export.stdout.splitlines()) == 1
