"""The Linux side of the actions, run for real: each role's entry point over SSH against an sshd test host
(this machine, so what the test creates here is what the host sees), its ``<role>_result`` fact read from the
runner's events, checked against its ``result_schema`` and against the truth on the host."""
from __future__ import annotations

import datetime as dt
import grp
import hashlib
import ipaddress
import os
import pwd
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.harness.waiting import wait_for
from tests.roles.conftest import Action, ActionRunner, Outcome

pytestmark = pytest.mark.integration

DAY = 86400


def answer(runner: ActionRunner, action: str, params: dict[str, Any] | None = None, *, check: bool = False,
           extra_vars: dict[str, Any] | None = None) -> Any:
    """Run ``action``; it must succeed and leave a result valid against its result_schema: return the result."""
    outcome = runner.run(action, params, check=check, extra_vars=extra_vars)
    assert outcome.ok, (outcome.status, outcome.failures, outcome.stdout[-3000:])
    assert_valid(runner.actions[action], outcome.result)
    return outcome.result


def assert_valid(action: Action, result: Any) -> None:
    assert result is not None, f"{action.name} set no {action.role}_result"
    schema = action.definition.get("result_schema")
    assert schema, f"{action.name} has no result_schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(result, schema, cls=jsonschema.Draft202012Validator)


def failure(runner: ActionRunner, action: str, params: dict[str, Any], **kw: Any) -> Outcome:
    outcome = runner.run(action, params, **kw)
    assert not outcome.ok and outcome.failures, outcome.stdout[-2000:]
    return outcome


# --- every read-only action answers, in check mode too -------------------------------------------------

@pytest.fixture(scope="module")
def probe_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("probe") / "probe.log"
    path.write_text("".join(f"probe line {i}\n" for i in range(1, 21)))
    return path


def _check_params(name: str, probe: Path) -> dict[str, str]:
    return {
        "disk.check": {"path": str(probe.parent)}, "process.check": {"name": "sshd"},
        "service.status": {"name": "procps"}, "package.check": {"name": "bash"}, "file.stat": {"path": str(probe)},
        "port.check": {"port": "22"}, "http.check": {"url": "http://127.0.0.1:9/"}, "logs.tail": {"path": str(probe)},
        "logs.search": {"path": str(probe), "pattern": "line 1"}, "user.check": {"name": "root"},
        "cert.check": {"path": str(probe)}, "dns.check": {"name": "localhost"},
        "tcp.reach": {"endpoint": "127.0.0.1:9"},
    }.get(name, {})


def test_every_linux_read_only_action_is_defined_and_answers_in_check_mode(runner, actions, probe_file) -> None:
    """Read-only: a result in check mode as well (previewable ones: with no task skipped)."""
    read_only = sorted(a.name for a in actions.values() if a.definition.get("read_only") and "linux" in a.os)
    assert {"logs.tail", "logs.search", "process.top", "cron.list", "user.check", "container.status", "cert.check",
            "dns.check", "tcp.reach", "disk.check", "port.check", "file.stat", "service.status", "package.check",
            "process.check", "host.ping", "system.info", "http.check"} <= set(read_only)
    for name in read_only:
        action = actions[name]
        outcome = runner.run(name, _check_params(name, probe_file), check=True)
        assert outcome.ok, (name, outcome.failures)
        assert_valid(action, outcome.result)
        if action.definition.get("previewable", True):
            assert outcome.skipped == [], (name, outcome.skipped)
            assert outcome.changed == [], (name, outcome.changed)


# --- CONTRACT 8 minimum answers ------------------------------------------------------------------------

def test_host_ping_and_system_info(runner) -> None:
    assert answer(runner, "host.ping") == {"reachable": True}
    info = answer(runner, "system.info")
    assert info["cpus"] == os.cpu_count()
    meminfo = dict(line.split(":", 1) for line in Path("/proc/meminfo").read_text().splitlines())
    assert info["memory_total_mb"] == int(meminfo["MemTotal"].split()[0]) // 1024
    assert 0 <= info["memory_free_mb"] <= info["memory_total_mb"]
    uptime = float(Path("/proc/uptime").read_text().split()[0])
    assert abs(info["uptime_seconds"] - uptime) < 120
    assert info["os"] and info["os"] != "unknown"


def _df_percent(path: Path) -> tuple[float, int]:
    """df's Use% (used / (used + available to users)) and the filesystem size, from statvfs."""
    st = os.statvfs(path)
    used = (st.f_blocks - st.f_bfree) * st.f_frsize
    avail = st.f_bavail * st.f_frsize
    return 100.0 * used / (used + avail), st.f_blocks * st.f_frsize


def _mount_point(path: Path) -> str:
    path = path.resolve()
    while not os.path.ismount(path):
        path = path.parent
    return str(path)


def test_disk_check_agrees_with_df(runner, tmp_path) -> None:
    result = answer(runner, "disk.check", {"path": str(tmp_path)})
    (mount,) = result["mounts"]
    percent, size = _df_percent(tmp_path)
    assert mount["mount"] == _mount_point(tmp_path)
    assert isinstance(mount["used_percent"], float) and abs(mount["used_percent"] - percent) <= 1.0
    assert mount["size_bytes"] == size
    assert all(isinstance(mount[k], int) for k in ("size_bytes", "used_bytes", "available_bytes"))
    every = answer(runner, "disk.check")
    assert "/" in [m["mount"] for m in every["mounts"]]
    root = next(m for m in every["mounts"] if m["mount"] == "/")
    assert abs(root["used_percent"] - _df_percent(Path("/"))[0]) <= 1.0


def test_port_check_sees_a_listener_the_test_opens(runner) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        with socket.socket() as unused:
            unused.bind(("127.0.0.1", 0))
            closed = unused.getsockname()[1]
            result = answer(runner, "port.check", {"port": str(port)})
            assert result["port"] == port and result["listening"] is True
            assert os.getpid() in result["pids"] and result["process"]
            result = answer(runner, "port.check", {"port": str(closed)})
            assert result == {"port": closed, "listening": False, "process": None, "pids": [], "addresses": []}


def test_file_stat_reports_size_owner_and_sha256(runner, tmp_path) -> None:
    target = tmp_path / "data.bin"
    target.write_bytes(os.urandom(4096) + b"opsplan")
    result = answer(runner, "file.stat", {"path": str(target)})
    assert result["exists"] is True and result["type"] == "file"
    assert result["sha256"] == hashlib.sha256(target.read_bytes()).hexdigest()
    assert result["size_bytes"] == 4096 + 7
    assert result["owner"] == pwd.getpwuid(target.stat().st_uid).pw_name
    assert abs(result["modified"] - target.stat().st_mtime) < 1
    missing = answer(runner, "file.stat", {"path": str(tmp_path / "missing")})
    assert missing["exists"] is False and missing["sha256"] is None and missing["size_bytes"] is None


def test_process_check_counts_a_process_the_test_starts(runner, tmp_path) -> None:
    name = "opsp" + uuid.uuid4().hex[:8]  # under the kernel's 15 characters
    exe = tmp_path / name
    shutil.copy("/bin/sleep", exe)
    proc = subprocess.Popen([str(exe), "300"])
    try:
        wait_for("the process to show its name", lambda: Path(f"/proc/{proc.pid}/comm").read_text().strip() == name,
                 timeout=10)
        result = answer(runner, "process.check", {"name": name})
        assert result == {"name": name, "running": True, "count": 1, "pids": [proc.pid]}
    finally:
        proc.kill()
        proc.wait()
    result = answer(runner, "process.check", {"name": name})
    assert result == {"name": name, "running": False, "count": 0, "pids": []}


def test_package_check_of_bash(runner) -> None:
    result = answer(runner, "package.check", {"name": "bash"})
    assert result["name"] == "bash" and result["installed"] is True
    if shutil.which("dpkg-query"):
        truth = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "bash"], capture_output=True, text=True,
                               check=True).stdout.strip()
        assert result["version"] == truth
    missing = answer(runner, "package.check", {"name": "opsplan-no-such-package"})
    assert missing["installed"] is False and missing["version"] is None


def test_package_install_of_an_installed_package_reports_its_version(runner) -> None:
    for check in (True, False):
        result = answer(runner, "package.install", {"name": "bash"}, check=check)
        assert result["installed"] is True and result["changed"] is False and result["version"]


INIT_SCRIPT = """#!/bin/sh
### BEGIN INIT INFO
# Provides:          {name}
# Required-Start:
# Required-Stop:
# Default-Start:     2 3 4 5
# Default-Stop:      0 1 6
# Short-Description: Opsplan test service
### END INIT INFO
case "$1" in
  start) if [ -f {pidfile} ] && kill -0 $(cat {pidfile}) 2>/dev/null; then exit 0; fi
         nohup {exe} 300 >/dev/null 2>&1 & echo $! > {pidfile} ;;
  stop) [ -f {pidfile} ] && kill $(cat {pidfile}) 2>/dev/null; rm -f {pidfile}; exit 0 ;;
  status) if [ -f {pidfile} ] && kill -0 $(cat {pidfile}) 2>/dev/null; then echo running; exit 0; fi
          echo stopped; exit 3 ;;
  restart) $0 stop; $0 start ;;
  *) exit 2 ;;
esac
"""


@pytest.fixture
def sysv_service(tmp_path):
    """A real SysV service (an init script with LSB headers; `service --status-all` needs status output)."""
    name = "opsplan-t" + uuid.uuid4().hex[:6]
    exe = tmp_path / "svc"
    shutil.copy("/bin/sleep", exe)
    pidfile = tmp_path / "svc.pid"
    script = Path("/etc/init.d") / name
    script.write_text(INIT_SCRIPT.format(name=name, exe=exe, pidfile=pidfile))
    script.chmod(0o755)
    subprocess.run([str(script), "start"], check=True)
    wait_for("the test service to run", lambda: subprocess.run([str(script), "status"], capture_output=True)
             .returncode == 0, timeout=10)
    yield name, script
    subprocess.run([str(script), "stop"], check=False)
    if shutil.which("update-rc.d"):
        subprocess.run(["update-rc.d", "-f", name, "remove"], capture_output=True, check=False)
    script.unlink()


def test_service_status_running_stopped_and_missing(runner, sysv_service) -> None:
    name, script = sysv_service
    assert answer(runner, "service.status", {"name": name}) == {"name": name, "state": "running", "enabled": False}
    subprocess.run([str(script), "stop"], check=True)
    assert answer(runner, "service.status", {"name": name}, check=True) == {"name": name, "state": "stopped",
                                                                           "enabled": False}
    missing = "opsplan-missing-" + uuid.uuid4().hex[:6]
    assert answer(runner, "service.status", {"name": missing}) == {"name": missing, "state": "missing",
                                                                  "enabled": None}


def _boot_links(name: str) -> list[str]:
    return sorted(p.name for p in Path("/etc").glob(f"rc[2-5].d/S??{name}"))


@pytest.mark.skipif(not shutil.which("update-rc.d"), reason="SysV boot links need update-rc.d (Debian)")
def test_service_enable_and_disable(runner, sysv_service) -> None:
    name, _ = sysv_service
    preview = answer(runner, "service.enable", {"name": name}, check=True)
    assert preview == {"name": name, "enabled": True, "changed": True}
    assert _boot_links(name) == []  # the preview changed nothing
    assert answer(runner, "service.enable", {"name": name}) == {"name": name, "enabled": True, "changed": True}
    assert _boot_links(name)
    assert answer(runner, "service.status", {"name": name})["enabled"] is True
    assert answer(runner, "service.enable", {"name": name}) == {"name": name, "enabled": True, "changed": False}
    assert answer(runner, "service.disable", {"name": name}) == {"name": name, "enabled": False, "changed": True}
    assert _boot_links(name) == []
    assert answer(runner, "service.status", {"name": name})["enabled"] is False
    failure(runner, "service.enable", {"name": "opsplan-missing-" + uuid.uuid4().hex[:6]})


# --- everyday actions ----------------------------------------------------------------------------------

def test_logs_tail_returns_exactly_the_last_lines(runner, tmp_path) -> None:
    log = tmp_path / "app.log"
    lines = [f"{i:04d} {uuid.uuid4().hex}" for i in range(1, 201)]
    log.write_text("\n".join(lines) + "\n")
    result = answer(runner, "logs.tail", {"path": str(log), "lines": "7"})
    assert result["lines"] == lines[-7:] and result["count"] == 7
    assert result["source"] == str(log) and result["kind"] == "file"
    assert answer(runner, "logs.tail", {"path": str(log)})["lines"] == lines[-50:]  # the default
    outcome = failure(runner, "logs.tail", {"path": str(tmp_path / "missing.log")})
    assert "not a readable file" in outcome.failures[0]
    failure(runner, "logs.tail", {"path": str(log), "unit": "ssh"})  # one log, not two


def test_logs_search_finds_the_planted_lines(runner, tmp_path) -> None:
    log = tmp_path / "app.log"
    token = "Boom-" + uuid.uuid4().hex[:8]
    lines = [f"line {i} " + (f"ERROR {token} #{i}" if i % 9 == 0 else "ok") for i in range(1, 101)]
    log.write_text("\n".join(lines) + "\n")
    planted = [line for line in lines if token in line]
    result = answer(runner, "logs.search", {"path": str(log), "pattern": token.lower(), "lines": "3"})
    assert result["lines"] == planted[-3:] and result["count"] == 3 and result["pattern"] == token.lower()
    every = answer(runner, "logs.search", {"path": str(log), "pattern": f"ERROR {token} #[0-9]+$"})
    assert every["lines"] == planted
    assert answer(runner, "logs.search", {"path": str(log), "pattern": "no-such-" + token})["lines"] == []
    outcome = failure(runner, "logs.search", {"path": str(log), "pattern": "(unclosed"})
    assert "searching" in outcome.failures[0]


def test_process_top_lists_a_busy_process_the_test_starts(runner) -> None:
    marker = "opsplan-top-" + uuid.uuid4().hex[:8]
    busy = subprocess.Popen([sys.executable, "-c", "import sys\nwhile True: pass", marker])
    try:
        wait_for("the busy process to use CPU", lambda: _cpu_ticks(busy.pid) > 5, timeout=20)
        result = answer(runner, "process.top", {"count": "40"})
        assert result["sort"] == "cpu" and 0 < len(result["processes"]) <= 40
        mine = [p for p in result["processes"] if p["pid"] == busy.pid]
        assert mine and marker in mine[0]["command"] and mine[0]["cpu_percent"] > 0
        assert mine[0]["user"] == pwd.getpwuid(os.getuid()).pw_name
        cpu = [p["cpu_percent"] for p in result["processes"]]
        assert cpu == sorted(cpu, reverse=True)
        by_memory = answer(runner, "process.top", {"sort": "memory", "count": "5"})
        memory = [p["memory_percent"] for p in by_memory["processes"]]
        assert by_memory["sort"] == "memory" and len(memory) == 5 and memory == sorted(memory, reverse=True)
    finally:
        busy.kill()
        busy.wait()


def _cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def test_cron_list_shows_installed_entries(runner, tmp_path) -> None:
    name = "opsplan-t" + uuid.uuid4().hex[:6]
    cron_d = Path("/etc/cron.d")
    cron_d.mkdir(exist_ok=True)
    path = cron_d / name
    path.write_text(f"# test entries\nMAILTO=root\n*/5 1-3 * * mon,fri root /bin/echo {name} > /dev/null 2>&1\n"
                    f"@reboot nobody /usr/bin/env {name}-boot\nnot an entry\n")
    spool = tmp_path / "spool"
    spool.mkdir()
    (spool / "alice").write_text(f"SHELL=/bin/sh\n0 3 * * * /usr/local/bin/backup {name}\n")
    extra = {"opsplan_cron_spool_dirs": [str(spool)]}
    try:
        result = answer(runner, "cron.list", extra_vars=extra)
        mine = [e for e in result["entries"] if name in e["command"]]
        assert {"source": str(path), "user": "root", "schedule": "*/5 1-3 * * mon,fri",
                "command": f"/bin/echo {name} > /dev/null 2>&1", "enabled": True} in mine
        assert {"source": str(path), "user": "nobody", "schedule": "@reboot", "command": f"/usr/bin/env {name}-boot",
                "enabled": True} in mine
        assert {"source": str(spool / "alice"), "user": "alice", "schedule": "0 3 * * *",
                "command": f"/usr/local/bin/backup {name}", "enabled": True} in mine
        assert len(mine) == 3
        if shutil.which("crontab"):
            assert result["scheduler"] == "cron" and result["message"] is None
        else:
            assert result["scheduler"] is None and "cron is not installed" in result["message"]
        only = answer(runner, "cron.list", {"user": "nobody"}, extra_vars=extra, check=True)
        assert only["user"] == "nobody" and {e["user"] for e in only["entries"]} == {"nobody"}
        assert [e["command"] for e in only["entries"] if name in e["command"]] == [f"/usr/bin/env {name}-boot"]
    finally:
        path.unlink()


def test_user_check_of_root_and_of_a_missing_user(runner) -> None:
    root = pwd.getpwnam("root")
    result = answer(runner, "user.check", {"name": "root"})
    groups = [grp.getgrgid(root.pw_gid).gr_name] + sorted(g.gr_name for g in grp.getgrall() if "root" in g.gr_mem)
    assert result["exists"] is True and result["uid"] == 0 and result["gid"] == root.pw_gid
    assert result["groups"] == list(dict.fromkeys(groups))
    assert result["shell"] == root.pw_shell and result["home"] == root.pw_dir
    missing = "opsplan-nobody-" + uuid.uuid4().hex[:6]
    assert answer(runner, "user.check", {"name": missing}, check=True) == {
        "name": missing, "exists": False, "uid": None, "gid": None, "groups": [], "shell": None, "home": None,
        "enabled": None, "comment": None}


def test_container_status_without_a_container_runtime(runner) -> None:
    if Path("/var/run/docker.sock").exists() or Path("/run/docker.sock").exists() or shutil.which("podman"):
        pytest.skip("this machine has a container runtime")
    result = answer(runner, "container.status")
    assert result["runtime"] is None and result["containers"] == [] and result["message"]
    outcome = failure(runner, "container.restart", {"name": "web"})
    assert "Docker or Podman" in outcome.failures[0] or "no Docker engine" in outcome.failures[0]


FAKE_PODMAN = """#!/bin/sh
# A stand-in for podman that records what it was asked (the host has no container engine).
echo "$*" >> {log}
case "$1" in
  ps) [ "$2 $3 $4" = "--all --no-trunc --format" ] || exit 64
      printf 'a1b2c3d4e5f6a7b8\\tweb\\tnginx:1.25\\trunning\\tUp 2 hours\\n'
      printf 'f0e1d2c3b4a59687\\tdb,db-alias\\tpostgres:16\\texited\\tExited (0) 3 days ago\\n' ;;
  restart) [ "$2" = "--time" ] || exit 64
      [ "$4" = web ] || {{ echo "Error: no container with name or ID \\"$4\\" found" >&2; exit 125; }}
      echo "$4" ;;
  inspect) echo running ;;
  *) exit 64 ;;
esac
"""


def test_container_status_and_restart_through_the_podman_command(runner, tmp_path) -> None:
    """The parsing and the commands, with a stand-in podman CLI (no engine can run here)."""
    log = tmp_path / "podman.log"
    fake = tmp_path / "podman"
    fake.write_text(FAKE_PODMAN.format(log=log))
    fake.chmod(0o755)
    extra = {"opsplan_container_docker_clis": [], "opsplan_container_podman_clis": [str(fake)]}
    result = answer(runner, "container.status", extra_vars=extra)
    assert result["runtime"] == "podman" and result["name"] is None and result["found"] is None
    assert result["containers"] == [
        {"id": "a1b2c3d4e5f6a7b8", "name": "web", "image": "nginx:1.25", "state": "running", "status": "Up 2 hours"},
        {"id": "f0e1d2c3b4a59687", "name": "db", "image": "postgres:16", "state": "exited",
         "status": "Exited (0) 3 days ago"}]
    one = answer(runner, "container.status", {"name": "db-alias"}, extra_vars=extra)
    assert one["found"] is True and [c["name"] for c in one["containers"]] == ["db"]
    assert answer(runner, "container.status", {"name": "nope"}, extra_vars=extra)["found"] is False
    preview = runner.run("container.restart", {"name": "web"}, check=True, extra_vars=extra)
    assert preview.ok and "restart" not in log.read_text()  # check mode runs no command
    assert answer(runner, "container.restart", {"name": "web"}, extra_vars=extra) == {
        "runtime": "podman", "name": "web", "state": "running"}
    assert "restart --time 10 web" in log.read_text()
    outcome = failure(runner, "container.restart", {"name": "ghost"}, extra_vars=extra)
    assert "no container" in " ".join(outcome.failures) or outcome.failures


def _certificate(tmp_path: Path, days: int, name: str = "cert") -> tuple[Any, Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Opsplan Test"),
                         x509.NameAttribute(NameOID.COMMON_NAME, f"{name}.opsplan.test")])
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=abs(days) + 30)).not_valid_after(now + dt.timedelta(days=days))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                        x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .sign(key, hashes.SHA256()))
    pem = tmp_path / f"{name}.pem"
    pem.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path = tmp_path / f"{name}.key"
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert, pem, key_path


def _assert_certificate(result: dict, cert: Any) -> None:
    from cryptography.hazmat.primitives import hashes

    not_after = cert.not_valid_after_utc
    assert result["subject"] == cert.subject.rfc4514_string() and result["issuer"] == cert.issuer.rfc4514_string()
    assert result["not_after"] == not_after.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert result["not_before"] == cert.not_valid_before_utc.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert result["days_to_expiry"] == (not_after - dt.datetime.now(dt.UTC)).days
    assert result["expired"] is (not_after < dt.datetime.now(dt.UTC))
    assert result["sha256_fingerprint"] == cert.fingerprint(hashes.SHA256()).hex(":").upper()
    assert result["serial"] == f"{cert.serial_number:X}".rjust(len(result["serial"]), "0")
    assert result["subject_alt_names"] == ["DNS:localhost", "IP Address:127.0.0.1"]


class TlsServer:
    """Serves one certificate over TLS on 127.0.0.1 until stopped (handshakes only)."""

    def __init__(self, cert: Path, key: Path):
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(cert, key)
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            try:
                conn.settimeout(5)
                with self.context.wrap_socket(conn, server_side=True):
                    pass
            except OSError:
                pass
            finally:
                conn.close()

    def __enter__(self) -> TlsServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(timeout=5)
        self.sock.close()


def test_cert_check_of_a_file_and_of_a_tls_endpoint(runner, tmp_path) -> None:
    cert, pem, key = _certificate(tmp_path, days=45)
    result = answer(runner, "cert.check", {"path": str(pem)})
    _assert_certificate(result, cert)
    assert result["source"] == str(pem) and result["days_to_expiry"] in (44, 45) and result["expired"] is False
    from cryptography.hazmat.primitives import serialization

    der = tmp_path / "cert.der"
    der.write_bytes(cert.public_bytes(serialization.Encoding.DER))
    _assert_certificate(answer(runner, "cert.check", {"path": str(der)}), cert)
    with TlsServer(pem, key) as server:
        served = answer(runner, "cert.check", {"endpoint": f"127.0.0.1:{server.port}"})
        _assert_certificate(served, cert)
        assert served["source"] == f"127.0.0.1:{server.port}"
    old, old_pem, _ = _certificate(tmp_path, days=-3, name="old")
    expired = answer(runner, "cert.check", {"path": str(old_pem)})
    _assert_certificate(expired, old)
    assert expired["expired"] is True and expired["days_to_expiry"] < 0
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        outcome = failure(runner, "cert.check", {"endpoint": f"127.0.0.1:{unused.getsockname()[1]}"})
    assert "no TLS certificate" in outcome.failures[0]


def test_dns_check_of_localhost(runner) -> None:
    result = answer(runner, "dns.check", {"name": "localhost"})
    truth = {info[4][0] for info in socket.getaddrinfo("localhost", None)}
    assert result["resolved"] is True and "127.0.0.1" in result["addresses"] and set(result["addresses"]) <= truth
    missing = answer(runner, "dns.check", {"name": "no-such-host.invalid"})
    assert missing == {"name": "no-such-host.invalid", "resolved": False, "addresses": []}


def test_tcp_reach_of_an_open_and_a_closed_port(runner) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        result = answer(runner, "tcp.reach", {"endpoint": f"127.0.0.1:{port}"})
        assert result["reachable"] is True and result["error"] is None and result["port"] == port
        assert isinstance(result["elapsed_ms"], int) and 0 <= result["elapsed_ms"] < 5000
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        closed = unused.getsockname()[1]
        result = answer(runner, "tcp.reach", {"endpoint": f"localhost:{closed}"})
    assert result["reachable"] is False and "refused" in result["error"].lower()
    assert result["host"] == "localhost" and result["endpoint"] == f"localhost:{closed}"


# --- change actions: preview first, then the real run ---------------------------------------------------

def test_file_cleanup_previews_then_deletes_only_old_matching_files(runner, tmp_path) -> None:
    root = tmp_path / "cleanup"
    (root / "sub").mkdir(parents=True)
    old = time.time() - 40 * DAY
    files = {"a.log": old, "b.log": old, "sub/c.gz": old, "keep.txt": old, "new.log": time.time(),
             "sub/new.gz": time.time() - 2 * DAY}
    for rel, mtime in files.items():
        (root / rel).write_text(rel * 10)
        os.utime(root / rel, (mtime, mtime))
    doomed = sorted(str(root / rel) for rel in ("a.log", "b.log", "sub/c.gz"))
    params = {"path": str(root) + "/", "older_than_days": "30", "pattern": "*.log,*.gz"}
    preview = answer(runner, "file.cleanup", params, check=True)
    assert preview["deleted"] == doomed and preview["count"] == 3 and preview["preview"] is True
    assert preview["bytes"] == sum(len(rel) * 10 for rel in ("a.log", "b.log", "sub/c.gz"))
    assert all(Path(p).exists() for p in doomed), "the preview deleted nothing"
    limited = failure(runner, "file.cleanup", params, extra_vars={"opsplan_file_cleanup_max_files": 2})
    assert "more than the 2" in limited.failures[0] and all(Path(p).exists() for p in doomed)
    done = answer(runner, "file.cleanup", params)
    assert done["deleted"] == doomed and done["count"] == 3 and done["preview"] is False
    assert not any(Path(p).exists() for p in doomed)
    assert sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) == [
        "keep.txt", "new.log", "sub/new.gz"]
    assert answer(runner, "file.cleanup", params)["deleted"] == []
    for bad in ("/etc", "/var/", f"{root}/../cleanup"):
        failure(runner, "file.cleanup", {"path": bad, "older_than_days": "30"}, check=True)
    failure(runner, "file.cleanup", {"path": str(root), "older_than_days": "0"}, check=True)


def test_config_line_previews_the_diff_then_changes_the_file(runner, tmp_path) -> None:
    conf = tmp_path / "app.conf"
    original = "# app\nMaxSessions 10\nPort 22\n"
    conf.write_text(original)
    params = {"path": str(conf), "line": "MaxSessions 20", "regexp": "^MaxSessions "}
    preview = runner.run("config.line", params, check=True)
    assert preview.ok and preview.result["changed"] is True and preview.result["backup"] is None
    assert_valid(runner.actions["config.line"], preview.result)
    diffs = [d for e in preview.events if e.get("event") == "runner_on_ok"
             for d in ((e["event_data"].get("res") or {}).get("diff") or [])]
    assert any("MaxSessions 10" in str(d.get("before", "")) and "MaxSessions 20" in str(d.get("after", ""))
               for d in diffs), diffs
    assert conf.read_text() == original, "the preview changed nothing"
    done = answer(runner, "config.line", params)
    assert done["changed"] is True and conf.read_text() == "# app\nMaxSessions 20\nPort 22\n"
    assert done["backup"] and Path(done["backup"]).read_text() == original
    again = answer(runner, "config.line", params)
    assert again["changed"] is False
    removed = answer(runner, "config.line", {"path": str(conf), "line": "Port 22", "state": "absent"})
    assert removed["changed"] is True and removed["state"] == "absent"
    assert conf.read_text() == "# app\nMaxSessions 20\n"
    failure(runner, "config.line", {"path": str(tmp_path / "missing.conf"), "line": "x"})


def test_file_copy_reports_what_arrived(runner, tmp_path) -> None:
    src = tmp_path / "src.conf"
    src.write_text("key = value\n")
    dest = tmp_path / "dest.conf"
    preview = answer(runner, "file.copy", {"src": str(src), "dest": str(dest)}, check=True)
    assert preview["exists"] is False and not dest.exists()
    done = answer(runner, "file.copy", {"src": str(src), "dest": str(dest)})
    assert done == {"dest": str(dest), "exists": True, "size_bytes": 12,
                    "sha256": hashlib.sha256(b"key = value\n").hexdigest(), "changed": True}
    assert answer(runner, "file.copy", {"src": str(src), "dest": str(dest)})["changed"] is False


def test_process_kill_previews_then_kills(runner, tmp_path) -> None:
    name = "opsk" + uuid.uuid4().hex[:8]
    exe = tmp_path / name
    shutil.copy("/bin/sleep", exe)
    proc = subprocess.Popen([str(exe), "300"])
    try:
        wait_for("the process to show its name", lambda: Path(f"/proc/{proc.pid}/comm").read_text().strip() == name,
                 timeout=10)
        preview = answer(runner, "process.kill", {"name": name}, check=True)
        assert preview == {"name": name, "pids": [proc.pid], "count": 1, "killed": False}
        assert proc.poll() is None, "the preview killed nothing"
        reaper = threading.Thread(target=proc.wait, daemon=True)  # a killed child must not linger as a zombie
        reaper.start()
        assert answer(runner, "process.kill", {"name": name}) == {"name": name, "pids": [proc.pid], "count": 1,
                                                                  "killed": True}
        reaper.join(timeout=10)
        assert proc.returncode == -15  # SIGTERM was enough
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
