"""Rule-planner speed: 1,000 requests against a generated 10,000-asset fleet (goal: < 2 s), fleet loading included.

    .venv/bin/python benchmarks/bench_planner.py [--requests N] [--assets N]

Two ways, both printed with the ratio against a baseline measured in the same run (a plain regex tokenization
pass over the same requests), so the figures are comparable across machines:
  in memory   plan_rules on a Vocabulary built from plain data (the evaluator's path); the index build is timed
  service     the same requests through app.services.planning.plan_from_request on a SQLite database holding
              the fleet, one transaction each, as the API does: the fleet's words loaded from the database (the
              first request; cached per asset version afterwards) and targets resolved by indexed queries
"""
from __future__ import annotations

import argparse
import random
import re
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.planner import AssetRef, Vocabulary  # noqa: E402
from app.planner.rules import plan_rules  # noqa: E402

ROLES = ["web", "db", "app", "cis", "cache", "mq", "lb", "file", "mon", "build"]
ENVS = ["production", "staging", "development"]
TEMPLATES = [
    "restart nginx on {host}",
    "restart nginx on the {role} servers in {env}",
    "is port 5432 open on {host}?",
    "bounce redis on {host} and {host2}",
    "upgrade openssl on all linux hosts in {env}",
    "ping the {role} servers except {host}",
    "check disk space on {host}",
    "is nginx running on the {env} {role} servers",
    r"update stationcontroller on the {role} boxes from \\file-01\releases\stationcontroller.exe",
    "stop nginx, copy /tmp/nginx.conf to /etc/nginx/nginx.conf, then start nginx on {host}",
    "make sure curl is installed on {host}",
    "restart nginx on {host}, {host2} and {host3}",
    "reboot {host}",
    "check https://example.com/health from {host}",
    'run "df -h" on {host}',
    "restart nginx on web-99999",
    "restart nginx",
    "write me a poem",
    "restart nginx on {host}; rm -rf /",
    "get system info from every windows server in {env}",
]


def fleet(n: int, seed: int = 7) -> Vocabulary:
    rnd = random.Random(seed)
    refs = []
    for i in range(n):
        role = ROLES[i % len(ROLES)]
        refs.append(AssetRef(f"{role}-{i:05d}", "windows" if role in ("cis", "file") or rnd.random() < 0.1 else "linux",
                             ENVS[rnd.randrange(3)], (role, f"{role}-{ENVS[i % 3][:4]}"), rnd.random() > 0.02))
    parents = {"web": ["frontend"], "lb": ["frontend"], "db": ["backend"], "app": ["backend"]}
    return Vocabulary.from_refs(refs, parents)


def requests(vocab: Vocabulary, n: int, seed: int = 11) -> list[str]:
    rnd = random.Random(seed)
    names = sorted(vocab.assets)
    out = []
    for i in range(n):
        h = [rnd.choice(names) for _ in range(3)]
        out.append(TEMPLATES[i % len(TEMPLATES)].format(host=h[0], host2=h[1], host3=h[2], role=rnd.choice(ROLES),
                                                        env=rnd.choice(["prod", "staging", "dev", "production"])))
    return out


def service(vocab: Vocabulary, texts: list[str]) -> tuple[float, float, float, Counter]:
    """(fleet import s, first request s (loads the words), the rest s, statuses) through the planning service."""
    import logging
    import os
    import tempfile

    logging.disable(logging.INFO)
    from app.assets.io import import_document
    from app.config import Settings
    from app.db import dispose_all, session_scope, upgrade
    from app.planner.fleet import clear_cache
    from app.services.planning import plan_from_request

    parents = {g: list(ps) for g, ps in vocab.group_parents.items()}
    groups = [{"name": g, "parents": ps} for g, ps in parents.items() if ps]
    assets = [{"name": a.name, "address": f"10.{i // 65536}.{(i // 256) % 256}.{i % 256}", "os": a.os,
               "environment": a.environment, "groups": list(a.groups), "enabled": a.enabled}
              for i, a in enumerate(vocab.assets.values())]
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["OPSPLAN_VAR_DIR"] = str(Path(tmp) / "var")
        url = f"sqlite:///{Path(tmp) / 'planner.db'}"
        upgrade(url)
        t0 = time.perf_counter()
        with session_scope(url) as s:
            import_document(s, {"groups": groups, "assets": assets})
        t_import = time.perf_counter() - t0
        settings = Settings.from_env({"DATABASE_URL": url})
        clear_cache()
        statuses: Counter = Counter()
        t0 = time.perf_counter()
        with session_scope(url) as s:
            statuses[plan_from_request(s, texts[0], settings).status.value] += 1
        first = time.perf_counter() - t0
        t0 = time.perf_counter()
        for text in texts[1:]:
            with session_scope(url) as s:
                statuses[plan_from_request(s, text, settings).status.value] += 1
        rest = time.perf_counter() - t0
        dispose_all()
    return t_import, first, rest, statuses


def main(argv: list[str] | None = None) -> float:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=1000)
    ap.add_argument("--assets", type=int, default=10_000)
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    vocab = fleet(args.assets)
    build = time.perf_counter() - t0
    texts = requests(vocab, args.requests)
    word = re.compile(r"\w+")
    t0 = time.perf_counter()
    for t in texts:  # baseline: a trivial tokenization pass over the same requests
        Counter(word.findall(t.lower()))
    baseline = time.perf_counter() - t0
    plan_rules(texts[0], vocab)  # warm-up (imports, regex caches)
    t0 = time.perf_counter()
    statuses = Counter(plan_rules(t, vocab).status.value for t in texts)
    total = time.perf_counter() - t0
    t_import, first, rest, db_statuses = service(vocab, texts)
    n = len(texts)
    print(f"fleet: {len(vocab)} assets, requests: {n}; baseline tokenization: {baseline * 1000:.1f} ms")
    print(f"in memory: index {build * 1000:.0f} ms + planned {n} requests in {total:.3f} s ({total / n * 1e6:.0f} "
          f"us/request); with the index {build + total:.3f} s, {(build + total) / baseline:.0f}x the baseline; "
          f"goal < 2 s: {'OK' if build + total < 2 else 'MISSED'}")
    whole = first + rest
    print(f"service (SQLite, fleet loaded from the database): first request {first * 1000:.0f} ms (loads the words), "
          f"the other {n - 1} {rest:.3f} s ({rest / max(1, n - 1) * 1e6:.0f} us/request); all {whole:.3f} s, "
          f"{whole / baseline:.0f}x the baseline; goal < 2 s: {'OK' if whole < 2 else 'MISSED'} "
          f"(fleet import {t_import:.2f} s, not counted)")
    print("statuses in memory: " + ", ".join(f"{k}={v}" for k, v in sorted(statuses.items())))
    print("statuses service:   " + ", ".join(f"{k}={v}" for k, v in sorted(db_statuses.items())))
    return total


if __name__ == "__main__":
    main()
