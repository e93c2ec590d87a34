"""The ``opsplan`` command (CONTRACT section 1). It works on DATABASE_URL/REDIS_URL directly, like the web."""
from __future__ import annotations

import getpass
import json
import os
import sys
from pathlib import Path

import click

from app.config import Settings
from app.errors import OpsplanError


def _settings() -> Settings:
    return Settings.from_env()


def _db(settings: Settings):
    from app.db import session_scope, upgrade

    upgrade(settings.database_url)
    return session_scope(settings.database_url)


def _actor(user: str | None) -> str:
    return user or os.environ.get("OPSPLAN_USER") or getpass.getuser()


class OpsplanGroup(click.Group):
    """Turns our own errors into one line on stderr and exit code 1 (no traceback)."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except OpsplanError as exc:
            raise click.ClickException(exc.message) from None
        except Exception as exc:
            from compiler import CompilerError

            if isinstance(exc, CompilerError):
                raise click.ClickException(str(exc)) from None
            raise


@click.group(cls=OpsplanGroup)
def cli() -> None:
    """Opsplan: plain-language ops requests become previewed, approved, audited Ansible runs."""


@cli.command()
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--host", default="127.0.0.1", show_default=True)
def serve(port: int, host: str) -> None:
    """Run the web service (API, web pages, chat)."""
    from app import create_app
    from app.server import serve as run_server

    run_server(create_app(_settings()), host, port)


@cli.command()
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--no-install", is_flag=True, help="never apt-get install redis-server")
def up(port: int, host: str, no_install: bool) -> None:
    """Start everything on the embedded defaults: database, demo fleet, Redis, web and one worker."""
    from app.launcher import up as launch

    launch(port, host, allow_install=not no_install)


@cli.command()
@click.option("--burst", is_flag=True, help="exit when the queue is empty")
def worker(burst: bool) -> None:
    """Run an RQ worker (the only process that touches hosts and credentials)."""
    from app.worker import run_worker

    run_worker(_settings(), burst=burst)


@cli.command("plan")
@click.argument("text")
@click.option("--json", "as_json", is_flag=True, help="print the plan JSON (CONTRACT 4); '-' reads lines from stdin")
@click.option("--save/--no-save", default=None, help="store the plan (default: store unless --json)")
@click.option("--user", default=None)
def plan_cmd(text: str, as_json: bool, save: bool | None, user: str | None) -> None:
    """Plan a request (no host is touched)."""
    from app.planner import Vocabulary, plan_request
    from app.services import plans as svc

    settings = _settings()
    save = (not as_json) if save is None else save
    with _db(settings) as s:
        vocab = Vocabulary.from_session(s)
        if as_json and text == "-":
            out = sys.stdout
            for line in sys.stdin:
                plan = plan_request(line.rstrip("\n"), vocab, settings)
                out.write(json.dumps(plan.contract_json()) + "\n")
            return
        plan = plan_request(text, vocab, settings)
        body = plan.contract_json()
        if save:
            row = svc.create_plan(s, plan, _actor(user))
            body = svc.plan_json(s, row)
    if as_json:
        click.echo(json.dumps(body, indent=2))
        return
    _print_plan(body)


def _print_plan(body: dict) -> None:
    click.echo(f"plan {body.get('id', '(not saved)')}: {body['status']}  risk={body['risk']}  "
               f"{'read-only' if body['read_only'] else 'CHANGES HOSTS'}")
    for q in body.get("questions", []):
        click.echo(f"  ? {q}")
    if body.get("reason"):
        click.echo(f"  rejected: {body['reason']}")
    for i, step in enumerate(body.get("steps", []), 1):
        click.echo(f"  {i}. {step['action']} {json.dumps(step.get('params', {}))} on {', '.join(step.get('hosts', []))}")
    if body.get("hosts"):
        click.echo(f"  hosts: {', '.join(body['hosts'])}")


@cli.command("compile")
@click.argument("plan_id_or_file")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path))
def compile_cmd(plan_id_or_file: str, out_dir: Path) -> None:
    """Write the compiled playbook bundle of a stored plan (id) or of a plan JSON file."""
    from app.services import plans as svc

    settings = _settings()
    with _db(settings) as s:
        path = Path(plan_id_or_file)
        if path.is_file():
            try:
                body = json.loads(path.read_text())
            except (OSError, ValueError) as exc:
                raise click.ClickException(f"{path}: not a plan JSON file ({exc})") from None
            from app.services.planning import plan_from_structure

            plan = plan_from_structure(s, body, request_text=str(body.get("request") or ""))
            if plan.status.value != "ready":
                raise click.ClickException(f"plan is {plan.status.value}: {'; '.join(plan.questions) or plan.reason}")
            bundle = svc.compile_body(s, plan.contract_json())
        else:
            row = svc.get_plan(s, plan_id_or_file)
            _rev, bundle = svc.ready_bundle(s, row)
    if out_dir.exists() and any(out_dir.iterdir()):
        raise click.ClickException(f"{out_dir} exists and is not empty")
    bundle.write(out_dir)
    click.echo(f"wrote {len(bundle.files)} files to {out_dir} (sha256 {bundle.sha256})")


@cli.command()
@click.argument("plan_id")
@click.option("--follow", is_flag=True, help="show progress until the preview ends")
@click.option("--user", default=None)
def preview(plan_id: str, follow: bool, user: str | None) -> None:
    """Preview a plan in check mode (--check --diff) on its hosts."""
    from app.queue import enqueue_run
    from app.services import plans as svc

    settings = _settings()
    with _db(settings) as s:
        run_id = svc.start_preview(s, plan_id, _actor(user)).id
    enqueue_run(settings, run_id)
    click.echo(f"preview {run_id} queued (CHECK mode)")
    if follow:
        _follow(settings, run_id)


@cli.command()
@click.argument("plan_id")
@click.option("--user", default=None)
@click.option("--reason", default="")
def approve(plan_id: str, user: str | None, reason: str) -> None:
    """Approve the previewed bundle of a plan's current revision."""
    from app.services import plans as svc

    with _db(_settings()) as s:
        appr = svc.approve(s, plan_id, _actor(user), reason)
        click.echo(f"approved plan {plan_id} revision {appr.revision} (bundle {appr.bundle_sha256[:12]})")


@cli.command()
@click.argument("plan_id")
@click.option("--reason", required=True)
@click.option("--user", default=None)
def reject(plan_id: str, reason: str, user: str | None) -> None:
    """Reject a plan, with a reason."""
    from app.services import plans as svc

    with _db(_settings()) as s:
        svc.reject(s, plan_id, _actor(user), reason)
    click.echo(f"rejected plan {plan_id}")


@cli.command()
@click.argument("plan_id")
@click.option("--follow", is_flag=True, help="show progress until the run ends")
@click.option("--limit", default=None, help="comma-separated hosts (a subset of the plan's)")
@click.option("--user", default=None)
def run(plan_id: str, follow: bool, limit: str | None, user: str | None) -> None:
    """Run an approved plan for real."""
    from app.queue import enqueue_run
    from app.services import plans as svc

    settings = _settings()
    hosts = [h.strip() for h in limit.split(",") if h.strip()] if limit else None
    with _db(settings) as s:
        run_id = svc.start_run(s, plan_id, _actor(user), limit_hosts=hosts).id
    enqueue_run(settings, run_id)
    click.echo(f"run {run_id} queued (RUN mode)")
    if follow:
        _follow(settings, run_id)


@cli.command()
@click.argument("run_id")
@click.option("--user", default=None)
def cancel(run_id: str, user: str | None) -> None:
    """Cancel a queued or running run."""
    from app.services import runs as svc

    with _db(_settings()) as s:
        run = svc.request_cancel(s, run_id, _actor(user))
        click.echo(f"cancel requested for run {run_id} ({run.status})")


@cli.command()
@click.argument("run_id")
@click.option("--follow", is_flag=True)
def status(run_id: str, follow: bool) -> None:
    """Show a run (per host, per step)."""
    settings = _settings()
    if follow:
        _follow(settings, run_id)
        return
    from app.services.runs import run_json

    with _db(settings) as s:
        click.echo(json.dumps(run_json(s, run_id), indent=2))


def _follow(settings: Settings, run_id: str) -> None:
    from app.progress import follow_run

    final = follow_run(settings, run_id, click.get_text_stream("stdout"))
    if final not in ("successful",):
        sys.exit(0 if final == "partial" else 2)


@cli.command()
def actions() -> None:
    """List the action catalog."""
    from compiler import CATALOG

    for a in CATALOG.values():
        params = ", ".join(p.name + ("" if p.required else "?") for p in a.params) or "-"
        kind = "read-only" if a.read_only else "change"
        click.echo(f"{a.name:16} {params:24} {kind:9} risk={a.risk.value:8} {a.description}")


def _register_groups() -> None:
    from app.assets.cli import assets
    from app.cli_admin import audit_group, tokens_group, users_group
    from app.awx.cli import awx_group, export_awx_command
    from app.planner.cli import eval_planner_command

    for command in (users_group, tokens_group, audit_group, assets, export_awx_command, awx_group):
        cli.add_command(command)
    cli.add_command(eval_planner_command, "eval-planner")


_register_groups()


def main() -> None:
    cli(prog_name="opsplan")
