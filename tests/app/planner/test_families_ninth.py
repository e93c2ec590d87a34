"""Ninth session's failure families: the subject of a complaint restarted by a bare verb, work headings, a developer
who is not the development environment, idioms read as hosts, Windows GUI tools named as places, display names said
with the service's name, a remark after a quoted object. Each test holds other wordings than the tuning sets'."""
from __future__ import annotations

import pytest

from app.planner import gui
from tests.app.planner.helpers import fleet_vocab, read_plan

V = fleet_vocab()


def _read(text: str):
    return read_plan(text, V)


@pytest.mark.unit
@pytest.mark.parametrize("text,steps,hosts", [
    ("redis on app-02 is stuck again, please restart", [("service.restart", {"name": "redis"})], ["app-02"]),
    ("the tomcat service at app-01 keeps crashing -- can you bounce it?", [("service.restart", {"name": "tomcat"})],
     ["app-01"]),
    ("W3SVC on iis-01 throwing 503s. restart!", [("service.restart", {"name": "W3SVC"})], ["iis-01"]),
    # no service is complained about: the host is what the bare verb restarts
    ("db-04 is frozen, restart please", [("host.reboot", {})], ["db-04"]),
])
def test_a_bare_restart_restarts_what_the_complaint_is_about(text, steps, hosts):
    assert _read(text) == ("ready", steps, hosts)


@pytest.mark.unit
@pytest.mark.parametrize("text,steps,hosts", [
    ("Sprint 42 tasks: install jq on app-02", [("package.install", {"name": "jq"})], ["app-02"]),
    ("Change CHG-4411 pre-checks - ping db-01 and db-02", [("host.ping", {})], ["db-01", "db-02"]),
    ("Rollout 3.1 prep: restart memcached on app-01", [("service.restart", {"name": "memcached"})], ["app-01"]),
])
def test_a_work_heading_is_what_the_work_is_for(text, steps, hosts):
    assert _read(text) == ("ready", steps, hosts)


@pytest.mark.unit
@pytest.mark.parametrize("text,steps,hosts", [
    ("remove telnet from web-01 as per dev team request", [("package.remove", {"name": "telnet"})], ["web-01"]),
    ("our dev says port 6379 on app-02 is closed, can you check?", [("port.check", {"port": 6379})], ["app-02"]),
])
def test_a_dev_who_asks_is_a_developer(text, steps, hosts):
    assert _read(text) == ("ready", steps, hosts)


@pytest.mark.unit
@pytest.mark.parametrize("text,steps,hosts", [
    ("how much memory and disk are in use on db-03", [("system.info", {}), ("disk.check", {})], ["db-03"]),
    ("check port 443 on web-02 from your end", [("port.check", {"port": 443})], ["web-02"]),
    ("disk usage on every staging host for the quarterly report", [("disk.check", {})],
     ["app-02", "cis-03", "db-03", "iis-02", "web-03", "web-04"]),
    ("update myapp on app-01 from https://dl.example.com/myapp, it sits at /opt/myapp/myapp rather than the usual"
     " location", [("app.update", {"name": "myapp", "source": "https://dl.example.com/myapp",
                                   "path": "/opt/myapp/myapp"})], ["app-01"]),
    ("open /etc/pki/tls/certs/api.crt on app-01 and tell me the expiry date",
     [("cert.check", {"path": "/etc/pki/tls/certs/api.crt"})], ["app-01"]),
    ("on iis-01 the System log is a wall of warnings. Show me the last 20 lines of the System log",
     [("logs.tail", {"unit": "System", "lines": 20})], ["iis-01"]),
])
def test_idioms_are_no_hosts(text, steps, hosts):
    assert _read(text) == ("ready", steps, hosts)


@pytest.mark.unit
@pytest.mark.parametrize("text,expected", [
    ("Services console on cis-02 shows Spooler as Stopped.", "on cis-02 Spooler is stopped."),
    ("I looked in Event Viewer on app-03, Windows Logs > System is red", "I looked on app-03, the System log is red"),
    ("restart Task Scheduler on cis-01", "restart Task Scheduler on cis-01"),  # a service's display name
])
def test_gui_tools_are_places(text, expected):
    assert " ".join(gui.plain(text).split()) == expected


@pytest.mark.unit
@pytest.mark.parametrize("text,steps,hosts", [
    ("services.msc on iis-01 lists IIS Admin Service (IISADMIN) as stopped, start it",
     [("service.start", {"name": "IISADMIN"})], ["iis-01"]),
    ("From Task Manager on cis-03: kill the frozen notepad.exe process",
     [("process.kill", {"name": "notepad.exe"})], ["cis-03"]),
    ("Event Viewer is useless over RDP. Show me the last 30 lines of the System log on cis-01",
     [("logs.tail", {"unit": "System", "lines": 30})], ["cis-01"]),
    ("stop Windows Time (W32Time) on cis-04", [("service.stop", {"name": "W32Time"})], ["cis-04"]),
    ("Change the startup type for BITS to Automatic on file-01", [("service.enable", {"name": "BITS"})],
     ["file-01"]),
    # a remark after a quoted object is no second object
    ('restart "Print Spooler" on cis-02 - ticket 4411', [("service.restart", {"name": "Print Spooler"})], ["cis-02"]),
    ("get the vlc package off cis-03", [("package.remove", {"name": "vlc"})], ["cis-03"]),
])
def test_windows_admins_words(text, steps, hosts):
    assert _read(text) == ("ready", steps, hosts)


@pytest.mark.unit
@pytest.mark.parametrize("text,steps,hosts", [
    # a verbless list of checks: each one (the second was dropped)
    ("on app-01: redis status, memory usage and the top 3 processes by cpu",
     [("service.status", {"name": "redis"}), ("system.info", {}), ("process.top", {"sort": "cpu", "count": 3})],
     ["app-01"]),
    ("db-04 please - disk space and postgresql status",
     [("disk.check", {}), ("service.status", {"name": "postgresql"})], ["db-04"]),
    # a sentence's full stop is no part of the user's name
    ("On cis-02, show the scheduled tasks of backupuser.", [("cron.list", {"user": "backupuser"})], ["cis-02"]),
    # a pasted tool whose output is asked for is its check
    ("show me `df -h /srv` on app-01", [("disk.check", {"path": "/srv"})], ["app-01"]),
    ("grab us the output of `free -m` from db-04", [("system.info", {})], ["db-04"]),
    # a managed-service provider's client and ticket before the ask
    ("Globex #5512 | please ping web-04", [("host.ping", {})], ["web-04"]),
    ("[Initech | T#900] restart W3SVC on iis-02", [("service.restart", {"name": "W3SVC"})], ["iis-02"]),
    # a delete of what is older than some days is a cleanup; "in it" is the path said before
    ("delete all files older than 10 days in /var/tmp/uploads on app-02",
     [("file.cleanup", {"path": "/var/tmp/uploads", "older_than_days": 10})], ["app-02"]),
    ("C:\\Temp on cis-03 is filling up. Remove everything in it older than 5 days.",
     [("file.cleanup", {"path": "C:\\Temp", "older_than_days": 5})], ["cis-03"]),
])
def test_lists_prefixes_and_aged_deletes(text, steps, hosts):
    assert _read(text) == ("ready", steps, hosts)


@pytest.mark.unit
@pytest.mark.parametrize("text", ["delete everything on db-01", "remove all files on web-02",
                                  "[web-01] wipe /srv/data"])
def test_wholesale_deletes_stay_refused(text):
    assert _read(text)[0] == "rejected"


@pytest.mark.unit
@pytest.mark.parametrize("text,steps,hosts", [
    # what a ping reports is no other step
    ("ping every db host and confirm each one responds", [("host.ping", {})], ["db-01", "db-02", "db-03", "db-04"]),
    # a verb naming a job in the story is no instruction
    ("does user deploy exist on web-05? our deploy pipeline failed", [("user.check", {"name": "deploy"})], ["web-05"]),
    # what happened elsewhere in the message is the story
    ("the nightly job crashed on db-03, check postgresql there", [("service.status", {"name": "postgresql"})],
     ["db-03"]),
    # "please" before the verb: still the ask
    ("redis keeps timing out; can you please restart it on app-02?", [("service.restart", {"name": "redis"})],
     ["app-02"]),
    # a remark about a GUI tool keeps the host it was looked at on
    ("Services console on cis-04 is slow - check the status of Spooler", [("service.status", {"name": "Spooler"})],
     ["cis-04"]),
])
def test_story_around_the_ask(text, steps, hosts):
    assert _read(text) == ("ready", steps, hosts)


@pytest.mark.unit
@pytest.mark.parametrize("text", [
    "db-02 was restarted by the night shift.",
    "02:10 - nginx on web-04 restarted by on-call, all green since",
    # a setting in a file, without the line to write: asked (it updated a package 'worker_connections')
    "can you bump max_connections in /etc/postgresql/15/main/postgresql.conf on db-03?",
])
def test_reports_and_bare_settings_plan_no_change(text):
    status, steps, _ = _read(text)
    assert status != "ready", steps
