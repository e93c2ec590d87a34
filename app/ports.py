"""Is a TCP port free to listen on, and if not, which process holds it (Linux /proc, when readable)."""
from __future__ import annotations

import errno
import os
import socket
from pathlib import Path

LISTEN = "0A"


def _listening_inodes(port: int) -> set[str]:
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) > 9 and fields[3] == LISTEN and int(fields[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(fields[9])
    return inodes


def holder(port: int) -> tuple[int, str] | None:
    """(pid, command line) of the process listening on ``port``, when /proc tells."""
    wanted = {f"socket:[{inode}]" for inode in _listening_inodes(port)}
    if not wanted:
        return None
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            for fd in (proc / "fd").iterdir():
                if os.readlink(fd) in wanted:
                    cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
                    return int(proc.name), cmdline
        except OSError:  # gone, or not ours to read
            continue
    return None


def port_problem(host: str, port: int) -> str | None:
    """None when ``host:port`` can be listened on; else one line saying it is in use and by what."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server itself binds
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                return f"cannot listen on {host}:{port}: {exc.strerror}"
        else:
            return None
    found = holder(port)
    who = f"by process {found[0]} ({found[1][:200]})" if found else "by another process"
    return (f"port {port} is in use {who}; stop it, or choose another port: --port N (make run: PORT=N make run)")
