"""Terminal progress for ``--follow``: step bar, host counters and the live log, from stored run events."""
from __future__ import annotations

import time
from typing import TextIO

from app.config import Settings
from app.db.session import session_scope
from app.services.runs import events_after, get_run
from app.services.zones import waiting_message
from app.statuses import HOST_ACTIVE, HOST_BAD, HOST_INTERRUPTED, STEP_BAD, RunStatus, StepStatus

BAD = HOST_BAD | HOST_INTERRUPTED
STEP_SHOWN = STEP_BAD | {StepStatus.CANCELED, StepStatus.TIMED_OUT}


def _bar(done: int, total: int, width: int = 24) -> str:
    total = max(total, 1)
    filled = int(width * min(done, total) / total)
    return "[" + "#" * filled + "-" * (width - filled) + f"] {done}/{total}"


def follow_run(settings: Settings, run_id: str, out: TextIO, poll: float = 0.5, timeout: float | None = None) -> str:
    """Print progress until the run ends; return its final status."""
    last, step, total_steps, said = 0, 0, 0, ""
    started = time.monotonic()
    with session_scope(settings.database_url) as s:
        mode = get_run(s, run_id).mode.upper()
    out.write(f"{mode} {run_id}\n")
    while True:
        with session_scope(settings.database_url) as s:
            events = events_after(s, run_id, last)
            run = get_run(s, run_id)
            status, hosts, zone = run.status, run.hosts or {}, run.zone
        for e in events:
            last = e["seq"]
            data = e["data"]
            if e["kind"] == "start":
                total_steps = len(data.get("steps", []))
            elif e["kind"] == "step":
                step, total_steps = data["step"], data.get("total", total_steps)
                out.write(f"steps {_bar(step - 1, total_steps)}  now: step {step} {data['action']}\n")
            elif e["kind"] == "zone":
                out.write(f"zone {data.get('zone')}: {len(data.get('hosts') or [])} host(s) on worker "
                          f"{data.get('worker')}\n")
            elif e["kind"] == "task_result" and data.get("status") in STEP_BAD:
                out.write(f"  {data['host']}: {data['status']} in '{data['task']}'\n")
            elif e["kind"] == "log" and e.get("host") is None and data.get("line", "").strip():
                pass  # play/task banners: the step bar says it more briefly
        failed = sum(1 for h in hosts.values() if h["status"] in BAD)
        if status == RunStatus.QUEUED and (message := waiting_message(settings, zone)) != said:
            said = message
            out.write(f"{message}\n")
        if RunStatus(status).finished:
            done = sum(1 for h in hosts.values() if h["status"] not in BAD | HOST_ACTIVE)
            out.write(f"steps {_bar(total_steps, total_steps)}  hosts done={done} failed={failed} "
                      f"pending=0  {time.monotonic() - started:.1f}s\n")
            for name, h in sorted(hosts.items()):
                steps = ", ".join(f"{st['action']}={st['status']}" for st in h.get("steps", []))
                out.write(f"  {name:24} {h['status']:12} {steps}\n")
                for st in h.get("steps", []):
                    if st["status"] in STEP_SHOWN and st.get("msg"):
                        out.write(f"    {st['action']}: {st['msg'].strip().splitlines()[0][:300]}\n")
            if run.error:
                out.write(f"error: {run.error}\n")
            out.write(f"{mode} {run_id} {status}\n")
            out.flush()
            return status
        out.flush()
        if timeout is not None and time.monotonic() - started > timeout:
            return status
        time.sleep(poll)


def wait_run(settings: Settings, run_id: str, poll: float = 0.3, timeout: float | None = None) -> dict:
    """Wait (quietly) until the run ends; return its Run JSON."""
    from app.services.runs import run_json

    started = time.monotonic()
    while True:
        with session_scope(settings.database_url) as s:
            body = run_json(s, run_id)
        if RunStatus(body["status"]).finished or (timeout is not None and time.monotonic() - started > timeout):
            return body
        time.sleep(poll)
