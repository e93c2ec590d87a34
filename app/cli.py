"""The ``opsplan`` command (CONTRACT section 1). It works on DATABASE_URL/REDIS_URL directly, like the web."""
from __future__ import annotations

import gc
import getpass
import json
import sys
from pathlib import Path

import click

from app.config import Settings
from app.errors import OpsplanError


def _settings() -> Settings:
    return Settings.from_env()


def _db(settings: Settings):
    """The existing database (migrated to the newest schema); never an empty one created by mistake."""
    from app.db.heads import schema_is_current
    from app.db.session import session_scope

    if not schema_is_current(settings.database_url):  # one SELECT; alembic is loaded only to migrate
        from app.db import upgrade
        from app.db.migrate import missing_sqlite_file

        missing = missing_sqlite_file(settings.database_url)
        if missing is not None:
            raise click.ClickException(no_database_message(missing))
        upgrade(settings.database_url)
    return session_scope(settings.database_url)


def no_database_message(path: Path) -> str:
    import os

    default = "DATABASE_URL" not in os.environ
    where = (f"DATABASE_URL is not set, so the default var/opsplan.db relative to this folder ({Path.cwd()}) was used"
             if default else "DATABASE_URL names it")
    return (f"no Opsplan database at {path} ({where}); run the command from the folder that holds var/opsplan.db "
            "(where `make run` ran), or point DATABASE_URL at the database: export DATABASE_URL=sqlite:////ABSOLUTE/"
            "PATH/var/opsplan.db (or a postgresql+psycopg:// URL); `opsplan db upgrade` creates a new one")


def _actor(session, settings: Settings, user: str | None, minimum: str) -> str:
    """The Opsplan user this command acts as: ``--user``, else OPSPLAN_USER, else the OS user's name.

    It must exist and hold ``minimum``; the same four-eyes and approval rules as the API then apply.
    """
    from app.services.users import acting_user

    return acting_user(session, user or settings.cli_user or getpass.getuser(), minimum).name


class OpsplanGroup(click.Group):
    """Turns our own errors into one line on stderr and exit code 1 (no traceback); ``lazy_commands``
    ("name" -> "module:attribute") are imported only when that command runs (or help lists them)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.lazy_commands: dict[str, str] = {}

    def list_commands(self, ctx):
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx, name):
        if name not in self.commands and name in self.lazy_commands:
            import importlib

            module, attr = self.lazy_commands[name].split(":")
            self.add_command(getattr(importlib.import_module(module), attr), name)
        return super().get_command(ctx, name)

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
    import os

    from app import create_app
    from app.db.migrate import require_current
    from app.ports import port_problem
    from app.server import serve as run_server

    os.environ.pop("OPSPLAN_SECRET_KEY", None)  # the web process never holds the credentials key
    settings = _settings().for_web()
    problem = port_problem(host, port)
    if problem:
        raise click.ClickException(problem)
    require_current(settings.database_url)  # an unmigrated database: refuse, with the `opsplan db upgrade` hint
    run_server(create_app(settings, migrate=False), host, port, workers=settings.web_workers,
               threads=settings.web_threads)


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
@click.option("--zone", "zones", multiple=True, metavar="NAME",
              help="serve this execution zone (repeatable; default: default); only its hosts are contacted")
def worker(burst: bool, zones: tuple[str, ...]) -> None:
    """Run an RQ worker (the only process that touches hosts and credentials)."""
    from app.assets.schemas import DEFAULT_ZONE, check_zone
    from app.execution import run_worker

    try:
        zones = tuple(check_zone(z) for z in zones) or (DEFAULT_ZONE,)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    run_worker(_settings(), burst=burst, zones=zones)


@cli.command("plan")
@click.argument("text")
@click.option("--json", "as_json", is_flag=True, help="print the plan JSON (CONTRACT 4); '-' reads lines from stdin")
@click.option("--save/--no-save", default=None, help="store the plan (default: store unless --json)")
@click.option("--user", default=None)
def plan_cmd(text: str, as_json: bool, save: bool | None, user: str | None) -> None:
    """Plan a request (no host is touched)."""
    from app.services.planning import plan_text, vocabulary

    settings = _settings()
    save = (not as_json) if save is None else save
    with _db(settings) as s:
        vocab = vocabulary(s)
        if as_json and text == "-":
            out = sys.stdout
            for line in sys.stdin:
                request = line.rstrip("\n")
                try:
                    body = plan_text(request, settings, vocab).contract_json()
                except OpsplanError as exc:  # e.g. too long: that line is refused, the others go on
                    body = {"status": "rejected", "questions": [], "reason": exc.message, "steps": [], "hosts": [],
                            "risk": "low", "read_only": True, "request": request[:200]}
                out.write(json.dumps(body) + "\n")
            return
        actor = _actor(s, settings, user, "operator") if save else ""
        plan = plan_text(text, settings, vocab)
        body = plan.contract_json()
        if save:
            from app.services import plans as svc  # storing a plan (audit, compile) loads its own modules

            row = svc.create_plan(s, plan, actor)
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
        click.echo(f"  {i}. {step['action']} {json.dumps(step.get('params', {}))} "
                   f"on {', '.join(step.get('hosts', []))}")
    if body.get("hosts"):
        click.echo(f"  hosts: {', '.join(body['hosts'])}")


@cli.command("ask")
@click.argument("text")
@click.option("--user", default=None)
@click.option("--json", "as_json", is_flag=True, help="print {plan, run} as JSON instead of tables")
def ask_cmd(text: str, user: str | None, as_json: bool) -> None:
    """Ask: a read-only question runs at once and prints its answer as a table per step; a change request
    is stored as a plan to preview and approve."""
    from app.progress import wait_run
    from app.services.answers import render_text, step_tables
    from app.services.ask import ask

    settings = _settings()
    with _db(settings) as s:
        actor = _actor(s, settings, user, "operator")
    asked = ask(settings, text, actor)
    if asked.run is None:
        if as_json:
            click.echo(json.dumps({"plan": asked.plan}, indent=2))
            return
        _print_plan(asked.plan)
        if asked.plan["status"] == "ready":
            click.echo(f"  this changes hosts: preview it (opsplan preview {asked.plan['id']} --follow), "
                       "then approve it")
        return
    run = wait_run(settings, asked.run["id"])
    if as_json:
        click.echo(json.dumps({"plan": asked.plan, "run": run}, indent=2))
    else:
        click.echo(f"{len(run['hosts'])} host(s): {run['status']}")
        click.echo(render_text(step_tables(run)))
    if run["status"] not in ("successful", "partial"):
        sys.exit(2)


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
    from app.services import launch

    settings = _settings()
    with _db(settings) as s:
        actor = _actor(s, settings, user, "operator")
    run_id = launch.preview(settings, plan_id, actor).run_id
    click.echo(f"preview {run_id} queued (CHECK mode)")
    if follow:
        _follow(settings, run_id)


@cli.command()
@click.argument("plan_id")
@click.option("--user", default=None)
@click.option("--reason", default="")
def approve(plan_id: str, user: str | None, reason: str) -> None:
    """Approve the previewed bundle of a plan's current revision."""
    from app.services.approvals import approve as approve_plan

    settings = _settings()
    with _db(settings) as s:
        appr = approve_plan(s, plan_id, _actor(s, settings, user, "approver"), reason)
        click.echo(f"approved plan {plan_id} revision {appr.revision} (bundle {appr.bundle_sha256[:12]})")


@cli.command()
@click.argument("plan_id")
@click.option("--reason", required=True)
@click.option("--user", default=None)
def reject(plan_id: str, reason: str, user: str | None) -> None:
    """Reject a plan, with a reason."""
    from app.services.approvals import reject as reject_plan

    settings = _settings()
    with _db(settings) as s:
        reject_plan(s, plan_id, _actor(s, settings, user, "approver"), reason)
    click.echo(f"rejected plan {plan_id}")


@cli.command()
@click.argument("plan_id")
@click.option("--follow", is_flag=True, help="show progress until the run ends")
@click.option("--limit", default=None, help="comma-separated hosts (a subset of the plan's)")
@click.option("--user", default=None)
def run(plan_id: str, follow: bool, limit: str | None, user: str | None) -> None:
    """Run an approved plan for real."""
    from app.services import launch

    settings = _settings()
    hosts = [h.strip() for h in limit.split(",") if h.strip()] if limit else None
    with _db(settings) as s:
        actor = _actor(s, settings, user, "operator")
    run_id = launch.run(settings, plan_id, actor, limit_hosts=hosts).run_id
    click.echo(f"run {run_id} queued (RUN mode)")
    if follow:
        _follow(settings, run_id)


@cli.command()
@click.argument("run_id")
@click.option("--follow", is_flag=True, help="show progress until the run ends")
@click.option("--user", default=None)
def relaunch(run_id: str, follow: bool, user: str | None) -> None:
    """Run a finished run again on its hosts that did not succeed (same approval)."""
    from app.services import launch

    settings = _settings()
    with _db(settings) as s:
        actor = _actor(s, settings, user, "operator")
    launched = launch.relaunch(settings, run_id, actor)
    click.echo(f"run {launched.run_id} queued (RUN mode) on {', '.join(launched.hosts or [])}")
    if follow:
        _follow(settings, launched.run_id)


@cli.command()
@click.argument("run_id")
@click.option("--user", default=None)
def cancel(run_id: str, user: str | None) -> None:
    """Cancel a queued or running run."""
    from app.services import runs as svc

    settings = _settings()
    with _db(settings) as s:
        run = svc.request_cancel(s, run_id, _actor(s, settings, user, "operator"))
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
        click.echo(json.dumps(run_json(s, run_id, settings), indent=2))


def _follow(settings: Settings, run_id: str) -> None:
    from app.progress import follow_run

    final = follow_run(settings, run_id, sys.stdout)
    if final not in ("successful",):
        sys.exit(0 if final == "partial" else 2)


@cli.group(invoke_without_command=True)
@click.pass_context
def actions(ctx: click.Context) -> None:
    """List the action catalog (built-in and added actions), one a line."""
    if ctx.invoked_subcommand is not None:
        return
    from app.services.catalog import current_catalog

    with _db(_settings()) as s:
        catalog = current_catalog(s)
    for a in catalog.values():
        params = ", ".join(p.name + ("" if p.required else "?") for p in a.params) or "-"
        kind = "read-only" if a.read_only else "change"
        source = "builtin" if a.source == "builtin" else f"added:{a.role}"
        click.echo(f"{a.name:18} {params:28} {kind:9} risk={a.risk.value:8} {source:18} {a.description}")


def _register_groups() -> None:
    from app.cli_actions import add_command, remove_command
    from app.cli_admin import audit_group, tokens_group, users_group
    from app.cli_ops import COMMANDS as OPS_COMMANDS

    for command in (users_group, tokens_group, audit_group, *OPS_COMMANDS):
        cli.add_command(command)
    # imported when used: the asset import/export stack, the AWX client, the evaluator and the chat
    cli.lazy_commands.update({
        "assets": "app.assets.cli:assets", "export-awx": "app.awx.cli:export_awx_command",
        "awx": "app.awx.cli:awx_group", "eval-planner": "app.planner.cli:eval_planner_command",
        "chat": "app.cli_chat:chat_command",
    })
    actions.add_command(add_command)
    actions.add_command(remove_command)


_register_groups()


def main() -> None:
    # A command allocates a great many long-lived objects while it starts (modules, classes, compiled
    # patterns, the fleet's names) and little garbage: collect the young generation less often, and leave
    # what is alive at the end to the process's exit instead of walking it in Python's final collections
    # (together ~0.15 s of a 0.75 s `opsplan plan --json` on 10,000 assets).
    gc.set_threshold(10_000, 20, 20)
    try:
        cli(prog_name="opsplan")
    finally:
        gc.freeze()
