"""Admin commands: users, API tokens and the audit log."""
from __future__ import annotations

import json

import click
from sqlalchemy import select

from app.cli import _db, _settings


@click.group("users")
def users_group() -> None:
    """Manage users (roles: viewer, operator, approver, admin)."""


@users_group.command("create")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(["viewer", "operator", "approver", "admin"]))
@click.option("--password", default=None, help="for web login; prompted when given as '-'")
def users_create(name: str, role: str, password: str | None) -> None:
    from app.auth import create_user

    if password == "-":
        password = click.prompt("password", hide_input=True, confirmation_prompt=True)
    with _db(_settings()) as s:
        create_user(s, name, role, password)
    click.echo(f"created user {name} ({role})")


@users_group.command("list")
def users_list() -> None:
    from app.db.models import User

    with _db(_settings()) as s:
        for u in s.execute(select(User).order_by(User.name)).scalars():
            click.echo(f"{u.name}\t{u.role}")


@click.group("tokens")
def tokens_group() -> None:
    """Manage API tokens (shown once, stored hashed)."""


@tokens_group.command("create")
@click.argument("user")
@click.option("--days", default=90, show_default=True, type=int, help="expiry in days (0: never)")
@click.option("--label", default="")
def tokens_create(user: str, days: int, label: str) -> None:
    from app.auth import create_token

    with _db(_settings()) as s:
        row, plaintext = create_token(s, user, label, days or None)
        expiry = row.expires_at.date().isoformat() if row.expires_at else "never"
    click.echo(f"token {row.id} for {user} (expires {expiry}); it is shown only once:")
    click.echo(plaintext)


@tokens_group.command("revoke")
@click.argument("token_id", type=int)
def tokens_revoke(token_id: int) -> None:
    from app.auth import revoke_token

    with _db(_settings()) as s:
        revoke_token(s, token_id)
    click.echo(f"revoked token {token_id}")


@click.group("audit")
def audit_group() -> None:
    """Export and verify the keyed, hash-chained audit log."""


@audit_group.command("export")
@click.option("--jsonl", is_flag=True, default=True, help="one JSON entry per line (the default)")
def audit_export(jsonl: bool) -> None:
    from app.audit import to_json
    from app.db.models import AuditEntry

    with _db(_settings()) as s:
        for e in s.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars():
            click.echo(json.dumps(to_json(e)))


@audit_group.command("verify")
def audit_verify() -> None:
    """Check every entry's link and keyed hash, and the newest entry against var/audit-head.json.

    Problems go to stderr, one a line, and the exit status is non-zero. After restoring the database from
    a backup on purpose, remove var/audit-head.json: the next entry anchors the log again.
    """
    from app.audit import verify

    settings = _settings()
    with _db(settings) as s:
        report = verify(s, settings)
    for w in report.warnings:
        click.echo(f"warning: {w}", err=True)
    if not report.intact:
        for p in report.problems:
            click.echo(p, err=True)
        raise click.ClickException(f"{report.summary()}; {len(report.problems)} problem(s)")
    click.echo(report.summary())
