from __future__ import annotations

import sys

import pytest

from app.planner import AssetRef, Vocabulary, plan_rules
from app.planner.rules import strip_targets
from tests.app.planner.helpers import fleet_vocab

V = fleet_vocab()


def _steps(plan):
    return [(s.action, s.params) for s in plan.steps]


@pytest.mark.unit
@pytest.mark.parametrize("text,steps,hosts", [
    ("restart nginx on the web servers in staging", [("service.restart", {"name": "nginx"})],
     ["web-03", "web-04"]),  # nginx is a Linux service: iis-02 (Windows, staging web) is left out, with a note
    (r"update stationcontroller on the CIS servers from \\file-01\releases\stationcontroller.exe",
     [("app.update", {"name": "stationcontroller", "source": r"\\file-01\releases\stationcontroller.exe"})],
     ["cis-01", "cis-02", "cis-03", "cis-04"]),
    ("is port 5432 open on db-01?", [("port.check", {"port": 5432})], ["db-01"]),
    ("restart web-01", [("host.reboot", {})], ["web-01"]),
    ("reboot web-01", [("host.reboot", {})], ["web-01"]),
    ("restart nginx and php-fpm on web-05",
     [("service.restart", {"name": "nginx"}), ("service.restart", {"name": "php-fpm"})], ["web-05"]),
    ("stop nginx, copy /tmp/a.conf to /etc/nginx/a.conf, then start it again on web-03",
     [("service.stop", {"name": "nginx"}), ("file.copy", {"src": "/tmp/a.conf", "dest": "/etc/nginx/a.conf"}),
      ("service.start", {"name": "nginx"})], ["web-03"]),
    ("ping all hosts except the cis servers and file-01", [("host.ping", {})],
     ["app-01", "app-02", "app-03", "db-01", "db-02", "db-03", "db-04", "iis-01", "iis-02", "mon-01",
      "web-01", "web-02", "web-03", "web-04", "web-05"]),
    ("make sure git is installed on every windows host in prod", [("package.install", {"name": "git"})],
     ["app-03", "cis-01", "cis-02", "file-01", "iis-01"]),
    ("is process java running on app-01", [("process.check", {"name": "java"})], ["app-01"]),
    ("check https://example.com/x on web-01", [("http.check", {"url": "https://example.com/x"})], ["web-01"]),
    ("kill process java on app-01", [("process.kill", {"name": "java"})], ["app-01"]),
    ('run "Get-Service" on cis-01', [("command.run", {"command": "Get-Service"})], ["cis-01"]),
])
def test_ready_plans(text, steps, hosts):
    plan = plan_rules(text, V)
    assert plan.status.value == "ready", plan.questions or plan.reason
    assert _steps(plan) == steps and plan.hosts == hosts
    assert all(s.hosts for s in plan.steps) and plan.request == text and plan.planner == "rules"


@pytest.mark.unit
@pytest.mark.parametrize("text,needle", [
    ("restart nginx", "Which hosts should I restart nginx on?"),
    ("restart nginx on web-09", "I don't know a host called 'web-09'"),
    ("restart nginx on webb-01", "Did you mean web-01"),
    ("install curl on the mail servers", "I don't know a group called 'mail'"),
    ("restart apache on web-01, web-02 and web-07", "web-07"),
    ("stop the service on app-01", "Which service should I stop?"),
    ("update stationcontroller.exe on the cis servers", "Where should I get the new stationcontroller from?"),
    ("copy /tmp/x.conf on web-01", "Where should I copy /tmp/x.conf to?"),
    ("restart nginx on the development app servers", "No development linux hosts are in group app"),
    ("run df -h on web-01", "Put the exact command in quotes"),
    ("is port open on db-01", "Which port should I check?"),
    ("ping the qa hosts", "no hosts in a 'qa' environment"),
    ("restart the web server", "You asked for one server"),
    ("web-01", "What should I do on web-01?"),
])
def test_clarifications_are_specific(text, needle):
    plan = plan_rules(text, V)
    assert plan.status.value == "needs_clarification"
    assert plan.hosts == [] and all(not s.hosts for s in plan.steps)
    assert any(needle in q for q in plan.questions), plan.questions


@pytest.mark.unit
def test_case_of_names_is_kept_and_windows_paths_survive():
    plan = plan_rules(r"copy \\file-01\share\a.msi to C:\Temp\a.msi on cis-01 then restart W3SVC on cis-01", V)
    assert _steps(plan) == [("file.copy", {"src": r"\\file-01\share\a.msi", "dest": r"C:\Temp\a.msi"}),
                            ("service.restart", {"name": "W3SVC"})]
    assert plan.hosts == ["cis-01"]  # file-01 inside the UNC path is not a target


@pytest.mark.unit
def test_strip_targets():
    assert strip_targets("restart nginx on web-09", V) == "restart nginx"
    assert strip_targets("restart nginx on the mail servers", V) == "restart nginx"
    assert strip_targets(r"update sc on the cis servers from \\f\x.exe", V) == r"update sc from \\f\x.exe"


LINES_PER_REQUEST = 30_000


def _lines(vocab, texts: list[str]) -> int:
    """Lines of Python run planning ``texts`` (caches warmed first): a count of work that the machine's load cannot
    stretch, unlike any clock (a loop over the fleet counts each turn)."""
    for t in texts:
        plan_rules(t, vocab)
    count = 0

    def trace(frame, event, arg):
        nonlocal count
        count += 1
        return trace

    sys.settrace(trace)
    try:
        for t in texts:
            plan_rules(t, vocab)
    finally:
        sys.settrace(None)
    return count


@pytest.mark.unit
def test_work_per_request_does_not_grow_with_the_fleet():
    """Speed is measured by benchmarks/bench_planner.py (a ratio to a baseline of the same run); this bounds the work
    itself: requests whose plans are small cost the same lines on 16 and on 5,000 assets (a misspelt host included),
    and some thousands each (about 12,000 in December 2026)."""
    def fleet(n: int) -> Vocabulary:
        refs = [AssetRef(f"web-{i:05d}", "linux", ("production", "staging")[i % 2], ("web",)) for i in range(n)]
        refs += [AssetRef(f"db-{i:02d}", "linux", "production", ("db",)) for i in range(1, 4)]
        return Vocabulary.from_refs(refs, {})

    texts = ["restart nginx on the db servers", "is port 5432 open on db-01?", "ping web-00003", "ping web-0003",
             "check disk space on db-02 and db-03"]
    small, large = _lines(fleet(16), texts), _lines(fleet(5000), texts)
    assert large == small, (small, large)
    assert small / len(texts) < LINES_PER_REQUEST, small
