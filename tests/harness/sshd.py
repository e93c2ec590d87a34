"""Real SSH test hosts: one sshd per loopback address (127.0.0.2, 127.0.0.3, ...), each with its own host key.

``fleet.rotate_host_key(host)`` restarts one host's sshd with a new host key (what a rebuilt host, or a
machine answering in its place, looks like); ``host.public_key()`` is its current key line.
"""
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
    host_key: Path | None = None
    config: Path | None = None

    def alive(self) -> bool:
        return self.process.poll() is None

    def public_key(self) -> str:
        """The host's current public host key, 'ssh-ed25519 AAAA...' (no comment)."""
        assert self.host_key is not None
        return " ".join(Path(f"{self.host_key}.pub").read_text().split()[:2])


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

    def start(self) -> SshFleet:
        if not Path(SSHD).exists():
            raise RuntimeError("sshd is not installed (apt-get install openssh-server)")
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
        self.root.mkdir(parents=True, exist_ok=True)
        key = self.root / "client_key"
        _keygen(key)
        auth = self.root / "authorized_keys"
        auth.write_text(key.with_suffix(".pub").read_text())
        auth.chmod(0o600)
        addresses = [f"127.0.0.{self.first + i}" for i in range(self.count)]
        port = _free_port(addresses)
        for i, address in enumerate(addresses):
            host_key = self.root / f"host_key_{address.replace('.', '_')}"
            _keygen(host_key)
            cfg = self.root / f"sshd_{address}.conf"
            cfg.write_text("\n".join([
                f"ListenAddress {address}", f"Port {port}", f"HostKey {host_key}",
                f"PidFile {self.root}/sshd_{address}.pid",
                f"AuthorizedKeysFile {auth}", "PasswordAuthentication no", "KbdInteractiveAuthentication no",
                "PubkeyAuthentication yes", "PermitRootLogin prohibit-password", "UsePAM no", "StrictModes no",
                "MaxSessions 50", "MaxStartups 100:30:200", "LogLevel ERROR", "Subsystem sftp internal-sftp", "",
            ]))
            host = SshHost(f"web-{i + 1:02d}", address, port, self.user, key, self._sshd(address, cfg), host_key, cfg)
            self.hosts.append(host)
        for host in self.hosts:
            _wait_port(host.address, host.port)
        return self

    def _sshd(self, address: str, cfg: Path) -> subprocess.Popen:
        with open(self.root / f"sshd_{address}.log", "ab") as log:
            return subprocess.Popen([SSHD, "-D", "-e", "-f", str(cfg)], stdout=subprocess.DEVNULL, stderr=log)

    def rotate_host_key(self, host: SshHost) -> str:
        """Restart ``host``'s sshd with a freshly generated host key; return the new public key line."""
        assert host.host_key is not None and host.config is not None
        old = host.public_key()
        host.process.terminate()
        host.process.wait(timeout=10)
        for path in (host.host_key, Path(f"{host.host_key}.pub")):
            path.unlink(missing_ok=True)
        _keygen(host.host_key)
        host.process = self._sshd(host.address, host.config)
        _wait_port(host.address, host.port)
        assert host.public_key() != old
        return host.public_key()

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
                for name, h in zip(names, self.hosts, strict=False)
            ],
        }
