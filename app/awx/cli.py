"""``opsplan export-awx ID --out FILE.tar.gz`` and ``opsplan awx push ID --url URL --token TOKEN``."""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

import click

from app.awx.errors import AwxError
from app.config import Settings


def _load_archive(plan_id: str) -> tuple[bytes, str]:
    from app.awx.export import export_plan
    from app.db import session_scope, upgrade
    from app.errors import OpsplanError

    settings = Settings.from_env()
    upgrade(settings.database_url)
    try:
        with session_scope(settings.database_url) as s:
            return export_plan(s, plan_id)
    except (OpsplanError, AwxError) as exc:
        raise click.ClickException(getattr(exc, "message", str(exc))) from None


def write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@click.command("export-awx")
@click.argument("plan_id")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="the .tar.gz file to write")
def export_awx_command(plan_id: str, out: Path) -> None:
    """Write an AWX-ready project archive (playbook, roles, inventory script, README) of a plan."""
    data, _name = _load_archive(plan_id)
    try:
        write_atomic(out, data)
    except OSError as exc:
        raise click.ClickException(f"cannot write {out}: {exc.strerror or exc}") from None
    click.echo(f"{out}  sha256 {hashlib.sha256(data).hexdigest()}  ({len(data)} bytes)")


@click.group("awx")
def awx_group() -> None:
    """Hand plans over to AWX (API v2)."""


@awx_group.command("push")
@click.argument("plan_id")
@click.option("--url", required=True, envvar="AWX_URL", help="AWX base URL, e.g. https://awx.example.com")
@click.option("--token", required=True, envvar="AWX_TOKEN", help="AWX OAuth2/personal access token")
@click.option("--scm-type", type=click.Choice(["archive", "git"]), default="archive", show_default=True)
@click.option("--scm-url", default=None,
              help="where AWX fetches the project: the archive's URL (default: this Opsplan's "
                   "/api/v1/plans/ID/export/awx) or the Git repository")
@click.option("--scm-branch", default="", help="Git branch, tag or commit")
@click.option("--organization", default="Default", show_default=True)
@click.option("--job-type", type=click.Choice(["check", "run"]), default="check", show_default=True)
@click.option("--launch", is_flag=True, help="launch the job template after creating it")
@click.option("--inventory-credential", type=int, default=None,
              help="id of an AWX credential that injects OPSPLAN_TOKEN (an Opsplan viewer token) for the "
                   "inventory script")
@click.option("--insecure", is_flag=True, help="do not verify AWX's TLS certificate")
@click.option("--sync-timeout", type=float, default=600.0, show_default=True)
def push_command(plan_id: str, url: str, token: str, scm_type: str, scm_url: str | None, scm_branch: str,
                 organization: str, job_type: str, launch: bool, inventory_credential: int | None,
                 insecure: bool, sync_timeout: float) -> None:
    """Create or update the AWX project, inventory, inventory source and job template of a plan."""
    from app.awx.push import push

    _data, filename = _load_archive(plan_id)  # the plan exists and compiles
    name = filename.removesuffix(".tar.gz")
    if scm_url is None:
        if scm_type == "git":
            raise click.ClickException("--scm-type git needs --scm-url (the repository holding the project)")
        scm_url = f"{Settings.from_env().base_url.rstrip('/')}/api/v1/plans/{plan_id}/export/awx"
    # the inventory script's environment (CONTRACT 9): where Opsplan answers, and only this plan's hosts
    source_vars = json.dumps({"OPSPLAN_URL": Settings.from_env().base_url.rstrip("/"), "OPSPLAN_PLAN_ID": plan_id})
    try:
        ids = push(url, token, name, scm_url, scm_type=scm_type, scm_branch=scm_branch, organization=organization,
                   job_type=job_type, launch=launch, inventory_credential=inventory_credential, source_vars=source_vars,
                   verify=not insecure, sync_timeout=sync_timeout)
    except AwxError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(json.dumps(ids, indent=2))
