"""The event path of a run: opsplan_display + EventRunner hand the event handler exactly the events (same kinds,
same event_data, same stdout) that ansible-runner's own awx_display and Runner do, without a file per event."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from app.execution import runner
from app.execution.workspace import Workspace
from inventory.snapshot import SnapshotSecrets

pytestmark = pytest.mark.integration

PLAYBOOK = """---
- name: step one
  hosts: all
  gather_facts: false
  vars:
    environment: reserved  # a warning, printed outside any callback event: an event of its own
  tasks:
    - name: say something
      ansible.builtin.debug:
        msg: "hello {{ inventory_hostname }}"
    - name: the result fact
      ansible.builtin.set_fact:
        demo_result: {answer: 42, items: [1, 2, 3], text: "a\\nb"}
    - name: a command
      ansible.builtin.command: echo out
      changed_when: false
    - name: skipped
      ansible.builtin.debug:
        msg: never
      when: false
    - name: failed, ignored
      ansible.builtin.fail:
        msg: on purpose
      ignore_errors: true
"""
# differ between any two runs of the same playbook
VOLATILE = {"uuid", "parent_uuid", "playbook_uuid", "play_uuid", "task_uuid", "created", "pid", "start", "end",
            "delta", "duration", "runner_ident", "counter", "start_line", "end_line", "task_path"}


def normalized(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: normalized(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [normalized(v) for v in value]
    return value


def workspace(root: Path) -> Workspace:
    pdd = root / "pdd"
    (pdd / "project").mkdir(parents=True)
    (pdd / "inventory").mkdir()
    (pdd / "inventory" / "hosts.yml").write_text(
        "all:\n  hosts:\n" + "".join(f"    h{i}: {{ansible_connection: local, ansible_python_interpreter: "
                                     f"{sys.executable}}}\n" for i in (1, 2)))
    (pdd / "project" / "site.yml").write_text(PLAYBOOK)
    (pdd / "project" / "ansible.cfg").write_text("[defaults]\nforks = 1\ngathering = explicit\n")
    return Workspace(private_data_dir=pdd, control_dir=root / "cp",
                     snapshot=SnapshotSecrets(inventory_path=pdd / "inventory" / "hosts.yml"))


def run_once(root: Path, callback: str | None) -> tuple[list[dict[str, Any]], Path]:
    ws = workspace(root)
    config = runner.prepare(ws, "0" * 32, "site.yml", check=False, limit=None, timeout=120)
    if callback is not None:
        config.env["ANSIBLE_STDOUT_CALLBACK"] = callback
    seen: list[dict[str, Any]] = []

    def handler(event: dict[str, Any]) -> bool:
        seen.append(json.loads(json.dumps(event)))
        return False

    result = runner.run(config, event_handler=handler, cancel_callback=lambda: False)
    assert result.status == "successful", result.stdout.read() if hasattr(result, "stdout") else result.status
    return seen, Path(config.artifact_dir)


def test_the_handler_gets_what_awx_display_gives_without_a_file_per_event(tmp_path):
    ours, artifacts = run_once(tmp_path / "ours", None)
    theirs, _ = run_once(tmp_path / "theirs", "awx_display")  # ansible-runner's callback, its partial files
    # the warning quotes the playbook's path: the same file, in the other run's directory
    theirs = json.loads(json.dumps(theirs).replace(str(tmp_path / "theirs"), str(tmp_path / "ours")))

    kinds = [e["event"] for e in ours]
    assert "runner_on_ok" in kinds and "runner_on_skipped" in kinds and "playbook_on_stats" in kinds
    assert "runner_on_failed" in kinds and "warning" in kinds
    ok = [e for e in ours if e["event"] == "runner_on_ok" and e["event_data"].get("task") == "the result fact"]
    assert len(ok) == 2 and ok[0]["event_data"]["res"]["ansible_facts"]["demo_result"]["answer"] == 42
    assert all(e["uuid"] and "created" in e for e in ours)
    # the same events, in the same order, with the same data and stdout
    assert [normalized(e) for e in ours] == [normalized(e) for e in theirs]
    # every event's data came through the one append-only file; none was left behind as a partial file
    lines = (artifacts / runner.PARTIALS_FILE).read_text().splitlines()
    assert {json.loads(line)["uuid"] for line in lines} == {e["uuid"] for e in ours if e["event"] != "verbose"}
    assert not list((artifacts / "job_events").glob("*-partial.json*"))
    assert not list((artifacts / "job_events").glob("*.json"))  # the handler keeps nothing in the artifacts


def test_the_callback_and_the_runner_agree_on_the_file_name():
    source = (Path(runner.CALLBACK_DIR) / "opsplan_display.py").read_text()
    assert f'PARTIALS_FILE = "{runner.PARTIALS_FILE}"' in source
