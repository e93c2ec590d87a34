"""Compile benchmark: a 10-step plan on --hosts hosts (default 1,000), pure and through the service's database path.

    .venv/bin/python benchmarks/bench_compile.py [--runs 20] [--hosts 1000]

Baseline: the pure compile (``compile_plan`` on ready HostSpecs; goal: median under 20 ms at 1,000 hosts).
Measured in the same run against it, on a SQLite database holding those hosts:
  service, first compile   ``app.services.plans.compile_body`` with an empty bundle cache: the inputs
                           fingerprint, the host specs from the asset database (inventory builder), the compile
  service, reused          the same call again: the fingerprint (a few indexed queries) finds the bundle
                           compiled before; nothing is recompiled
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from compiler import HostSpec, Plan, Step, compile_plan, load_policy  # noqa: E402

ACTIONS = [
    ("host.ping", {}), ("process.check", {"name": "stationcontroller"}), ("service.status", {"name": "nginx"}),
    ("service.stop", {"name": "nginx"}), ("file.copy", {"src": "/srv/new.conf", "dest": "/etc/app.conf"}),
    ("app.update", {"name": "stationcontroller", "source": "https://files.example/stationcontroller"}),
    ("service.start", {"name": "nginx"}), ("port.check", {"port": "443"}),
    ("http.check", {"url": "https://localhost/health"}), ("package.update", {"name": "openssl"}),
]


def build(n_hosts: int = 1000) -> tuple[Plan, list[HostSpec]]:
    hosts = [HostSpec(name=f"host-{i:04d}", os="windows" if i % 4 == 0 else "linux",
                      environment="production" if i % 2 else "staging",
                      vars={"ansible_host": f"10.{i // 250}.{i % 250}.10", "ansible_user": "ops"})
             for i in range(n_hosts)]
    names = [h.name for h in hosts]
    plan = Plan(steps=[Step(action=a, params=p, hosts=names) for a, p in ACTIONS], hosts=names, request="bench")
    return plan, hosts


def timed(fn, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def service_path(hosts: list[HostSpec], plan: Plan, runs: int) -> tuple[float, float, int]:
    """(median ms of a first compile through the service, median ms of a reused one, asset count)."""
    import logging
    import os
    import tempfile

    logging.disable(logging.INFO)
    from app.assets.io import import_document
    from app.db import dispose_all, session_scope, upgrade
    from app.services import bundles
    from app.services import plans as svc

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["OPSPLAN_VAR_DIR"] = str(Path(tmp) / "var")
        url = f"sqlite:///{Path(tmp) / 'compile.db'}"
        upgrade(url)
        doc = {"assets": [{"name": h.name, "address": h.vars["ansible_host"], "os": h.os,
                           "environment": h.environment, "groups": [f"g{i % 20}"]} for i, h in enumerate(hosts)]}
        with session_scope(url) as s:
            import_document(s, doc)
        body = plan.contract_json()

        def first() -> None:
            bundles.cache.clear()
            with session_scope(url) as s:
                svc.compile_body(s, body)

        def reused() -> None:
            with session_scope(url) as s:
                svc.compile_body(s, body)

        first()  # warm: imports, catalog, policy
        first_ms = statistics.median(timed(first, runs))
        reused_ms = statistics.median(timed(reused, runs))
        dispose_all()
    return first_ms, reused_ms, len(hosts)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--hosts", type=int, default=1000)
    args = parser.parse_args()
    plan, hosts = build(args.hosts)
    policy = load_policy()
    bundle = compile_plan(plan, hosts, policy)  # warm caches (role files, templates)
    compile_ms = statistics.median(timed(lambda: compile_plan(plan, hosts, policy), args.runs))
    first_ms, reused_ms, n = service_path(hosts, plan, args.runs)
    size = sum(len(v) for v in bundle.files.values())
    print(f"compile: {len(plan.steps)} steps x {n} hosts, {len(bundle.files)} files, {size / 1024:.0f} KiB; "
          f"median of {args.runs}")
    print(f"   baseline: pure compile_plan    {compile_ms:8.2f} ms  (goal < 20 ms at 1,000 hosts: "
          f"{'ok' if compile_ms < 20 or n != 1000 else 'MISSED'})")
    print(f"   service, first compile (DB)    {first_ms:8.2f} ms  {first_ms / compile_ms:5.2f}x the baseline "
          "(fingerprint + host specs from the asset DB + compile)")
    print(f"   service, reused (fingerprint)  {reused_ms:8.2f} ms  {reused_ms / compile_ms:5.2f}x the baseline "
          "(same inputs: no recompile)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
