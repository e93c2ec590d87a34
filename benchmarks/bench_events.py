#!/usr/bin/env python3
"""Event capacity: a synthetic ansible-runner event stream through the real persistence path, as fast as it goes.

    .venv/bin/python benchmarks/bench_events.py [--hosts 64] [--steps 20] [--no-postgres]

Creates a run of a ``--steps``-step plan on ``--hosts`` hosts (a fresh database: SQLite, and PostgreSQL when
TEST_POSTGRES_URL is set), then feeds ansible-runner-shaped events (play start, task start, and per host
runner_on_start and runner_on_ok with a line of stdout and a small result) into the worker's own objects,
wired as ``app.execution.executor.run_bundle`` wires them: ``EventHandler`` -> ``RunTracker`` (per-host,
per-step state) -> ``EventRecorder`` (batched inserts from its background thread, the run's host view saved
with each batch, Redis publish). The clock stops when ``recorder.close()`` has written the last batch.

Prints the runner events fed, the events persisted (rows in run_events), and events persisted per second;
baseline in the same run: a bare executemany INSERT of the same number of rows into the same table (the
database's own ceiling here). Goal: >= 5,000 events/s persisted on 2 cores.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

GOAL = 5000


def stream(steps: int, hosts: list[str]):
    for index in range(1, steps + 1):
        play = f"step {index}: host.ping"
        yield {"event": "playbook_on_play_start", "event_data": {"play": play, "name": play}}
        task = "Run host.ping"
        yield {"event": "playbook_on_task_start", "event_data": {"play": play, "task": task},
               "stdout": f"\nTASK [{task}] " + "*" * 60}
        for host in hosts:
            yield {"event": "runner_on_start", "event_data": {"play": play, "task": task, "host": host}}
        for host in hosts:
            yield {"event": "runner_on_ok", "stdout": f"ok: [{host}]",
                   "event_data": {"play": play, "task": task, "host": host,
                                  "res": {"changed": False, "ping": "pong", "_ansible_no_log": False}}}
    yield {"event": "playbook_on_stats", "event_data": {"ok": {h: steps for h in hosts}, "changed": {},
                                                         "failures": {}, "dark": {}, "skipped": {}}}


def bench(label: str, url: str, args) -> None:
    from sqlalchemy import func, insert, select

    from app.config import Settings
    from app.db import dispose_all, session_scope, upgrade
    from app.db.models import Run, RunEvent
    from app.execution.callbacks import EventHandler
    from app.execution.events import EventRecorder, Redactor
    from app.execution.tracker import RunTracker
    from app.services import plans, runs
    from app.services.planning import plan_from_structure
    from tests.harness.services import PrivateRedis, redis_reachable

    upgrade(url)
    names = [f"host-{i:03d}" for i in range(args.hosts)]
    doc_assets = [{"name": n, "address": f"10.9.{i // 250}.{i % 250 + 1}"} for i, n in enumerate(names)]
    from app.assets.io import import_document

    with session_scope(url) as s:
        import_document(s, {"assets": doc_assets})
        steps = [{"action": "host.ping", "params": {}, "targets": {"hosts": names}} for _ in range(args.steps)]
        row = plans.create_plan(s, plan_from_structure(s, {"steps": steps}), "bench")
        run = runs.create_preview(s, row.id, "bench")
        run_id, hosts_view = run.id, run.hosts
        _rev, bundle = plans.ready_bundle(s, row)
    redis_url = os.environ.get("REDIS_URL", "redis://localhost:6379/0")
    private = None
    if not redis_reachable(redis_url):
        private = PrivateRedis(Path(tempfile.mkdtemp()) / "redis").start()
        redis_url = private.url
    settings = Settings.from_env({"DATABASE_URL": url, "REDIS_URL": redis_url})
    try:
        tracker = RunTracker(hosts_view, bundle.steps, check_mode=True)
        recorder = EventRecorder(settings.database_url, settings.redis_url, run_id)
        recorder.redact = tracker.redact = Redactor(["not-a-real-secret-value"])
        handler = EventHandler(tracker, recorder)
        recorder.start_background()
        fed = 0
        t0 = time.perf_counter()
        for event in stream(args.steps, names):
            handler(event)
            fed += 1
        t_fed = time.perf_counter() - t0
        recorder.close()
        elapsed = time.perf_counter() - t0
        with session_scope(url) as s:
            stored = s.scalar(select(func.count()).select_from(RunEvent).where(RunEvent.run_id == run_id))
            saved_ok = sum(1 for e in s.get(Run, run_id).hosts.values()
                           for st in e["steps"] if st["status"] == "ok")
        # baseline: the same number of rows, one executemany INSERT (no tracking, no Redis, no batching)
        with session_scope(url) as s:
            base = runs.create_preview(s, row.id, "bench").id
        rows = [{"run_id": base, "seq": i + 1, "kind": "log", "host": names[i % len(names)], "step": 1,
                 "data": {"line": f"ok: [{names[i % len(names)]}]"}} for i in range(stored)]
        t1 = time.perf_counter()
        with session_scope(url) as s:
            s.execute(insert(RunEvent), rows)
        t_base = time.perf_counter() - t1
    finally:
        if private is not None:
            private.stop()
        dispose_all()
    rate, base_rate = stored / elapsed, stored / t_base
    print(f"\n== {label}: {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}; "
          f"{args.hosts} hosts x {args.steps} steps")
    print(f"   runner events fed {fed} in {t_fed:.2f} s; events persisted {stored} (+ host view: {saved_ok} steps ok)"
          f" in {elapsed:.2f} s")
    print(f"   persisted {rate:,.0f} events/s   (goal >= {GOAL:,}: {'PASS' if rate >= GOAL else 'MISS'})")
    print(f"   baseline: one executemany INSERT of {stored} rows: {base_rate:,.0f} rows/s; "
          f"ratio path/baseline {rate / base_rate:.2f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, default=64)
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    import logging

    logging.disable(logging.INFO)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["OPSPLAN_VAR_DIR"] = str(Path(tmp) / "var")
        bench("SQLite", f"sqlite:///{Path(tmp) / 'events.db'}", args)
    base = os.environ.get("TEST_POSTGRES_URL")
    if base and not args.no_postgres:
        from benchmarks.scratch_db import scratch_postgres

        with scratch_postgres(base) as url, tempfile.TemporaryDirectory() as tmp:
            os.environ["OPSPLAN_VAR_DIR"] = str(Path(tmp) / "var")
            bench("PostgreSQL", url, args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
