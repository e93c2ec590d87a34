"""Seventh session's failure families: several questions in one message, ... Each test holds other wordings than
the tuning sets'."""
from __future__ import annotations

import pytest

from tests.app.planner.helpers import fleet_vocab, read_plan

V = fleet_vocab()


def _read(text: str):
    return read_plan(text, V)


@pytest.mark.unit
@pytest.mark.parametrize("text,steps,hosts", [
    ("is redis running on app-01? what's the uptime? and is 6379 listening?",
     [("service.status", {"name": "redis"}), ("system.info", {}), ("port.check", {"port": 6379})], ["app-01"]),
    ("on web-04:\nis apache2 up?\nhow full is /var/www?\nand does the user deploy exist",
     [("service.status", {"name": "apache2"}), ("disk.check", {"path": "/var/www"}),
      ("user.check", {"name": "deploy"})],
     ["web-04"]),
    ("iis-01 - is W3SVC running? also list the scheduled tasks please",
     [("service.status", {"name": "W3SVC"}), ("cron.list", {})], ["iis-01"]),
    ("can mon-01 reach db-02:5432? and what does api.corp.local resolve to from there?",
     [("tcp.reach", {"endpoint": "db-02:5432"}), ("dns.check", {"name": "api.corp.local"})], ["mon-01"]),
])
def test_several_questions_are_each_a_check(text, steps, hosts):
    assert _read(text) == ("ready", steps, hosts)


@pytest.mark.unit
@pytest.mark.parametrize("text,steps", [
    # the second sentence is the story or how many, not another check
    ("can app-02 reach db-03:5432? the app log says connection refused",
     [("tcp.reach", {"endpoint": "db-03:5432"})]),
    ("what's using the cpu on db-02? top 3 please", [("process.top", {"sort": "cpu", "count": 3})]),
    ("is postgresql up on db-01? Replication looks stuck to me.", [("service.status", {"name": "postgresql"})]),
])
def test_a_question_and_its_story_is_one_check(text, steps):
    status, got, _ = _read(text)
    assert (status, got) == ("ready", steps)


@pytest.mark.unit
@pytest.mark.parametrize("text", [
    "is nginx running on web-01? and can you restart it if not?",  # a change among the questions: the rules read it
    "is W3SVC up on web-02? and how's the disk?",  # a Windows service on a Linux host: asked, nothing planned ready
])
def test_questions_with_a_change_or_a_doubt_are_not_put_together_as_ready(text):
    status, steps, _ = _read(text)
    assert status != "ready" or all(a in ("service.status",) for a, _ in steps), (status, steps)


@pytest.mark.unit
@pytest.mark.parametrize("text", [
    "bounce php-fpm on app-02 tonight at 23:30",
    "stop tomcat on app-01 after 9pm please",
    "at 10 pm tonight reboot web-05",
    "shall we restart redis on app-01? the cache looks stale",
    "should I just reboot cis-03 or wait for the vendor?",
    "will bouncing W3SVC on iis-01 clear the 503s?",
])
def test_a_clock_time_to_come_and_advice_are_no_ready_change(text):
    status, steps, _ = _read(text)
    assert status in ("needs_clarification", "rejected") and not [s for s in steps if s[0] != "service.status"], \
        (status, steps)


@pytest.mark.unit
@pytest.mark.parametrize("text", [
    "the svc account is backup_svc, pw: Winter#2025, restart the backup agent on file-01 with it",
    "ssh creds = deploy / Tr0ub4dor&3 - install htop on web-05",
    "her password was Spring2024 and now it fails on cis-01, check the account jsmith",
])
def test_a_secret_typed_into_the_request_is_refused(text):
    plan = read_plan(text, V)
    assert plan[0] == "rejected", plan
    from app.planner.rules import plan_rules
    refused = plan_rules(text, V)
    assert refused.refusal_kind == "secrets" and "have it changed" in refused.reason


@pytest.mark.unit
@pytest.mark.parametrize("text,steps", [
    ("it crashed after 10pm yesterday, restart nginx on web-03", [("service.restart", {"name": "nginx"})]),
    ("the token is expired on app-01, restart the sync service", [("service.restart", {"name": "sync"})]),
    ("search the auth log on web-01 for 'Failed password'",
     [("logs.search", {"unit": "auth", "pattern": "Failed password"})]),
])
def test_the_past_and_words_about_secrets_are_no_refusal(text, steps):
    status, got, _ = _read(text)
    assert (status, got) == ("ready", steps)


@pytest.mark.unit
@pytest.mark.parametrize("text,steps,hosts", [
    ("Restart of php-fpm on app-02 needed asap", [("service.restart", {"name": "php-fpm"})], ["app-02"]),
    ("Uninstallation of the ftp package on web-05 is requested.", [("package.remove", {"name": "ftp"})], ["web-05"]),
    ("An upgrade of curl to 8.5.0 on mon-01 is required", [("package.update", {"name": "curl", "version": "8.5.0"})],
     ["mon-01"]),
    ("Summary: stopping of W3SVC on iis-02 required", [("service.stop", {"name": "W3SVC"})], ["iis-02"]),
    ("bounce tomcat on app-01, due to yesterday's release", [("service.restart", {"name": "tomcat"})], ["app-01"]),
    ("restart haproxy on web-03 following the config push", [("service.restart", {"name": "haproxy"})], ["web-03"]),
])
def test_a_request_written_as_a_noun_and_the_event_it_follows(text, steps, hosts):
    assert _read(text) == ("ready", steps, hosts)


@pytest.mark.unit
@pytest.mark.parametrize("text", [
    "after the restart of nginx on web-01, check port 80",  # an event told, then the ask: no restart
])
def test_a_noun_after_after_is_an_event(text):
    _, steps, _ = _read(text)
    assert "service.restart" not in [a for a, _ in steps]


@pytest.mark.unit
@pytest.mark.parametrize("text", [
    "Shutdown of db-04 requested, it is being decommissioned",
    "power down the server app-02 please",
    "shut down web-05 for the rack move",
])
def test_shutting_down_a_host_is_out_of_the_catalog(text):
    status, steps, _ = _read(text)
    assert status in ("needs_clarification", "rejected") and not steps, (status, steps)


@pytest.mark.unit
def test_shutting_down_a_service_is_a_stop():
    assert _read("shut down the postfix service on mon-01") == ("ready", [("service.stop", {"name": "postfix"})],
                                                               ["mon-01"])


@pytest.mark.unit
@pytest.mark.parametrize("text,steps,hosts", [
    ("app-01 looks fine; it's app-02 that keeps dying - restart tomcat there",
     [("service.restart", {"name": "tomcat"})], ["app-02"]),
    ("web-03 already restarted by Ana, leave it. restart nginx on web-04", [("service.restart", {"name": "nginx"})],
     ["web-04"]),
    ("skip db-03; remove telnet from db-04", [("package.remove", {"name": "telnet"})], ["db-04"]),
    ("cis-03 -> wrong box. it's cis-04: stop the Spooler there", [("service.stop", {"name": "Spooler"})], ["cis-04"]),
    ("the page said web-01 but the real one is web-02, restart php-fpm on web-02",
     [("service.restart", {"name": "php-fpm"})], ["web-02"]),
    ("not db-02, db-01 - stop mysql", [("service.stop", {"name": "mysql"})], ["db-01"]),
])
def test_a_host_ruled_out_is_no_target(text, steps, hosts):
    assert _read(text) == ("ready", steps, hosts)


@pytest.mark.unit
@pytest.mark.parametrize("text", ["not web-03, the other staging web box - restart nginx",
                                  "not cis-01 but the other one"])
def test_the_other_one_after_a_host_ruled_out_is_asked(text):
    status, _, hosts = _read(text)
    assert (status, hosts) == ("needs_clarification", [])


@pytest.mark.unit
@pytest.mark.parametrize("text", [
    "would it help to restart php-fpm on app-02?",
    "is it worth rebooting cis-01 before the audit?",
])
def test_would_it_help_asks_for_advice(text):
    status, steps, _ = _read(text)
    assert status != "ready", (status, steps)


@pytest.mark.unit
@pytest.mark.parametrize("text,steps,hosts", [
    ("make it so redis comes up with the system on app-01", [("service.enable", {"name": "redis"})], ["app-01"]),
    ("we don't want avahi-daemon starting on boot on web-05", [("service.disable", {"name": "avahi-daemon"})],
     ["web-05"]),
    ("make W3SVC start with the server on iis-01", [("service.enable", {"name": "W3SVC"})], ["iis-01"]),
])
def test_start_up_wording_said_with_the_machine(text, steps, hosts):
    assert _read(text) == ("ready", steps, hosts)


@pytest.mark.unit
@pytest.mark.parametrize("text,steps,hosts", [
    ("pop jq on app-02 mate", [("package.install", {"name": "jq"})], ["app-02"]),
    ("bin any files older than 14 days in /var/tmp/reports on db-03",
     [("file.cleanup", {"path": "/var/tmp/reports", "older_than_days": 14})], ["db-03"]),
    ("Kindly do one thing: ping web-04", [("host.ping", {})], ["web-04"]),
    ("r the containers up on mon-01", [("container.status", {})], ["mon-01"]),
    ("tail /var/log/syslog on web-05, 30 lines only", [("logs.tail", {"path": "/var/log/syslog", "lines": 30})],
     ["web-05"]),
    ("the prod db servers - is postgresql running?", [("service.status", {"name": "postgresql"})], ["db-01", "db-02"]),
    ("every linux box in dev: how full are the disks?", [("disk.check", {})], ["db-04", "web-05"]),
])
def test_everyday_words_and_the_hosts_said_before_a_question(text, steps, hosts):
    assert _read(text) == ("ready", steps, hosts)


@pytest.mark.unit
def test_only_after_a_host_keeps_the_host():
    assert _read("reboot db-04 only") == ("ready", [("host.reboot", {})], ["db-04"])


@pytest.mark.unit
@pytest.mark.parametrize("text,steps,hosts", [
    ("on mon-01: status of the grafana container, then restart it",
     [("container.status", {"name": "grafana"}), ("container.restart", {"name": "grafana"})], ["mon-01"]),
    ("for the next sprint cycle please install jq on web-05", [("package.install", {"name": "jq"})], ["web-05"]),
    ("restart the flaky 'queue-worker' service on app-02", [("service.restart", {"name": "queue-worker"})],
     ["app-02"]),
])
def test_the_kind_of_it_the_purpose_and_a_word_describing_a_quoted_name(text, steps, hosts):
    assert _read(text) == ("ready", steps, hosts)


@pytest.mark.unit
@pytest.mark.parametrize("text,steps,hosts", [
    ("Hello,\n\nplease restart W3SVC on iis-02 asap.\n\nThanks, Ola\nOla Nordmann | Service Desk | ext. 4411",
     [("service.restart", {"name": "W3SVC"})], ["iis-02"]),
    ("run 'df -h /' on mon-01 and tell me what it says", [("command.run", {"command": "df -h /"})], ["mon-01"]),
    ("copy our test data from /srv/in/data.csv to /srv/out/data.csv on app-02",
     [("file.copy", {"src": "/srv/in/data.csv", "dest": "/srv/out/data.csv"})], ["app-02"]),
])
def test_a_signature_a_commands_output_and_test_things(text, steps, hosts):
    assert _read(text) == ("ready", steps, hosts)


@pytest.mark.unit
def test_a_test_box_still_asks_for_the_environment():
    status, _, _ = _read("reboot the test box")
    assert status == "needs_clarification"


@pytest.mark.unit
@pytest.mark.parametrize("text,status,hosts", [
    ("Hi all - please restart nginx on web-03", "ready", ["web-03"]),
    ("morning everyone, can someone ping the staging db box", "ready", ["db-03"]),
    ("Pooling broke in staging overnight. Restart pgbouncer on the db servers there.", "ready", ["db-03"]),
    ("Builds broke in staging and dev. Restart docker on the web boxes there.", "needs_clarification", []),
])
def test_a_greeting_is_no_target_and_there_is_where_the_story_was(text, status, hosts):
    got, _, got_hosts = _read(text)
    assert (got, got_hosts) == (status, hosts)


@pytest.mark.unit
@pytest.mark.parametrize("text,steps,hosts", [
    ("run 'apachectl configtest' on web-04 and tell me if apache2 is running",
     [("command.run", {"command": "apachectl configtest"}), ("service.status", {"name": "apache2"})], ["web-04"]),
    ("stop php-fpm on web-05 and then check if port 9000 is still listening",
     [("service.stop", {"name": "php-fpm"}), ("port.check", {"port": 9000})], ["web-05"]),
])
def test_a_check_asked_after_a_step_is_no_condition(text, steps, hosts):
    assert _read(text) == ("ready", steps, hosts)


@pytest.mark.unit
def test_a_step_made_to_depend_on_a_state_is_still_a_condition():
    status, _, _ = _read("stop php-fpm on web-05 if it is hung")
    assert status == "needs_clarification"


@pytest.mark.unit
@pytest.mark.parametrize("text", [
    "hey can someone restart the service on prod?? nothing's loading",  # a greeting, a vague object and a story
    "restart php-fpm on app-02 tonite after 10",
])
def test_no_ready_change_from_a_story_word_or_a_later_time(text):
    status, steps, _ = _read(text)
    assert status != "ready", (status, steps)


@pytest.mark.unit
def test_a_rollback_plan_field_is_no_rollback_asked():
    status, _, _ = _read("Change: restart W3SVC on iis-02 / Rollback plan: none needed / Window: now")
    assert status == "ready"


@pytest.mark.unit
def test_ticket_fields_apart_by_pipes_are_fields():
    text = ("INC0077120 | Summary: disk alert | Description: check disk usage of /var | Priority: P3 "
            "| Affected CI: web-02")
    assert _read(text) == ("ready", [("disk.check", {"path": "/var"})], ["web-02"])


@pytest.mark.unit
def test_a_pipe_in_an_instruction_is_still_refused():
    assert _read("restart nginx on web-01 | tee /tmp/out")[0] == "rejected"


@pytest.mark.unit
@pytest.mark.parametrize("text,steps,hosts", [
    ("on db-03: is 5432 listening, is postgresql running, and how full is /var/lib/postgresql?",
     [("port.check", {"port": 5432}), ("service.status", {"name": "postgresql"}),
      ("disk.check", {"path": "/var/lib/postgresql"})], ["db-03"]),
    ("fetch http://localhost:9000/health from app-01, what code do we get back?",
     [("http.check", {"url": "http://localhost:9000/health"})], ["app-01"]),
])
def test_questions_apart_by_commas_and_a_question_about_the_output(text, steps, hosts):
    assert _read(text) == ("ready", steps, hosts)
