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


def serve(app: Flask, host: str, port: int, threads: int = 32) -> None:
    _Gunicorn(app, {
        "bind": f"{host}:{port}",
        "workers": 1,
        "worker_class": "gthread",
        "threads": threads,
        "timeout": 0,  # SSE streams are long-lived
        "accesslog": "-",
        "errorlog": "-",
        "loglevel": "info",
    }).run()
