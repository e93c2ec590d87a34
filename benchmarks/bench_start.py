#!/usr/bin/env python3
"""Start-up benchmark: one-shot commands as ratios to a bare ``python -c "import sqlalchemy"`` (issue 18, part 4).

    .venv/bin/python benchmarks/bench_start.py [--hosts 10000] [--rounds 7]

Builds a SQLite database with a generated fleet (``--hosts`` assets, 200 groups) through the real import path,
then runs, interleaved per round (so a load spike hits every variant alike), each as a fresh process:

  baseline   python -c "import sqlalchemy"
  plan       opsplan plan --json "ping host-00001"       (the console script; goal <= 3x the baseline)
  inventory  python inventory/opsplan_inventory.py --list (the whole fleet as JSON; goal <= 2x the baseline)

and prints the median wall time of each and its ratio to the baseline's median, with the host count.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_inventory import generate  # noqa: E402

BIN = Path(sys.executable).parent
GOALS = {"plan": 3.0, "inventory": 2.0}


def setup(path: Path, hosts: int, var: Path) -> str:
    from cryptography.fernet import Fernet

    from app.assets.io import import_document
    from app.auth import create_user
    from app.db import dispose_all, session_scope, upgrade
    from app.execution.keyring import publish_public_key

    url = f"sqlite:///{path}"
    os.environ["OPSPLAN_VAR_DIR"] = str(var)
    upgrade(url)
    with session_scope(url) as s:
        publish_public_key(s, Fernet.generate_key())
        import_document(s, generate(hosts, min(200, max(1, hosts // 4))))
        create_user(s, "bench", "operator")
    dispose_all()
    return url


def timed(cmd: list[str], env: dict[str, str], cwd: Path) -> tuple[float, bytes]:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, timeout=300)
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:3])} failed ({proc.returncode}): {proc.stderr.decode()[-1500:]}")
    return elapsed, proc.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        url = setup(work / "opsplan.db", args.hosts, work / "var")
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "OPSPLAN_SECRET_KEY")}
        env.update({"DATABASE_URL": url, "OPSPLAN_VAR_DIR": str(work / "var"), "OPSPLAN_USER": "bench",
                    "PATH": f"{BIN}{os.pathsep}{env.get('PATH', '')}"})
        variants = {
            "baseline": [sys.executable, "-c", "import sqlalchemy"],
            "plan": [str(BIN / "opsplan"), "plan", "--json", "ping host-00001"],
            "inventory": [sys.executable, str(ROOT / "inventory" / "opsplan_inventory.py"), "--list"],
        }
        times: dict[str, list[float]] = {v: [] for v in variants}
        out: dict[str, bytes] = {}
        for name, cmd in variants.items():  # warm-up: page cache, .pyc files
            out[name] = timed(cmd, env, work)[1]
        for _ in range(args.rounds):
            for name, cmd in variants.items():
                times[name].append(timed(cmd, env, work)[0])
    if b'"status": "ready"' not in out["plan"] or b"host-00001" not in out["plan"]:
        raise SystemExit(f"unexpected plan output: {out['plan'][:300]!r}")
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"start-up, {args.hosts} assets (SQLite), median of {args.rounds} interleaved rounds; {os.cpu_count()} CPUs, "
          f"load {os.getloadavg()[0]:.2f}")
    print(f"   {'baseline':<10} {med['baseline']:6.3f} s   python -c \"import sqlalchemy\"")
    what = {"plan": 'opsplan plan --json "ping host-00001"',
            "inventory": f"inventory/opsplan_inventory.py --list ({len(out['inventory']) / 1e6:.1f} MB of JSON)"}
    for name in ("plan", "inventory"):
        ratio = med[name] / med["baseline"]
        verdict = "PASS" if ratio <= GOALS[name] else "MISS"
        goal = f"goal <= {GOALS[name]:.0f}x: {verdict}"
        print(f"   {name:<10} {med[name]:6.3f} s   {ratio:4.2f}x the baseline ({goal})   {what[name]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
