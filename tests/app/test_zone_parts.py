"""Execution zones (CONTRACT 10) without hosts: the asset field in every format, the queues, the worker's
option, run creation and the waiting message, readiness and metrics per zone."""
from __future__ import annotations

import dataclasses
import io
import uuid

import pytest
from click.testing import CliRunner
from prometheus_client.parser import text_string_to_metric_families
from redis import Redis
from rq import Queue, Worker

from app.assets.errors import ImportFileError
from app.assets.io import export_csv, export_data, import_document, parse_csv, parse_document
from app.db import session_scope
from app.db.models import Asset
from app.progress import follow_run
from app.queue import (
    job_id_for,
    live_workers_by_zone,
    queue_zone,
    run_queue_name,
    zone_queue_name,
)
from app.services import zones
from app.statuses import RunStatus

pytestmark = pytest.mark.integration

FLEET = {"assets": [{"name": "web-01", "address": "10.1.0.1"},
                    {"name": "dmz-01", "address": "10.2.0.1", "zone": "dmz"},
                    {"name": "dmz-02", "address": "10.2.0.2", "zone": "dmz"},
                    {"name": "plant-01", "address": "10.3.0.1", "zone": "plant.north"}]}


@pytest.fixture
def zsettings(settings, redis_url):
    return dataclasses.replace(settings, redis_url=redis_url, queue_name="opsplan-test-" + uuid.uuid4().hex[:8])


def _zones(db_url: str) -> dict[str, str]:
    with session_scope(db_url) as s:
        return dict(s.query(Asset.name, Asset.zone).all())


def test_assets_name_a_zone_in_yaml_and_csv_and_round_trip(session, db_url):
    import_document(session, FLEET)
    session.commit()
    assert _zones(db_url) == {"web-01": "default", "dmz-01": "dmz", "dmz-02": "dmz", "plant-01": "plant.north"}
    data = export_data(session)
    assert [a.get("zone") for a in data["assets"]] == ["dmz", "dmz", "plant.north", None]  # default: left out
    text = export_csv(session)
    assert text.splitlines()[0].endswith(",zone") and "10.2.0.1" in text
    assert {a.name: a.zone for a in parse_csv(text)} == _zones(db_url)
    # CSV without the column (older exports) and an empty cell mean the default zone
    old = parse_csv("name,address\nweb-09,10.1.0.9\n")
    empty = parse_csv("name,address,zone\nweb-09,10.1.0.9,\n")
    assert old[0].zone == empty[0].zone == "default"
    # a re-import without zone puts the asset back in the default zone (the file is the truth)
    import_document(session, {"assets": [{"name": "dmz-01", "address": "10.2.0.1"}]})
    session.commit()
    assert _zones(db_url)["dmz-01"] == "default"


@pytest.mark.parametrize("bad", ["two words", "-dmz", "a" * 65, "zone/1", 7])
def test_a_bad_zone_is_refused_naming_the_asset(bad):
    with pytest.raises(ImportFileError) as exc:
        parse_document({"assets": [{"name": "dmz-01", "address": "10.2.0.1", "zone": bad}]})
    assert "assets[0] (dmz-01)" in exc.value.message and "zone" in exc.value.message


def test_the_api_shows_and_changes_an_assets_zone(api):
    admin = api.as_("admin1")
    r = admin.post("/api/v1/assets", json={"name": "dmz-01", "address": "10.2.0.1", "zone": "dmz"})
    assert r.status_code == 201 and r.get_json()["zone"] == "dmz", r.get_json()
    r = admin.client.patch("/api/v1/assets/dmz-01", json={"zone": "plant"}, headers=admin._headers())
    assert r.status_code == 200 and r.get_json()["zone"] == "plant", r.get_json()
    r = admin.client.patch("/api/v1/assets/dmz-01", json={"zone": "no spaces"}, headers=admin._headers())
    assert r.status_code == 400 and "zone" in r.get_json()["error"]["message"]
    r = admin.post("/api/v1/assets", json={"name": "web-01", "address": "10.1.0.1"})
    assert r.get_json()["zone"] == "default"
    listed = admin.get("/api/v1/assets?zone=plant").get_json()
    assert [a["name"] for a in listed["assets"]] == ["dmz-01"] and listed["count"] == 1
    page = api.client.get("/assets", headers={"Authorization": f"Bearer {api.tokens['viewer1']}"})
    assert page.status_code == 200 and b"<td>plant</td>" in page.data


def test_queue_names_per_zone_keep_the_default_zone_on_the_old_queue(settings):
    base = run_queue_name(settings)
    assert zone_queue_name(settings) == zone_queue_name(settings, "default") == base
    assert zone_queue_name(settings, "dmz") == f"{base}-zone-dmz"
    assert queue_zone(settings, base) == "default" and queue_zone(settings, f"{base}-zone-dmz") == "dmz"
    assert queue_zone(settings, f"{base}-notify") is None and queue_zone(settings, "opsplan-other") is None
    assert job_id_for(settings, "r1") == job_id_for(settings, "r1", "default") != job_id_for(settings, "r1", "dmz")


def test_live_workers_by_zone(zsettings):
    conn = Redis.from_url(zsettings.redis_url)
    assert live_workers_by_zone(zsettings, conn, ["default", "dmz"]) == {"default": 0, "dmz": 0}
    both = Worker([Queue(zone_queue_name(zsettings, z), connection=conn) for z in ("default", "dmz")],
                  connection=conn, name=f"z-{uuid.uuid4().hex[:8]}")
    dmz = Worker([Queue(zone_queue_name(zsettings, "dmz"), connection=conn)], connection=conn,
                 name=f"z-{uuid.uuid4().hex[:8]}")
    for w in (both, dmz):
        w.register_birth()
    try:
        assert live_workers_by_zone(zsettings, conn, ["plant"]) == {"default": 1, "dmz": 2, "plant": 0}
        assert "no live worker" in zones.waiting_message(zsettings, "plant")
        assert zones.waiting_message(zsettings, "dmz") == "queued in zone 'dmz' (2 live workers)"
    finally:
        for w in (both, dmz):
            w.register_death()


def test_combine_part_statuses():
    S = RunStatus
    assert zones.combine([S.SUCCESSFUL]) is S.SUCCESSFUL
    assert zones.combine([S.SUCCESSFUL, S.SUCCESSFUL]) is S.SUCCESSFUL
    assert zones.combine([S.FAILED, S.FAILED]) is S.FAILED
    assert zones.combine([S.SUCCESSFUL, S.FAILED]) is S.PARTIAL
    assert zones.combine([S.PARTIAL, S.SUCCESSFUL]) is S.PARTIAL
    assert zones.combine([S.SUCCESSFUL, S.CANCELED]) is S.CANCELED
    assert zones.combine([S.SUCCESSFUL, S.TIMED_OUT]) is S.TIMED_OUT


def test_a_run_starts_in_the_first_zone_of_its_hosts_and_says_what_it_waits_for(api):
    with session_scope(api.settings.database_url) as s:
        import_document(s, FLEET)
    body = {"plan": {"steps": [{"action": "host.ping", "params": {}, "targets": {"hosts": ["dmz-01", "plant-01"]}}]}}
    plan = api.post("/api/v1/plans", json=body).get_json()
    r = api.post(f"/api/v1/plans/{plan['id']}/preview")
    assert r.status_code == 202, r.get_json()
    run = api.get(f"/api/v1/runs/{r.get_json()['id']}").get_json()
    assert run["status"] == "queued" and run["zone"] == "dmz" and run["zones"] == []
    assert run["status_message"] == ("waiting for a worker of zone 'dmz': no live worker serves it "
                                     "(start one with: opsplan worker --zone dmz)")
    queue = Queue(zone_queue_name(api.settings, "dmz"), connection=Redis.from_url(api.settings.redis_url))
    assert queue.job_ids == [job_id_for(api.settings, run["id"], "dmz")]
    out = io.StringIO()  # the CLI's --follow says it too
    assert follow_run(api.settings, run["id"], out, poll=0.05, timeout=0) == "queued"
    assert "waiting for a worker of zone 'dmz'" in out.getvalue(), out.getvalue()
    # a cancel before any part ran cancels every host
    canceled = api.post(f"/api/v1/runs/{run['id']}/cancel").get_json()
    assert canceled["status"] == "canceled" and {e["status"] for e in canceled["hosts"].values()} == {"canceled"}


def test_worker_refuses_a_bad_zone_in_one_line():
    from app.cli import cli

    result = CliRunner().invoke(cli, ["worker", "--zone", "two words"])
    assert result.exit_code != 0 and "invalid zone 'two words'" in result.output
    assert "Traceback" not in result.output


def test_metrics_have_a_workers_gauge_per_zone(zsettings, session):
    from flask import Flask

    from app.api.metrics import bp

    import_document(session, FLEET)
    session.commit()
    conn = Redis.from_url(zsettings.redis_url)
    w = Worker([Queue(zone_queue_name(zsettings, "dmz"), connection=conn)], connection=conn,
               name=f"z-{uuid.uuid4().hex[:8]}")
    w.register_birth()
    try:
        app = Flask(__name__)
        app.config.update(OPSPLAN_SETTINGS=zsettings, TESTING=True)
        app.register_blueprint(bp)
        text = app.test_client().get("/metrics").get_data(as_text=True)
    finally:
        w.register_death()
    values = {tuple(sorted(s.labels.items())): s.value for f in text_string_to_metric_families(text)
              for s in f.samples if s.name == "opsplan_zone_workers"}
    assert values == {(("zone", "default"),): 0, (("zone", "dmz"),): 1, (("zone", "plant.north"),): 0}
    depth = {s.labels["zone"]: s.value for f in text_string_to_metric_families(text) for s in f.samples
             if s.name == "opsplan_zone_queue_depth"}
    assert depth == {"default": 0, "dmz": 0, "plant.north": 0}
