"""`opsplan assets import FILE` / `opsplan assets export [--format yaml|csv]`."""
from __future__ import annotations

import click

from app.assets.errors import AssetError


def _settings():
    from app.config import Settings

    return Settings.from_env()


@click.group("assets")
def assets() -> None:
    """Manage the asset database (hosts, groups, credentials)."""


@assets.command("import")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=False))
@click.option("--format", "fmt", type=click.Choice(["yaml", "csv"]), default=None,
              help="file format (default: from the suffix; .csv is CSV, anything else YAML)")
def import_cmd(file: str, fmt: str | None) -> None:
    """Upsert credentials, groups and assets from FILE in one transaction (all or nothing)."""
    from app.assets.io import import_data, read_file
    from app.db import session_scope, upgrade

    settings = _settings()
    try:
        data = read_file(file, fmt)  # validate before touching the database
        upgrade(settings.database_url)
        with session_scope(settings.database_url) as session:
            result = import_data(session, *data, settings=settings, create_key=True)
    except AssetError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(result.summary())


@assets.command("export")
@click.option("--format", "fmt", type=click.Choice(["yaml", "csv"]), default="yaml", show_default=True)
def export_cmd(fmt: str) -> None:
    """Print the asset database (secrets are never printed)."""
    from app.assets.io import export_csv, export_yaml
    from app.db import session_scope, upgrade

    settings = _settings()
    upgrade(settings.database_url)
    with session_scope(settings.database_url) as session:
        text = export_csv(session) if fmt == "csv" else export_yaml(session)
    click.echo(text, nl=False)
