"""Prometheus metrics, computed from the database and Redis at scrape time (so every web process and
worker agrees), plus the planner latency histogram observed in this process.

    with planner_timer(): ...         # around planning, in the web process (or observe_planner(seconds))
    render(settings) -> bytes         # the /metrics body (text exposition format)

No label carries a secret, a host name or an address: only states, statuses, modes, queue roles and zones.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import lru_cache

from prometheus_client import CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily, Metric
from sqlalchemy import func, select

from app.config import Settings
from app.db.models import Plan, PlanRevision, Run, WebhookDelivery
from app.db.session import session_scope

log = logging.getLogger(__name__)

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
DURATION_BUCKETS = (1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, float("inf"))
RECENT_RUNS = 1000

PLANNER_REGISTRY = CollectorRegistry(auto_describe=True)
PLANNER_LATENCY = Histogram(
    "opsplan_planner_latency_seconds", "Time to turn a request into a plan (this web process)",
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60), registry=PLANNER_REGISTRY,
)


@contextmanager
def planner_timer() -> Iterator[None]:
    """``with planner_timer(): plan = plan_request(...)`` observes the planning time, even on error."""
    started = time.monotonic()
    try:
        yield
    finally:
        observe_planner(time.monotonic() - started)


def observe_planner(seconds: float) -> None:
    """Record one planning duration; never raises."""
    try:
        PLANNER_LATENCY.observe(max(0.0, float(seconds)))
    except Exception:
        log.debug("planner latency not recorded", exc_info=True)


class OpsplanCollector:
    """Reads plans, runs and deliveries from the database and queue depth and workers from Redis."""

    def __init__(self, settings: Settings):
        self.settings = settings

    def collect(self) -> Iterable[Metric]:
        yield from self._database()
        yield from self._redis()

    # --- database ------------------------------------------------------------------------------

    def _database(self) -> Iterable[Metric]:
        up = GaugeMetricFamily("opsplan_database_up", "1 when the database answered this scrape")
        try:
            families = list(self._db_families())
        except Exception as exc:  # noqa: BLE001 - a scrape reports the database as down, never fails
            log.warning("metrics: database unavailable: %s", type(exc).__name__)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families

    def _db_families(self) -> Iterable[Metric]:
        with session_scope(self.settings.database_url) as s:
            by_state = s.execute(select(Plan.state, func.count()).group_by(Plan.state)).all()
            by_status = s.execute(
                select(PlanRevision.status, func.count()).join(
                    Plan, (Plan.id == PlanRevision.plan_id) & (Plan.current_revision == PlanRevision.number))
                .group_by(PlanRevision.status)).all()
            runs = s.execute(select(Run.mode, Run.status, func.count()).group_by(Run.mode, Run.status)).all()
            recent = s.execute(
                select(Run.mode, Run.started_at, Run.finished_at)
                .where(Run.started_at.is_not(None), Run.finished_at.is_not(None))
                .order_by(Run.finished_at.desc()).limit(RECENT_RUNS)).all()
            deliveries = s.execute(select(WebhookDelivery.status, func.count())
                                   .group_by(WebhookDelivery.status)).all()
        plans = GaugeMetricFamily("opsplan_plans", "Plans by lifecycle state", labels=["state"])
        for state, n in sorted(by_state):
            plans.add_metric([state], n)
        yield plans
        planner = GaugeMetricFamily("opsplan_plans_by_status", "Plans by planner status of their current revision",
                                    labels=["status"])
        for status, n in sorted(by_status):
            planner.add_metric([status], n)
        yield planner
        total = GaugeMetricFamily("opsplan_runs_total", "Previews (mode=check) and runs (mode=run) by status",
                                  labels=["mode", "status"])
        for mode, status, n in sorted(runs):
            total.add_metric([mode, status], n)
        yield total
        yield _duration_histogram(recent)
        hooks = GaugeMetricFamily("opsplan_webhook_deliveries", "Webhook deliveries by status", labels=["status"])
        for status, n in sorted(deliveries):
            hooks.add_metric([status], n)
        yield hooks

    # --- redis ----------------------------------------------------------------------------------

    def _redis(self) -> Iterable[Metric]:
        up = GaugeMetricFamily("opsplan_redis_up", "1 when Redis answered this scrape")
        depth = GaugeMetricFamily("opsplan_queue_depth", "Jobs waiting in the RQ queue", labels=["queue"])
        workers = GaugeMetricFamily("opsplan_workers", "Live RQ workers listening on the run queues")
        by_zone = GaugeMetricFamily("opsplan_zone_workers", "Live workers serving each execution zone",
                                    labels=["zone"])
        zone_queued = GaugeMetricFamily("opsplan_zone_queue_depth", "Run jobs (or zone parts) waiting per zone",
                                        labels=["zone"])
        try:
            from rq import Queue

            from app.queue import (
                live_workers,
                live_workers_by_zone,
                notify_queue_name,
                run_queue_name,
                zone_queue_name,
            )

            names = {"runs": run_queue_name(self.settings), "notify": notify_queue_name(self.settings)}
            conn = _redis(self.settings.redis_url)
            conn.ping()
            counts = {role: Queue(name, connection=conn).count for role, name in names.items()}
            live = len(live_workers(self.settings, conn))
            zones = live_workers_by_zone(self.settings, conn, self._zones())
            zone_depth = {z: Queue(zone_queue_name(self.settings, z), connection=conn).count for z in zones}
        except Exception as exc:  # noqa: BLE001 - a scrape reports Redis as down, never fails
            log.warning("metrics: Redis unavailable: %s", type(exc).__name__)
            up.add_metric([], 0)
            for role in ("runs", "notify"):
                depth.add_metric([role], 0)
            workers.add_metric([], 0)
        else:
            up.add_metric([], 1)
            for role, n in counts.items():
                depth.add_metric([role], n)
            workers.add_metric([], live)
            for zone, n in zones.items():
                by_zone.add_metric([zone], n)
                zone_queued.add_metric([zone], zone_depth[zone])
        yield up
        yield depth
        yield workers
        yield by_zone
        yield zone_queued

    def _zones(self) -> list[str]:
        """The zones assets name (each gets a gauge, 0 when no worker serves it); none when the database is down."""
        try:
            from app.services.zones import known_zones

            with session_scope(self.settings.database_url) as s:
                return known_zones(s)
        except Exception:  # noqa: BLE001 - the database's own gauge reports it down
            return []


def _duration_histogram(rows) -> HistogramMetricFamily:
    family = HistogramMetricFamily("opsplan_run_duration_seconds",
                                   f"Duration of the last {RECENT_RUNS} finished previews and runs", labels=["mode"])
    by_mode: dict[str, list[float]] = {}
    for mode, started, finished in rows:
        by_mode.setdefault(mode, []).append(max(0.0, (finished - started).total_seconds()))
    for mode in ("check", "run"):
        values = by_mode.get(mode, [])
        buckets = [(_le(b), sum(1 for v in values if v <= b)) for b in DURATION_BUCKETS]
        family.add_metric([mode], buckets, sum(values))
    return family


def _le(bound: float) -> str:
    return "+Inf" if bound == float("inf") else str(float(bound))


@lru_cache(maxsize=8)
def _redis(url: str):
    from redis import Redis

    return Redis.from_url(url, socket_connect_timeout=1, socket_timeout=2)


class _PlannerCollector:
    def collect(self) -> Iterable[Metric]:
        return PLANNER_REGISTRY.collect()


def render(settings: Settings) -> bytes:
    """The text exposition of every Opsplan metric; never raises for a down database or Redis."""
    started = time.monotonic()
    registry = CollectorRegistry(auto_describe=False)
    registry.register(OpsplanCollector(settings))
    registry.register(_PlannerCollector())
    scrape = GaugeMetricFamily("opsplan_scrape_duration_seconds", "Time this scrape took")

    class _Scrape:
        def collect(self):
            scrape.add_metric([], time.monotonic() - started)
            yield scrape

    registry.register(_Scrape())
    return generate_latest(registry)
