"""``push`` through the real client against the AWX v2 test double, which enforces fields and call order."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from app.awx.cli import push_command
from app.awx.errors import AwxError
from app.awx.export import export_plan
from app.awx.push import AwxClient, push
from app.db import session_scope
from tests.app.awx.helpers import StaticServer
from tests.harness.awx_double import AwxDouble

pytestmark = pytest.mark.integration
TOKEN = "awx-test-token"


@pytest.fixture
def awx():
    double = AwxDouble(TOKEN, update_polls=3).start()
    yield double
    double.stop()


@pytest.fixture
def archive_url(settings, plan_id):
    with session_scope(settings.database_url) as s:
        data, name = export_plan(s, plan_id)
    server = StaticServer({f"/{name}": data})
    yield server.url(f"/{name}")
    server.stop()


def _push(awx: AwxDouble, url: str, **kw) -> dict:
    return push(awx.url, TOKEN, "opsplan-plan-x", url, poll_interval=0.01, **kw)


def test_full_push_and_launch(awx, archive_url):
    ids = _push(awx, archive_url, job_type="check", launch=True)
    assert sorted(ids["created"]) == sorted(["project", "inventory", "inventory_source", "job_template"])
    assert awx.objects["organizations"][ids["organization"]]["name"] == "Default"
    project = awx.objects["projects"][ids["project"]]
    assert project["scm_type"] == "archive" and project["scm_url"] == archive_url
    assert project["last_update_status"] == "successful" and "site.yml" in project["_playbooks"]
    assert awx.objects["project_updates"][ids["project_update"]]["status"] == "successful"
    source = awx.objects["inventory_sources"][ids["inventory_source"]]
    assert (source["source"], source["source_project"], source["source_path"]) == (
        "scm", ids["project"], "inventory/opsplan_inventory.py")
    assert source["inventory"] == ids["inventory"]
    template = awx.objects["job_templates"][ids["job_template"]]
    assert template["playbook"] == "site.yml" and template["job_type"] == "check"
    assert template["ask_job_type_on_launch"] is True and template["diff_mode"] is True
    assert (template["inventory"], template["project"]) == (ids["inventory"], ids["project"])
    job = awx.objects["jobs"][ids["job"]]
    assert job["job_type"] == "check" and job["job_template"] == ids["job_template"]
    # order: the project update was polled to success before the job template was created
    calls = awx.calls()
    update_done = max(i for i, c in enumerate(calls) if c.startswith("GET /api/v2/project_updates/"))
    polls = [c for c in calls if c.startswith("GET /api/v2/project_updates/")]
    assert len(polls) == 3
    assert update_done < calls.index("POST /api/v2/inventory_sources/") < calls.index("POST /api/v2/job_templates/")
    assert calls[-1] == f"POST /api/v2/job_templates/{ids['job_template']}/launch/"


def test_second_push_updates_instead_of_duplicating(awx, archive_url):
    first = _push(awx, archive_url)
    posts_before = len(awx.calls("POST"))
    second = _push(awx, archive_url, job_type="run", launch=True)
    assert second["created"] == []
    for kind in ("project", "inventory", "inventory_source", "job_template"):
        assert second[kind] == first[kind]
    for kind in ("organizations", "projects", "inventories", "inventory_sources", "job_templates"):
        assert len(awx.objects[kind]) == 1, kind
    new_posts = awx.calls("POST")[posts_before:]
    assert [c for c in new_posts if not c.endswith(("/update/", "/launch/"))] == []  # no creation the second time
    assert f"PATCH /api/v2/job_templates/{first['job_template']}/" in awx.calls("PATCH")
    assert awx.objects["job_templates"][first["job_template"]]["job_type"] == "run"
    assert awx.objects["jobs"][second["job"]]["job_type"] == "run"
    assert second["project_update"] != first["project_update"]  # synced again: the archive may have changed


def test_double_refuses_a_template_or_source_before_the_project_synced(awx, archive_url):
    client = AwxClient(awx.url, TOKEN)
    org = client.find("organizations", "Default")
    project = client.post("/projects/", {"name": "p", "organization": org["id"], "scm_type": "archive",
                                         "scm_url": archive_url})
    inv = client.post("/inventories/", {"name": "i", "organization": org["id"]})
    with pytest.raises(AwxError) as err:
        client.post("/job_templates/", {"name": "t", "project": project["id"], "inventory": inv["id"],
                                        "playbook": "site.yml", "job_type": "check",
                                        "ask_job_type_on_launch": True, "diff_mode": True})
    assert err.value.status == 400 and err.value.detail == {"playbook": ["Playbook not found for project."]}
    assert "playbook: Playbook not found for project." in str(err.value)
    with pytest.raises(AwxError, match="source_project") as err:
        client.post("/inventory_sources/", {"name": "s", "inventory": inv["id"], "source": "scm",
                                            "source_project": project["id"],
                                            "source_path": "inventory/opsplan_inventory.py"})
    assert err.value.status == 400
    client.sync_project(project["id"], interval=0.01)  # what push does first
    client.post("/job_templates/", {"name": "t", "project": project["id"], "inventory": inv["id"],
                                    "playbook": "site.yml", "job_type": "check", "ask_job_type_on_launch": True,
                                    "diff_mode": True})


def test_double_enforces_fields(awx):
    client = AwxClient(awx.url, TOKEN)
    with pytest.raises(AwxError) as err:
        client.post("/projects/", {"name": "p", "organization": "Default", "scm_type": "archive"})
    assert err.value.status == 400 and "organization" in err.value.detail
    org = client.post("/organizations/", {"name": "o"})
    with pytest.raises(AwxError, match="scm_url: SCM URL is required"):
        client.post("/projects/", {"name": "p", "organization": org["id"], "scm_type": "archive"})
    with pytest.raises(AwxError, match="local_path"):
        client.post("/projects/", {"name": "p", "organization": org["id"], "scm_type": ""})
    assert client.get("/projects/", name="p") == {"count": 0, "next": None, "previous": None, "results": []}


def test_bad_token_is_a_clear_error(awx, archive_url):
    with pytest.raises(AwxError) as err:
        push(awx.url, "wrong", "opsplan-plan-x", archive_url)
    assert err.value.status == 401 and str(err.value).startswith("AWX refused the token (401): Invalid token.")
    assert awx.objects["projects"] == {}


def test_unreachable_awx_and_a_failed_sync(awx, archive_url):
    with pytest.raises(AwxError, match="cannot reach AWX") as err:
        push("http://127.0.0.1:1", TOKEN, "p", archive_url, timeout=2)
    assert err.value.status is None
    with pytest.raises(AwxError, match=r"project update \d+ ended failed: HTTPError") as err:
        _push(awx, archive_url + ".missing")
    assert awx.objects["job_templates"] == {}  # nothing named a playbook of an unsynced project


@pytest.mark.unit
def test_push_validates_its_arguments():
    with pytest.raises(AwxError, match="job_type"):
        push("http://awx", "t", "p", "http://x", job_type="deploy")
    with pytest.raises(AwxError, match="scm_type"):
        push("http://awx", "t", "p", "http://x", scm_type="svn")
    with pytest.raises(AwxError, match="http:// or https://"):
        AwxClient("awx.example", "t")


def test_git_project_push_and_a_new_organization(awx):
    ids = push(awx.url, TOKEN, "from-git", "https://git.example/ops/plan.git", scm_type="git", scm_branch="main",
               poll_interval=0.01, organization="Ops")
    assert "organization" in ids["created"] and awx.objects["organizations"][ids["organization"]]["name"] == "Ops"
    project = awx.objects["projects"][ids["project"]]
    assert (project["scm_type"], project["scm_branch"]) == ("git", "main") and ids["job"] is None


def test_cli_push(settings, plan_id, awx, archive_url):
    args = [plan_id, "--url", awx.url, "--token", TOKEN, "--scm-url", archive_url, "--job-type", "run", "--launch"]
    result = CliRunner().invoke(push_command, args)
    assert result.exit_code == 0, result.output
    ids = json.loads(result.output)
    assert ids["job"] and awx.objects["job_templates"][ids["job_template"]]["name"] == f"opsplan-plan-{plan_id}"
    bad = CliRunner().invoke(push_command, [plan_id, "--url", awx.url, "--token", "nope", "--scm-url", archive_url])
    assert bad.exit_code == 1 and bad.output.strip().splitlines() == [
        "Error: AWX refused the token (401): Invalid token."]
    missing = CliRunner().invoke(push_command, ["nope", "--url", awx.url, "--token", TOKEN])
    assert missing.exit_code == 1 and "plan nope not found" in missing.output
    git = CliRunner().invoke(push_command, [plan_id, "--url", awx.url, "--token", TOKEN, "--scm-type", "git"])
    assert git.exit_code == 1 and "--scm-url" in git.output


@pytest.mark.unit
def test_error_messages_from_awx_bodies():
    from app.awx.push import _message

    assert _message({"detail": "Not found."}) == "Not found."
    assert _message({"name": ["required"], "__all__": ["dup"]}) == "name: required; dup"
    assert _message("plain") == "plain"
