"""OPSPLAN_STRATEGY (issue 18): the worker's ansible-playbook under Mitogen's strategy, chosen by the worker's
settings, never by the bundle. End to end against real sshd hosts: the preview (check mode), the run and its
verification all go through Mitogen, whose one interpreter per host runs every task: two commands run one after
the other see the same parent process, where Ansible's own strategy starts a new interpreter for each task."""
from __future__ import annotations

from pathlib import Path

import pytest

from app.config import Settings, SettingsError, Strategy
from app.execution.runner import strategy_env
from tests.app.test_executor import approved
from tests.conftest import sqlite_only
from tests.harness.waiting import wait_for

# the command's parent process: the interpreter that ran the command module
PARENT = {"action": "command.run", "params": {"command": "sh -c 'echo $PPID'"}}


@pytest.mark.unit
def test_the_strategy_is_a_setting_of_the_worker():
    assert Settings.from_env({}).strategy is Strategy.LINEAR
    assert Settings.from_env({"OPSPLAN_STRATEGY": " Mitogen_Linear "}).strategy is Strategy.MITOGEN_LINEAR
    with pytest.raises(SettingsError, match="OPSPLAN_STRATEGY must be one of linear, mitogen_linear"):
        Settings.from_env({"OPSPLAN_STRATEGY": "free"})


@pytest.mark.unit
def test_only_mitogen_changes_the_environment_and_its_plugins_are_installed():
    assert strategy_env(Strategy.LINEAR) == {}
    env = strategy_env(Strategy.MITOGEN_LINEAR)
    assert env["ANSIBLE_STRATEGY"] == "mitogen_linear"
    assert (Path(env["ANSIBLE_STRATEGY_PLUGINS"]) / "mitogen_linear.py").is_file()


def _parents(run: dict) -> dict[str, list[str]]:
    """host -> the parent process id each command.run step printed, in step order."""
    return {host: [" ".join(s["result"]["stdout"]) for s in entry["steps"] if s["action"] == "command.run"]
            for host, entry in run["hosts"].items()}


@sqlite_only
@pytest.mark.integration
@pytest.mark.parametrize("strategy,one_interpreter", [("mitogen_linear", True), ("linear", False)])
def test_a_run_goes_through_the_strategy_the_worker_is_set_to(api, worker, fleet_assets, tmp_path, strategy,
                                                              one_interpreter):
    worker({"OPSPLAN_STRATEGY": strategy})
    probe = tmp_path / "probe.txt"
    probe.write_text("probe\n")
    hosts = ["web-01", "web-02"]
    body = {"plan": {"steps": [{"action": "file.stat", "params": {"path": str(probe)}, "targets": {"hosts": hosts}},
                               {**PARENT, "targets": {"hosts": hosts}}, {**PARENT, "targets": {"hosts": hosts}}]}}
    plan_id = approved(api, body)  # the preview (check mode) answered file.stat on both hosts through it
    assert api.get(f"/api/v1/plans/{plan_id}").get_json()["approved"] is True
    run = api.wait_run(api.post(f"/api/v1/plans/{plan_id}/runs").get_json()["id"], timeout=240)
    assert run["status"] == "successful", (run["error"], run["hosts"])
    stat = {h: e["steps"][0]["result"] for h, e in run["hosts"].items()}
    assert all(r["exists"] and r["size_bytes"] == 6 for r in stat.values()), stat
    parents = _parents(run)
    assert sorted(parents) == hosts and all(len(ids) == 2 and all(i.isdigit() for i in ids)
                                            for ids in parents.values()), parents
    assert all((ids[0] == ids[1]) is one_interpreter for ids in parents.values()), (strategy, parents)
    # the verification (check mode again) ran too: command.run cannot be checked, file.stat converged
    wait_for("the verification", lambda: api.get(f"/api/v1/runs/{run['id']}").get_json()
             .get("verification", {}).get("status") not in (None, "pending"), timeout=180)
    verification = api.get(f"/api/v1/runs/{run['id']}").get_json()["verification"]
    assert set(verification["hosts"]) == set(hosts) and verification["status"] != "failed", verification
