"""Turns ansible-runner events into per-host, per-step status (CONTRACT Run JSON) and live events."""
from __future__ import annotations

import difflib
import json
from collections import deque
from typing import Any

from app import defaults
from app.execution import results
from app.statuses import HOST_ACTIVE, HOST_BAD, HOST_DONE, STEP_ACTIVE, STEP_BAD, STEP_RANK, HostStatus, RunStatus
from app.statuses import StepStatus as St

IN_FLIGHT = "running_task"  # a step's task that started on the host and has not reported yet


def render_diff(diff: Any) -> str:
    """Ansible's diff result (dict or list of dicts) as readable text."""
    if not diff:
        return ""
    items = diff if isinstance(diff, list) else [diff]
    parts: list[str] = []
    for item in items:
        if not isinstance(item, dict):
            parts.append(str(item))
            continue
        if item.get("prepared"):
            parts.append(str(item["prepared"]))
            continue
        before, after = item.get("before", ""), item.get("after", "")
        if isinstance(before, (dict, list)) or isinstance(after, (dict, list)):
            before = json.dumps(before, indent=2, sort_keys=True, default=str) + "\n"
            after = json.dumps(after, indent=2, sort_keys=True, default=str) + "\n"
        before, after = str(before or ""), str(after or "")
        if before == after:
            continue
        parts.append("".join(difflib.unified_diff(
            before.splitlines(keepends=True), after.splitlines(keepends=True),
            fromfile=str(item.get("before_header", "before")), tofile=str(item.get("after_header", "after")))))
    return "\n".join(p for p in parts if p)


class RunTracker:
    """Mutable view of one run's hosts; ``handle`` takes one ansible-runner event."""

    def __init__(self, hosts: dict[str, Any], steps: list[Any], check_mode: bool,
                 redact: results.Redact | None = None):
        self.hosts = hosts
        self.redact: results.Redact = redact or (lambda value: value)
        self.steps = {s.index: s for s in steps}
        self.by_play = {s.play: s for s in steps}
        self.check_mode = check_mode
        self.current_step: int | None = None
        self.current_task: str = ""
        self.stats: dict[str, Any] | None = None
        self.tail: deque[str] = deque(maxlen=40)  # last output lines, for the error text of a failed run
        self.unreachable: dict[str, str] = {}  # host -> its whole unreachable message (host key failures)
        self.refused: set[str] = set()  # hosts refused for a changed host key: failed, whatever the stats say
        self.touched: set[str] = set(hosts)  # hosts whose entry changed since ``take_touched`` (all at first)

    def _step_entry(self, host: str, index: int) -> dict[str, Any] | None:
        entry = self.hosts.get(host)
        if entry is None:
            return None
        for step in entry["steps"]:
            if step["step"] == index:
                return step
        return None

    def _raise(self, step: dict[str, Any], status: St) -> None:
        if STEP_RANK[status] >= STEP_RANK.get(St(step["status"]), 0):
            step["status"] = status

    def handle(self, event: dict[str, Any]) -> list[tuple[str, dict[str, Any], str | None, int | None]]:
        """Update state; return live events to emit as (kind, data, host, step)."""
        out: list[tuple[str, dict[str, Any], str | None, int | None]] = []
        kind = event.get("event", "")
        data = event.get("event_data") or {}
        if kind == "playbook_on_play_start":
            step = self.by_play.get(data.get("play") or data.get("name", ""))
            if step is not None:
                self.current_step = step.index
                self._settle_before(step.index)
                out.append(("step", {"step": step.index, "action": step.action, "total": len(self.steps)}, None,
                            step.index))
        elif kind == "playbook_on_task_start":
            self.current_task = data.get("task", "")
            out.append(("task", {"task": self.current_task}, None, self.current_step))
        elif kind in ("runner_on_start", "runner_on_ok", "runner_on_failed", "runner_on_unreachable",
                      "runner_on_skipped"):
            out.extend(self._host_event(kind, data))
        elif kind == "playbook_on_stats":
            self.stats = {k: data.get(k) or {} for k in ("ok", "changed", "failures", "dark", "skipped", "rescued",
                                                          "ignored", "processed")}
        stdout = event.get("stdout")
        if stdout and stdout.strip():
            self.tail.extend(stdout.strip().splitlines())
            out.append(("log", {"line": stdout}, data.get("host"), self.current_step))
        return out

    def _host_event(self, kind: str, data: dict[str, Any]):
        host = data.get("host")
        in_play = self.by_play.get(data.get("play", ""))
        index = in_play.index if in_play else self.current_step
        if host is None or index is None:
            return []
        step_info = self.steps.get(index)
        step = self._step_entry(host, index)
        if step is None:
            return []
        entry = self.hosts[host]
        self.touched.add(host)
        res = data.get("res") or {}
        if kind == "runner_on_start":
            if entry["status"] == HostStatus.PENDING:
                entry["status"] = HostStatus.RUNNING
            self._raise(step, St.RUNNING)
            step[IN_FLIGHT] = data.get("task", "") or "task"  # until its result arrives
            return [("host", {"host": host, "status": HostStatus.RUNNING, "task": data.get("task", "")}, host, index)]
        step.pop(IN_FLIGHT, None)
        if kind == "runner_on_ok":
            self._raise(step, St.CHANGED if res.get("changed") else St.OK)
            if res.get("changed"):
                step["changed"] = True
            if step_info is not None:
                answer = results.capture(res, step_info.result_fact, self.redact)
                if answer is not None:
                    step["result"] = answer
        elif kind == "runner_on_skipped":
            msg = str(res.get("msg") or data.get("skip_reason") or "")
            if self.check_mode and "check mode" in msg.lower():
                self._not_previewable(step, msg)
            else:
                self._raise(step, St.SKIPPED)
        elif kind == "runner_on_failed":
            if data.get("ignore_errors"):
                self._raise(step, St.OK)
            else:
                self._raise(step, St.FAILED)
                step["msg"] = str(res.get("msg") or res.get("stderr") or "failed")[:defaults.STEP_MESSAGE_CHARS]
                if step_info is None or not step_info.rollback:  # a rescued failure is not final for the host
                    entry["status"] = HostStatus.FAILED
        elif kind == "runner_on_unreachable":
            self._raise(step, St.UNREACHABLE)
            self.unreachable.setdefault(host, str(res.get("msg") or res.get("stderr") or ""))
            step["msg"] = str(res.get("msg") or "unreachable")[:defaults.STEP_MESSAGE_CHARS]
            entry["status"] = HostStatus.UNREACHABLE
        diff = render_diff(res.get("diff"))
        if diff:
            step["diff"] = (step.get("diff") or "") + diff
        task_status = {"runner_on_ok": St.CHANGED if res.get("changed") else St.OK, "runner_on_failed": St.FAILED,
                       "runner_on_unreachable": St.UNREACHABLE, "runner_on_skipped": St.SKIPPED}[kind]
        return [("task_result", {"host": host, "task": data.get("task", ""), "status": task_status,
                                 "step_status": step["status"]}, host, index)]

    def refuse(self, host: str, message: str) -> list[tuple[str, dict[str, Any], str | None, int | None]]:
        """After the run: ``host`` was unreachable because its host key changed; its unreachable step fails
        with ``message``, as a refusal before the run would have. Returns the live events to emit."""
        entry = self.hosts.get(host)
        if entry is None:
            return []
        step = next((st for st in entry["steps"] if st["status"] == St.UNREACHABLE), None)
        step = step or next((st for st in entry["steps"] if st["status"] not in STEP_BAD), None)
        if step is None:
            return []
        step["status"], step["msg"] = St.FAILED, message[:defaults.STEP_MESSAGE_CHARS]
        entry["status"] = HostStatus.FAILED
        self.refused.add(host)
        self.touched.add(host)
        return [("task_result", {"host": host, "task": "check the SSH host key", "status": St.FAILED,
                                 "step_status": St.FAILED}, host, step["step"]),
                ("log", {"line": f"fatal: [{host}]: {message}"}, host, step["step"])]

    def take_touched(self) -> set[str]:
        """The hosts whose entry changed since the last call (every host at the first call)."""
        touched, self.touched = self.touched, set()
        return touched

    def _settle_before(self, index: int) -> None:
        """A new play started: hosts whose steps all came before it are done (live host counters)."""
        for host, entry in self.hosts.items():
            if entry["status"] not in HOST_ACTIVE:
                continue
            if entry["steps"] and all(s["step"] < index for s in entry["steps"]):
                entry["status"] = self._host_status(host, entry)
                self.touched.add(host)

    def _not_previewable(self, step: dict[str, Any], reason: str) -> None:
        self._raise(step, St.NOT_PREVIEWABLE)
        step["previewable"] = False
        step["reason"] = reason

    def finish(self, runner_status: str, canceled: bool) -> RunStatus:
        """Settle every host and step; return the run's final status.

        A cancel or a timeout interrupts the steps that were running: they (and their hosts) end
        ``canceled`` / ``timed_out`` with the reason, and steps that never started end ``skipped``.
        """
        interrupted = St.CANCELED if canceled else St.TIMED_OUT if runner_status == "timeout" else None
        self.touched.update(self.hosts)
        for host, entry in self.hosts.items():
            for step in entry["steps"]:
                info = self.steps.get(step["step"])
                status = St(step["status"])
                task = step.pop(IN_FLIGHT, None)
                if interrupted is not None and (task or status is St.RUNNING) and status not in STEP_BAD:
                    step["status"] = interrupted
                    step["msg"] = (f"interrupted: the run was {'canceled' if canceled else 'timed out'} while "
                                   f"'{task or 'this step'}' ran")
                elif self.check_mode and info is not None and not info.previewable and status not in STEP_BAD:
                    self._not_previewable(step, info.not_previewable_reason)
                elif status in STEP_ACTIVE:
                    step["status"] = St.SKIPPED
                    step.setdefault("msg", f"not run: the run was {interrupted}" if interrupted else "not run")
            entry["status"] = self._host_status(host, entry)
            if self.stats and self.stats.get("rescued", {}).get(host):
                entry["rolled_back"] = True
        if canceled:
            return RunStatus.CANCELED
        if runner_status == "timeout":
            return RunStatus.TIMED_OUT
        statuses = [e["status"] for e in self.hosts.values()]
        bad = sum(1 for s in statuses if s in HOST_BAD)
        if runner_status not in ("successful", "failed") or not statuses:
            return RunStatus.FAILED
        if bad == 0:
            return RunStatus.SUCCESSFUL if runner_status == "successful" else RunStatus.FAILED
        return RunStatus.FAILED if bad == len(statuses) else RunStatus.PARTIAL

    def _host_status(self, host: str, entry: dict[str, Any]) -> HostStatus:
        steps = [St(s["status"]) for s in entry["steps"]]
        if host in self.refused:
            return HostStatus.FAILED
        if self.stats:
            if self.stats["dark"].get(host):
                return HostStatus.UNREACHABLE
            if self.stats["failures"].get(host):
                return HostStatus.FAILED
        if St.UNREACHABLE in steps:
            return HostStatus.UNREACHABLE
        if St.FAILED in steps:
            return HostStatus.FAILED
        if St.TIMED_OUT in steps:
            return HostStatus.TIMED_OUT
        if St.CANCELED in steps:
            return HostStatus.CANCELED
        if St.CHANGED in steps or any(s.get("changed") for s in entry["steps"]):
            return HostStatus.CHANGED
        if St.OK in steps or St.NOT_PREVIEWABLE in steps:
            return HostStatus.OK
        return HostStatus.SKIPPED

    def counters(self) -> dict[str, int]:
        c = {"done": 0, "failed": 0, "pending": 0, "running": 0}
        for e in self.hosts.values():
            s = e["status"]
            c["failed" if s in HOST_BAD else "done" if s in HOST_DONE else s if s in c else "pending"] += 1
        return c
