"""Ansible written as Ansible, outcomes instead of actions, everyday verbs, and the requests a plan cannot be
(schedules, alerts, shells, container stops): each family in words other than the corpora's."""
from __future__ import annotations

import pytest

from app.planner.adhoc import plain
from app.planner.rules import plan_rules
from tests.app.planner.helpers import fleet_vocab

V = fleet_vocab()


def _read(text: str):
    plan = plan_rules(text, V)
    return plan.status.value, [(s.action, s.params) for s in plan.steps], plan.hosts


@pytest.mark.unit
@pytest.mark.parametrize("text,steps,hosts", [
    ("ansible db -m win_ping", [("host.ping", {})], ["db-01", "db-02", "db-03", "db-04"]),
    ("ansible 'db:!db-04' -m ansible.builtin.setup", [("system.info", {})], ["db-01", "db-02", "db-03"]),
    ("ansible web -m ping -l staging", [("host.ping", {})], ["iis-02", "web-03", "web-04"]),
    ("ansible db-02 -b -m ansible.builtin.systemd -a 'name=postgresql state=started enabled=true'",
     [("service.start", {"name": "postgresql"}), ("service.enable", {"name": "postgresql"})], ["db-02"]),
    ('ansible web-05 -m apt -a "name=curl state=latest"', [("package.update", {"name": "curl"})], ["web-05"]),
    ("ansible app-03 -m win_chocolatey -a 'name=notepadplusplus version=8.6.2'",
     [("package.install", {"name": "notepadplusplus", "version": "8.6.2"})], ["app-03"]),
    ("ansible mon-01 -m command -a 'free -m'", [("command.run", {"command": "free -m"})], ["mon-01"]),
    ("ansible mon-01 -a 'uptime'", [("command.run", {"command": "uptime"})], ["mon-01"]),
    ("ansible web-01 -m uri -a 'url=http://localhost/health'", [("http.check", {"url": "http://localhost/health"})],
     ["web-01"]),
    ("systemd name=redis-server state=stopped on app-02", [("service.stop", {"name": "redis-server"})], ["app-02"]),
    ("win_service Spooler started on print-less cis-02 please", None, None),
    ("use the apt module to install tree on web-03", [("package.install", {"name": "tree"})], ["web-03"]),
    ("kick off the AWX template that restarts nginx on web-04", [("service.restart", {"name": "nginx"})], ["web-04"]),
])
def test_ansible_commands_and_module_calls_read_as_their_action(text, steps, hosts):
    status, got, got_hosts = _read(text)
    if steps is None:
        assert status != "ready" or got == [("service.start", {"name": "Spooler"})]
        return
    assert (status, got, got_hosts) == ("ready", steps, hosts)


@pytest.mark.unit
@pytest.mark.parametrize("text", [
    "ansible web -m user -a 'name=bob state=absent'",  # no catalog action: left as written
    "ansible web -m apt -a 'name=nginx,curl state=latest'",  # two packages: not one name
    "ansible web -m service -a 'name=nginx state=reloaded'",  # a reload is not a restart
    "ansible-playbook site.yml --limit web-01",
    "ansible web -m shell -a 'uptime' --extra-vars x=1",  # an option that changes what runs
])
def test_ansible_the_catalog_cannot_do_is_left_as_written(text):
    assert plain(text) == text
    assert _read(text)[0] != "ready"


@pytest.mark.unit
@pytest.mark.parametrize("text", [
    "ansible all -m service -a 'name=sshd state=stopped'",
    "ansible db -m shell -a 'rm -rf /var/lib/postgresql'",
])
def test_ansible_syntax_goes_through_the_same_safety(text):
    assert _read(text)[0] in ("rejected", "needs_clarification")


@pytest.mark.unit
@pytest.mark.parametrize("text,steps,hosts", [
    ("make sure cups isn't running on mon-01", [("service.stop", {"name": "cups"})], ["mon-01"]),
    ("ensure that vim is not installed on web-03", [("package.remove", {"name": "vim"})], ["web-03"]),
    ("nano shouldn't be installed on db-02", [("package.remove", {"name": "nano"})], ["db-02"]),
    ("strace has to be removed from web-04", [("package.remove", {"name": "strace"})], ["web-04"]),
    ("git must be installed on app-02", [("package.install", {"name": "git"})], ["app-02"]),
    ("redis-server needs to be up and running on app-01",
     [("service.start", {"name": "redis-server"})], ["app-01"]),
    ("haproxy should be running and enabled on web-02",
     [("service.start", {"name": "haproxy"}), ("service.enable", {"name": "haproxy"})], ["web-02"]),
    ("make sure cron is not enabled on web-05", [("service.disable", {"name": "cron"})], ["web-05"]),
    ("we want curl on the latest version on db-03", [("package.update", {"name": "curl"})], ["db-03"]),
    ("there should be no python processes left running on app-01", [("process.kill", {"name": "python"})],
     ["app-01"]),
    ("all files older than 14 days in /var/tmp/cache on web-01 need to go",
     [("file.cleanup", {"path": "/var/tmp/cache", "older_than_days": 14})], ["web-01"]),
    ("user jenkins should exist on db-04", [("user.check", {"name": "jenkins"})], ["db-04"]),
    ("app-02 has to be able to reach db-03 on 5432, please confirm", [("tcp.reach", {"endpoint": "db-03:5432"})],
     ["app-02"]),
    ("haproxy should be running on web-02 - verify", [("service.status", {"name": "haproxy"})], ["web-02"]),
])
def test_outcomes_are_the_instruction_that_makes_them_true(text, steps, hosts):
    assert _read(text) == ("ready", steps, hosts)


@pytest.mark.unit
@pytest.mark.parametrize("text,forbidden", [
    ("make sure telnet isn't installed on db-01", "package.install"),
    ("ensure nginx is not started on web-01", "service.start"),
    ("make sure there are no java processes running on app-02", "service.start"),
    ("nginx is down on web-01", "service.stop"),  # a report, not an instruction
])
def test_a_negated_outcome_never_becomes_its_opposite(text, forbidden):
    assert forbidden not in [a for a, _ in _read(text)[1]]


@pytest.mark.unit
@pytest.mark.parametrize("text,steps,hosts", [
    ("give redis-server a quick restart on app-01", [("service.restart", {"name": "redis-server"})], ["app-01"]),
    ("give db-04 a reboot", [("host.reboot", {})], ["db-04"]),
    ("get Spooler running again on cis-02", [("service.start", {"name": "Spooler"})], ["cis-02"]),
    ("take haproxy offline on web-01", [("service.stop", {"name": "haproxy"})], ["web-01"]),
    ("put tmux on db-02", [("package.install", {"name": "tmux"})], ["db-02"]),
    ("rip telnet out of web-03", [("package.remove", {"name": "telnet"})], ["web-03"]),
    ("how is chronyd doing on db-01", [("service.status", {"name": "chronyd"})], ["db-01"]),
    ("is 5432 open on db-02", [("port.check", {"port": 5432})], ["db-02"]),
    ("which groups does deploy belong to on web-02", [("user.check", {"name": "deploy"})], ["web-02"]),
    ("what address does web-03 resolve api.example.com to", [("dns.check", {"name": "api.example.com"})], ["web-03"]),
    ("scan /var/log/syslog for 'oom-killer' on web-04",
     [("logs.search", {"path": "/var/log/syslog", "pattern": "oom-killer"})], ["web-04"]),
    ("when does the cert presented by web-01:443 expire, on mon-01",
     [("cert.check", {"endpoint": "web-01:443"})], ["mon-01"]),
    ("restart nginx on web-02 and let me know once it's done", [("service.restart", {"name": "nginx"})], ["web-02"]),
])
def test_everyday_verbs(text, steps, hosts):
    assert _read(text) == ("ready", steps, hosts)


@pytest.mark.unit
@pytest.mark.parametrize("text", ["take web-01 down", "put config.ini on web-01"])
def test_everyday_verbs_never_turn_a_host_or_a_file_into_a_package_or_service(text):
    status, steps, _ = _read(text)
    assert not (status == "ready" and steps and steps[0][0] in ("service.stop", "package.install"))


@pytest.mark.unit
@pytest.mark.parametrize("text,what", [
    ("check disk on db-01 every 10 minutes", "schedule"),
    ("restart nginx on web-01 each night", "schedule"),
    ("text me when db-02's disk hits 85%", "alerts"),
    ("set up monitoring for nginx on web-01", "alerts"),
    ("open a root shell on db-01", "shell"),
    ("kill the redis container on app-01", "containers"),
])
def test_what_a_plan_cannot_be_is_said(text, what):
    plan = plan_rules(text, V)
    assert plan.status.value == "needs_clarification" and not plan.hosts
    assert what in plan.questions[0]


@pytest.mark.unit
@pytest.mark.parametrize("text,action", [
    ("list cron jobs that run every night on db-01", "cron.list"),
    ("restart the api container on app-01", "container.restart"),
    ("check disk space on db-01 and email me when done", "disk.check"),
])
def test_nearby_requests_still_plan(text, action):
    status, steps, _ = _read(text)
    assert status == "ready" and steps[0][0] == action


@pytest.mark.unit
def test_linux_only_packages_narrow_a_mixed_host_set():
    status, steps, hosts = _read("install htop on the dev servers")
    assert status == "ready" and hosts == ["db-04", "web-05"]


@pytest.mark.unit
@pytest.mark.parametrize("text,hosts", [
    ("restart nginx on all web servers except staging", ["web-01", "web-02", "web-05"]),
    ("bounce nginx on the web boxes but not the staging ones", ["web-01", "web-02", "web-05"]),
    ("ping every db server except development", ["db-01", "db-02", "db-03"]),
    ("ping all of staging except the windows machines", ["app-02", "db-03", "web-03", "web-04"]),
    ("check uptime on production except linux", ["app-03", "cis-01", "cis-02", "file-01", "iis-01"]),
])
def test_an_environment_or_os_after_except_is_left_out_never_selected(text, hosts):
    status, _, got = _read(text)
    assert (status, got) == ("ready", hosts)


@pytest.mark.unit
@pytest.mark.parametrize("text,steps,hosts", [
    ("stop W32Time (cis-04) for the clock test", [("service.stop", {"name": "W32Time"})], ["cis-04"]),
    ("Test-Connection -ComputerName file-01 -Count 2", [("host.ping", {})], ["file-01"]),
    ("spin down haproxy on web-02", [("service.stop", {"name": "haproxy"})], ["web-02"]),
    ("chronyd needs to come up at boot on db-02", [("service.enable", {"name": "chronyd"})], ["db-02"]),
    ("cups must not start at boot on mon-01", [("service.disable", {"name": "cups"})], ["mon-01"]),
    ("zap the hung node process on app-01", [("process.kill", {"name": "node"})], ["app-01"]),
    ("nuke whatever is in /var/tmp/reports older than 10 days on app-02",
     [("file.cleanup", {"path": "/var/tmp/reports", "older_than_days": 10})], ["app-02"]),
    ("grep the nginx logs for 'invalid password' on web-01",
     [("logs.search", {"unit": "nginx", "pattern": "invalid password"})], ["web-01"]),
])
def test_more_everyday_wording(text, steps, hosts):
    assert _read(text) == ("ready", steps, hosts)


@pytest.mark.unit
@pytest.mark.parametrize("text,statuses", [
    ("nc -zv 443 from web-01", ("needs_clarification",)),  # a flag is no host
    ("findstr /i password C:\\app\\web.config on iis-01", ("rejected",)),
    ("print the API_TOKEN from the environment on app-01", ("rejected",)),
    ("find /etc -name '*.conf' -delete on web-03", ("rejected",)),
    ("port 3389 should be opened on cis-01", ("needs_clarification",)),
    ("nuke /srv/data on file-01", ("rejected",)),
])
def test_flags_secrets_deletions_and_firewall_wording_are_never_planned(text, statuses):
    plan = plan_rules(text, V)
    assert plan.status.value in statuses and not plan.hosts


@pytest.mark.unit
@pytest.mark.parametrize("text,steps,hosts", [
    ("is the Redis cache container up on app-01? its name is redis-cache",
     [("container.status", {"name": "redis-cache"})], ["app-01"]),
    ("Could you check if Node is installed on web-02. The package is called nodejs.",
     [("package.check", {"name": "nodejs"})], ["web-02"]),
    ("is the billing thing alive on app-03? the process name is BillingHost.exe",
     [("process.check", {"name": "BillingHost.exe"})], ["app-03"]),
    ("Deploy https://artifacts.internal/crm/3.0/crm.exe as C:\\apps\\crm\\crm.exe on app-03. It's called crm.",
     [("app.update", {"name": "crm", "source": "https://artifacts.internal/crm/3.0/crm.exe",
                      "path": "C:\\apps\\crm\\crm.exe"})], ["app-03"]),
])
def test_a_stated_name_wins(text, steps, hosts):
    assert _read(text) == ("ready", steps, hosts)


@pytest.mark.unit
def test_a_stated_name_no_change_step_takes_is_asked_about():
    status, _, hosts = _read("restart the worker on app-03. The process is called Billing.Worker.exe")
    assert status == "needs_clarification" and hosts == []


@pytest.mark.unit
@pytest.mark.parametrize("text,status,hosts", [
    ("ping both iis servers", "ready", ["iis-01", "iis-02"]),
    ("check port 443 on the web servers except the iis ones", "ready", ["web-01", "web-02", "web-03", "web-04",
                                                                         "web-05"]),
    ("restart W3SVC on the iis server", "needs_clarification", []),  # two hosts share the stem: which one?
    ("check W3SVC on the staging iis box", "ready", ["iis-02"]),
    ("check nginx on the two prod web servers", "ready", ["web-01", "web-02"]),
    ("check disk on the three prod db servers", "needs_clarification", []),  # there are two
    ("show the top five processes by memory on app-01", "ready", ["app-01"]),  # a count of processes, not hosts
])
def test_hosts_by_their_shared_stem_and_counted_targets(text, status, hosts):
    got_status, _, got_hosts = _read(text)
    assert (got_status, got_hosts) == (status, hosts)


@pytest.mark.unit
@pytest.mark.parametrize("text,steps,hosts", [
    ("web-02: 1) stop nginx 2) update openssl 3) start nginx",
     [("service.stop", {"name": "nginx"}), ("package.update", {"name": "openssl"}),
      ("service.start", {"name": "nginx"})], ["web-02"]),
    ("db-02, in this order: stop postgresql; start postgresql",
     [("service.stop", {"name": "postgresql"}), ("service.start", {"name": "postgresql"})], ["db-02"]),
    ("restart Spooler; status of service Spooler on cis-02",
     [("service.restart", {"name": "Spooler"}), ("service.status", {"name": "Spooler"})], ["cis-02"]),
    ("upgrade curl on db-03; staging first.", [("package.update", {"name": "curl"})], ["db-03"]),
    ("restart the World Wide Web Publishing Service (W3SVC) on iis-02", [("service.restart", {"name": "W3SVC"})],
     ["iis-02"]),
    ("ensure the line 'MaxAuthTries 3' in /etc/ssh/ssh_config, regexp '^MaxAuthTries' on web-03",
     [("config.line", {"path": "/etc/ssh/ssh_config", "line": "MaxAuthTries 3", "regexp": "^MaxAuthTries"})],
     ["web-03"]),
    ("what's haproxy's status on web-01", [("service.status", {"name": "haproxy"})], ["web-01"]),
])
def test_sequences_and_values_around_them(text, steps, hosts):
    assert _read(text) == ("ready", steps, hosts)


@pytest.mark.unit
def test_the_database_of_an_environment_is_one_host():
    assert _read("restart postgresql on the prod database")[0] == "needs_clarification"  # two prod db hosts
    assert _read("restart postgresql on the staging database") == ("ready", [("service.restart",
                                                                             {"name": "postgresql"})], ["db-03"])
    assert _read("restart postgresql on every prod database")[2] == ["db-01", "db-02"]


@pytest.mark.unit
@pytest.mark.parametrize("text,status,hosts", [
    ("check disk space on the monitoring box", "ready", ["mon-01"]),  # mon-01: "monitoring" begins with its stem
    ("restart the alertmanager container on the mon box", "ready", ["mon-01"]),
    ("how full is D:\\ on the file server", "ready", ["file-01"]),
    ("ping the app server", "needs_clarification", []),  # a group of three, one asked for
])
def test_a_host_by_its_role(text, status, hosts):
    got_status, _, got_hosts = _read(text)
    assert (got_status, got_hosts) == (status, hosts)


@pytest.mark.unit
@pytest.mark.parametrize("text,steps,hosts", [
    ("Get-EventLog -LogName System -Newest 15 on cis-01", [("logs.tail", {"unit": "System", "lines": 15})],
     ["cis-01"]),
    ("Get-WinEvent -LogName System | Where-Object Message -match 'disk' on file-01",
     [("logs.search", {"unit": "System", "pattern": "disk"})], ["file-01"]),
    ("Test-WSMan -ComputerName iis-02", [("host.ping", {})], ["iis-02"]),
    ("Get-ComputerInfo on cis-02", [("system.info", {})], ["cis-02"]),
    ("podman ps --filter name=api on app-01", [("container.status", {"name": "api"})], ["app-01"]),
    ("ps -ef | grep [n]ginx on web-04", [("process.check", {"name": "nginx"})], ["web-04"]),
    ("curl -o /tmp/x.tgz https://repo.internal/x.tgz on db-04",
     [("file.copy", {"src": "https://repo.internal/x.tgz", "dest": "/tmp/x.tgz"})], ["db-04"]),
])
def test_more_pasted_commands(text, steps, hosts):
    assert _read(text) == ("ready", steps, hosts)


@pytest.mark.unit
def test_shell_chaining_is_still_refused():
    assert _read("restart nginx on web-01 && reboot db-01")[0] == "rejected"


@pytest.mark.unit
@pytest.mark.parametrize("text,steps,hosts", [
    ("restart haproxy on web-01 and web-02, then fetch http://localhost/status on each",
     [("service.restart", {"name": "haproxy"}), ("http.check", {"url": "http://localhost/status"})],
     ["web-01", "web-02"]),  # "on each" was every host of the fleet
    ("restart redis-server on app-01 and app-02 and check it on all of them",
     [("service.restart", {"name": "redis-server"}), ("service.status", {"name": "redis-server"})],
     ["app-01", "app-02"]),
    ("reboot db-04 and then make sure postgresql is running",
     [("host.reboot", {}), ("service.status", {"name": "postgresql"})], ["db-04"]),  # the check after the change
])
def test_held_out_4s_unsafe_families(text, steps, hosts):
    assert _read(text) == ("ready", steps, hosts)


@pytest.mark.unit
def test_a_check_after_a_semicolon_is_a_step_when_the_hosts_come_first():
    assert _read("on db-02 restart postgresql; status of service postgresql") == (
        "ready", [("service.restart", {"name": "postgresql"}), ("service.status", {"name": "postgresql"})], ["db-02"])
    assert _read("restart nginx on web-01, status is red")[1] == [("service.restart", {"name": "nginx"})]
