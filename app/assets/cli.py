"""`opsplan assets import FILE` / `opsplan assets export [--format yaml|csv]`."""
from __future__ import annotations

from pathlib import Path

import click

from app.assets.errors import AssetError
from app.assets.io import ImportResult
from app.config import Settings


def import_path(settings: Settings, path: str | Path, fmt: str | None = None) -> ImportResult:
    """Import a file in its own transaction, on a migrated database, as the CLI does.

    The CLI may run where the credentials key lives: when no worker has published its public key yet,
    the local key (created if missing) publishes it, so secrets in the file can be sealed.
    """
    from app.assets.io import import_data, read_file
    from app.db import session_scope, upgrade
    from app.execution.keyring import local_key_publisher

    data = read_file(path, fmt)  # validate before touching the database
    upgrade(settings.database_url)
    with session_scope(settings.database_url) as session:
        return import_data(session, *data, key_fallback=local_key_publisher(settings))


@click.group("assets")
def assets() -> None:
    """Manage the asset database (hosts, groups, credentials)."""


@assets.command("import")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=False))
@click.option("--format", "fmt", type=click.Choice(["yaml", "csv"]), default=None,
              help="file format (default: from the suffix; .csv is CSV, anything else YAML)")
def import_cmd(file: str, fmt: str | None) -> None:
    """Upsert credentials, groups and assets from FILE in one transaction (all or nothing)."""
    try:
        result = import_path(Settings.from_env(), file, fmt)
    except AssetError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(result.summary())


@assets.command("export")
@click.option("--format", "fmt", type=click.Choice(["yaml", "csv"]), default="yaml", show_default=True)
def export_cmd(fmt: str) -> None:
    """Print the asset database (secrets are never printed)."""
    from app.assets.io import export_csv, export_yaml
    from app.db import session_scope, upgrade

    settings = Settings.from_env()
    upgrade(settings.database_url)
    with session_scope(settings.database_url) as session:
        text = export_csv(session) if fmt == "csv" else export_yaml(session)
    click.echo(text, nl=False)


@assets.command("accept-key")
@click.argument("name")
@click.option("--user", default=None, help="the Opsplan admin acting (default: OPSPLAN_USER or the OS user)")
def accept_key_cmd(name: str, user: str | None) -> None:
    """Scan asset NAME's SSH host key now and pin it (after a key change; audited)."""
    import getpass

    from app.db import session_scope, upgrade
    from app.errors import OpsplanError
    from app.execution.hostkeys import accept_key
    from app.services.users import acting_user

    settings = Settings.from_env()
    upgrade(settings.database_url)
    try:
        with session_scope(settings.database_url) as session:
            actor = acting_user(session, user or settings.cli_user or getpass.getuser(), "admin").name
            details = accept_key(session, name, actor)
    except OpsplanError as exc:
        raise click.ClickException(exc.message) from None
    was = ", ".join(k["fingerprint"] for k in details["previous"]) or "nothing pinned"
    now = ", ".join(f"{k['fingerprint']} ({k['type']})" for k in details["accepted"])
    click.echo(f"accepted the host key of {name}: {now}; was {was}")
