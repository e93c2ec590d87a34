"""The plan lifecycle without a worker: approve, reject, four-eyes, stale preview and approval, an approval
used up by its run, relaunch on the hosts that did not succeed. The worker's part (a preview or run that
finishes) is played by setting the run's final state directly."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.db.models import Asset, Plan
from app.errors import BadRequest, Conflict, Forbidden
from app.services import approvals, plans, runs
from app.services.planning import plan_from_structure
from app.statuses import HostStatus, PlanState, RunStatus
from tests.app.planner.helpers import load_fleet_into_db

pytestmark = pytest.mark.unit


def finish(session, run_id: str, status: RunStatus = RunStatus.SUCCESSFUL,
           hosts: dict[str, HostStatus] | None = None) -> None:
    """What the worker does when a preview or run ends."""
    run = runs.get_run(session, run_id)
    run.status = status
    run.finished_at = datetime.now(UTC)
    view = dict(run.hosts)
    for host, entry in view.items():
        entry = dict(entry)
        entry["status"] = (hosts or {}).get(host, HostStatus.OK)
        view[host] = entry
    run.hosts = view
    plan = plans.get_plan(session, run.plan_id)
    if run.mode == "run":
        plan.state = PlanState.FINISHED
    elif status.usable_preview and plan.state in (PlanState.DRAFT, PlanState.FINISHED):
        plan.state = PlanState.PREVIEWED
    session.flush()


def new_plan(session, actor: str, action: str = "service.restart", params: dict | None = None,
             hosts: tuple[str, ...] = ("web-01", "web-02")) -> Plan:
    if params is None:
        params = {"name": "nginx"} if action.startswith("service.") else {}
    body = {"steps": [{"action": action, "params": params, "targets": {"hosts": list(hosts)}}]}
    return plans.create_plan(session, plan_from_structure(session, body), actor)


def previewed(session, row: Plan, actor: str = "olga") -> str:
    run = runs.create_preview(session, row.id, actor)
    finish(session, run.id)
    return run.id


@pytest.fixture
def fleet(session):
    load_fleet_into_db(session)
    return session


def test_approve_needs_a_finished_preview_of_the_current_bundle(fleet):
    s = fleet
    row = new_plan(s, "olga")
    with pytest.raises(Conflict, match="needs a finished preview"):
        approvals.approve(s, row.id, "anna")
    failed = runs.create_preview(s, row.id, "olga")
    finish(s, failed.id, RunStatus.FAILED)
    with pytest.raises(Conflict, match="needs a finished preview"):
        approvals.approve(s, row.id, "anna")
    previewed(s, row)
    s.query(Asset).filter_by(name="web-01").one().address = "10.9.9.9"  # the fleet changes after the preview
    s.flush()
    with pytest.raises(Conflict) as err:
        approvals.approve(s, row.id, "anna")
    assert err.value.code == "stale_preview"
    previewed(s, row)
    appr = approvals.approve(s, row.id, "anna")
    assert plans.get_plan(s, row.id).state == PlanState.APPROVED
    with pytest.raises(Conflict) as err:  # one preview backs one approval
        approvals.approve(s, row.id, "ben")
    assert err.value.code == "already_approved"
    s.query(Asset).filter_by(name="web-02").one().address = "10.9.9.8"
    s.flush()
    with pytest.raises(Conflict) as err:
        runs.create_run(s, row.id, "olga")
    assert err.value.code == "stale_approval" and appr.run_id is None


def test_four_eyes_covers_every_revision_author(fleet):
    """Regression: an approver revised someone else's low-risk plan into a high-risk one and approved it."""
    s = fleet
    row = new_plan(s, "olga", "host.ping")  # low risk, by an operator
    assert approvals.plan_risk(row) == "low"
    revised = plan_from_structure(s, {"steps": [{"action": "command.run", "params": {"command": "uptime"},
                                                 "targets": {"hosts": ["web-01"]}}]})
    row = plans.revise_plan(s, row.id, revised, "mallory")  # an approver turns it into command.run
    assert approvals.plan_risk(row) == "high"
    previewed(s, row, actor="mallory")
    for who in ("mallory", "olga"):
        with pytest.raises(Forbidden) as err:
            approvals.approve(s, row.id, who)
        assert err.value.code == "four_eyes"
    assert approvals.eligible_approvers(s, row) == []  # no approver users exist in this database
    approvals.approve(s, row.id, "anna")


def test_an_approval_is_used_up_by_its_run(fleet):
    """Regression: one approval of a high-risk command.run allowed three successful runs."""
    s = fleet
    row = new_plan(s, "olga", "command.run", {"command": "uptime"})
    previewed(s, row)
    approvals.approve(s, row.id, "anna")
    first = runs.create_run(s, row.id, "olga")
    assert plans.get_plan(s, row.id).state == PlanState.RUNNING
    with pytest.raises(Conflict) as err:  # not even while it runs
        runs.create_run(s, row.id, "olga")
    assert err.value.code == "approval_used"
    finish(s, first.id)
    assert plans.get_plan(s, row.id).state == PlanState.FINISHED
    for limit in (None, ["web-01"]):
        with pytest.raises(Conflict) as err:
            runs.create_run(s, row.id, "olga", limit_hosts=limit)
        assert err.value.code == "approval_used"
    with pytest.raises(BadRequest, match="every host of this run succeeded"):
        runs.create_relaunch(s, first.id, "olga")
    assert plans.plan_json(s, plans.get_plan(s, row.id))["approved"] is False
    # a new preview and a new approval allow one more run
    with pytest.raises(Conflict) as err:  # the old preview's approval is spent
        approvals.approve(s, row.id, "anna")
    assert err.value.code == "approval_used"
    previewed(s, row)
    approvals.approve(s, row.id, "anna")
    second = runs.create_run(s, row.id, "olga")
    assert second.approval_id != first.approval_id


def test_relaunch_only_on_the_hosts_that_did_not_succeed_once_per_run(fleet):
    s = fleet
    row = new_plan(s, "olga", "command.run", {"command": "uptime"}, hosts=("web-01", "web-02", "web-03"))
    previewed(s, row)
    approvals.approve(s, row.id, "anna")
    first = runs.create_run(s, row.id, "olga")
    finish(s, first.id, RunStatus.PARTIAL,
           {"web-01": HostStatus.CHANGED, "web-02": HostStatus.UNREACHABLE, "web-03": HostStatus.CANCELED})
    again, hosts = runs.create_relaunch(s, first.id, "olga")
    assert hosts == ["web-02", "web-03"] and again.limit_hosts == hosts and sorted(again.hosts) == hosts
    assert again.approval_id == first.approval_id and again.parent_run_id == first.id
    finish(s, again.id, RunStatus.PARTIAL, {"web-02": HostStatus.OK, "web-03": HostStatus.FAILED})
    with pytest.raises(Conflict) as err:  # a run is relaunched once; its relaunch is the one to retry
        runs.create_relaunch(s, first.id, "olga")
    assert err.value.code == "approval_used"
    third, hosts = runs.create_relaunch(s, again.id, "olga")
    assert hosts == ["web-03"]
    with pytest.raises(Conflict, match="only a finished real run"):
        runs.create_relaunch(s, third.id, "olga")


def test_reject_voids_the_approval_and_an_edit_voids_it_too(fleet):
    s = fleet
    row = new_plan(s, "olga")
    previewed(s, row)
    approvals.approve(s, row.id, "anna")
    with pytest.raises(BadRequest, match="needs a reason"):
        approvals.reject(s, row.id, "anna", " ")
    approvals.reject(s, row.id, "anna", "wrong window")
    assert plans.get_plan(s, row.id).state == PlanState.REJECTED
    with pytest.raises(Conflict) as err:
        runs.create_run(s, row.id, "olga")
    assert err.value.code == "not_approved"
    row = new_plan(s, "olga")
    previewed(s, row)
    approvals.approve(s, row.id, "anna")
    edited = plan_from_structure(s, {"steps": [{"action": "service.restart", "params": {"name": "nginx"},
                                                "targets": {"hosts": ["web-03"]}}]})
    plans.revise_plan(s, row.id, edited, "olga")
    with pytest.raises(Conflict) as err:
        runs.create_run(s, row.id, "olga")
    assert err.value.code == "not_approved"
    with pytest.raises(Conflict) as err:  # the new revision has no preview yet
        approvals.approve(s, row.id, "anna")
    assert err.value.code == "preview_required"


def test_cancel_before_start_settles_every_host(fleet):
    s = fleet
    row = new_plan(s, "olga")
    previewed(s, row)
    approvals.approve(s, row.id, "anna")
    run = runs.create_run(s, row.id, "olga")
    runs.request_cancel(s, run.id, "olga")
    assert run.status == RunStatus.CANCELED
    assert {h["status"] for h in run.hosts.values()} == {HostStatus.CANCELED}
    assert plans.get_plan(s, row.id).state == PlanState.FINISHED
    with pytest.raises(Conflict, match="already canceled"):
        runs.request_cancel(s, run.id, "olga")
    _again, hosts = runs.create_relaunch(s, run.id, "olga")  # nothing ran: the hosts may run under the approval
    assert hosts == ["web-01", "web-02"]


def test_a_read_only_plan_runs_at_once_unless_the_policy_asks_for_approval(fleet, tmp_path, monkeypatch):
    s = fleet
    row = new_plan(s, "olga", "host.ping")
    assert plans.plan_json(s, row)["read_only"] is True
    run = runs.create_run(s, row.id, "olga")  # no preview, no approval
    assert run.approval_id is None and run.mode == "run"
    finish(s, run.id, RunStatus.PARTIAL, {"web-02": HostStatus.UNREACHABLE})
    again, hosts = runs.create_relaunch(s, run.id, "olga")
    assert hosts == ["web-02"] and again.approval_id is None
    policy = tmp_path / "policy.yml"
    policy.write_text("read_only_needs_approval: true\n")
    monkeypatch.setenv("OPSPLAN_POLICY_FILE", str(policy))
    finish(s, again.id)
    row = new_plan(s, "olga", "host.ping")
    with pytest.raises(Conflict) as err:
        runs.create_run(s, row.id, "olga")
    assert err.value.code == "not_approved"
