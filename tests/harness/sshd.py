"""Real SSH test hosts: one sshd per loopback address (127.0.0.2, 127.0.0.3, ...), a generated key."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

SSHD = shutil.which("sshd") or "/usr/sbin/sshd"


def _free_port(addresses: list[str]) -> int:
    """A TCP port free on every one of ``addresses`` (so parallel test sessions never share an sshd)."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind((addresses[0], 0))
            port = probe.getsockname()[1]
        try:
            for address in addresses[1:]:
                with socket.socket() as other:
                    other.bind((address, port))
            return port
        except OSError:
            continue
    raise RuntimeError("no common free port on the loopback test addresses")


@dataclass
class SshHost:
    name: str
    address: str
    port: int
    user: str
    key_file: Path
    process: subprocess.Popen

    def alive(self) -> bool:
        return self.process.poll() is None


def _keygen(path: Path, kind: str = "ed25519") -> None:
    subprocess.run(["ssh-keygen", "-q", "-t", kind, "-N", "", "-f", str(path)], check=True)


def _wait_port(address: str, port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((address, port), timeout=0.5) as conn:
                if conn.recv(4).startswith(b"SSH"):
                    return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"sshd on {address}:{port} did not come up")


class SshFleet:
    """Starts ``count`` sshd instances sharing one client key; ``stop`` tears them all down."""

    def __init__(self, root: Path, count: int, first: int = 2):
        self.root = root
        self.count = count
        self.first = first
        self.hosts: list[SshHost] = []
        self.user = os.environ.get("USER") or "root"

    def start(self) -> "SshFleet":
        if not Path(SSHD).exists():
            raise RuntimeError("sshd is not installed (apt-get install openssh-server)")
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
        self.root.mkdir(parents=True, exist_ok=True)
        key = self.root / "client_key"
        _keygen(key)
        host_key = self.root / "host_key"
        _keygen(host_key)
        auth = self.root / "authorized_keys"
        auth.write_text(key.with_suffix(".pub").read_text())
        auth.chmod(0o600)
        addresses = [f"127.0.0.{self.first + i}" for i in range(self.count)]
        port = _free_port(addresses)
        for i, address in enumerate(addresses):
            cfg = self.root / f"sshd_{address}.conf"
            cfg.write_text("\n".join([
                f"ListenAddress {address}", f"Port {port}", f"HostKey {host_key}", f"PidFile {self.root}/sshd_{address}.pid",
                f"AuthorizedKeysFile {auth}", "PasswordAuthentication no", "KbdInteractiveAuthentication no",
                "PubkeyAuthentication yes", "PermitRootLogin prohibit-password", "UsePAM no", "StrictModes no",
                "MaxSessions 50", "MaxStartups 100:30:200", "LogLevel ERROR", "Subsystem sftp internal-sftp", "",
            ]))
            with open(self.root / f"sshd_{address}.log", "wb") as log:
                proc = subprocess.Popen([SSHD, "-D", "-e", "-f", str(cfg)], stdout=subprocess.DEVNULL, stderr=log)
            self.hosts.append(SshHost(f"web-{i + 1:02d}", address, port, self.user, key, proc))
        for host in self.hosts:
            _wait_port(host.address, host.port)
        return self

    def stop(self) -> None:
        for host in self.hosts:
            if host.alive():
                host.process.terminate()
        for host in self.hosts:
            try:
                host.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                host.process.kill()

    def assets_yaml(self, names: list[str] | None = None, environment: str = "staging",
                    groups: list[str] | None = None, credential: str = "test-ssh") -> dict:
        """Asset-import document (CONTRACT section 3) for these hosts, with the client key as credential."""
        names = names or [h.name for h in self.hosts]
        return {
            "credentials": [{"name": credential, "kind": "ssh_key", "username": self.user,
                             "secret": self.hosts[0].key_file.read_text()}],
            "assets": [
                {"name": name, "address": h.address, "os": "linux", "environment": environment,
                 "groups": groups or ["web"], "credential": credential, "port": h.port,
                 "vars": {"ansible_python_interpreter": "/usr/bin/python3"}}
                for name, h in zip(names, self.hosts)
            ],
        }
