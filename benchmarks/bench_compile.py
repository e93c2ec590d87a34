"""Compile benchmark: a 10-step plan for 1,000 hosts (goal: median under 20 ms).

    .venv/bin/python benchmarks/bench_compile.py [--runs 30]

Prints the median compile time and its ratio against baselines measured in the same run:
yaml.safe_dump (libyaml CSafeDumper when available) of the same play dicts, and json.dumps of them.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import yaml  # noqa: E402

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


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--hosts", type=int, default=1000)
    args = parser.parse_args()
    plan, hosts = build(args.hosts)
    policy = load_policy()
    bundle = compile_plan(plan, hosts, policy)  # warm caches (role files, templates)
    plays = yaml.safe_load(bundle.files["site.yml"])
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

    compile_ms = statistics.median(timed(lambda: compile_plan(plan, hosts, policy), args.runs))
    yaml_ms = statistics.median(timed(lambda: yaml.dump(plays, Dumper=dumper, sort_keys=False), args.runs))
    json_ms = statistics.median(timed(lambda: json.dumps(plays), args.runs))
    size = sum(len(v) for v in bundle.files.values())
    print(f"compile_plan: {len(plan.steps)} steps x {len(hosts)} hosts, {len(bundle.files)} files, "
          f"{size / 1024:.0f} KiB")
    print(f"median compile      {compile_ms:8.2f} ms  (goal < 20 ms: {'ok' if compile_ms < 20 else 'MISSED'})")
    print(f"median yaml.dump    {yaml_ms:8.2f} ms  ({dumper.__name__} of the same plays) "
          f"-> compile/yaml ratio {compile_ms / yaml_ms:.2f}")
    print(f"median json.dumps   {json_ms:8.2f} ms  -> compile/json ratio {compile_ms / json_ms:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
