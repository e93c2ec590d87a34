"""Every status and state the service stores or returns, as ``StrEnum``s with their groupings.

One place for the vocabulary of runs, hosts, steps and plans: the database columns map to these types,
the API schemas derive their enums from them, and the faces and the worker test membership with the
groupings below instead of keeping their own string sets.
"""
from __future__ import annotations

from enum import StrEnum

# the planner's status and the risk scale belong to the compiler (a pure library); re-exported here
from compiler.models import PlanStatus as PlanStatus
from compiler.models import Risk as Risk


class RunMode(StrEnum):
    CHECK = "check"
    RUN = "run"


class RunStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCESSFUL = "successful"
    PARTIAL = "partial"
    FAILED = "failed"
    CANCELED = "canceled"
    TIMED_OUT = "timed_out"

    @property
    def finished(self) -> bool:
        return self not in ACTIVE_RUN

    @property
    def usable_preview(self) -> bool:
        """A preview that ended like this may be approved."""
        return self in (RunStatus.SUCCESSFUL, RunStatus.PARTIAL)


ACTIVE_RUN = frozenset({RunStatus.QUEUED, RunStatus.RUNNING})


class HostStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    OK = "ok"
    CHANGED = "changed"
    SKIPPED = "skipped"
    FAILED = "failed"
    UNREACHABLE = "unreachable"
    CANCELED = "canceled"
    TIMED_OUT = "timed_out"


class StepStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    SKIPPED = "skipped"
    OK = "ok"
    CHANGED = "changed"
    NOT_PREVIEWABLE = "not_previewable"
    CANCELED = "canceled"
    TIMED_OUT = "timed_out"
    FAILED = "failed"
    UNREACHABLE = "unreachable"


# Host groupings (the run page's counters, relaunch, the CLI's summary)
HOST_DONE = frozenset({HostStatus.OK, HostStatus.CHANGED, HostStatus.SKIPPED})
HOST_BAD = frozenset({HostStatus.FAILED, HostStatus.UNREACHABLE})
HOST_INTERRUPTED = frozenset({HostStatus.CANCELED, HostStatus.TIMED_OUT})
HOST_ACTIVE = frozenset({HostStatus.PENDING, HostStatus.RUNNING})
# hosts a relaunch may run again: everything that did not succeed
HOST_NOT_SUCCEEDED = HOST_BAD | HOST_INTERRUPTED | HOST_ACTIVE

# Step severity: a step's status only ever moves up this order while a run lasts
STEP_RANK = {status: rank for rank, status in enumerate(StepStatus)}
STEP_BAD = frozenset({StepStatus.FAILED, StepStatus.UNREACHABLE})
STEP_ACTIVE = frozenset({StepStatus.PENDING, StepStatus.RUNNING})


class PlanState(StrEnum):
    """Lifecycle of a stored plan (independent of the planner's ready/needs_clarification/rejected)."""

    DRAFT = "draft"
    PREVIEWED = "previewed"
    APPROVED = "approved"
    REJECTED = "rejected"
    RUNNING = "running"
    FINISHED = "finished"


class Decision(StrEnum):
    APPROVED = "approved"
    REJECTED = "rejected"


class Role(StrEnum):
    VIEWER = "viewer"
    OPERATOR = "operator"
    APPROVER = "approver"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return list(Role).index(self)

    def allows(self, minimum: Role) -> bool:
        return self.rank >= minimum.rank


class OsFamily(StrEnum):
    LINUX = "linux"
    WINDOWS = "windows"


class CredentialKind(StrEnum):
    SSH_KEY = "ssh_key"
    PASSWORD = "password"
    WINRM = "winrm"


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"
