"""JSON log lines with request ids; X-Request-ID in and out; no Authorization header or body in the logs."""
from __future__ import annotations

import io
import json
import logging
import re

import pytest
from flask import Flask, g

from app.logs import HEADER, configure_logging


@pytest.fixture
def stream():
    buf = io.StringIO()
    root = logging.getLogger()
    level = root.level
    yield buf
    for h in [h for h in root.handlers if getattr(h, "_opsplan_handler", False)]:
        root.removeHandler(h)
    root.setLevel(level)


def lines(buf: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in buf.getvalue().splitlines() if line.strip()]


def small_app() -> Flask:
    app = Flask(__name__)

    @app.post("/echo")
    def echo():
        logging.getLogger("opsplan.test").info("handling %s", "echo", extra={"plan_id": "p1"})
        return {"request_id": g.request_id}

    return app


@pytest.mark.unit
def test_request_id_taken_or_made_and_on_every_record(stream):
    app = small_app()
    configure_logging(app, stream=stream)
    configure_logging(app, stream=stream)  # idempotent: one handler, one set of hooks
    client = app.test_client()
    r = client.post("/echo", json={"password": "BODY-SECRET"},
                    headers={HEADER: "abc-123", "Authorization": "Bearer TOKEN-SECRET"})
    assert r.headers[HEADER] == "abc-123" and r.get_json()["request_id"] == "abc-123"
    made = client.post("/echo", headers={HEADER: "bad id {forged}"})
    assert re.fullmatch(r"[0-9a-f]{32}", made.headers[HEADER])
    out = lines(stream)
    text = stream.getvalue()
    assert "TOKEN-SECRET" not in text and "BODY-SECRET" not in text and "forged" not in text
    handled = [rec for rec in out if rec["logger"] == "opsplan.test"]
    assert len(handled) == 2
    first = handled[0]
    assert set(first) >= {"ts", "level", "logger", "msg", "request_id"}
    assert (first["msg"], first["level"], first["request_id"], first["plan_id"]) == (
        "handling echo", "INFO", "abc-123", "p1")
    access = [rec for rec in out if rec["logger"] == "opsplan.access"]
    assert [a["request_id"] for a in access] == ["abc-123", made.headers[HEADER]]
    assert access[0]["status"] == 200 and access[0]["path"] == "/echo" and access[0]["method"] == "POST"


@pytest.mark.unit
def test_outside_a_request_and_exceptions(stream):
    configure_logging(None, stream=stream)
    log = logging.getLogger("opsplan.worker")
    try:
        raise ValueError("kaput")
    except ValueError:
        log.exception("job failed", extra={"run_id": "r1"})
    [rec] = lines(stream)
    assert rec["request_id"] is None and rec["run_id"] == "r1" and rec["level"] == "ERROR"
    assert "ValueError: kaput" in rec["exc"]


@pytest.mark.unit
def test_text_format(stream):
    configure_logging(None, json=False, stream=stream)
    logging.getLogger("opsplan.cli").warning("plain %d", 1)
    assert stream.getvalue().rstrip().endswith("WARNING opsplan.cli [None] plain 1")


@pytest.mark.integration
def test_refused_requests_get_an_id_too(app, stream):
    configure_logging(app, stream=stream)
    r = app.test_client().get("/api/v1/plans", headers={"Authorization": "Bearer ops_wrong-token-value"})
    assert r.status_code == 401 and re.fullmatch(r"[0-9a-f]{32}", r.headers[HEADER])
    assert "ops_wrong-token-value" not in stream.getvalue()
    [access] = [rec for rec in lines(stream) if rec["logger"] == "opsplan.access"]
    assert access["status"] == 401 and access["request_id"] == r.headers[HEADER]
