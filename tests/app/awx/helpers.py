"""A stored, ready plan on a small fleet (no real hosts needed: export and push never connect)."""
from __future__ import annotations

import http.server
import threading

import pytest

from app.db import session_scope

FLEET = {
    "assets": [
        {"name": "web-01", "address": "127.0.0.1", "os": "linux", "environment": "staging", "groups": ["web"]},
        {"name": "web-02", "address": "127.0.0.1", "os": "linux", "environment": "staging", "groups": ["web"]},
        {"name": "win-01", "address": "127.0.0.1", "os": "windows", "environment": "staging", "groups": ["win"]},
    ],
}
STEPS = [
    {"action": "service.restart", "params": {"name": "nginx"}, "targets": {"groups": ["web"]}},
    {"action": "disk.check", "params": {}, "targets": {"hosts": ["web-01", "win-01"]}},
]


def store_plan(db_url: str, steps: list[dict] | None = None) -> str:
    from app.assets.io import import_document
    from app.services import plans as svc
    from app.services.planning import plan_from_structure

    with session_scope(db_url) as s:
        import_document(s, FLEET)
    with session_scope(db_url) as s:
        plan = plan_from_structure(s, {"steps": steps or STEPS}, request_text="restart nginx on web")
        assert plan.status.value == "ready", plan.contract_json()
        return svc.create_plan(s, plan, "operator1").id


@pytest.fixture
def plan_id(settings) -> str:
    return store_plan(settings.database_url)


class StaticServer:
    """Serves ``files`` (path -> bytes) over HTTP on a real port, like an artifact store AWX fetches from."""

    def __init__(self, files: dict[str, bytes]):
        self.files = files
        server_files = files

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                data = server_files.get(self.path)
                self.send_response(200 if data is not None else 404)
                self.send_header("Content-Length", str(len(data or b"")))
                self.end_headers()
                self.wfile.write(data or b"")

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
