#!/usr/bin/env python3
"""Scale benchmark of the asset database and the dynamic inventory.

Generates N assets (default 10,000) in G groups (default 200) into a temporary SQLite database
(and a throw-away PostgreSQL database when TEST_POSTGRES_URL is set), then times:

* the import (validation + bulk upsert in one transaction, as ``opsplan assets import``); goal < 10 s
* a re-import of the same file (every entry an update)
* the inventory script's ``--list`` as a subprocess (as Ansible runs it); goal < 1 s
* ``ansible-inventory -i <script> --list``
* baselines measured in the same run: a raw ``SELECT`` of the assets table, in-process and as a
  subprocess (python start-up + SQLAlchemy import + connect + select + JSON dump)

    .venv/bin/python benchmarks/bench_inventory.py [--hosts 10000] [--groups 200] [--no-postgres]
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

from cryptography.fernet import Fernet  # noqa: E402
from sqlalchemy import text  # noqa: E402

from app.assets.io import import_document  # noqa: E402
from app.db import dispose_all, get_engine, session_scope, upgrade  # noqa: E402
from app.execution.keyring import publish_public_key  # noqa: E402
from inventory.builder import build_inventory  # noqa: E402

SCRIPT = ROOT / "inventory" / "opsplan_inventory.py"
BIN = Path(sys.executable).parent
RAW_SELECT = """
import json, sys
from sqlalchemy import create_engine, text
engine = create_engine(sys.argv[1])
with engine.connect() as conn:
    rows = [dict(r._mapping) for r in conn.execute(text("SELECT name, address, os, environment, port, vars \
FROM assets"))]
sys.stdout.write(json.dumps(rows, default=str))
"""


def generate(hosts: int, groups: int) -> dict:
    envs = ["production", "staging", "development"]
    group_names = [f"group-{i:03d}" for i in range(groups)]
    doc_groups = [{"name": f"region-{i}", "vars": {"region": f"r{i}"}} for i in range(10)]
    doc_groups += [{"name": g, "parents": [f"region-{i % 10}"], "vars": {"tier": i % 7}}
                   for i, g in enumerate(group_names)]
    assets = []
    for i in range(hosts):
        windows = i % 10 == 0
        asset = {"name": f"host-{i:05d}", "address": f"10.{i // 65536}.{(i // 256) % 256}.{i % 256}",
                 "os": "windows" if windows else "linux", "environment": envs[i % 3],
                 "groups": [group_names[i % groups], group_names[(i * 7 + 3) % groups]],
                 "credential": "win" if windows else "ssh"}
        if i % 5 == 0:
            asset["vars"] = {"app_version": f"1.{i % 13}"}
        assets.append(asset)
    creds = [{"name": "ssh", "kind": "ssh_key", "username": "ops", "secret": "PRIVATE-KEY-PLACEHOLDER"},
             {"name": "win", "kind": "winrm", "username": "Administrator", "secret": "PASSWORD-PLACEHOLDER"}]
    return {"credentials": creds, "groups": doc_groups, "assets": assets}


def timed(fn, repeat: int = 1) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def run(cmd: list[str], url: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(DATABASE_URL=url, PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}")
    proc = subprocess.run(cmd, env=env, capture_output=True, timeout=600)
    if proc.returncode != 0:
        raise SystemExit(f"{cmd[0]} failed: {proc.stderr.decode()[-2000:]}")
    return proc


def bench(label: str, url: str, doc: dict, repeat: int) -> dict:
    upgrade(url)
    with session_scope(url) as s:
        publish_public_key(s, Fernet.generate_key())
    t_import_doc, result = timed(lambda: _import(url, doc))
    t_reimport, _ = timed(lambda: _import(url, doc))
    engine = get_engine(url)

    def raw_select():
        with engine.connect() as conn:
            return conn.execute(text("SELECT name, address, os, environment, port, vars FROM assets")).fetchall()

    def build():
        with engine.connect() as conn:
            return build_inventory(conn)

    t_raw, rows = timed(raw_select, repeat)
    t_build, inv = timed(build, repeat)
    t_script, proc = timed(lambda: run([sys.executable, str(SCRIPT), "--list"], url), repeat)
    t_script_exec, _ = timed(lambda: run([str(SCRIPT), "--list"], url), repeat)
    t_raw_proc, _ = timed(lambda: run([sys.executable, "-c", RAW_SELECT, url], url), repeat)
    t_import, _ = timed(lambda: run([sys.executable, "-c", "import sqlalchemy"], url), repeat)
    t_ansible, aproc = timed(lambda: run([str(BIN / "ansible-inventory"), "-i", str(SCRIPT), "--list"], url),
                             max(1, repeat // 2))
    n_hosts = len(inv["_meta"]["hostvars"])
    figures = {
        "import (s)": t_import_doc, "re-import, all updates (s)": t_reimport,
        "raw SELECT in-process (s)": t_raw, "build_inventory in-process (s)": t_build,
        "bare `import sqlalchemy` subprocess (s)": t_import, "raw SELECT subprocess (s)": t_raw_proc,
        "script --list subprocess (s)": t_script, "script --list via shebang (s)": t_script_exec,
        "ansible-inventory --list (s)": t_ansible,
    }
    print(f"\n== {label}: {n_hosts} hosts, {len(inv) - 2} groups, {len(rows)} rows; "
          f"--list output {len(proc.stdout) / 1e6:.1f} MB; ansible-inventory output {len(aproc.stdout) / 1e6:.1f} MB")
    print(f"   {result.summary()}")
    print(f"   asset import {t_import_doc:.2f} s, re-import (every entry an update) {t_reimport:.2f} s")
    print(f"   in-process:  baseline raw SELECT {t_raw:.3f} s; build_inventory {t_build:.3f} s "
          f"-> {t_build / t_raw:.1f}x")
    print(f"   subprocess:  baseline bare `python -c 'import sqlalchemy'` {t_import:.3f} s; script --list "
          f"{t_script:.3f} s -> {t_script / t_import:.2f}x (goal <= 2x); raw SELECT subprocess {t_raw_proc:.3f} s "
          f"-> {t_script / t_raw_proc:.2f}x; via shebang {t_script_exec:.3f} s")
    print(f"   ansible-inventory -i script --list {t_ansible:.3f} s ({t_ansible / t_script:.1f}x the script alone)")
    verdict = lambda ok: "OK" if ok else "MISSED"  # noqa: E731
    print(f"   goals: import < 10 s: {verdict(t_import_doc < 10)}; script --list < 1 s: {verdict(t_script < 1)}")
    return figures


def _import(url: str, doc: dict):
    with session_scope(url) as s:
        return import_document(s, doc)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, default=10_000)
    parser.add_argument("--groups", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing (median is printed)")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    os.environ.pop("OPSPLAN_SECRET_KEY", None)
    doc = generate(args.hosts, args.groups)
    print(f"generated {args.hosts} assets in {args.groups} groups (+10 parent groups); "
          f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory() as tmp:
        bench("SQLite", f"sqlite:///{Path(tmp) / 'bench.db'}", doc, args.repeat)
        dispose_all()
    base = os.environ.get("TEST_POSTGRES_URL")
    if base and not args.no_postgres:
        from benchmarks.scratch_db import scratch_postgres

        with scratch_postgres(base) as url:
            bench("PostgreSQL", url, doc, args.repeat)


if __name__ == "__main__":
    main()
