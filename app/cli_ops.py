"""Operations commands: ``opsplan doctor``, ``opsplan db upgrade|status``, ``opsplan keys rotate``."""
from __future__ import annotations

import sys

import click

from app.cli import _settings


@click.command("doctor")
@click.option("--web", is_flag=True, help="the web machine's checks only (no toolchain, no credentials key)")
@click.option("--this-worker", is_flag=True, help="only: is a worker of this machine live (a container health check)")
def doctor_command(web: bool, this_worker: bool) -> None:
    """Check this installation (database, migrations, clock, Redis, the worker's toolchain) and say what to fix."""
    from app.doctor import _safe, check_this_worker, render, run_checks

    settings = _settings()
    checks = ([_safe("worker", lambda: check_this_worker(settings))] if this_worker
              else run_checks(settings, web=web))
    click.echo(render(checks))
    if not all(c.ok for c in checks):
        sys.exit(1)


@click.group("db")
def db_group() -> None:
    """The database schema."""


@db_group.command("upgrade")
def db_upgrade() -> None:
    """Create the database or migrate it to the newest schema (safe to run from several processes at once)."""
    from app.db.migrate import schema_status, sqlite_path, upgrade

    settings = _settings()
    path = sqlite_path(settings.database_url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    before = schema_status(settings.database_url)
    upgrade(settings.database_url)
    after = schema_status(settings.database_url)
    if before.up_to_date:
        click.echo(f"database already {after.describe()}")
    else:
        click.echo(f"database migrated from {', '.join(before.current) or 'nothing'} to {', '.join(after.heads)}")


@db_group.command("status")
def db_status() -> None:
    """Say whether the database is at the newest schema (exit 1 when it is not)."""
    from app.db.migrate import UPGRADE_HINT, schema_status

    status = schema_status(_settings().database_url)
    click.echo(f"database {status.describe()}")
    if not status.up_to_date:
        click.echo(UPGRADE_HINT)
        sys.exit(1)


@click.group("keys")
def keys_group() -> None:
    """The credentials key (run where the workers' key lives)."""


@keys_group.command("rotate")
@click.option("--new-key-file", type=click.Path(dir_okay=False, exists=True), default=None,
              help="the new Fernet key (default: the keyring's first key when it holds several, else a new one)")
def keys_rotate(new_key_file: str | None) -> None:
    """Re-seal every stored secret for a new key; the old key is accepted until it is done."""
    from pathlib import Path

    from app.execution.rotation import rotate

    new_key = Path(new_key_file).read_bytes().strip() if new_key_file else None
    done = rotate(_settings(), new_key)
    click.echo(f"re-sealed {done.resealed} secret(s) for key {done.fingerprint} ({done.already} in all)")
    if done.key_file is not None:
        click.echo(f"{done.key_file} now holds only the new key: restart the workers (they read it at start)")
    else:
        click.echo("now keep only the new (first) key in OPSPLAN_SECRET_KEY on every worker and restart them")


COMMANDS = (doctor_command, db_group, keys_group)
