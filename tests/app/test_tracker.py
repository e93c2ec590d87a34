from types import SimpleNamespace

import pytest

from app.db.models import RunStatus
from app.execution.tracker import RunTracker, render_diff


def _steps():
    return [SimpleNamespace(index=1, action="file.copy", play="step 1: file.copy", previewable=True,
                            not_previewable_reason="", hosts=["a", "b"], rollback=False,
                            result_fact="opsplan_file_result"),
            SimpleNamespace(index=2, action="command.run", play="step 2: command.run", previewable=False,
                            not_previewable_reason="commands have no check mode", hosts=["a", "b"], rollback=False,
                            result_fact="opsplan_command_result")]


def _hosts():
    return {h: {"status": "pending", "steps": [
        {"step": 1, "action": "file.copy", "status": "pending", "changed": False, "diff": "", "previewable": True},
        {"step": 2, "action": "command.run", "status": "pending", "changed": False, "diff": "", "previewable": False}]}
        for h in ("a", "b")}


def ev(kind, **data):
    return {"event": kind, "event_data": data, "pid": 4242}


@pytest.mark.unit
def test_check_mode_marks_unpreviewable_steps_and_keeps_diffs():
    t = RunTracker(_hosts(), _steps(), check_mode=True)
    t.handle(ev("playbook_on_play_start", play="step 1: file.copy"))
    t.handle(ev("runner_on_ok", host="a", play="step 1: file.copy", task="copy",
                res={"changed": True, "diff": {"before": "old\n", "after": "new\n"}}))
    t.handle(ev("runner_on_ok", host="b", play="step 1: file.copy", task="copy", res={"changed": False}))
    t.handle(ev("playbook_on_play_start", play="step 2: command.run"))
    t.handle(ev("runner_on_skipped", host="a", play="step 2: command.run", task="cmd",
                res={"msg": "Command would have run if not in check mode"}))
    status = t.finish("successful", canceled=False)
    assert status is RunStatus.SUCCESSFUL
    a, b = t.hosts["a"], t.hosts["b"]
    assert a["steps"][0]["status"] == "changed" and "-old" in a["steps"][0]["diff"] and "+new" in a["steps"][0]["diff"]
    assert b["steps"][0]["status"] == "ok"
    for h in (a, b):  # never "ok" or "skipped" for a step that cannot be previewed
        assert h["steps"][1]["status"] == "not_previewable" and h["steps"][1]["previewable"] is False
    assert a["status"] == "changed" and b["status"] == "ok"


@pytest.mark.unit
def test_one_unreachable_host_makes_the_run_partial():
    t = RunTracker(_hosts(), _steps(), check_mode=False)
    t.handle(ev("playbook_on_play_start", play="step 1: file.copy"))
    t.handle(ev("runner_on_unreachable", host="a", play="step 1: file.copy", task="copy", res={"msg": "no route"}))
    t.handle(ev("runner_on_ok", host="b", play="step 1: file.copy", task="copy", res={"changed": True}))
    t.handle(ev("playbook_on_play_start", play="step 2: command.run"))
    t.handle(ev("runner_on_ok", host="b", play="step 2: command.run", task="cmd", res={"changed": True}))
    t.handle(ev("playbook_on_stats", dark={"a": 1}, changed={"b": 2}, ok={"b": 2}, failures={}))
    assert t.finish("failed", canceled=False) is RunStatus.PARTIAL
    assert t.hosts["a"]["status"] == "unreachable" and t.hosts["a"]["steps"][1]["status"] == "skipped"
    assert t.hosts["b"]["status"] == "changed"


@pytest.mark.unit
def test_all_failed_cancel_and_timeout():
    t = RunTracker(_hosts(), _steps(), check_mode=False)
    t.handle(ev("runner_on_failed", host="a", play="step 1: file.copy", task="copy", res={"msg": "boom"}))
    t.handle(ev("runner_on_failed", host="b", play="step 1: file.copy", task="copy", res={"msg": "boom"}))
    assert t.finish("failed", canceled=False) is RunStatus.FAILED
    assert t.hosts["a"]["steps"][0]["msg"] == "boom"
    assert RunTracker(_hosts(), _steps(), False).finish("canceled", canceled=True) is RunStatus.CANCELED
    assert RunTracker(_hosts(), _steps(), False).finish("timeout", canceled=False) is RunStatus.TIMED_OUT


@pytest.mark.unit
def test_ignored_errors_do_not_fail_the_step():
    t = RunTracker(_hosts(), _steps(), check_mode=False)
    t.handle(ev("runner_on_failed", host="a", play="step 1: file.copy", task="probe", ignore_errors=True, res={}))
    assert t.hosts["a"]["steps"][0]["status"] == "ok"


@pytest.mark.unit
def test_render_diff_forms():
    assert render_diff(None) == ""
    assert render_diff({"prepared": "+x"}) == "+x"
    assert "+b" in render_diff([{"before": "a\n", "after": "b\n"}])
    assert render_diff({"before": "same", "after": "same"}) == ""


@pytest.mark.unit
def test_host_counters_are_live():
    t = RunTracker(_hosts(), _steps(), check_mode=False)
    t.handle(ev("playbook_on_play_start", play="step 1: file.copy"))
    t.handle(ev("runner_on_failed", host="a", play="step 1: file.copy", task="copy", res={"msg": "boom"}))
    assert t.hosts["a"]["status"] == "failed" and t.counters()["failed"] == 1  # before the run ends
    rescuing = _steps()
    rescuing[0].rollback = True  # an action whose role rolls back (block/rescue), like app.update
    t = RunTracker(_hosts(), rescuing, check_mode=False)
    t.handle(ev("playbook_on_play_start", play="step 1: file.copy"))
    t.handle(ev("runner_on_failed", host="b", play="step 1: file.copy", task="x", res={}))
    assert t.hosts["b"]["status"] == "pending"  # may still be rescued (rolled back)


@pytest.mark.unit
def test_the_result_fact_becomes_the_step_result_redacted_and_capped():
    from app.execution.events import Redactor

    t = RunTracker(_hosts(), _steps(), check_mode=False, redact=Redactor(["s3cret-value"]))
    t.handle(ev("playbook_on_play_start", play="step 1: file.copy"))
    t.handle(ev("runner_on_ok", host="a", play="step 1: file.copy", task="facts",
                res={"ansible_facts": {"opsplan_file_result": {"path": "/x", "exists": True, "size_bytes": 12,
                                                               "owner": "s3cret-value"}}}))
    t.handle(ev("runner_on_ok", host="b", play="step 1: file.copy", task="facts",
                res={"ansible_facts": {"opsplan_file_result": {"lines": ["x" * 100] * 5000}}}))
    t.handle(ev("runner_on_ok", host="a", play="step 1: file.copy", task="other", res={"ansible_facts": {"x": 1}}))
    a, b = t.hosts["a"]["steps"][0], t.hosts["b"]["steps"][0]
    assert a["result"] == {"path": "/x", "exists": True, "size_bytes": 12, "owner": "********"}
    assert b["result"]["truncated"] is True and 0 < len(b["result"]["lines"]) < 5000
    import json

    assert len(json.dumps(b["result"])) <= 64 * 1024
    assert "result" not in t.hosts["a"]["steps"][1]


@pytest.mark.unit
def test_the_saved_host_view_copies_only_what_changed_and_nothing_when_nothing_did():
    from app.execution.callbacks import EventHandler

    recorder = SimpleNamespace(state=None, emit=lambda *a, **k: None)
    t = RunTracker(_hosts(), _steps(), check_mode=False)
    handler = EventHandler(t, recorder)  # type: ignore[arg-type]
    assert recorder.state == handler.state
    first = handler.state()
    assert first == _hosts()  # the whole view once
    assert handler.state() is None  # unchanged: no write
    handler(ev("playbook_on_task_start", task="copy"))
    assert handler.state() is None  # a task start changes no host
    handler(ev("runner_on_ok", host="a", play="step 1: file.copy", task="copy", res={"changed": True}))
    second = handler.state()
    assert second["a"]["steps"][0]["status"] == "changed" and second["b"] is first["b"]  # b was not copied again
    assert first["a"]["steps"][0]["status"] == "pending"  # an earlier view never changes afterwards
    t.hosts["a"]["steps"][0]["msg"] = "later"
    assert "msg" not in second["a"]["steps"][0]


@pytest.mark.unit
def test_a_zone_part_saves_the_other_hosts_as_they_stand():
    from app.execution.callbacks import EventHandler

    everyone = {**_hosts(), "c": {"status": "ok", "steps": [], "zone": "dc2"}}
    t = RunTracker({h: everyone[h] for h in ("a", "b")}, _steps(), check_mode=False)
    handler = EventHandler(t, SimpleNamespace(state=None, emit=lambda *a, **k: None),  # type: ignore[arg-type]
                           everyone=everyone)
    handler(ev("runner_on_ok", host="b", play="step 1: file.copy", task="copy", res={}))
    view = handler.state()
    assert list(view) == ["a", "b", "c"] and view["c"] == everyone["c"] and view["b"]["steps"][0]["status"] == "ok"


@pytest.mark.unit
def test_a_host_refused_after_the_run_for_its_host_key_fails_with_the_message():
    t = RunTracker(_hosts(), _steps(), check_mode=False)
    t.handle(ev("playbook_on_play_start", play="step 1: file.copy"))
    full = "Failed to connect to the host via ssh: " + "@" * 3000 + "\r\nHost key verification failed."
    t.handle(ev("runner_on_unreachable", host="a", play="step 1: file.copy", task="copy", res={"msg": full}))
    t.handle(ev("runner_on_ok", host="b", play="step 1: file.copy", task="copy", res={}))
    t.handle(ev("playbook_on_stats", dark={"a": 1}, ok={"b": 1}, failures={}))
    assert t.unreachable == {"a": full}  # the whole message, not the step's cut one
    out = t.refuse("a", "host key of a changed")
    assert [(kind, host, step) for kind, _data, host, step in out] == [("task_result", "a", 1), ("log", "a", 1)]
    assert t.finish("failed", canceled=False) is RunStatus.PARTIAL
    assert t.hosts["a"]["status"] == "failed"  # not unreachable, although the stats count it dark
    assert t.hosts["a"]["steps"][0] == {**t.hosts["a"]["steps"][0], "status": "failed", "msg": "host key of a changed"}


@pytest.mark.unit
def test_host_key_failures_are_told_from_other_unreachable_hosts():
    from app.execution.hostkeys import is_host_key_failure

    assert is_host_key_failure("Failed to connect to the host via ssh: No ED25519 host key is known for "
                               "[127.0.0.3]:2222 and you have requested strict checking.\r\n"
                               "Host key verification failed.")
    assert is_host_key_failure("Failed to connect to the host via ssh: @@@ WARNING: REMOTE HOST IDENTIFICATION HAS "
                               "CHANGED! @@@")
    assert is_host_key_failure("Task failed: Host key checking is enabled, and SSH reported an unrecognized or "
                               "mismatching host key.")  # Mitogen's wording
    assert not is_host_key_failure("Failed to connect to the host via ssh: ssh: connect to host 10.0.0.9 port 22: "
                                   "Connection refused")
