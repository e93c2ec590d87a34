#!/usr/bin/env python3
"""Concurrency benchmark: 32 clients POST /plans at once against the real web service (issue 18, part 2).

    .venv/bin/python benchmarks/bench_concurrency.py [--clients 32] [--requests 20] [--hosts 1000] [--workers N]
                                                     [--no-sqlite] [--no-postgres]

For each database (PostgreSQL when TEST_POSTGRES_URL is set, and SQLite in WAL mode): a fresh database with a
generated fleet (``--hosts`` assets), then ``python -m app serve`` (gunicorn; ``OPSPLAN_WEB_WORKERS`` =
``--workers``, default: the setting's own default from the core count) on a free port. ``--clients`` client
threads, spread over 4 client processes (so the client's GIL is not the bottleneck), each send ``--requests``
one-host text plans (``ping host-NNNNN``, a different host each time) over keep-alive connections.

Prints, per database: requests, errors (any non-201 or connection failure), throughput, latency p50/p95/p99/max
(client-side wall time of each request), and the same requests sent one at a time by a single client first
(the baseline: p50 without contention). Goal: no error, POST /plans p99 < 500 ms on PostgreSQL.
The clients and the server share this machine's cores: on a 2-core machine the figures include that contention.
"""
from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_inventory import generate  # noqa: E402

GOAL_P99_MS = 500.0


def _client(port: int, token: str, hosts: int, start: int, count: int, threads: int, out) -> None:
    """One client process: ``threads`` threads, ``count`` requests each; puts [(ok, seconds, status)]."""
    import threading

    results: list[tuple[bool, float, int]] = []
    lock = threading.Lock()

    def work(t: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        local = []
        for i in range(count):
            host = f"host-{(start + t * count + i) % hosts:05d}"
            body = json.dumps({"request": f"ping {host}"})
            t0 = time.perf_counter()
            try:
                conn.request("POST", "/api/v1/plans", body=body, headers={
                    "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
                resp = conn.getresponse()
                resp.read()
                local.append((resp.status == 201, time.perf_counter() - t0, resp.status))
            except (OSError, http.client.HTTPException):
                local.append((False, time.perf_counter() - t0, 0))
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        conn.close()
        with lock:
            results.extend(local)

    ts = [threading.Thread(target=work, args=(t,)) for t in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    out.put(results)


def load(port: int, token: str, hosts: int, clients: int, requests: int, procs: int = 4) -> tuple[list, float]:
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    per = [clients // procs + (1 if i < clients % procs else 0) for i in range(procs)]
    workers = [ctx.Process(target=_client, args=(port, token, hosts, 1000 * i, requests, n, queue))
               for i, n in enumerate(per) if n]
    t0 = time.perf_counter()
    for w in workers:
        w.start()
    results: list = []
    for _ in workers:
        results.extend(queue.get())
    wall = time.perf_counter() - t0
    for w in workers:
        w.join()
    return results, wall


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(p / 100 * len(ordered))) - 1))]


def serve(url: str, var: Path, workers: int | None, log: Path) -> tuple[subprocess.Popen, int]:
    from tests.harness.services import free_port

    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "OPSPLAN_SECRET_KEY"}
    env.update({"DATABASE_URL": url, "OPSPLAN_VAR_DIR": str(var)})
    if workers:
        env["OPSPLAN_WEB_WORKERS"] = str(workers)
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "app", "serve", "--host", "127.0.0.1", "--port", str(port)],
                                env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True, cwd=ROOT)
    deadline = time.monotonic() + 60
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"serve exited: {log.read_text()[-1500:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as resp:
                if resp.status == 200:
                    return proc, port
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError("serve did not answer /health within 60 s")
        time.sleep(0.2)


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)


def bench(label: str, url: str, args) -> None:
    from cryptography.fernet import Fernet

    from app.assets.io import import_document
    from app.auth import create_token, create_user
    from app.config import Settings
    from app.db import dispose_all, session_scope, upgrade
    from app.execution.keyring import publish_public_key

    with tempfile.TemporaryDirectory() as tmp:
        var = Path(tmp) / "var"
        var.mkdir()
        os.environ["OPSPLAN_VAR_DIR"] = str(var)
        url = url.replace("{tmp}", tmp)
        upgrade(url)
        with session_scope(url) as s:
            publish_public_key(s, Fernet.generate_key())
            import_document(s, generate(args.hosts, min(200, args.hosts // 4)))
            create_user(s, "op", "operator")
            token = create_token(s, "op")[1]
        dispose_all()
        proc, port = serve(url, var, args.workers, Path(tmp) / "serve.log")
        try:
            workers = args.workers or Settings.from_env({}).web_workers
            _warm, _ = load(port, token, args.hosts, 4 * workers, 4)  # every worker process serves a few first
            base, base_wall = load(port, token, args.hosts, 1, args.requests * 2, procs=1)
            results, wall = load(port, token, args.hosts, args.clients, args.requests)
        finally:
            stop(proc)
    ok = [s for good, s, _ in results if good]
    errors = [(st, round(s, 2)) for good, s, st in results if not good]
    lat = [s * 1000 for _, s, _ in results]
    base_ms = [s * 1000 for _, s, _ in base]
    p99 = pct(lat, 99)
    print(f"\n== {label}: {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}, {args.hosts} assets, "
          f"{workers} gunicorn workers x {Settings.from_env({}).web_threads} threads")
    print(f"   baseline: 1 client, {len(base)} requests one at a time: p50 {pct(base_ms, 50):.0f} ms, "
          f"p99 {pct(base_ms, 99):.0f} ms ({len(base) / base_wall:.1f} req/s)")
    print(f"   {args.clients} clients x {args.requests} requests: {len(results)} requests, {len(errors)} errors, "
          f"{len(ok) / wall:.1f} req/s")
    ratio = pct(lat, 50) / pct(base_ms, 50)
    print(f"   latency p50 {pct(lat, 50):.0f} ms, p95 {pct(lat, 95):.0f} ms, p99 {p99:.0f} ms, max {max(lat):.0f} ms "
          f"(mean {statistics.mean(lat):.0f} ms); p50 ratio to the single client {ratio:.1f}x")
    verdict = "PASS" if not errors and p99 < GOAL_P99_MS else "MISS"
    shown = f"  errors: {errors[:5]}" if errors else ""
    print(f"   goal: no error and p99 < {GOAL_P99_MS:.0f} ms: {verdict}{shown}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--requests", type=int, default=20, help="requests per client")
    parser.add_argument("--hosts", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=None, help="OPSPLAN_WEB_WORKERS (default: its default)")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    os.environ.pop("OPSPLAN_SECRET_KEY", None)
    base = os.environ.get("TEST_POSTGRES_URL")
    if base and not args.no_postgres:
        from benchmarks.scratch_db import scratch_postgres

        with scratch_postgres(base) as url:
            bench("PostgreSQL", url, args)
    elif not args.no_postgres:
        print("(PostgreSQL skipped: TEST_POSTGRES_URL is not set)")
    if not args.no_sqlite:
        bench("SQLite (WAL)", "sqlite:///{tmp}/bench.db", args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
