"""Operations commands: ``opsplan doctor``, ``opsplan db upgrade|status``, ``opsplan keys rotate``."""
from __future__ import annotations

import sys

import click

from app.cli import _settings


@click.command("doctor")
@click.option("--web", is_flag=True, help="the web machine's checks only (no toolchain, no credentials key)")
def doctor_command(web: bool) -> None:
    """Check this installation (database, migrations, clock, Redis, the worker's toolchain) and say what to fix."""
    from app.doctor import render, run_checks

    checks = run_checks(_settings(), web=web)
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


COMMANDS = (doctor_command, db_group)
