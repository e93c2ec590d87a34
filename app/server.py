"""Serve the Flask app with gunicorn's threaded workers (Server-Sent Events hold a thread each)."""
from __future__ import annotations

from flask import Flask
from gunicorn.app.base import BaseApplication


class _Gunicorn(BaseApplication):
    def __init__(self, app: Flask, options: dict):
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self.application


def _post_fork(_server, _worker) -> None:
    """A new worker process: drop the database connections inherited from the master (never shared)."""
    from app.db.session import after_fork

    after_fork()


def serve(app: Flask, host: str, port: int, workers: int = 1, threads: int = 32) -> None:
    """``workers`` processes (the app is built once in the master and forked) of ``threads`` threads each."""
    _Gunicorn(app, {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        "post_fork": _post_fork,
        "timeout": 0,  # SSE streams are long-lived
        "accesslog": "-",
        "errorlog": "-",
        "loglevel": "info",
    }).run()
