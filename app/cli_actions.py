"""``opsplan actions add ROLE_DIR`` and ``opsplan actions remove NAME`` (admin; CONTRACT 7)."""
from __future__ import annotations

from pathlib import Path

import click

from app.cli import _actor, _db, _settings


@click.command("add")
@click.argument("role_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--user", default=None, help="the admin to act as (else OPSPLAN_USER, else the OS user)")
def add_command(role_dir: Path, user: str | None) -> None:
    """Validate a role directory and add its actions (stored content-hashed in the database)."""
    from app.errors import BadRequest
    from app.services.actions import add_role
    from compiler.definitions import DefinitionError, read_role_dir

    try:
        source = read_role_dir(role_dir.resolve(), origin="added")
    except (DefinitionError, OSError) as exc:
        raise BadRequest(str(exc) if isinstance(exc, DefinitionError) else f"{role_dir}: {exc.strerror}") from None
    settings = _settings()
    with _db(settings) as s:
        actor = _actor(s, settings, user, "admin")
        names = add_role(s, dict(source.files), actor)
    for name in names:
        click.echo(f"added {name} (role {source.name}, sha256 {source.sha256[:12]})")


@click.command("remove")
@click.argument("name")
@click.option("--user", default=None, help="the admin to act as (else OPSPLAN_USER, else the OS user)")
def remove_command(name: str, user: str | None) -> None:
    """Remove an added action (the whole role that defines it, or the role by its name)."""
    from app.services.actions import remove_action_role

    settings = _settings()
    with _db(settings) as s:
        role, names = remove_action_role(s, name, _actor(s, settings, user, "admin"))
    for action in names:
        click.echo(f"removed {action} (role {role})")
