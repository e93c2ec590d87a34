"""Rule-planner speed: 1,000 requests against a generated 10,000-asset vocabulary (goal: < 2 s).

    .venv/bin/python benchmarks/bench_planner.py [--requests N] [--assets N]

Prints the planning time, and the ratio against a baseline measured in the same run (a plain
regex tokenization pass over the same requests), so the figure is comparable across machines.
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
    print(f"fleet: {len(vocab)} assets ({build * 1000:.0f} ms to index), requests: {len(texts)}")
    print(f"planned {len(texts)} requests in {total:.3f} s ({total / len(texts) * 1e6:.0f} us/request); goal < 2 s: "
          f"{'OK' if total < 2 else 'MISSED'}")
    print(f"baseline tokenization: {baseline * 1000:.1f} ms; planner/baseline ratio: {total / baseline:.0f}x")
    print("statuses: " + ", ".join(f"{k}={v}" for k, v in sorted(statuses.items())))
    return total


if __name__ == "__main__":
    main()
