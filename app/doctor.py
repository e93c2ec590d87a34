"""``opsplan doctor``: is this installation able to work, and what to fix when it is not.

The checks: settings, database (reachable, never created here), migrations current, Redis, clock skew
between the database and this machine, and (unless ``--web``) the worker's toolchain check
(``app.execution.toolchain``: every module of the catalog, built-in and added, resolves; ssh and sshpass
exist; the credentials key opens and is the one the credentials are sealed for).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from app.config import Settings
from app.db.migrate import UPGRADE_HINT, missing_sqlite_file, schema_status, sqlite_path

MAX_CLOCK_SKEW_SECONDS = 5.0


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    fixes: list[str] = field(default_factory=list)


def _safe(name: str, fn: Callable[[], Check]) -> Check:
    try:
        return fn()
    except Exception as exc:  # noqa: BLE001 - a doctor reports every failure instead of raising
        first = (str(exc).splitlines() or [""])[0][:300]
        return Check(name, False, f"{type(exc).__name__}: {first}")


def check_database(settings: Settings) -> Check:
    missing = missing_sqlite_file(settings.database_url)
    if missing is not None:
        return Check("database", False, f"no database at {missing}", [
            "run Opsplan from the folder that holds var/opsplan.db, or point DATABASE_URL at the database "
            "(e.g. export DATABASE_URL=sqlite:////abs/path/var/opsplan.db)",
            "for a new installation: opsplan db upgrade (creates it)"])
    from sqlalchemy import text

    from app.db.session import get_engine

    with get_engine(settings.database_url).connect() as conn:
        conn.execute(text("SELECT 1"))
    where = sqlite_path(settings.database_url) or get_engine(settings.database_url).url.render_as_string(
        hide_password=True)
    return Check("database", True, f"reachable ({where})")


def check_migrations(settings: Settings) -> Check:
    status = schema_status(settings.database_url)
    if status.up_to_date:
        return Check("migrations", True, status.describe())
    return Check("migrations", False, status.describe(), [UPGRADE_HINT])


def check_redis(settings: Settings) -> Check:
    from app.queue import redis_connection

    try:
        redis_connection(settings.redis_url).ping()
    except Exception as exc:  # noqa: BLE001 - any failure means unreachable
        return Check("redis", False, f"{settings.redis_url} unreachable ({type(exc).__name__})",
                     ["start Redis or set REDIS_URL to a reachable one"])
    return Check("redis", True, f"reachable ({settings.redis_url})")


def check_clock(settings: Settings) -> Check:
    from sqlalchemy import text

    from app.db.session import get_engine

    engine = get_engine(settings.database_url)
    if engine.dialect.name == "sqlite":
        return Check("clock", True, "SQLite: the database uses this machine's clock")
    with engine.connect() as conn:
        before = datetime.now(UTC)
        db_now = conn.execute(text("SELECT CURRENT_TIMESTAMP")).scalar_one()
        after = datetime.now(UTC)
    if db_now.tzinfo is None:
        db_now = db_now.replace(tzinfo=UTC)
    local = before + (after - before) / 2
    skew = abs((db_now - local).total_seconds())
    if skew > MAX_CLOCK_SKEW_SECONDS:
        return Check("clock", False, f"this machine's clock is {skew:.1f} s off the database's",
                     ["synchronize the clocks (NTP: chrony or systemd-timesyncd) on this machine and the database"])
    return Check("clock", True, f"skew {skew:.2f} s against the database")


def check_toolchain(settings: Settings) -> list[Check]:
    from app.db.session import session_scope
    from app.execution.toolchain import check
    from app.services.catalog import current_catalog

    with session_scope(settings.database_url) as s:
        catalog = current_catalog(s)
    report = check(catalog, settings)
    checks = []
    if report.error:
        checks.append(Check("ansible", False, report.error, ["pip install -r requirements.txt"]))
    missing = report.missing_collections()
    if missing:
        for collection, actions in missing.items():
            modules = sorted(m for m in report.missing_modules if m.startswith(collection + "."))
            checks.append(Check(f"collection {collection}", False,
                                f"not installed: modules {', '.join(modules)}; "
                                f"unavailable actions: {', '.join(actions)}",
                                ["pip install -r requirements.txt (it pins the `ansible` package that carries "
                                 "the collections)"]))
    elif not report.error:
        checks.append(Check("modules", True, f"all {report.modules_checked} modules of {len(catalog)} actions resolve"))
    for program in ("ssh", "sshpass"):
        if program in report.missing_programs:
            checks.append(Check(program, False, report.missing_programs[program],
                                [f"apt-get install {'openssh-client' if program == 'ssh' else 'sshpass'}"]))
        else:
            checks.append(Check(program, True, "found"))
    if report.key == "ok":
        checks.append(Check("credentials key", True, "readable; it opens the stored credentials"))
    else:
        checks.append(Check("credentials key", False, report.key,
                            ["on worker machines set OPSPLAN_SECRET_KEY (or keep var/secret.key) to the "
                             "installation's key; the web machine needs none: run `opsplan doctor --web` there"]))
    return checks


def check_this_worker(settings: Settings) -> Check:
    """A container health check: a worker of this machine (host name) is live on this installation's queues."""
    import socket

    from app.queue import live_workers

    prefix = f"opsplan-{socket.gethostname()}-"
    mine = sorted(w.name for w in live_workers(settings) if w.name.startswith(prefix))
    if not mine:
        return Check("worker", False, f"no live worker named {prefix}* on this installation's queues",
                     ["look at the worker's log; restart it"])
    return Check("worker", True, f"live: {', '.join(mine)}")


def run_checks(settings: Settings, *, web: bool = False) -> list[Check]:
    checks = [_safe("database", lambda: check_database(settings))]
    if checks[0].ok:
        checks.append(_safe("migrations", lambda: check_migrations(settings)))
        checks.append(_safe("clock", lambda: check_clock(settings)))
    checks.append(_safe("redis", lambda: check_redis(settings)))
    if not web:
        if checks[0].ok:
            try:
                checks.extend(check_toolchain(settings))
            except Exception as exc:  # noqa: BLE001 - reported like every other failure
                checks.append(Check("toolchain", False, f"{type(exc).__name__}: {str(exc)[:300]}"))
        else:
            checks.append(Check("toolchain", False, "not checked: it needs the database (the catalog's added "
                                                    "actions)"))
    return checks


def render(checks: list[Check]) -> str:
    lines = []
    for c in checks:
        lines.append(f"{'ok  ' if c.ok else 'FAIL'}  {c.name}: {c.detail}")
        lines.extend(f"      fix: {fix}" for fix in c.fixes)
    failed = sum(1 for c in checks if not c.ok)
    lines.append(f"{len(checks) - failed} passed, {failed} failed" if failed else
                 f"all {len(checks)} checks passed")
    return "\n".join(lines)
