#!/usr/bin/env python3
"""Service-time benchmark: work proportional to the plan, not to the fleet (issue 18, part 1).

    .venv/bin/python benchmarks/bench_service.py [--hosts 10000] [--small 16] [--requests 40] [--postgres]

Builds two fleets in fresh databases (SQLite; PostgreSQL too with --postgres and TEST_POSTGRES_URL): a small
one (16 assets) and a big one (10,000 assets, 200 groups), through the real import path. Then, through the
real Flask app (test client: the service time of each request, no network), measures:

* ``POST /api/v1/plans`` with a one-host text request (``ping host-00001``), interleaved on the small and
  big fleet, median of ``--requests``; baseline = the small fleet; goal big/small <= 1.3;
* the lifecycle of a plan on every host of the big fleet (10,000 hosts): ``POST /plans`` (structured
  service.restart on all hosts), ``POST /plans/{id}/preview`` (compiles, commits, enqueues on a private
  queue), the worker's part replaced by marking the preview successful in SQL (not timed), ``POST
  /plans/{id}/approve`` (a second user), ``POST /plans/{id}/runs`` (enqueue); goal: the four requests'
  service time under 3 s in total.

Needs Redis at REDIS_URL (default localhost:6379); the benchmark's queue keys are deleted at the end.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_inventory import generate  # noqa: E402

GOAL_RATIO = 1.3
GOAL_LIFECYCLE = 3.0


class Fleet:
    """One database with a generated fleet, an app and a token per user."""

    def __init__(self, label: str, url: str, hosts: int, var: Path, queue: str):
        from cryptography.fernet import Fernet

        from app import create_app
        from app.assets.io import import_document
        from app.auth import create_token, create_user
        from app.config import Settings
        from app.db import session_scope, upgrade
        from app.execution.keyring import publish_public_key

        self.label, self.url, self.hosts = label, url, hosts
        env = {"DATABASE_URL": url, "REDIS_URL": os.environ.get("REDIS_URL", "redis://localhost:6379/0"),
               "OPSPLAN_VAR_DIR": str(var), "OPSPLAN_QUEUE": queue}
        self.settings = Settings.from_env(env)
        upgrade(url)
        with session_scope(url) as s:
            publish_public_key(s, Fernet.generate_key())
        t0 = time.perf_counter()
        with session_scope(url) as s:
            import_document(s, generate(hosts, min(200, max(1, hosts // 4))))
        self.import_s = time.perf_counter() - t0
        self.tokens = {}
        with session_scope(url) as s:
            for name, role in (("op", "operator"), ("appr", "approver")):
                create_user(s, name, role)
                self.tokens[name] = create_token(s, name)[1]
        app = create_app(self.settings)
        app.config["TESTING"] = True
        self.client = app.test_client()

    def post(self, path: str, body: dict | None = None, user: str = "op") -> tuple[float, dict]:
        t0 = time.perf_counter()
        resp = self.client.post(path, json=body or {}, headers={"Authorization": f"Bearer {self.tokens[user]}"})
        elapsed = time.perf_counter() - t0
        data = resp.get_json()
        if resp.status_code >= 300:
            raise RuntimeError(f"{self.label} POST {path} -> {resp.status_code}: {data}")
        return elapsed, data

    def finish_preview(self, run_id: str) -> None:
        """The worker's part, not timed: the preview ends successful on every host."""
        from app.db import session_scope
        from app.services import plans, runs
        from app.statuses import HostStatus, PlanState, RunStatus

        with session_scope(self.url) as s:
            run = runs.get_run(s, run_id)
            run.status = RunStatus.SUCCESSFUL
            run.finished_at = datetime.now(UTC)
            run.hosts = {h: {**e, "status": HostStatus.OK} for h, e in run.hosts.items()}
            plans.get_plan(s, run.plan_id).state = PlanState.PREVIEWED


def post_plans(small: Fleet, big: Fleet, n: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {small.label: [], big.label: []}
    for fleet in (small, big):  # warm-up: imports, caches, first compile of templates
        fleet.post("/api/v1/plans", {"request": "ping host-00001"})
    for _ in range(n):
        for fleet in (small, big):
            elapsed, body = fleet.post("/api/v1/plans", {"request": "ping host-00001"})
            if body["status"] != "ready" or body["hosts"] != ["host-00001"]:
                raise RuntimeError(f"unexpected plan: {body}")
            times[fleet.label].append(elapsed)
    return times


def lifecycle(fleet: Fleet, index: int) -> dict[str, float]:
    """A new plan body each time (another service name), so its first compile is part of the measure."""
    body = {"plan": {"steps": [{"action": "service.restart", "params": {"name": f"opsplan-bench-{index}"},
                                "targets": {"all": True}}]}}
    out: dict[str, float] = {}
    out["POST /plans"], plan = fleet.post("/api/v1/plans", body)
    if plan["status"] != "ready" or len(plan["hosts"]) != fleet.hosts:
        raise RuntimeError(f"lifecycle plan is {plan['status']} with {len(plan['hosts'])} hosts")
    out["POST /plans/{id}/preview"], preview = fleet.post(f"/api/v1/plans/{plan['id']}/preview")
    fleet.finish_preview(preview["id"])
    out["POST /plans/{id}/approve"], _ = fleet.post(f"/api/v1/plans/{plan['id']}/approve", {"reason": "bench"},
                                                    user="appr")
    out["POST /plans/{id}/runs"], run = fleet.post(f"/api/v1/plans/{plan['id']}/runs")
    if run["status"] != "queued":
        raise RuntimeError(f"run is {run['status']}")
    return out


def clean_queue(redis_url: str, queue: str) -> None:
    with contextlib.suppress(Exception):
        from redis import Redis

        conn = Redis.from_url(redis_url, socket_connect_timeout=2)
        keys = list(conn.scan_iter(match=f"rq:*{queue}*", count=500))
        for key in list(conn.lrange(next((k for k in keys if k.startswith(b"rq:queue:")), b"none"), 0, -1)):
            keys.append(b"rq:job:" + key)
        if keys:
            conn.delete(*keys)


def bench(label: str, make_url, args) -> None:
    queue = "opsplan-bench-" + uuid.uuid4().hex[:8]
    with tempfile.TemporaryDirectory() as tmp:
        var = Path(tmp) / "var"
        var.mkdir()
        os.environ["OPSPLAN_VAR_DIR"] = str(var)
        small = Fleet(f"{args.small} assets", make_url(tmp, "small"), args.small, var, queue)
        big = Fleet(f"{args.hosts} assets", make_url(tmp, "big"), args.hosts, var, queue)
        try:
            times = post_plans(small, big, args.requests)
            life = [lifecycle(big, i) for i in range(args.lifecycles)]
        finally:
            clean_queue(big.settings.redis_url, queue)
    m_small, m_big = statistics.median(times[small.label]), statistics.median(times[big.label])
    ratio = m_big / m_small
    print(f"\n== {label}: {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}; fleets imported in "
          f"{small.import_s:.2f} s ({args.small}) and {big.import_s:.2f} s ({args.hosts})")
    print(f"POST /plans 'ping host-00001', median of {args.requests} interleaved (service time, Flask test client):")
    print(f"   baseline {args.small:>6} assets  {m_small * 1000:8.1f} ms   (p90 "
          f"{statistics.quantiles(times[small.label], n=10)[-1] * 1000:.1f} ms)")
    print(f"   fleet    {args.hosts:>6} assets  {m_big * 1000:8.1f} ms   (p90 "
          f"{statistics.quantiles(times[big.label], n=10)[-1] * 1000:.1f} ms)")
    print(f"   ratio {args.hosts}/{args.small} = {ratio:.2f}  (goal <= {GOAL_RATIO})  "
          f"{'PASS' if ratio <= GOAL_RATIO else 'MISS'}")
    totals = sorted(life, key=lambda d: sum(d.values()))
    mid = totals[(len(totals) - 1) // 2]  # the median run (the lower middle of an even count)
    print(f"lifecycle of a plan on all {args.hosts} hosts (service time per request; median of {len(life)} runs, "
          f"each a new plan body so its first compile counts):")
    for step, value in mid.items():
        print(f"   {step:<28} {value:7.3f} s")
    total = sum(mid.values())
    verdict = "PASS" if total < GOAL_LIFECYCLE else "MISS"
    print(f"   {'total':<28} {total:7.3f} s  (goal < {GOAL_LIFECYCLE} s)  {verdict}"
          f"   [every run: {', '.join(f'{sum(d.values()):.2f}' for d in life)} s]")


def main() -> int:
    import logging

    logging.disable(logging.INFO)  # the access and audit log lines of every request would drown the figures
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, default=10_000)
    parser.add_argument("--small", type=int, default=16)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--lifecycles", type=int, default=3)
    parser.add_argument("--postgres", action="store_true", help="also on PostgreSQL (TEST_POSTGRES_URL)")
    args = parser.parse_args()
    os.environ.pop("OPSPLAN_SECRET_KEY", None)
    from app.db import dispose_all

    bench("SQLite", lambda tmp, name: f"sqlite:///{Path(tmp) / (name + '.db')}", args)
    dispose_all()
    base = os.environ.get("TEST_POSTGRES_URL")
    if args.postgres and base:
        from benchmarks.scratch_db import scratch_postgres

        with contextlib.ExitStack() as made:
            def pg_url(_tmp: str, name: str) -> str:
                return made.enter_context(scratch_postgres(base, prefix=f"opsplan_bench_{name}_"))

            bench("PostgreSQL", pg_url, args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
