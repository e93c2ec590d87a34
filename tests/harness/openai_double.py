"""A local OpenAI-compatible HTTP server for tests: real TCP port, scripted chat.completions answers.

    with OpenAIDouble() as double:
        double.script(content=json.dumps({...}))      # 200 with that message content
        double.script(status=500)                     # an error
        double.script(content="...", delay=2.0)       # slow answer (for timeouts)
        settings = Settings(..., openai_base_url=double.base_url, openai_api_key="test")
"""
from __future__ import annotations

import json
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _Handler(BaseHTTPRequestHandler):
    server_version = "OpenAIDouble/1.0"

    def log_message(self, *args) -> None:  # keep test output quiet
        pass

    def do_POST(self) -> None:  # noqa: N802
        double: OpenAIDouble = self.server.double  # type: ignore[attr-defined]
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        try:
            request = json.loads(body or b"{}")
        except ValueError:
            request = {"_raw": body.decode("utf-8", "replace")}
        double.requests.append({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()},
                                "body": request})
        if not self.path.rstrip("/").endswith("/chat/completions"):
            return self._send(404, {"error": {"message": "not found", "type": "invalid_request_error"}})
        entry = double.next_entry()
        if entry.get("delay"):
            time.sleep(entry["delay"])
        status = entry.get("status", 200)
        if status != 200:
            return self._send(status, {"error": {"message": entry.get("message", "scripted error"),
                                                 "type": "server_error"}})
        content = entry.get("content", "")
        self._send(200, {
            "id": f"chatcmpl-{len(double.requests)}", "object": "chat.completion", "created": int(time.time()),
            "model": request.get("model", "double"),
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        })

    def _send(self, status: int, payload: dict) -> None:
        data = json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:  # the client gave up (timeout test)
            pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address) -> None:  # a client that hung up is not a test failure
        pass


class OpenAIDouble:
    def __init__(self, host: str = "127.0.0.1") -> None:
        self.requests: list[dict] = []
        self._script: deque[dict] = deque()
        self.default: dict = {"status": 500, "message": "no scripted response"}
        self._server = _Server((host, 0), _Handler)
        self._server.double = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="openai-double", daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def script(self, content: str | dict | None = None, *, status: int = 200, delay: float = 0.0,
               message: str = "") -> OpenAIDouble:
        if isinstance(content, dict):
            content = json.dumps(content)
        self._script.append({"content": content or "", "status": status, "delay": delay, "message": message})
        return self

    def next_entry(self) -> dict:
        return self._script.popleft() if self._script else self.default

    def start(self) -> OpenAIDouble:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> OpenAIDouble:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
