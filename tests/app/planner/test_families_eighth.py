"""Eighth session's failure families: commands whose shell operators no shell would read, a check and a change on
different hosts, ... Each test holds other wordings than the tuning sets'."""
from __future__ import annotations

import pytest

from app.planner import shell_ops
from app.planner.rules import plan_rules
from tests.app.planner.helpers import fleet_vocab, read_plan

V = fleet_vocab()


def _read(text: str):
    return read_plan(text, V)


@pytest.mark.unit
@pytest.mark.parametrize("text,op", [
    ("run 'apt-get update && apt-get -y upgrade' on web-05", "&&"),
    ("please execute `journalctl -u nginx --since today > /root/today.log` on web-03", ">"),
    ("run \"du -sh /var/* | sort -h\" on db-04", "|"),
    ("run `systemctl restart redis; systemctl status redis` on app-02", ";"),
    ("run 'net stop W3SVC && net start W3SVC' on iis-02", "&&"),
])
def test_shell_operators_in_a_command_are_asked_about(text, op):
    plan = plan_rules(text, V)
    assert plan.status.value == "needs_clarification" and plan.hosts == []
    assert f"'{op}'" in plan.questions[0] and "without a shell" in plan.questions[0]


@pytest.mark.unit
@pytest.mark.parametrize("command,systems,asked", [
    ("uptime", {"linux"}, False),
    ("psql -c 'select 1; select 2'", {"linux"}, False),  # quoted operators are data
    ("echo 'a > b'", {"linux"}, False),
    ("Get-Service | Where-Object Status -eq Stopped", {"windows"}, False),  # the corpora's convention
    ("Get-Service | Where-Object Status -eq Stopped", {"windows", "linux"}, True),
    ("cat /etc/hosts 2> /dev/null", {"linux"}, True),
    ("sleep 60 &", {"linux"}, True),
    ("echo 'unbalanced", {"linux"}, False),  # an unparsable line is left to the other checks
])
def test_shell_operator_question(command, systems, asked):
    assert (shell_ops.question(command, systems) is not None) is asked


@pytest.mark.unit
@pytest.mark.parametrize("text", [
    "status of memcached on app-02 please, and restart it on app-01",
    "check port 8080 on app-02, then restart tomcat on app-01",
    "Get-Service W3SVC on iis-02 then Restart-Service W3SVC on iis-01",
])
def test_a_check_and_a_change_on_different_hosts_are_asked_about(text):
    plan = plan_rules(text, V)
    assert plan.status.value == "needs_clarification" and plan.hosts == []
    assert "Should the change wait" in plan.questions[0]


@pytest.mark.unit
@pytest.mark.parametrize("text,steps,hosts", [
    # the same hosts, or the check's hosts among the change's: one plan
    ("restart nginx on web-03 and web-04 then check its status on web-03",
     [("service.restart", {"name": "nginx"}), ("service.status", {"name": "nginx"})], ["web-03", "web-04"]),
    ("which version of curl is on web-05, and upgrade it", [("package.check", {"name": "curl"}),
                                                          ("package.update", {"name": "curl"})], ["web-05"]),
    # a longer batch of chores on several hosts is planned as written
    ("ping web-03, check disk on db-03, and restart nginx on web-04",
     [("host.ping", {}), ("disk.check", {}), ("service.restart", {"name": "nginx"})], ["db-03", "web-03", "web-04"]),
])
def test_checks_and_changes_that_stay_one_plan(text, steps, hosts):
    assert _read(text) == ("ready", steps, hosts)


@pytest.mark.unit
@pytest.mark.parametrize("text,steps,hosts", [
    ("systemd: name=redis state=restarted --limit app-02", [("service.restart", {"name": "redis"})], ["app-02"]),
    ("apt name=htop state=present --limit db-03,db-04", [("package.install", {"name": "htop"})], ["db-03", "db-04"]),
])
def test_a_module_calls_limit_names_its_hosts(text, steps, hosts):
    assert _read(text) == ("ready", steps, hosts)


@pytest.mark.unit
def test_a_limit_inside_a_quoted_command_is_the_commands_own():
    plan = plan_rules("run `journalctl --limit 5` on web-03", V)
    assert plan.status.value == "ready" and plan.steps[0].params == {"command": "journalctl --limit 5"}


@pytest.mark.unit
@pytest.mark.parametrize("text", [
    "bounce tomcat on app-02 tonight about 9",
    "when the code freeze ends, upgrade openssl on db-04",
    "after the release freeze is lifted please restart W3SVC on iis-02",
])
def test_later_is_not_now(text):
    plan = plan_rules(text, V)
    assert plan.status.value == "needs_clarification" and plan.hosts == []


@pytest.mark.unit
@pytest.mark.parametrize("text", [
    "connect to app-02 as deploy using password Tr0ub4dor&3 and restart tomcat",
    "sign in with the pw Qw3rty!x on cis-03 and start the Spooler",
])
def test_a_typed_password_is_refused(text):
    plan = plan_rules(text, V)
    assert plan.status.value == "rejected" and "password or key was typed" in plan.reason


@pytest.mark.unit
def test_password_words_without_a_secret_are_no_secret():
    assert plan_rules("check the service with password expiry on cis-01", V).status.value != "rejected"


@pytest.mark.unit
@pytest.mark.parametrize("text,steps,hosts", [
    # a host-like word no host is called, asked about on a host already named: what runs there
    ("app-02: is tomcat-9 up?", [("service.status", {"name": "tomcat-9"})], ["app-02"]),
    # "though" after a host left out is a remark
    ("stop nginx on the staging web servers, except web-03 tho", [("service.stop", {"name": "nginx"})], ["web-04"]),
    # a preposition after "containers" names no container
    ("show me containers throughout staging", [("container.status", {})], ["app-02", "db-03", "web-03", "web-04"]),
    # a check, then a start when it is not running (a start of a running service changes nothing)
    ("find out whether the W3SVC is running on iis-02 and start it if not",
     [("service.status", {"name": "W3SVC"}), ("service.start", {"name": "W3SVC"})], ["iis-02"]),
])
def test_eighth_session_readings(text, steps, hosts):
    assert _read(text) == ("ready", steps, hosts)


@pytest.mark.unit
@pytest.mark.parametrize("text", [
    "check redis on app-02 and restart it if it isn't running",  # a restart is no no-op: asked
    "FYI we bounced haproxy on web-03 an hour ago after the cpu alarm",  # a report, its alarm no check
])
def test_not_ready(text):
    assert _read(text)[0] != "ready"


@pytest.mark.unit
@pytest.mark.parametrize("text,steps,hosts", [
    # a line written as key=value without quotes, taken out of a file
    ("please remove the line LogLevel=Debug from /opt/app/app.properties on app-02",
     [("config.line", {"path": "/opt/app/app.properties", "line": "LogLevel=Debug", "state": "absent"})], ["app-02"]),
    ("strip the line Trace=1 out of D:\\Svc\\svc.ini on app-03",
     [("config.line", {"path": "D:\\Svc\\svc.ini", "line": "Trace=1", "state": "absent"})], ["app-03"]),
    ("ensure proxy_buffering=on is not in /etc/nginx/nginx.conf on web-04",
     [("config.line", {"path": "/etc/nginx/nginx.conf", "line": "proxy_buffering=on", "state": "absent"})],
     ["web-04"]),
    # "make sure F on H has the line L, then ...": the host stays with its step
    ("make sure /etc/redis/redis.conf on app-02 has the line \"maxmemory 2gb\", then restart redis on app-02",
     [("config.line", {"path": "/etc/redis/redis.conf", "line": "maxmemory 2gb"}),
      ("service.restart", {"name": "redis"})], ["app-02"]),
    # where, said first on its own: the targets of what follows
    ("from the monitoring box, check what cert api.example.com:8443 is serving",
     [("cert.check", {"endpoint": "api.example.com:8443"})], ["mon-01"]),
])
def test_eighth_session_files_and_places(text, steps, hosts):
    assert _read(text) == ("ready", steps, hosts)


@pytest.mark.unit
@pytest.mark.parametrize("text,steps,hosts", [
    # Windows' start type, said any way: Disabled is disable, Automatic is enable ("start" is no service.start)
    ("sc config W3SVC start= disabled on iis-02", [("service.disable", {"name": "W3SVC"})], ["iis-02"]),
    ("sc.exe config Spooler start= delayed-auto (cis-03)", [("service.enable", {"name": "Spooler"})], ["cis-03"]),
    ("put MSSQLSERVER on app-03 to Automatic startup type", [("service.enable", {"name": "MSSQLSERVER"})], ["app-03"]),
    ("switch the start mode of Spooler (print spooler) on cis-01 to disabled",
     [("service.disable", {"name": "Spooler"})], ["cis-01"]),
])
def test_windows_start_type(text, steps, hosts):
    assert _read(text) == ("ready", steps, hosts)


@pytest.mark.unit
@pytest.mark.parametrize("text", [
    "switch the start type of W3SVC on iis-01 to manual",
    "sc config Spooler start= demand on cis-02",
])
def test_manual_start_type_is_out_of_the_catalog(text):
    plan = plan_rules(text, V)
    assert plan.status.value == "needs_clarification" and "Manual" in plan.questions[0]


@pytest.mark.unit
@pytest.mark.parametrize("text,steps,hosts", [
    # one verb, two things to check joined by "and": both are checked
    ("check the uptime and the status of the haproxy service on web-03",
     [("system.info", {}), ("service.status", {"name": "haproxy"})], ["web-03"]),
    ("on db-04 show disk usage and the postgresql status",
     [("disk.check", {}), ("service.status", {"name": "postgresql"})], ["db-04"]),
])
def test_two_checks_joined_by_and(text, steps, hosts):
    assert _read(text) == ("ready", steps, hosts)


@pytest.mark.unit
@pytest.mark.parametrize("text,steps,hosts", [
    # more hosts, or two facts of one thing: one check
    ("check disk on db-03 and db-04", [("disk.check", {})], ["db-03", "db-04"]),
    ("give me the size and checksum of /opt/app/app.jar on app-02",
     [("file.stat", {"path": "/opt/app/app.jar"})], ["app-02"]),
])
def test_and_that_joins_no_second_check(text, steps, hosts):
    assert _read(text) == ("ready", steps, hosts)


@pytest.mark.unit
@pytest.mark.parametrize("text,steps,hosts", [
    # "it" after a change: the same package, whatever words say "now"
    ("upgrade openssl on web-04, then tell me which version it wound up on",
     [("package.update", {"name": "openssl"}), ("package.check", {"name": "openssl"})], ["web-04"]),
    # a host stem describing what something is full of names no host
    ("db-03 is clogged with db dumps: delete *.dump older than 10 days in /var/backups on db-03",
     [("file.cleanup", {"path": "/var/backups", "older_than_days": 10, "pattern": "*.dump"})], ["db-03"]),
])
def test_eighth_session_pronouns_and_stems(text, steps, hosts):
    assert _read(text) == ("ready", steps, hosts)


@pytest.mark.unit
@pytest.mark.parametrize("text,steps,hosts", [
    # an alert's container label is the container "that container" means (the alert's name is no container)
    ("[FIRING:3] ContainerOOM container=ledger-api instance=app-01 / restart that container please",
     [("container.restart", {"name": "ledger-api"})], ["app-01"]),
    ("[FIRING:1] ContainerRestarting container=cache instance=web-05\nwhat state is the container in?",
     [("container.status", {"name": "cache"})], ["web-05"]),
])
def test_an_alerts_container_label(text, steps, hosts):
    assert _read(text) == ("ready", steps, hosts)


@pytest.mark.unit
def test_the_installed_path_is_no_source():
    plan = plan_rules("update Scanner on cis-02 to the new build, the current exe is C:\\Apps\\Scanner\\scanner.exe", V)
    assert plan.status.value == "needs_clarification" and "Where should I get the new Scanner" in plan.questions[0]
    assert [(s.action, s.params) for s in plan.steps] == [
        ("app.update", {"name": "Scanner", "path": "C:\\Apps\\Scanner\\scanner.exe"})]


@pytest.mark.unit
@pytest.mark.parametrize("text,steps,hosts", [
    # a bare "sorry" before one word: the word it corrects
    ("stop tomcat on app-01, sorry, app-02", [("service.stop", {"name": "tomcat"})], ["app-02"]),
    # courtesy before the ask names nothing ("sorry to bother" restarted a service 'bother')
    ("sorry to bother y'all, but can someone restart redis on app-02", [("service.restart", {"name": "redis"})],
     ["app-02"]),
])
def test_sorry(text, steps, hosts):
    assert _read(text) == ("ready", steps, hosts)


@pytest.mark.unit
@pytest.mark.parametrize("text,steps,hosts", [
    # "but only/just" narrows the hosts already said; a host named so replaces them ("but only web-03" ran on every
    # web server; "but just the linux ones" left the linux hosts out)
    ("ping all db servers but just the linux ones", [("host.ping", {})], ["db-01", "db-02", "db-03", "db-04"]),
    ("check disk on the app servers, but only the production ones", [("disk.check", {})], ["app-01", "app-03"]),
    ("restart php-fpm on the web servers but only web-04", [("service.restart", {"name": "php-fpm"})], ["web-04"]),
])
def test_but_only(text, steps, hosts):
    assert _read(text) == ("ready", steps, hosts)


@pytest.mark.unit
@pytest.mark.parametrize("text,steps,hosts", [
    # an incident channel's headline: the host and what it does, then the ask ("there" is that host)
    ("db-04 dropping connections, restart pgbouncer there", [("service.restart", {"name": "pgbouncer"})], ["db-04"]),
    ("@channel 03:17 app-02 timing out - bounce tomcat there", [("service.restart", {"name": "tomcat"})], ["app-02"]),
])
def test_incident_headlines(text, steps, hosts):
    assert _read(text) == ("ready", steps, hosts)


@pytest.mark.unit
@pytest.mark.parametrize("text,steps,hosts", [
    # asking to confirm a service starts at boot is a check of it, not a change
    ("for the audit, verify that auditd is enabled at boot on db-01", [("service.status", {"name": "auditd"})],
     ["db-01"]),
    ("can you confirm W3SVC is disabled on iis-02", [("service.status", {"name": "W3SVC"})], ["iis-02"]),
])
def test_confirming_start_at_boot_is_a_check(text, steps, hosts):
    assert _read(text) == ("ready", steps, hosts)


@pytest.mark.unit
@pytest.mark.parametrize("text", [
    "run `mysqladmin -u admin -pQx7!dbpass status` on db-03",
    "run 'pg_dump --password Tr0ub4dor! appdb' on db-01",
    "add the line `api_token=ab12cd34ef` to /etc/app/app.conf on app-02",
])
def test_a_secret_inside_a_command_or_a_line_is_refused(text):
    plan = plan_rules(text, V)
    assert plan.status.value == "rejected" and "password or key was typed" in plan.reason


@pytest.mark.unit
@pytest.mark.parametrize("text", [
    "set the line \"password_min_length=12\" in /etc/app.conf on web-01",  # a setting about passwords, no password
    "run `mysql -p -e status` on db-02",  # asks for the password: none typed
])
def test_password_settings_are_no_secret(text):
    assert plan_rules(text, V).status.value == "ready"


@pytest.mark.unit
@pytest.mark.parametrize("text,steps,hosts", [
    ("bring openssl up to date on the staging db", [("package.update", {"name": "openssl"})], ["db-03"]),
    # a reboot waits for the host: "confirm it comes back" adds nothing; after a service restart it is a status check
    ("reboot app-02, then make sure it comes back online", [("host.reboot", {})], ["app-02"]),
    ("restart haproxy on web-03 and verify it comes back up",
     [("service.restart", {"name": "haproxy"}), ("service.status", {"name": "haproxy"})], ["web-03"]),
    # "gone" after a kill is the process ("gone" after an uninstall stays the package)
    ("kill node on app-02, then confirm it's gone", [("process.kill", {"name": "node"}),
                                                    ("process.check", {"name": "node"})], ["app-02"]),
    # several globs: one pattern, apart by commas as find takes it
    ("delete *.trc, *.aud older than 30 days under /u01/app/logs on db-01",
     [("file.cleanup", {"path": "/u01/app/logs", "older_than_days": 30, "pattern": "*.trc,*.aud"})], ["db-01"]),
])
def test_eighth_session_after_heldout9(text, steps, hosts):
    assert _read(text) == ("ready", steps, hosts)


@pytest.mark.unit
@pytest.mark.parametrize("text", [
    "is it okay for me to bounce tomcat on app-01? first week here",
    "am I allowed to restart W3SVC on iis-02 during the day?",
])
def test_asking_leave_is_advice(text):
    plan = plan_rules(text, V)
    assert plan.status.value == "needs_clarification" and plan.hosts == []
