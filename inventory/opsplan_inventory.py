#!/usr/bin/env python3
"""Opsplan dynamic inventory for Ansible and AWX.

    opsplan_inventory.py --list          # all groups and _meta.hostvars (JSON)
    opsplan_inventory.py --host NAME     # one host's vars

Reads DATABASE_URL (default sqlite:///var/opsplan.db, relative to the working directory). Needs only
SQLAlchemy (plus the database driver, e.g. psycopg for PostgreSQL) and the ``inventory`` package next
to this script. Never prints a secret.
"""
from __future__ import annotations

import gc
import json
import os
import sys
from pathlib import Path

_HERE = Path(__file__).resolve().parent
_ROOT = _HERE.parent
if sys.path and Path(sys.path[0] or ".").resolve() == _HERE:
    sys.path.pop(0)  # do not let this directory's modules shadow others
if str(_ROOT) not in sys.path:
    sys.path.insert(0, str(_ROOT))

try:
    import sqlalchemy  # noqa: F401
except ImportError:  # run by a python without SQLAlchemy: try the project's virtualenv once
    _venv = _ROOT / ".venv" / "bin" / "python"
    if _venv.exists() and os.environ.get("OPSPLAN_INVENTORY_REEXEC") != "1":
        os.environ["OPSPLAN_INVENTORY_REEXEC"] = "1"
        os.execv(str(_venv), [str(_venv), str(Path(__file__).resolve()), *sys.argv[1:]])
    sys.stderr.write("opsplan_inventory: SQLAlchemy is not installed for " + sys.executable + "\n")
    sys.exit(1)

from sqlalchemy import create_engine  # noqa: E402
from sqlalchemy.exc import SQLAlchemyError  # noqa: E402

from inventory.builder import build_inventory, host_vars, unsafe_data, unsafe_json  # noqa: E402

USAGE = "usage: opsplan_inventory.py --list | --host NAME"


def database_url(env=os.environ) -> str:
    url = env.get("DATABASE_URL")
    if url:
        return url
    var_dir = env.get("OPSPLAN_VAR_DIR")
    return f"sqlite:///{Path(var_dir).resolve() / 'opsplan.db'}" if var_dir else "sqlite:///var/opsplan.db"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv == ["--list"]:
        host = None
    elif len(argv) == 2 and argv[0] == "--host":
        host = argv[1]
    else:
        sys.stderr.write(USAGE + "\n")
        return 2
    url = database_url()
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1].split("?", 1)[0]
        if path and path != ":memory:" and not Path(path).exists():
            sys.stderr.write(f"opsplan_inventory: database {path} does not exist (set DATABASE_URL)\n")
            return 1
    try:
        engine = create_engine(url)
        with engine.connect() as conn:
            data = unsafe_json(build_inventory(conn)) if host is None else unsafe_data(host_vars(conn, host))
        engine.dispose()
    except SQLAlchemyError as exc:
        sys.stderr.write(f"opsplan_inventory: cannot read the asset database: {type(exc).__name__}: "
                         f"{str(exc).splitlines()[0]}\n")
        return 1
    try:
        sys.stdout.write(json.dumps(data, separators=(",", ":"), default=str) + "\n")  # one-shot C encoder
        sys.stdout.flush()
    except BrokenPipeError:  # e.g. piped into `head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


if __name__ == "__main__":
    # one-shot: the inventory's objects live until the process exits; Python's final collections need not
    # walk them (the young generation is collected less often while the fleet is read, for the same reason)
    gc.set_threshold(10_000, 20, 20)
    try:
        status = main()
    finally:
        gc.freeze()
    sys.exit(status)
