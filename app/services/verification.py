"""Verification of a changing run (CONTRACT 8): the same bundle in check mode right after it, per host.

    converged       nothing left to change
    drift           a change would still be made (the action is not idempotent, or something else changes
                    the host)
    not_verifiable  the steps cannot run in check mode
    unreachable / failed   the check itself could not run there
"""
from __future__ import annotations

from enum import StrEnum
from typing import Any

from app.statuses import RunStatus, StepStatus


class Verdict(StrEnum):
    PENDING = "pending"
    CONVERGED = "converged"
    DRIFT = "drift"
    NOT_VERIFIABLE = "not_verifiable"
    UNREACHABLE = "unreachable"
    FAILED = "failed"


def host_verdict(entry: dict[str, Any]) -> Verdict:
    statuses = [StepStatus(s["status"]) for s in entry.get("steps", [])]
    if StepStatus.UNREACHABLE in statuses:
        return Verdict.UNREACHABLE
    if StepStatus.FAILED in statuses:
        return Verdict.FAILED
    if StepStatus.CHANGED in statuses or any(s.get("changed") for s in entry.get("steps", [])):
        return Verdict.DRIFT
    if statuses and all(s in (StepStatus.NOT_PREVIEWABLE, StepStatus.SKIPPED) for s in statuses):
        return Verdict.NOT_VERIFIABLE
    if any(s in (StepStatus.PENDING, StepStatus.RUNNING) for s in statuses):
        return Verdict.PENDING
    return Verdict.CONVERGED


def summary(run_id: str, status: RunStatus, hosts: dict[str, Any]) -> dict[str, Any]:
    """The ``verification`` object of Run JSON, from the verification run."""
    verdicts = {h: host_verdict(e) for h, e in sorted(hosts.items())}
    if not status.finished:
        overall = Verdict.PENDING
    elif status in (RunStatus.FAILED, RunStatus.CANCELED, RunStatus.TIMED_OUT) and not verdicts:
        overall = Verdict.FAILED
    elif Verdict.DRIFT in verdicts.values():
        overall = Verdict.DRIFT
    elif {Verdict.FAILED, Verdict.UNREACHABLE} & set(verdicts.values()):
        overall = Verdict.FAILED
    elif verdicts and all(v is Verdict.NOT_VERIFIABLE for v in verdicts.values()):
        overall = Verdict.NOT_VERIFIABLE
    else:
        overall = Verdict.CONVERGED
    return {"status": overall, "run_id": run_id, "hosts": verdicts}
