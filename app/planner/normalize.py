"""Operators' shorthand -> the plain wording the rule planner reads.

Operators type the command they would have typed on the box ("systemctl status nginx", "apt-get install -y
htop", "Get-Service W3SVC", "crontab -l", "docker ps"), quote commands with backticks, name drives as "C:" and
add chatter ("it's frozen", "thx"). Each rewrite below handles one such family, for every tool of the family
(systemd, SysV, Windows sc/net/PowerShell, every package manager, docker/podman ...), never one sentence.
Rewrites only ever produce the words a person would have written instead; values (names, paths, quoted text)
pass through unchanged.
"""
from __future__ import annotations

import re
from collections.abc import Callable

from app.planner import objects
from app.planner.lexer import FILLER, PREPS, VERBS

_I = re.IGNORECASE
_QUOTED = re.compile(r'"[^"\n]*"|“[^”\n]*”|(?<![\w])\'[^\'\n]*\'(?![\w])')
_HOLE = "\x01"  # quoted text is held out of every rewrite: \x01<n>\x01 stands for the n-th quoted string
_NAME = r"(?P<name>\x01\d+\x01|[A-Za-z0-9][A-Za-z0-9_.@+\-]*)"
_FLAGS = r"(?:\s+(?:-{1,2}[A-Za-z][\w-]*(?:[= ](?:true|false|\d+))?|/[a-z]))*"

_SERVICE_VERBS = {
    "status": "status of service", "is-active": "status of service", "is-enabled": "status of service",
    "query": "status of service", "queryex": "status of service", "qc": "status of service",
    "start": "start service", "stop": "stop service", "restart": "restart service", "reload": "restart service",
    "enable": "enable service", "disable": "disable service", "try-restart": "restart service",
}
_PS_SERVICE = {"get": "status of service", "start": "start service", "stop": "stop service",
               "restart": "restart service"}
_PKG_VERBS = {
    "install": "install package", "add": "install package", "remove": "remove package", "purge": "remove package",
    "erase": "remove package", "uninstall": "remove package", "del": "remove package", "autoremove": "remove package",
    "upgrade": "update package", "update": "update package", "up": "update package",
}
_MANAGERS = r"apt-get|apt|yum|dnf|zypper|apk|pacman|choco|chocolatey|winget|scoop|brew|snap|pip3?"

_REWRITES: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = []


def _rule(pattern: str, flags: int = _I) -> Callable[[Callable[[re.Match[str]], str]], Callable[[re.Match[str]], str]]:
    def register(fn: Callable[[re.Match[str]], str]) -> Callable[[re.Match[str]], str]:
        _REWRITES.append((re.compile(pattern, flags), fn))
        return fn
    return register


@_rule(r"(?<![\w`])`([^`\n]+)`(?![\w`])")
def _backticks(m: re.Match[str]) -> str:  # `free -m` is a quoted command, as "free -m" is
    inner = m.group(1)
    return f'"{inner}"' if '"' not in inner else f"'{inner}'"


@_rule(r"(?<![\w-])sudo\s+(?:-\S+\s+)*")
def _sudo(m: re.Match[str]) -> str:
    return ""


# systemd / SysV / Windows sc and net: "systemctl status nginx", "service nginx restart", "sc query wuauserv",
# "net stop \"Windows Update\""
@_rule(r"(?<![\w-])(?:systemctl|sc(?:\.exe)?)" + _FLAGS + r"\s+(?P<verb>status|is-active|is-enabled|query|queryex|qc|"
       r"start|stop|restart|reload|try-restart|enable|disable)" + _FLAGS + r"\s+" + _NAME + r"(?:\.service\b)?"
       + _FLAGS)
def _systemctl(m: re.Match[str]) -> str:
    return f"{_SERVICE_VERBS[m['verb'].lower()]} {m['name']}"


@_rule(r"(?<![\w-])service\s+(?P<name>[A-Za-z0-9][A-Za-z0-9_.@+\-]*)\s+(?P<verb>status|start|stop|restart|reload)\b")
def _sysv(m: re.Match[str]) -> str:
    return f"{_SERVICE_VERBS[m['verb'].lower()]} {m['name']}"


@_rule(r"(?<![\w-])net\s+(?P<verb>start|stop)\s+" + _NAME)
def _net(m: re.Match[str]) -> str:
    return f"{_SERVICE_VERBS[m['verb'].lower()]} {m['name']}"


@_rule(r"(?<![\w-])(?P<verb>get|start|stop|restart)-service" + r"(?:\s+-(?:name|displayname))?\s+" + _NAME + _FLAGS)
def _ps_service(m: re.Match[str]) -> str:
    return f"{_PS_SERVICE[m['verb'].lower()]} {m['name']}"


@_rule(r"(?<![\w-])set-service(?:\s+-name)?\s+" + _NAME + r"\s+-startuptype\s+(?P<mode>\w+)")
def _ps_startup(m: re.Match[str]) -> str:
    return f"{'disable' if m['mode'].lower() == 'disabled' else 'enable'} service {m['name']}"


# Processes: "pkill -f celery", "killall -9 java", "taskkill /IM x.exe /F", "Get-Process x", "Stop-Process -Name x",
# "pgrep -f x"; memory: "free -m"; a service named with its id in brackets: "IIS (W3SVC)" -> "W3SVC"
@_rule(r"(?<![\w-])(?:pkill|killall|taskkill(?:\.exe)?|stop-process)" + _FLAGS + r"(?:\s+/im|\s+-name)?\s+" + _NAME
       + _FLAGS)
def _pkill(m: re.Match[str]) -> str:
    return f"kill {m['name']}"


@_rule(r"(?<![\w-])(?:pgrep|get-process|pidof)" + _FLAGS + r"(?:\s+-name)?\s+" + _NAME + _FLAGS)
def _pgrep(m: re.Match[str]) -> str:
    return f"check process {m['name']}"


@_rule(r"(?<![\w-])free(?:\s+-[a-z]+)+(?=\s|$)|(?<![\w-])free(?=\s+on\b)")
def _free(m: re.Match[str]) -> str:
    return "show memory"


@_rule(r"\b[A-Za-z][\w.-]*\s+\((?P<id>[A-Za-z][\w$.-]*)\)")
def _bracketed_id(m: re.Match[str]) -> str:
    return m["id"]


# Package managers: "apt-get install -y htop", "yum remove telnet", "choco upgrade googlechrome", "winget install X"
@_rule(r"(?<![\w-])(?:" + _MANAGERS + r")" + _FLAGS + r"\s+(?P<verb>install|add|remove|purge|erase|uninstall|del|"
       r"autoremove|upgrade|update|up)" + _FLAGS + r"\s+(?P<name>[A-Za-z0-9][A-Za-z0-9_.@+\-]*)" + _FLAGS)
def _pkg(m: re.Match[str]) -> str:
    return f"{_PKG_VERBS[m['verb'].lower()]} {m['name']}"


# Package queries: "rpm -q nginx", "dpkg -l openssl", "dpkg -s x", "choco list --local-only x", "apt list --installed x"
@_rule(r"(?<![\w-])(?:rpm\s+-q[a-z]*|dpkg(?:-query)?\s+-[lsW]|(?:" + _MANAGERS + r")\s+(?:list|info|show|policy)"
       + _FLAGS + r")\s+(?P<name>[A-Za-z0-9][A-Za-z0-9_.@+\-]*)" + _FLAGS)
def _pkg_query(m: re.Match[str]) -> str:
    return f"is package {m['name']} installed"


# Containers: "docker ps", "podman ps -a", "docker restart api", "docker logs api"
@_rule(r"(?<![\w-])(?:docker|podman)(?:\s+container)?\s+(?:ps|ls)" + _FLAGS)
def _docker_ps(m: re.Match[str]) -> str:
    return "list the containers"


@_rule(r"(?<![\w-])(?:docker|podman)(?:\s+container)?\s+(?P<verb>restart|inspect)" + _FLAGS + r"\s+" + _NAME)
def _docker_verb(m: re.Match[str]) -> str:
    return f"{'restart' if m['verb'].lower() == 'restart' else 'check'} the {m['name']} container"


# Logs: "journalctl -u postgresql -n 100", "tail -n 200 /var/log/x", "tail -f x", "Get-EventLog -LogName System"
@_rule(r"(?<![\w-])journalctl(?P<flags>(?:\s+(?:-[a-zA-Z]+|--[\w-]+)(?:[= ](?:[\w.@-]+))?)*)")
def _journalctl(m: re.Match[str]) -> str:
    flags = m["flags"] or ""
    unit = re.search(r"(?:-u|--unit)[= ]([\w.@-]+)", flags)
    lines = re.search(r"(?:-n|--lines)[= ](\d+)", flags)
    out = f"the {unit.group(1).removesuffix('.service')} journal" if unit else "the journal"
    return f"{out} last {lines.group(1)} lines" if lines else out


@_rule(r"(?<![\w-])tail(?:\s+-(?:n\s*)?(?P<n>\d+)|\s+-[fF])*(?=\s)")
def _tail(m: re.Match[str]) -> str:
    return f"tail {m['n']} lines of" if m["n"] else "tail"


@_rule(r"(?<![\w-])get-(?:win)?eventlog\s+(?:-logname\s+)?(?P<log>\w+)(?:\s+-(?:newest|maxevents)\s+(?P<n>\d+))?")
def _eventlog(m: re.Match[str]) -> str:
    return f"the {m['log']} event log" + (f" last {m['n']} lines" if m["n"] else "")


# Schedules: "crontab -l", "crontab -l -u postgres", "schtasks /query"
@_rule(r"(?<![\w-])crontab\s+(?:-u\s+(?P<u1>[\w.-]+)\s+)?-l(?:\s+-u\s+(?P<u2>[\w.-]+))?")
def _crontab(m: re.Match[str]) -> str:
    user = m["u1"] or m["u2"]
    return f"list the cron jobs of {user}" if user else "list the cron jobs"


@_rule(r"(?<![\w-])(?:schtasks(?:\.exe)?\s+/query(?:\s+/\w+)*|get-scheduledtask)")
def _schtasks(m: re.Match[str]) -> str:
    return "list the scheduled tasks"


# Disk and memory tools: "df -h /var", "free -m", "Get-PSDrive"
@_rule(r"(?<![\w-])df(?:\s+-[a-zA-Z]+)*(?=\s|$)")
def _df(m: re.Match[str]) -> str:
    return "check disk space"


# Connectivity tools: "nc -zv db-01 5432", "Test-NetConnection db-01 -Port 5432", "telnet db-01 5432"
@_rule(r"(?<![\w-])(?:nc|ncat|netcat)(?:\s+-[a-zA-Z]+)*\s+(?P<host>[\w.-]+)\s+(?P<port>\d{1,5})\b")
def _nc(m: re.Match[str]) -> str:
    return f"can it reach {m['host']}:{m['port']}"


@_rule(r"(?<![\w-])(?:test-netconnection|tnc)(?:\s+-computername)?\s+(?P<host>[\w.-]+)\s+-port\s+(?P<port>\d{1,5})\b")
def _tnc(m: re.Match[str]) -> str:
    return f"can it reach {m['host']}:{m['port']}"


@_rule(r"(?<![\w-])telnet\s+(?P<host>[\w.-]+)\s+(?P<port>\d{1,5})\b")
def _telnet(m: re.Match[str]) -> str:
    return f"can it reach {m['host']}:{m['port']}"


# Drives: "the C drive", "D drive" -> "C:"
@_rule(r"\b(?:the\s+)?(?P<d>[A-Za-z])(?::)?\s+drive\b")
def _drive(m: re.Match[str]) -> str:
    return f"{m['d'].upper()}:"


# Where an application lives: "binary is /opt/x/bin/x", "it's installed at C:\\Program Files\\X\\x.exe" -> "at PATH"
@_rule(r"(?:,\s*)?(?:(?:it['’]?s|it\s+is|which\s+is|that\s+is|its)\s+)?(?:installed|located|living|deployed)\s+"
       r"(?:at|in|under|to)\s+|(?:,\s*)?(?:the\s+)?(?:binary|executable|exe|program)\s+(?:is|lives|sits)\s+(?:at\s+|in\s+)?")
def _located(m: re.Match[str]) -> str:
    return " at "


# Start-up type: "enable nginx at boot", "make X start automatically", "set the X service to Disabled";
# and the question "is X set to start at boot?" / "is X enabled?" is a status check
@_rule(r"\bis\s+(?:the\s+)?" + _NAME + r"(?:\s+service)?\s+(?:set\s+to\s+(?:start|run)\s+(?:automatically|"
       r"at\s+boot|on\s+boot|at\s+startup|on\s+startup)|enabled(?:\s+(?:at|on)\s+(?:boot|startup))?|(?:set\s+to\s+)?(?:automatic|auto|disabled))")
def _startup_question(m: re.Match[str]) -> str:
    return f"status of service {m['name']}"


@_rule(r"\b(?:make|have|let|get|configure)\s+(?:the\s+)?" + _NAME + r"(?:\s+service)?\s+(?:to\s+)?(?:start|run)\s+"
       r"(?:up\s+)?(?:automatically|at\s+boot|on\s+boot|at\s+startup|on\s+startup|with\s+the\s+system)")
def _make_autostart(m: re.Match[str]) -> str:
    return f"enable {m['name']}"


@_rule(r"\b(?:enable|start)\s+(?:the\s+)?" + _NAME + r"(?:\s+service)?\s+(?:at|on)\s+(?:boot|startup|reboot)\b")
def _enable_at_boot(m: re.Match[str]) -> str:
    return f"enable {m['name']}"


@_rule(r"\bset\s+(?:the\s+)?(?:startup\s+type\s+of\s+)?(?:the\s+)?" + _NAME + r"(?:\s+service)?(?:'s\s+startup\s+type)?"
       r"\s+to\s+(?P<mode>disabled|manual|automatic|auto|enabled)\b")
def _set_startup(m: re.Match[str]) -> str:
    return f"{'disable' if m['mode'].lower() in ('disabled', 'manual') else 'enable'} {m['name']}"


# Chatter after a comma: ", it's frozen", ", printers r stuck agian", ", thx" (a reason, not an instruction)
@_rule(r",\s*(?:it['’]?s|its|it\s+is|it\s+has|they['’]?re|they\s+are|it\s+was|been|since|because|cos|cuz|as|"
       r"thx|thanks|ty|cheers|ta|printers?|users?\s+(?:are|report|say)|customers?\s+(?:are|report)|seems?|looks?)\b[^,]*$")
def _chatter(m: re.Match[str]) -> str:
    return ""


@_rule(r"(?<![\w-])(?:thx|thanks|ty|cheers|pls|plz|please)[.!]*\s*$")
def _thanks(m: re.Match[str]) -> str:
    return ""


# Windows services are often named by their display names, which have spaces: "Print Spooler", "Windows Update".
# Known ones, and any run of capitalised words before "service", are one name (held like quoted text).
_DISPLAY_NAMES = re.compile(r"(?<![\w\"'])(?:" + "|".join(
    re.escape(n).replace(r"\ ", r"\s+") for n in sorted(objects.WINDOWS_DISPLAY_NAMES, key=len, reverse=True))
    + r")(?![\w\"'])", _I)
_TITLE_SERVICE = re.compile(r"(?<![\w\"'\x01])(?P<words>(?:[A-Z][\w.&-]*\s+){1,5}[A-Z][\w.&-]*)(?=\s+service\b)")
_NOT_NAME_START = frozenset((*VERBS, *FILLER, *PREPS, "is", "the", "are", "whether", "check", "status"))


def _quoting(hold: Callable[[re.Match[str]], str]) -> Callable[[re.Match[str]], str]:
    def quote(m: re.Match[str]) -> str:
        return hold(re.match(r"(?s).*", f'"{m.group(0)}"'))  # type: ignore[arg-type]
    return quote


def _title_service(m: re.Match[str], quote: Callable[[re.Match[str]], str]) -> str:
    words = m.group("words").split()
    lead = []
    while words and words[0].lower() in _NOT_NAME_START:
        lead.append(words.pop(0))
    if len(words) < 2:
        return m.group(0)
    inner = re.match(r"(?s).*", " ".join(words))
    return " ".join([*lead, quote(inner)])  # type: ignore[arg-type]


def normalize(text: str) -> str:
    """The request with operators' tool syntax and chatter rewritten to plain wording (quoted text untouched)."""
    out = _REWRITES[0][0].sub(_backticks, text)  # backticks become quotes first: they are quoted commands too
    held: list[str] = []

    def hold(m: re.Match[str]) -> str:
        held.append(m.group(0))
        return f"{_HOLE}{len(held) - 1}{_HOLE}"

    out = _QUOTED.sub(hold, out.replace(_HOLE, " "))
    hold_quoted = _quoting(hold)
    out = _DISPLAY_NAMES.sub(hold_quoted, out)
    out = _TITLE_SERVICE.sub(lambda m: _title_service(m, hold_quoted), out)
    for rx, fn in _REWRITES[1:]:
        out = rx.sub(fn, out)
    out = re.sub(f"{_HOLE}(\\d+){_HOLE}", lambda m: held[int(m.group(1))], out)
    return re.sub(r"\s{2,}", " ", out).strip()
