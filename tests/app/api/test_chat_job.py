"""The chat carries the whole job (issue 15), through the API against the real stack: cards with ids and links,
card actions calling the same services as the plan/run pages, every follow-up form, reload and history."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.db import session_scope
from app.db.models import WebhookDelivery
from tests.conftest import sqlite_only
from tests.harness.waiting import wait_for

pytestmark = pytest.mark.integration


class Chat:
    """One conversation driven through POST /api/v1/chat as ``user``."""

    def __init__(self, api, user: str = "operator1", conversation_id: str | None = None):
        self.api, self.user, self.id = api, user, conversation_id

    def as_(self, user: str) -> Chat:
        return Chat(self.api, user, self.id)

    def say(self, text: str, status: int = 200) -> dict:
        body = {"message": text, **({"conversation_id": self.id} if self.id else {})}
        r = self.api.as_(self.user).post("/api/v1/chat", json=body)
        assert r.status_code == status, r.get_json()
        out = r.get_json()
        self.id = out.get("conversation_id", self.id)
        return out

    def press(self, action: str, status: int = 200, **ids) -> dict:
        r = self.api.as_(self.user).post("/api/v1/chat", json={"conversation_id": self.id, "action": action, **ids})
        assert r.status_code == status, r.get_json()
        return r.get_json()

    def reload(self) -> dict:
        r = self.api.as_(self.user).get(f"/api/v1/chat/{self.id}")
        assert r.status_code == 200, r.get_json()
        return r.get_json()

    def card(self, run_id: str) -> dict:
        return next(c for m in self.reload()["messages"] for c in m.get("cards", []) if c.get("run_id") == run_id)

    def finished(self, run_id: str, timeout: float = 180) -> dict:
        return wait_for(f"run {run_id} to finish", lambda: (c := self.card(run_id))["finished"] and c, timeout)


def only(out: dict, kind: str) -> dict:
    cards = [c for c in out["cards"] if c["type"] == kind]
    assert len(cards) == 1, out
    return cards[0]


def add_unreachable(api, name: str = "web-09") -> None:
    from app.assets.io import import_document

    with session_scope(api.settings.database_url) as s:
        import_document(s, {"assets": [{"name": name, "address": "127.0.0.99", "os": "linux",
                                        "environment": "staging", "groups": ["web"], "credential": "test-ssh",
                                        "port": 9, "vars": {"ansible_python_interpreter": "/usr/bin/python3"}}]})


@sqlite_only
def test_change_request_question_preview_approval_run_followup_and_answer(api, worker, fleet_assets, tmp_path):
    worker()
    add_unreachable(api)
    src, dest = tmp_path / "src.txt", tmp_path / "dest.txt"
    src.write_text("release 2\n")
    dest.write_text("release 1\n")
    assert api.as_("admin1").post("/api/v1/webhooks", json={"name": "pager", "url": "http://127.0.0.1:9/hook",
                                                            "events": ["approval.needed"]}).status_code == 201
    chat = Chat(api)

    # a change request without targets: a question card; the answer completes it into a plan card
    q = chat.say(f"copy {src} to {dest}")
    assert only(q, "question")["questions"] and q["reply"]
    out = chat.say("on the web hosts")
    plan = only(out, "plan")
    assert plan["plan_id"] == out["plan_id"] and plan["urls"]["plan"] == f"/plans/{plan['plan_id']}"
    assert plan["urls"]["edit"].startswith(f"/plans/{plan['plan_id']}") and plan["risk"] == "medium"
    assert set(plan["hosts"]) == {"web-01", "web-02", "web-03", "web-04", "web-09"}
    assert plan["actions"] == ["preview", "edit", "reject"]  # an operator, before any preview

    # preview in place: per host would change / unreachable, failures first, diffs carried for folding
    preview = only(chat.press("preview", plan_id=plan["plan_id"]), "preview")
    assert preview["urls"]["events"] == f"/api/v1/runs/{preview['run_id']}/events"
    done = chat.finished(preview["run_id"])
    assert done["status"] == "partial" and done["hosts"][0]["host"] == "web-09"
    assert done["hosts"][0]["outcome"] == "unreachable" and done["failed_hosts"] == ["web-09"]
    web01 = next(h for h in done["hosts"] if h["host"] == "web-01")
    assert web01["outcome"] == "would change" and "release 2" in web01["steps"][0].get("diff", "release 2")
    assert dest.read_text() == "release 1\n"

    # the operator may not approve: the card says who can, and asking notifies them through the webhooks
    mine = next(c for m in chat.reload()["messages"] for c in m.get("cards", []) if c["type"] == "plan")
    assert "approve" not in mine["actions"] and "request_approval" in mine["actions"]
    assert mine["approvers"] == ["admin1", "approver1", "approver2"] and "approver" in mine["approval_note"]
    asked = chat.press("request_approval", plan_id=plan["plan_id"])
    assert "approver1" in asked["reply"] and "1 webhook" in asked["reply"]
    with session_scope(api.settings.database_url) as s:
        sent = [d for d in s.execute(select(WebhookDelivery)).scalars() if "requested_by" in d.payload]
        assert [d.event for d in sent] == ["approval.needed"] and sent[0].payload["requested_by"] == "operator1"
        assert sent[0].payload["approvers"] == ["admin1", "approver1", "approver2"]
        assert sent[0].payload["conversation_url"].endswith(f"/chat?c={chat.id}")
        by_preview = [d for d in s.execute(select(WebhookDelivery)).scalars() if d.run_id == preview["run_id"]
                      and "requested_by" not in d.payload]  # the worker's own, when the preview finished
        assert by_preview and by_preview[0].payload["approvers"] == ["admin1", "approver1", "approver2"]
    chat.press("approve", status=403, plan_id=plan["plan_id"])

    # a second user opens the same conversation: Approve & run is offered to them, and runs it
    theirs = chat.as_("approver1")
    card = next(c for m in theirs.reload()["messages"] for c in m.get("cards", []) if c["type"] == "plan")
    assert "approve" in card["actions"]
    run = only(theirs.press("approve", plan_id=plan["plan_id"]), "run")
    assert run["urls"]["run"] == f"/runs/{run['run_id']}"
    ended = chat.finished(run["run_id"])
    assert ended["status"] == "partial" and ended["failed_hosts"] == ["web-09"]
    assert ended["counts"] == {"done": 4, "failed": 1, "pending": 0}
    assert dest.read_text() == "release 2\n"

    # follow-up: only on the ones that failed -> a relaunch of the same approval on web-09 only
    out = chat.say("only on the ones that failed")
    assert "web-09" in out["reply"] and run["run_id"][:8] in out["reply"]
    offer = only(out, "plan")
    assert offer["relaunch"] == {"run_id": run["run_id"], "hosts": ["web-09"]} and "relaunch" in offer["actions"]
    again = only(chat.press("relaunch", run_id=run["run_id"]), "run")
    assert again["limit"] == ["web-09"]
    assert chat.finished(again["run_id"])["status"] == "failed"
    offers = [c for m in chat.reload()["messages"] for c in m.get("cards", []) if c.get("relaunch")]
    assert offers[0]["relaunch"] == {"run_id": run["run_id"], "hosts": [], "relaunched_as": again["run_id"]}
    assert "relaunch" not in offers[0]["actions"]  # an approval covers one relaunch

    # a read-only question: answered at once with its table, no buttons
    out = chat.say("check disk space on web-01")
    answer = only(out, "answer")
    assert out["reply"] == "A read-only question (disk.check on web-01): it runs at once, nothing is changed."
    assert "actions" not in answer and not [c for c in out["cards"] if c["type"] == "plan"]
    table = chat.finished(answer["run_id"])["tables"][0]
    assert table["action"] == "disk.check" and table["rows"][0][0] == "web-01" and "used_percent" in table["columns"]

    # the conversation survives a reload and is listed in the user's history
    whole = chat.reload()
    assert [m["role"] for m in whole["messages"]][:2] == ["user", "assistant"]
    listed = api.get("/api/v1/chat/conversations").get_json()["conversations"]
    assert listed[0]["conversation_id"] == chat.id and listed[0]["title"].startswith("copy ")
    assert api.as_("approver1").get("/api/v1/chat/conversations").get_json()["conversations"] == []


def test_follow_ups_resolve_against_the_last_plan_and_run(api, fleet_assets):
    chat = Chat(api)  # no worker: runs stay queued, which "cancel that" needs
    first = only(chat.say("stop nginx on web-01"), "plan")
    assert first["steps"][0]["action"] == "service.stop"

    out = chat.say("restart it instead")
    plan = only(out, "plan")
    assert plan["steps"][0]["action"] == "service.restart" and plan["steps"][0]["params"] == {"name": "nginx"}
    assert plan["hosts"] == ["web-01"] and "web-01" in out["reply"] and "Resolved" in out["reply"]

    out = chat.say("now the same on staging")
    plan = only(out, "plan")
    assert "restart nginx on staging" in out["reply"]
    assert plan["steps"][0]["action"] == "service.restart"
    assert set(plan["hosts"]) == {"web-01", "web-02", "web-03", "web-04"}

    out = chat.say("what about web-02?")
    plan = only(out, "plan")
    assert plan["hosts"] == ["web-02"] and "restart nginx on web-02" in out["reply"]

    out = chat.say("no, stop nginx instead")  # an action of its own, on the last targets
    assert only(out, "plan")["steps"][0]["action"] == "service.stop" and only(out, "plan")["hosts"] == ["web-02"]
    out = chat.say("what about web-02?")
    plan = only(out, "plan")

    # cancel that: the queued preview first, then (nothing running) the pending plan itself
    preview = only(chat.press("preview", plan_id=plan["plan_id"]), "preview")
    out = chat.say("cancel that")
    assert preview["run_id"][:8] in out["reply"] and only(out, "preview")["status"] == "canceled"
    out = chat.say("cancel that")
    assert "rejected" in out["reply"] and only(out, "plan")["state"] == "rejected"
    assert only(out, "plan")["actions"] == []
    assert "Nothing to cancel" in chat.say("cancel that")["reply"]

    # the hosts of the canceled preview did not succeed: a new plan on them (a preview has no approval to reuse)
    out = chat.say("retry the failed hosts")
    assert f"web-02: the hosts of preview {preview['run_id'][:8]}" in out["reply"]
    assert only(out, "plan")["hosts"] == ["web-02"] and only(out, "plan")["steps"][0]["action"] == "service.stop"
    out = chat.say("start nginx on the ones that failed")  # another action on those hosts
    assert only(out, "plan")["steps"][0]["action"] == "service.start" and only(out, "plan")["hosts"] == ["web-02"]
    assert "“start nginx” on web-02" in out["reply"]

    # before the last run finished it says so instead of guessing
    fresh = Chat(api)
    queued = only(fresh.say("stop nginx on web-03"), "plan")
    fresh.press("preview", plan_id=queued["plan_id"])
    assert "still queued" in fresh.say("only on the ones that failed")["reply"]
    fresh = Chat(api)
    assert "has none yet" in fresh.say("what about web-02?")["reply"]
    assert "no run" in fresh.say("only on the ones that failed")["reply"]


def test_bad_actions_are_4xx(api, fleet_assets):
    chat = Chat(api)
    plan = only(chat.say("stop nginx on web-01"), "plan")
    other = only(Chat(api).say("stop nginx on web-02"), "plan")
    chat.press("preview", status=400, plan_id=other["plan_id"])  # not a plan of this conversation
    chat.press("explode", status=400, plan_id=plan["plan_id"])
    chat.press("relaunch", status=400, run_id="nope")
    r = api.post("/api/v1/chat", json={"action": "preview", "plan_id": plan["plan_id"]})
    assert r.status_code == 400 and "conversation_id" in r.get_json()["error"]["message"]
    assert chat.as_("approver1").press("approve", status=409, plan_id=plan["plan_id"])["error"]["code"] == \
        "preview_required"
    assert api.as_("viewer1").post("/api/v1/chat", json={"conversation_id": chat.id, "action": "preview",
                                                         "plan_id": plan["plan_id"]}).status_code == 403
    assert api.get("/api/v1/chat/nope").status_code == 404


def test_a_high_risk_plan_says_who_may_approve_it(api, fleet_assets):
    chat = Chat(api, "approver1")
    plan = only(chat.say('run "uptime" on web-01'), "plan")
    assert plan["risk"] == "high" and "approve" not in plan["actions"]
    assert plan["approvers"] == ["admin1", "approver2"]  # four-eyes: not the requester
    assert "four-eyes" in plan["approval_note"] and "approver1" in plan["approval_note"]
    theirs = next(c for m in chat.as_("approver2").reload()["messages"] for c in m.get("cards", [])
                  if c["type"] == "plan")
    assert "approvers" not in theirs  # approver2 may approve it (once previewed): no note for them
    assert chat.as_("operator1").reload()["messages"][-1]["cards"][0]["approvers"] == ["admin1", "approver2"]


def test_fifty_hosts_stay_readable_failures_first(api, fleet_assets):
    from app.db.models import Run
    from app.services.chat_cards import run_card

    plan = only(Chat(api).say("stop nginx on web-01"), "plan")
    hosts = {f"h-{i:02d}": {"status": "ok", "steps": [{"step": 1, "action": "service.stop", "status": "ok"}]}
             for i in range(50)}
    hosts["h-31"] = {"status": "failed", "steps": [{"step": 1, "action": "service.stop", "status": "failed",
                                                    "msg": "no such service\nmore"}]}
    hosts["h-07"] = {"status": "unreachable", "steps": []}
    with session_scope(api.settings.database_url) as s:
        run = Run(plan_id=plan["plan_id"], revision=1, mode="run", status="partial", bundle_sha256="0" * 64,
                  hosts=hosts, created_by="operator1")
        s.add(run)
        s.flush()
        card = run_card(s, run.id)
    assert card["type"] == "run" and card["counts"] == {"done": 48, "failed": 2, "pending": 0}
    assert [h["host"] for h in card["hosts"][:3]] == ["h-07", "h-31", "h-00"]
    assert card["failed_hosts"] == ["h-07", "h-31"]
    assert card["hosts"][1]["steps"][0]["reason"] == "no such service"
