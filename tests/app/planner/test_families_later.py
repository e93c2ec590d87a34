"""Sixth session's failure families: changes for later, advice asked, Windows' Manual start, 'come back after a
reboot', the record a change is made for ('per the postmortem'), when said as an event ('after last night's
restart'), narrative words and quoted versions. Each test holds other wordings than the tuning sets'."""
from __future__ import annotations

import pytest

from tests.app.planner.helpers import fleet_vocab, read_plan

V = fleet_vocab()


def _read(text: str):
    return read_plan(text, V)


@pytest.mark.unit
@pytest.mark.parametrize("text", [
    "tomorrow morning, reboot db-04",
    "in 30 minutes restart nginx on web-03",
    "Friday 22:00: stop tomcat on app-02",
    "the change is scheduled for Sunday, remove telnet from web-05 then",
    "bounce W3SVC on iis-02 first thing tomorrow",
    "would stopping the Spooler on cis-02 help with the stuck queue?",
    "restart mysql on db-03, or is that a terrible idea?",
    "change the startup type of wuauserv to manual on cis-04",
])
def test_later_changes_advice_and_a_manual_start_are_no_ready_change(text):
    status, steps, _ = _read(text)
    assert status in ("needs_clarification", "rejected") and not [s for s in steps if s[0] != "service.status"], \
        (status, steps)


@pytest.mark.unit
@pytest.mark.parametrize("text,steps,hosts", [
    ("stop tomcat on app-02 right away, the release is in 20 minutes", [("service.stop", {"name": "tomcat"})],
     ["app-02"]),
    ("have sshd come back up on every reboot on web-04", [("service.enable", {"name": "sshd"})], ["web-04"]),
    ("start W32Time on cis-02 and make sure it comes back after reboots", [("service.start", {"name": "W32Time"}),
                                                                          ("service.enable", {"name": "W32Time"})],
     ["cis-02"]),
    ("As per the incident review, restart redis on app-02", [("service.restart", {"name": "redis"})], ["app-02"]),
    ("uninstall telnet on web-03 per the security baseline", [("package.remove", {"name": "telnet"})], ["web-03"]),
    ("since yesterday's deploy, is php-fpm running on web-04?", [("service.status", {"name": "php-fpm"})], ["web-04"]),
    ("install 7zip version '23.01' on cis-03", [("package.install", {"name": "7zip", "version": "23.01"})], ["cis-03"]),
])
def test_records_events_and_quoted_versions_are_read_around_the_instruction(text, steps, hosts):
    assert _read(text) == ("ready", steps, hosts)


@pytest.mark.unit
@pytest.mark.parametrize("text", ["our app on web-03 keeps crashing, restart it please",
                                  "what's the weather in Lisbon tomorrow"])
def test_what_has_been_happening_names_nothing(text):
    status, steps, _ = _read(text)
    assert status in ("needs_clarification", "rejected") and not any(s[1].get("name") for s in steps), (status, steps)


@pytest.mark.unit
@pytest.mark.parametrize("text,steps,hosts", [
    # a display name in the story and the service name in the instruction (or the reverse): one service, one step
    ("Windows Time drifts again on cis-03 - restart W32Time", [("service.restart", {"name": "W32Time"})], ["cis-03"]),
    ("Spooler jammed on cis-04 again - please restart the 'Print Spooler' service",
     [("service.restart", {"name": "Print Spooler"})], ["cis-04"]),
    # a host's own sentence after a period is its story ("was already done"), not a target
    ("stop tomcat on app-01 and then disable it. app-02 was already done by Priya.",
     [("service.stop", {"name": "tomcat"}), ("service.disable", {"name": "tomcat"})], ["app-01"]),
])
def test_a_service_said_twice_and_another_hosts_story(text, steps, hosts):
    assert _read(text) == ("ready", steps, hosts)


@pytest.mark.unit
@pytest.mark.parametrize("text,steps,hosts", [
    # a state reported before the change on the same service is no status step of its own
    ("W3SVC on iis-01 is stopped since the deploy, start it again", [("service.start", {"name": "W3SVC"})], ["iis-01"]),
    ("nginx is down on web-04, restart nginx please", [("service.restart", {"name": "nginx"})], ["web-04"]),
    # "Windows <Name>" after a service verb is a display name, not the OS word
    ("restart Windows Audio on cis-02", [("service.restart", {"name": "Windows Audio"})], ["cis-02"]),
    # a plain word after an article, in a clause with a known host, is a thing of the story
    ("check disk space on db-02 for the quarterly report", [("disk.check", {})], ["db-02"]),
    ("kill excel.exe on cis-01, it holds a lock on the spreadsheet", [("process.kill", {"name": "excel.exe"})],
     ["cis-01"]),
])
def test_reported_states_windows_products_and_story_nouns(text, steps, hosts):
    assert _read(text) == ("ready", steps, hosts)


@pytest.mark.unit
@pytest.mark.parametrize("text", ["restart nginx on web-01, bastion and jumpbox",
                                  "kill the runaway java on app-02, the job belongs on app-01 anyway",
                                  "copy /etc/ssl/private/site.key from web-01 to my laptop"])
def test_unknown_hosts_listed_or_named_later_are_still_asked_about(text):
    status, _, hosts = _read(text)
    assert status in ("needs_clarification", "rejected"), (status, hosts)


@pytest.mark.unit
@pytest.mark.parametrize("text,steps,hosts", [
    ("ensure /etc/chrony.conf on mon-01 contains 'makestep 1 3', replacing any line matching '^#?makestep'",
     [("config.line", {"path": "/etc/chrony.conf", "line": "makestep 1 3", "regexp": "^#?makestep"})], ["mon-01"]),
    ('make sure /etc/redis/redis.conf on app-02 has the line "maxmemory 2gb" (replace whatever matches ^#?maxmemory)',
     [("config.line", {"path": "/etc/redis/redis.conf", "line": "maxmemory 2gb", "regexp": "^#?maxmemory"})],
     ["app-02"]),
    ("kill celery on app-02, then give me the status of the redis service there",
     [("process.kill", {"name": "celery"}), ("service.status", {"name": "redis"})], ["app-02"]),
    ("disable cups on web-05 so it doesn't come back after the next restart",
     [("service.disable", {"name": "cups"})], ["web-05"]),
    ("please reboot db-04. It's a dev box and the security update needs a reboot to apply.",
     [("host.reboot", {})], ["db-04"]),
])
def test_asides_of_config_lines_reports_and_reasons(text, steps, hosts):
    assert _read(text) == ("ready", steps, hosts)


@pytest.mark.unit
@pytest.mark.parametrize("text", ["restart tomcat on app-01 as soon as the nightly export completes",
                                  "reboot cis-02 after the users have logged off"])
def test_a_step_that_waits_for_an_event_is_no_ready_change(text):
    status, steps, _ = _read(text)
    assert status in ("needs_clarification", "rejected") and not steps, (status, steps)


@pytest.mark.unit
@pytest.mark.parametrize("text,steps,hosts", [
    # the writer corrects a value: the corrected one is planned, the first one is not
    ("install jq 1.6 on web-03 - no wait, 1.7.1 is what the script needs",
     [("package.install", {"name": "jq", "version": "1.7.1"})], ["web-03"]),
    ("restart php-fpm on web-04, sorry I meant web-03", [("service.restart", {"name": "php-fpm"})], ["web-03"]),
    ("stop tomcat on app-01 and app-02 - actually only app-02, app-01 is drained already",
     [("service.stop", {"name": "tomcat"})], ["app-02"]),
    ("restart redis on app-01... actually make that memcached", [("service.restart", {"name": "memcached"})],
     ["app-01"]),
    # reasons' numbers, a glob at a sentence's end, the verb said again
    ("upgrade curl on mon-01 (CVE-2024-1234, CVSS 7.5)", [("package.update", {"name": "curl"})], ["mon-01"]),
    ("delete files older than 10 days in /srv/exports on db-04 matching *.csv. The share is nearly full.",
     [("file.cleanup", {"path": "/srv/exports", "older_than_days": 10, "pattern": "*.csv"})], ["db-04"]),
    ("Restart the billing service on app-02. Restart only, nothing else.",
     [("service.restart", {"name": "billing"})], ["app-02"]),
])
def test_corrections_reasons_and_repeats(text, steps, hosts):
    assert _read(text) == ("ready", steps, hosts)


@pytest.mark.unit
@pytest.mark.parametrize("text", [
    "reboot cis-01, or was it cis-02? let me check and get back to you",
    "stop nginx on web-01, sorry I mean web-09",
    "as soon as the nightly job reports success, reboot db-02",
    "did somebody stop the Spooler service on cis-01 this morning?",
    "install the package the devs asked for on app-02",
])
def test_unsure_targets_events_history_and_unnamed_objects_are_no_ready_change(text):
    status, _, hosts = _read(text)
    assert status in ("needs_clarification", "rejected"), (status, hosts)


@pytest.mark.unit
@pytest.mark.parametrize("text,steps,hosts", [
    # terminal or log output pasted above the ask is what was seen, not a step
    ("db-04:~$ df -h /srv\nFilesystem      Size  Used Avail Use% Mounted on\n"
     "/dev/sdb1        50G   49G  1.0G  98% /srv\ndelete files older than 20 days under /srv/tmp on db-04",
     [("file.cleanup", {"path": "/srv/tmp", "older_than_days": 20})], ["db-04"]),
    ("PS C:\\> Get-Service W32Time\nStatus   Name               DisplayName\n"
     "Stopped  W32Time            Windows Time\nstart W32Time on cis-04 please",
     [("service.start", {"name": "W32Time"})], ["cis-04"]),
    ('Traceback (most recent call last):\n  File "/srv/app/main.py", line 12, in <module>\n'
     "    db = connect(host='pg.internal')\nwhat does pg.internal resolve to on app-02?",
     [("dns.check", {"name": "pg.internal"})], ["app-02"]),
    # what it is for, after "for the", does not widen or replace the hosts named
    ("install git on app-01 for the web dev team", [("package.install", {"name": "git"})], ["app-01"]),
    # the words before 'service' describe the quoted name
    ("restart the payment gateway service 'PayGw' on app-03", [("service.restart", {"name": "PayGw"})], ["app-03"]),
    ("set port=8081 in /etc/app/app.ini on app-02, use regex ^port= to find the line to replace",
     [("config.line", {"path": "/etc/app/app.ini", "line": "port=8081", "regexp": "^port="})], ["app-02"]),
    ("can you at least check whether web-05 is reachable", [("host.ping", {})], ["web-05"]),
])
def test_pasted_output_purposes_descriptions_and_regex_wording(text, steps, hosts):
    assert _read(text) == ("ready", steps, hosts)


@pytest.mark.unit
def test_an_event_with_a_date_before_the_step_is_no_ready_change():
    status, steps, _ = _read("Once the exams are over on Friday, uninstall matlab from db-04.")
    assert status in ("needs_clarification", "rejected") and not steps


@pytest.mark.unit
@pytest.mark.parametrize("text,steps,hosts", [
    ("restart php-fpm on every staging web box, the customer wants to see the new theme",
     [("service.restart", {"name": "php-fpm"})], ["web-03", "web-04"]),
    ("is there enough room to install the new jdk on app-02?", [("disk.check", {})], ["app-02"]),
])
def test_why_after_the_instruction_and_room_to_install(text, steps, hosts):
    assert _read(text) == ("ready", steps, hosts)


@pytest.mark.unit
@pytest.mark.parametrize("text,steps,hosts", [
    ("the devs say redis on app-02 hangs, check its status", [("service.status", {"name": "redis"})], ["app-02"]),
    ("Could you find out whether tomcat is running on app-01?", [("service.status", {"name": "tomcat"})], ["app-01"]),
    ("restart W3SVC on iis-02 and once done fetch http://localhost/ from the box",
     [("service.restart", {"name": "W3SVC"}), ("http.check", {"url": "http://localhost/"})], ["iis-02"]),
])
def test_who_says_so_find_out_and_once_done(text, steps, hosts):
    assert _read(text) == ("ready", steps, hosts)


@pytest.mark.unit
@pytest.mark.parametrize("text,steps,hosts", [
    # after held-out 7 was scored: a chat bot's slash command, greetings and articles of other languages
    ("/opsbot restart redis on app-02", [("service.restart", {"name": "redis"})], ["app-02"]),
    ("/var usage on db-04", [("disk.check", {"path": "/var"})], ["db-04"]),
    ("Hallo, can you remove the package rsh-client from web-05? danke", [("package.remove", {"name": "rsh-client"})],
     ["web-05"]),
])
def test_slash_commands_and_other_languages_greetings(text, steps, hosts):
    assert _read(text) == ("ready", steps, hosts)


@pytest.mark.unit
@pytest.mark.parametrize("text", ["Salut, please stop le service on app-02, merci",
                                  "did the team reboot cis-02 on Monday?",
                                  "in the next patch window please upgrade curl on the db servers, not now"])
def test_no_name_history_and_the_next_window_are_no_ready_change(text):
    status, _, hosts = _read(text)
    assert status in ("needs_clarification", "rejected"), (status, hosts)
