"""Execution zones (CONTRACT 10): each asset names a zone, and only the workers serving a zone contact its hosts.

A run whose hosts span zones runs zone by zone as one run: its part in the first zone (default first, then
by name) is queued on that zone's queue; the worker that takes it runs only that zone's hosts, records the
part (``Run.zone_parts``: which worker ran which hosts) and queues the part of the next zone that still has
pending hosts. Used by the web side (which zone a new run starts in, what a waiting run says) and by the
workers (which hosts a part runs, which zone comes next).
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from redis.exceptions import RedisError
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.config import Settings
from app.db.models import Asset, Run
from app.queue import DEFAULT_ZONE, live_workers_by_zone, zone_order
from app.statuses import HostStatus, RunStatus

_CHUNK = 500


def host_zones(session: Session, names: Iterable[str]) -> dict[str, str]:
    """The current zone of each named asset (a name without an asset is left out)."""
    names = sorted(set(names))
    out: dict[str, str] = {}
    for i in range(0, len(names), _CHUNK):
        rows = session.execute(select(Asset.name, Asset.zone).where(Asset.name.in_(names[i:i + _CHUNK])))
        out.update({name: zone or DEFAULT_ZONE for name, zone in rows})
    return out


def pending_hosts(hosts: dict[str, Any]) -> list[str]:
    """Hosts of a run that no part has run yet."""
    return sorted(h for h, e in hosts.items() if e.get("status") == HostStatus.PENDING)


def next_zone(session: Session, hosts: dict[str, Any]) -> str | None:
    """The zone whose part runs next: the first zone (in run order) of a host still pending; None when done."""
    zones = set(host_zones(session, pending_hosts(hosts)).values())
    return min(zones, key=zone_order) if zones else None


def part_hosts(session: Session, hosts: dict[str, Any], zone: str) -> list[str]:
    """The pending hosts of a run that are in ``zone`` now (an asset's zone is read when its part starts)."""
    return sorted(h for h, z in host_zones(session, pending_hosts(hosts)).items() if z == zone)


def start_zone(session: Session, run: Run) -> str:
    """Set and return the zone a new run's first part is queued in."""
    run.zone = next_zone(session, run.hosts or {}) or DEFAULT_ZONE
    return run.zone


def waiting_message(settings: Settings, zone: str | None) -> str:
    """What a queued run (or part) waits for: a live worker of its zone, or just its turn."""
    zone = zone or DEFAULT_ZONE
    try:
        live = live_workers_by_zone(settings).get(zone, 0)
    except (RedisError, OSError) as exc:
        return f"waiting for the job queue (Redis is unavailable: {type(exc).__name__})"
    if not live:
        return (f"waiting for a worker of zone '{zone}': no live worker serves it "
                f"(start one with: opsplan worker --zone {zone})")
    return f"queued in zone '{zone}' ({live} live worker{'s' if live != 1 else ''})"


def status_message(settings: Settings | None, run: Run) -> str:
    """The Run JSON ``status_message``: set while the run (or its next zone part) is queued."""
    if settings is None or run.status != RunStatus.QUEUED:
        return ""
    return waiting_message(settings, run.zone)


def combine(statuses: list[RunStatus]) -> RunStatus:
    """A run's status from its zone parts' statuses: all alike -> that; a cancel or a timeout ends the run
    with it; all successful -> successful; otherwise partial (some zones' hosts failed, others did not)."""
    if not statuses:
        return RunStatus.FAILED
    if len(set(statuses)) == 1:
        return statuses[0]
    for stop in (RunStatus.CANCELED, RunStatus.TIMED_OUT):
        if stop in statuses:
            return stop
    return RunStatus.PARTIAL


def known_zones(session: Session) -> list[str]:
    """Every zone an asset names, plus the default zone, in run order."""
    names = {z for z in session.execute(select(Asset.zone).distinct()).scalars() if z} | {DEFAULT_ZONE}
    return sorted(names, key=zone_order)
