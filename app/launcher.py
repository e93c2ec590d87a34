"""``opsplan up``: the whole service on its embedded defaults (what ``make run`` starts).

Creates the database, imports the demo fleet into an empty one, makes sure a Redis is there (REDIS_URL if
reachable, else a private redis-server from the system package), bootstraps an admin, starts the web
service and one worker, prints the URL; Ctrl-C stops everything it started.
"""
from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import click
from redis import Redis

from app.config import Settings

DEMO_ASSETS = Path(__file__).resolve().parent / "demo" / "assets.yml"


def _reachable(url: str) -> bool:
    try:
        return bool(Redis.from_url(url, socket_connect_timeout=1).ping())
    except Exception:  # noqa: BLE001 - reachability probe: any failure means not reachable
        return False


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_redis(settings: Settings, procs: list[subprocess.Popen], allow_install: bool) -> str:
    if _reachable(settings.redis_url):
        click.echo(f"redis: using {settings.redis_url}")
        return settings.redis_url
    exe = shutil.which("redis-server")
    if exe is None and allow_install and os.geteuid() == 0 and shutil.which("apt-get"):
        click.echo("redis: not reachable and not installed; installing the redis-server package ...")
        subprocess.run(["apt-get", "install", "-y", "-qq", "redis-server"], check=False,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"}, stdout=subprocess.DEVNULL)
        exe = shutil.which("redis-server")
    if exe is None:
        raise click.ClickException(f"no Redis at {settings.redis_url} and redis-server is not installed; "
                                   "install it (apt-get install redis-server) or set REDIS_URL")
    port = _free_port()
    data = settings.var_dir / "redis"
    data.mkdir(parents=True, exist_ok=True)
    procs.append(subprocess.Popen([exe, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(data),
                                   "--save", "60 1", "--appendonly", "no"], stdout=subprocess.DEVNULL))
    url = f"redis://127.0.0.1:{port}/0"
    deadline = time.monotonic() + 10
    while not _reachable(url):
        if time.monotonic() > deadline:
            raise click.ClickException("the private redis-server did not start")
        time.sleep(0.1)
    click.echo(f"redis: started a private redis-server at {url}")
    return url


def bootstrap(settings: Settings) -> None:
    """Database schema, demo fleet (into an empty database) and a first admin (printed once)."""
    from sqlalchemy import func, select

    from app.assets.cli import import_path
    from app.auth import create_token, create_user
    from app.db import session_scope, upgrade
    from app.db.models import Asset, User

    upgrade(settings.database_url)
    with session_scope(settings.database_url) as s:
        empty = s.execute(select(func.count(Asset.id))).scalar_one() == 0
    if empty and DEMO_ASSETS.exists():
        counts = import_path(settings, DEMO_ASSETS)  # this process may hold the key: it publishes its public half
        click.echo(f"assets: imported the demo fleet ({counts})")
    with session_scope(settings.database_url) as s:
        if s.execute(select(func.count(User.id))).scalar_one() == 0:
            password = secrets.token_urlsafe(12)
            create_user(s, "admin", "admin", password)
            _row, token = create_token(s, "admin", "bootstrap", None)
            creds = settings.var_dir / "admin-credentials.txt"
            fd = os.open(creds, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(f"web login: admin / {password}\nAPI token: {token}\n")
            click.echo(f"admin: created user 'admin'; login and API token are in {creds}; "
                       "the CLI acts as it with OPSPLAN_USER=admin (or --user admin)")


def web_env(env: dict[str, str]) -> dict[str, str]:
    """The web child's environment: the credentials key reaches workers only."""
    return {k: v for k, v in env.items() if k != "OPSPLAN_SECRET_KEY"}


def up(port: int, host: str, allow_install: bool) -> None:
    from app.ports import port_problem

    problem = port_problem(host, port)
    if problem:  # before anything starts: not a URL printed and then a crash
        raise click.ClickException(problem)
    settings = Settings.from_env()
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    procs: list[subprocess.Popen] = []

    def stop(*_args) -> None:
        for proc in reversed(procs):
            if proc.poll() is None:
                proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()

    try:
        redis_url = ensure_redis(settings, procs, allow_install)
        env = {**os.environ, "REDIS_URL": redis_url, "DATABASE_URL": settings.database_url,
               "OPSPLAN_VAR_DIR": str(settings.var_dir), "OPSPLAN_BASE_URL": f"http://{host}:{port}"}
        bootstrap(Settings.from_env(env))
        procs.append(subprocess.Popen([sys.executable, "-m", "app", "worker"], env=env))
        procs.append(subprocess.Popen([sys.executable, "-m", "app", "serve", "--port", str(port), "--host", host],
                                      env=web_env(env)))
        click.echo(f"\nOpsplan is up: http://{host}:{port}/  (readiness: http://{host}:{port}/ready)")
        click.echo("Ctrl-C stops the web service, the worker and any Redis started here.\n")
        signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
        while all(p.poll() is None for p in procs):
            time.sleep(0.5)
        failed = [p.args for p in procs if p.poll() is not None]
        raise click.ClickException(f"a component stopped unexpectedly: {failed}")
    except KeyboardInterrupt:
        click.echo("\nstopping ...")
    finally:
        stop()
