"""One-shot commands import only what they use: `opsplan plan --json` never loads the web stack, alembic, the
bundle writer's template engine, the job queue or HTTP clients; the inventory script loads SQLAlchemy and the
inventory package only. (What each costs in time is benchmarks/bench_start.py's business; this checks the
import graph, which does not depend on the machine's load.)"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from app.db import session_scope
from app.db.heads import head_revisions, schema_is_current
from app.db.migrate import head_revisions as alembic_heads
from tests.app.planner.helpers import load_fleet_into_db

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.unit
NEVER_FOR_PLAN = ("flask", "werkzeug", "alembic", "jinja2", "redis", "rq", "requests", "spectree", "openai",
                  "prometheus_client", "app.audit", "app.services.plans", "compiler.bundle", "app.assets.io")
NEVER_FOR_INVENTORY = ("app", "pydantic", "alembic", "flask", "yaml", "compiler")


def _imported(cmd: list[str], env: dict[str, str]) -> tuple[set[str], str]:
    proc = subprocess.run([sys.executable, "-X", "importtime", *cmd], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    modules = set(re.findall(r"^import time:\s+\d+ \|\s+\d+ \|\s*(\S+)$", proc.stderr, flags=re.M))
    return modules, proc.stdout


def _top(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == n or m.startswith(n + ".") for n in names))


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_plan_json_and_the_inventory_script_import_only_what_they_use(db_url, tmp_path):
    with session_scope(db_url) as s:
        load_fleet_into_db(s)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update({"DATABASE_URL": db_url, "OPSPLAN_VAR_DIR": str(tmp_path / "var")})
    modules, out = _imported(["-m", "app", "plan", "--json", "ping web-01"], env)
    assert '"status": "ready"' in out and "web-01" in out
    assert _top(modules, NEVER_FOR_PLAN) == []
    modules, out = _imported([str(ROOT / "inventory" / "opsplan_inventory.py"), "--list"], env)
    assert '"web-01"' in out
    assert _top(modules, NEVER_FOR_INVENTORY) == [], "the inventory script needs SQLAlchemy and inventory/ only"


def test_the_fast_schema_check_agrees_with_alembic(db_url, tmp_path):
    assert head_revisions() == frozenset(alembic_heads())
    assert schema_is_current(db_url)
    missing = tmp_path / "nope" / "missing.db"
    assert not schema_is_current(f"sqlite:///{missing}") and not missing.exists()  # never creates the file
    empty = tmp_path / "empty.db"
    empty.touch()
    assert not schema_is_current(f"sqlite:///{empty}")  # no alembic_version table: not current
