"""Dictated requests are written out before planning; written requests pass through unchanged."""
from __future__ import annotations

from pathlib import Path

import pytest

from app.planner import spoken
from app.planner.rules import plan_rules
from app.planner.vocabulary import Vocabulary

pytestmark = pytest.mark.unit
FLEET = Vocabulary.from_fleet_yaml(Path(__file__).parents[2] / "fixtures" / "planner_fleet.yml")


@pytest.mark.parametrize(("said", "written"), [
    ("ping web oh five", "ping web-05"),
    ("uh restart nginx on web zero two please", "restart nginx on web-02 please"),
    ("start W3SVC on i i s oh two", "start W3SVC on iis-02"),
    ("is port fifty four thirty two listening on db oh one", "is port 5432 listening on db-01"),
    ("show me the last two hundred lines of slash var slash log slash messages on db oh three",
     "show me the last 200 lines of /var/log/messages on db-03"),
    ("does c colon backslash temp backslash report dot csv exist on cis oh three",
     r"does C:\temp\report.csv exist on cis-03"),
    ("hit h t t p colon slash slash localhost slash health from app oh one",
     "hit http://localhost/health from app-01"),
    ("run the command quote df dash h unquote on web oh two", 'run the command "df -h" on web-02'),
    ("update nginx to one point twenty four point oh on web oh five", "update nginx to 1.24.0 on web-05"),
    ("check the certificate served on web oh one colon four four three", "check the certificate served on web-01:443"),
    ("stop win r m on cis oh one", "stop winrm on cis-01"),
])
def test_spoken_forms_are_written_out(said: str, written: str) -> None:
    assert spoken.written(said, FLEET) == written


@pytest.mark.parametrize("text", [
    "restart nginx on web-01",
    "restart the one on web-01 that is stuck",
    "install dot net on cis-01",
    "Re: disk\n\nplease check disk on db-01\n> quoted line",
    'run "rm -rf /tmp/x" on web-01',
    "check the web server for errors",
])
def test_written_requests_are_unchanged(text: str) -> None:
    assert spoken.written(text, FLEET) == text


def test_a_dictated_plan_says_how_it_was_read() -> None:
    plan = plan_rules("um is port four four three open on web oh one", FLEET)
    assert plan.status == "ready" and plan.hosts == ["web-01"] and plan.steps[0].params == {"port": 443}
    assert plan.interpretation[0] == "read as: 'is port 443 open on web-01'"
    assert plan.request == "um is port four four three open on web oh one"


@pytest.mark.parametrize("text", [
    "If nginx is down on web-01, start it.",
    "restart W3SVC on iis-02 if it's hung",
    "when the disk is full on db-02 clean up /tmp",
])
def test_a_change_that_depends_on_a_condition_is_asked_about(text: str) -> None:
    plan = plan_rules(text, FLEET)
    assert plan.status == "needs_clarification" and not plan.hosts
    assert "depend on a condition" in plan.questions[0]


@pytest.mark.parametrize(("text", "action", "params", "hosts"), [
    ("run this on db-01 please:\n```\npg_lsclusters\n```", "command.run", {"command": "pg_lsclusters"}, ["db-01"]),
    ("restart nginx on these:\n```\nweb-01\nweb-02\n```", "service.restart", {"name": "nginx"}, ["web-01", "web-02"]),
    ("| host | role |\n|---|---|\n| web-03 | frontend |\n| db-03 | postgres |\n\ncheck disk usage on the hosts in "
     "the table", "disk.check", {}, ["db-03", "web-03"]),
    (":fire: is `postgresql` running on **db-01**? 🙏", "service.status", {"name": "postgresql"}, ["db-01"]),
    ("update the app on **app-03**:\n- name: `billing`\n- source: `\\\\file-01\\rel\\billing.exe`\n"
     "- path: `C:\\Apps\\billing.exe`", "app.update",
     {"name": "billing", "source": "\\\\file-01\\rel\\billing.exe", "path": "C:\\Apps\\billing.exe"}, ["app-03"]),
    ("restart nginx on web-0[1-3]", "service.restart", {"name": "nginx"}, ["web-01", "web-02", "web-03"]),
    ("status of nginx on web-{01,02}", "service.status", {"name": "nginx"}, ["web-01", "web-02"]),
    ("ping 10.20.2.11 and 10.20.2.12", "host.ping", {}, ["db-01", "db-02"]),
    ("show the last 1k lines of /var/log/syslog on mon-01", "logs.tail", {"path": "/var/log/syslog", "lines": 1000},
     ["mon-01"]),
])
def test_markdown_ranges_and_addresses_are_read(text: str, action: str, params: dict, hosts: list[str]) -> None:
    plan = plan_rules(text, FLEET)
    assert plan.status == "ready", plan.questions
    assert [(s.action, s.params) for s in plan.steps] == [(action, params)] and plan.hosts == hosts


def test_numbered_steps_keep_their_order() -> None:
    plan = plan_rules("1. tail `/var/log/nginx/error.log` (last 100 lines) on **web-04**\n2. restart `nginx`\n"
                      "3. check `http://localhost/healthz`", FLEET)
    assert [s.action for s in plan.steps] == ["logs.tail", "service.restart", "http.check"]


@pytest.mark.parametrize("text", [
    "restart nginx`id` on web-01",  # code next to a word smuggles a command
    "tail -n 1000 /etc/shadow on db-01",
    'run "cat /etc/shadow" on web-01',
    "copy /home/ops/.ssh/id_rsa to /tmp/x on web-01",
    "reboot web-0[1-5], db-0[1-4], app-0[1-3], cis-0[1-4], iis-0[1-2], file-01 and mon-01",
])
def test_smuggling_secrets_and_every_host_one_by_one_are_refused(text: str) -> None:
    assert plan_rules(text, FLEET).status == "rejected"


def test_stat_of_a_secret_file_is_fine() -> None:
    plan = plan_rules("who owns /etc/shadow on db-01", FLEET)
    assert plan.status == "ready" and plan.steps[0].action == "file.stat"


@pytest.mark.parametrize(("text", "hosts"), [
    ("restart nginx on web01", ["web-01"]), ("check disk on db01/db02", ["db-01", "db-02"]),
    ("check the postgresql service on db01.corp.local", ["db-01"]), ("ping WEB_02", ["web-02"]),
    ("is the Spooler service running on cis 01", ["cis-01"]), ("ping web-3", ["web-03"]),
    ("system info for web01 through web03", ["web-01", "web-02", "web-03"]),
])
def test_host_names_as_people_type_them(text: str, hosts: list[str]) -> None:
    plan = plan_rules(text, FLEET)
    assert plan.status == "ready" and plan.hosts == hosts


def test_a_change_on_a_host_whose_number_is_written_another_way_asks() -> None:
    plan = plan_rules("stop apache on web-3", FLEET)
    assert plan.status == "needs_clarification" and "web-03" in plan.questions[0]


@pytest.mark.parametrize(("text", "word"), [
    ("restart nginx on <hostname>", "placeholder"), ("check disk on $HOST", "placeholder"),
    ("update APPNAME from \\\\file-01\\releases\\<version>\\app.exe on app-03", "placeholder"),
    ("run `systemctl restart ${SERVICE}` on web-01", "placeholder"),
    ("check disk on any one of the db boxes", "which ones"),
    ("tail /var/log/syslog on 3 of the web servers", "which ones"),
    ("reboot web*", "wildcard"), ("reboot every box from web01 to cis04", "order hosts"),
])
def test_placeholders_and_choices_of_hosts_are_asked_about(text: str, word: str) -> None:
    plan = plan_rules(text, FLEET)
    assert plan.status == "needs_clarification" and word in plan.questions[0], plan.questions


def test_a_pronoun_in_a_later_step_is_the_earlier_object() -> None:
    plan = plan_rules("remove telnet from web-03, check it's gone, then search /var/log/dpkg.log for 'telnet'", FLEET)
    assert [(s.action, s.params.get("name")) for s in plan.steps] == [
        ("package.remove", "telnet"), ("package.check", "telnet"), ("logs.search", None)]
