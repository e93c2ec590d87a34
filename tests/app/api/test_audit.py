"""The audit log end to end: a plan's life (plan, preview, approve, run) leaves keyed, hash-chained entries
that GET /api/v1/audit returns, `opsplan audit export --jsonl` prints and `opsplan audit verify` checks — and
verify names the entry after one is edited or deleted directly in the database, or the newest are deleted."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from itertools import pairwise
from pathlib import Path

import pytest
from sqlalchemy import delete, update

from app.db import session_scope
from app.db.models import AuditEntry

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[3]
FLOW = ["plan.created", "preview.requested", "preview.finished", "plan.approved", "run.requested", "run.finished"]


def opsplan(stack_env, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, **stack_env}
    return subprocess.run([sys.executable, "-m", "app", *args], env=env, cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


@pytest.fixture
def flow(api, worker, fleet_assets):
    """plan (operator1) -> preview -> approve (approver1) -> run: the plan id, preview and run."""
    worker()
    body = {"plan": {"steps": [{"action": "host.ping", "params": {}, "targets": {"hosts": ["web-01"]}}]}}
    r = api.post("/api/v1/plans", json=body)
    assert r.status_code == 201
    plan = r.get_json()
    preview = api.wait_run(api.post(f"/api/v1/plans/{plan['id']}/preview").get_json()["id"])
    assert preview["status"] == "successful", preview
    assert api.as_("approver1").post(f"/api/v1/plans/{plan['id']}/approve").status_code == 200
    run = api.wait_run(api.post(f"/api/v1/plans/{plan['id']}/runs").get_json()["id"])
    assert run["status"] == "successful", run
    return plan["id"], preview, run


def test_flow_is_recorded_and_listed(api, flow):
    plan_id, preview, run = flow
    r = api.as_("approver1").get(f"/api/v1/audit?plan_id={plan_id}")
    assert r.status_code == 200
    entries = list(reversed(r.get_json()["entries"]))  # the API lists newest first
    assert [e["action"] for e in entries] == FLOW
    by_action = {e["action"]: e for e in entries}
    bundle = preview["bundle_sha256"]
    assert by_action["plan.created"]["actor"] == "operator1" and by_action["plan.created"]["outcome"] == "ready"
    assert by_action["preview.requested"]["run_id"] == preview["id"]
    assert by_action["preview.finished"]["outcome"] == "successful"
    assert by_action["preview.finished"]["actor"].startswith("worker:")
    assert by_action["plan.approved"]["actor"] == "approver1" and by_action["plan.approved"]["outcome"] == "approved"
    assert by_action["run.requested"]["actor"] == "operator1" and by_action["run.requested"]["run_id"] == run["id"]
    assert by_action["run.finished"]["run_id"] == run["id"] and by_action["run.finished"]["outcome"] == "successful"
    for e in entries:
        assert e["plan_id"] == plan_id and e["at"] and len(e["hash"]) == 64
        if e["action"] != "plan.created":
            assert e["bundle_sha256"] == bundle, e
    assert entries[0]["bundle_sha256"] == bundle  # the plan's bundle hash from the start
    # hash-chained: each entry names the previous one's hash (over the whole log, not just this plan)
    everything = list(reversed(api.as_("admin1").get("/api/v1/audit?limit=1000").get_json()["entries"]))
    assert everything[0]["prev_hash"] == "0" * 64
    assert all(b["prev_hash"] == a["hash"] for a, b in pairwise(everything))
    # filters and paging
    only = api.as_("admin1").get(f"/api/v1/audit?run_id={run['id']}").get_json()["entries"]
    assert {e["action"] for e in only} == {"run.requested", "run.finished"}
    approved = api.as_("admin1").get("/api/v1/audit?action=plan.approved").get_json()["entries"]
    assert [e["plan_id"] for e in approved] == [plan_id]
    page = api.as_("admin1").get("/api/v1/audit?limit=2").get_json()["entries"]
    assert len(page) == 2 and page[0]["id"] > page[1]["id"]
    older = api.as_("admin1").get(f"/api/v1/audit?limit=2&before={page[1]['id']}").get_json()["entries"]
    assert older[0]["id"] == page[1]["id"] - 1
    assert api.as_("admin1").get("/api/v1/audit?limit=0").status_code == 400
    report = api.as_("admin1").get("/api/v1/audit/verify").get_json()
    assert report["anchor"].endswith("(matches)"), report  # web and worker anchor in the same var dir
    assert {k: v for k, v in report.items() if k not in ("anchor", "anchor_entry")} == {
        "intact": True, "entries": len(everything), "keyed": len(everything), "legacy": 0, "problems": [],
        "warnings": []}


def test_export_and_verify_detect_an_edit_and_a_deletion(api, flow, stack_env):
    plan_id, _preview, run = flow
    out = opsplan(stack_env, "audit", "export", "--jsonl")
    assert out.returncode == 0, out.stderr
    lines = [json.loads(line) for line in out.stdout.splitlines() if line.strip()]
    mine = [e for e in lines if e["plan_id"] == plan_id]
    assert [e["action"] for e in mine] == FLOW
    assert [e["id"] for e in lines] == sorted(e["id"] for e in lines)
    assert all(b["prev_hash"] == a["hash"] for a, b in pairwise(lines))
    assert {"id", "at", "actor", "action", "plan_id", "run_id", "bundle_sha256", "outcome", "details",
            "prev_hash", "hash"} <= set(mine[0])

    ok = opsplan(stack_env, "audit", "verify")
    assert ok.returncode == 0, ok.stderr
    assert f"intact: {len(lines)} entries" in ok.stdout

    # someone rewrites who approved the plan, directly in the database
    approved = next(e for e in mine if e["action"] == "plan.approved")
    with session_scope(api.settings.database_url) as s:
        s.execute(update(AuditEntry).where(AuditEntry.id == approved["id"]).values(actor="mallory"))
    bad = opsplan(stack_env, "audit", "verify")
    assert bad.returncode != 0
    assert f"entry {approved['id']}: contents do not match its hash (edited)" in bad.stderr
    assert "NOT intact" in bad.stderr
    report = api.as_("approver1").get("/api/v1/audit/verify").get_json()
    assert report["intact"] is False and any(f"entry {approved['id']}" in p for p in report["problems"])

    # put it back: intact again; then delete the run's request entry
    with session_scope(api.settings.database_url) as s:
        s.execute(update(AuditEntry).where(AuditEntry.id == approved["id"]).values(actor=approved["actor"]))
    assert opsplan(stack_env, "audit", "verify").returncode == 0
    requested = next(e for e in mine if e["action"] == "run.requested")
    with session_scope(api.settings.database_url) as s:
        s.execute(delete(AuditEntry).where(AuditEntry.id == requested["id"]))
    bad = opsplan(stack_env, "audit", "verify")
    assert bad.returncode != 0
    following = next(e for e in lines if e["id"] > requested["id"])
    assert f"entry {following['id']}: chain broken" in bad.stderr, bad.stderr
    assert run["id"] not in bad.stdout  # nothing secret or noisy: just the entry ids

    # someone deletes the newest entries (the run's end): the anchor in var/ still names the last one
    with session_scope(api.settings.database_url) as s:
        s.execute(delete(AuditEntry).where(AuditEntry.id >= following["id"]))
    bad = opsplan(stack_env, "audit", "verify")
    assert bad.returncode != 0
    assert f"truncated: the anchor in {api.settings.audit_head_file} names entry " in bad.stderr, bad.stderr
