"""After a cancel or a timeout: stop on the hosts what the interrupted steps left running.

Killing ``ansible-playbook`` ends the local side only; a remote command (``sleep 300``) would go on.
A role that starts long-lived remote processes ships a ``<entry point>_stop.yml`` task file (e.g.
``command_run_stop.yml``), which this module plays on the hosts whose step was interrupted, in the
same workspace (inventory, credentials) and with the run's id, which marks those processes.
"""
from __future__ import annotations

import logging
from typing import Any

from app.execution import runner
from app.execution.workspace import Workspace
from app.statuses import StepStatus
from compiler import Bundle
from compiler.render import dump_structure

log = logging.getLogger(__name__)
STOP_PLAYBOOK = "opsplan-stop.yml"
STOP_TIMEOUT_SECONDS = 120
INTERRUPTED = (StepStatus.CANCELED, StepStatus.TIMED_OUT)


def stop_plays(bundle: Bundle, hosts: dict[str, Any], statuses: tuple[str, ...] = INTERRUPTED) -> list[dict[str, Any]]:
    """One play per interrupted step whose role has a stop entry point, on the hosts it was interrupted on."""
    plays = []
    for step in bundle.steps:
        stop_entry = f"{step.entry_point}_stop"
        if f"roles/{step.role}/tasks/{stop_entry}.yml" not in bundle.files:
            continue
        names = sorted(h for h, e in hosts.items()
                       if any(st["step"] == step.index and st["status"] in statuses for st in e["steps"]))
        if names:
            plays.append({"name": f"stop step {step.index}", "hosts": names, "gather_facts": False,
                          "tasks": [{"name": f"Stop what {step.action} left running",
                                     "ansible.builtin.import_role": {"name": step.role,
                                                                     "tasks_from": stop_entry}}]})
    return plays


def stop_remote_commands(ws: Workspace, run_id: str, bundle: Bundle, hosts: dict[str, Any],
                         statuses: tuple[str, ...] = INTERRUPTED) -> list[str]:
    """Play the stop entry points; return the hosts they ran on (best effort: never raises)."""
    plays = stop_plays(bundle, hosts, statuses)
    if not plays:
        return []
    targets = sorted({h for p in plays for h in p["hosts"]})
    try:
        (ws.project_dir / STOP_PLAYBOOK).write_text(dump_structure(plays))
        config = runner.prepare(ws, run_id, STOP_PLAYBOOK, check=False, limit=None, timeout=STOP_TIMEOUT_SECONDS)
        result = runner.run(config, event_handler=lambda _e: False, cancel_callback=lambda: False)
        if result.status != "successful":
            log.warning("stopping the interrupted commands of run %s ended %s", run_id, result.status)
    except Exception:  # noqa: BLE001 - best effort after an interruption; the run's outcome stands
        log.exception("could not stop the interrupted commands of run %s", run_id)
    return targets
