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

from app.planner import objects, wording
from app.planner.lexer import WIN_PATH_RX, typos
from app.planner.wording import NOT_NAME_START

_I = re.IGNORECASE
_QUOTED = re.compile(r'"[^"\n]*"|“[^”\n]*”|(?<![\w])\'[^\'\n]*\'(?![\w])')
_HOLE = "\x01"  # quoted text is held out of every rewrite: \x01<n>\x01 stands for the n-th quoted string
_PATH_HOLE = "\x02"  # so are Windows paths: \x02<n>\x02 stands for the n-th one
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


# Read-only pipelines people paste: "ps aux | grep java", "dpkg -l | grep nginx", "journalctl -u x | grep 'y'",
# "Get-Process | Sort-Object CPU -Descending | Select-Object -First 10", "cat /var/log/x | grep y"
_GREP = r"\s*\|\s*(?:grep|egrep|findstr|select-string|sls)(?:\s+(?:-{1,2}[a-zA-Z][\w-]*|/[a-zA-Z]))*(?:\s+-pattern)?\s+"
_PAT = r"(?P<pat>\x01\d+\x01|[^\s\x01\x02|]+)"


@_rule(r"(?<![\w-])ps(?:\s+-?[a-zA-Z]+)*(?:\s*\|\s*grep\s+-v\s+grep)?" + _GREP + _PAT
       + r"(?:\s*\|\s*grep\s+-v\s+grep)?")
def _ps_grep(m: re.Match[str]) -> str:
    return f"is process {m['pat']} running"


@_rule(r"(?<![\w-])(?:dpkg\s+-l|rpm\s+-qa|apt\s+list(?:\s+--installed)?|(?:yum|dnf)\s+list(?:\s+installed)?|"
       r"choco\s+list(?:\s+--local-only|\s+-l)?|pip3?\s+list|get-package|winget\s+list)" + _GREP + _PAT)
def _pkg_grep(m: re.Match[str]) -> str:
    return f"is package {m['pat']} installed"


@_rule(r"(?<![\w-])journalctl\s+(?:-\S+\s+)*(?:-u|--unit)[= ](?P<u>[\w.@-]+)(?:\s+-{1,2}[\w-]+(?:[= ][\w.:-]+)?)*"
       + _GREP + _PAT)
def _journal_grep(m: re.Match[str]) -> str:
    return f"search the {m['u'].removesuffix('.service')} journal for {m['pat']}"


@_rule(r"(?<![\w-])(?:cat|tail(?:\s+-n\s*\d+|\s+-\d+)?|type|get-content)\s+(?P<path>/\S+|\x02\d+\x02)" + _GREP + _PAT)
def _cat_grep(m: re.Match[str]) -> str:
    return f"search for {m['pat']} in {m['path']}"


@_rule(r"(?<![\w-])(?:get-process|gps)\s*\|\s*sort(?:-object)?\s+(?:-property\s+)?(?P<s>cpu|ws|workingset\w*|pm|vm|"
       r"memory)\b(?:\s+-desc\w*)?(?:\s*\|\s*(?:select(?:-object)?\s+-first|head\s+-n?)\s*(?P<n>\d+))?"
       r"|(?<![\w-])ps\s+(?:-?\w+\s+)*--sort[= ]-?%?(?P<s2>cpu|mem)\w*(?:\s*\|\s*head\s+-n?\s*(?P<n2>\d+))?")
def _top_pipeline(m: re.Match[str]) -> str:
    sort = (m["s"] or m["s2"] or "").lower()
    count = m["n"] or m["n2"]
    return f"top {count + ' ' if count else ''}processes by {'cpu' if sort == 'cpu' else 'memory'}"


# Tools that print system facts or resolve names: "Get-CimInstance Win32_OperatingSystem", "uname -a",
# "hostnamectl", "systeminfo", "dig +short x", "Resolve-DnsName x"
@_rule(r"(?<![\w-])(?:get-(?:cim|wmi)(?:instance|object)\s+(?:-classname\s+)?win32_(?:operatingsystem|computersystem|"
       r"processor|bios|physicalmemory)|uname(?:\s+-[a-z]+)*|hostnamectl|systeminfo|lscpu|cat\s+/etc/os-release|"
       r"cat\s+/proc/(?:meminfo|cpuinfo|loadavg)|uptime(?=\s+on\b))")
def _facts_tools(m: re.Match[str]) -> str:
    return "system info"


@_rule(r"(?<![\w-])(?:dig|nslookup|resolve-dnsname)(?:\s+[+-]\S+)*\s+(?:-name\s+)?(?P<n>[A-Za-z0-9][\w.-]*\.[\w.-]+|"
       r"[a-z][\w-]*-\d+)(?:\s+[+-]\S+)*")
def _dns_tools(m: re.Match[str]) -> str:
    return f"resolve {m['n']}"


# "openssl s_client -connect api.corp.local:443" reads the certificate an endpoint serves
@_rule(r"(?<![\w-])openssl\s+s_client\s+(?:-\S+\s+)*?-connect\s+(?P<ep>[\w.-]+:\d{1,5})(?:\s+-\w+(?:\s+[^\s-]\S*)?)*")
def _s_client(m: re.Match[str]) -> str:
    return f"check the certificate served on {m['ep']}"


# GUI places: "in services.msc", "Event Viewer > Windows Logs > Application", "in Task Manager"
@_rule(r"\bevent\s*viewer\s*(?:>\s*|,\s*)?(?:windows\s+logs\s*(?:>\s*|,\s*))?(?P<log>system|application|security|setup)\b")
def _event_viewer(m: re.Match[str]) -> str:
    return f"the {m['log']} event log"


@_rule(r"\b(?:in|from|via|using|through)\s+(?:the\s+)?(?:services\.msc|services\s+console|task\s*manager|taskmgr|"
       r"eventvwr(?:\.msc)?|event\s*viewer|server\s+manager|iis\s+manager|mmc)\b")
def _gui_place(m: re.Match[str]) -> str:
    return ""


@_rule(r"(?<![\w-])sudo\s+(?:-\S+\s+)*")
def _sudo(m: re.Match[str]) -> str:
    return ""


# systemd / SysV / Windows sc and net: "systemctl status nginx", "service nginx restart", "sc query wuauserv",
# "net stop \"Windows Update\""
@_rule(r"(?<![\w-])(?:systemctl|sc(?:\.exe)?)" + _FLAGS + r"\s+(?P<verb>status|is-active|is-enabled|query|queryex|qc|"
       r"start|stop|restart|reload|try-restart|enable|disable)" + _FLAGS + r"\s+" + _NAME + r"(?:\.service\b)?"
       + _FLAGS)
def _systemctl(m: re.Match[str]) -> str:
    verb = m["verb"].lower()
    if verb in ("enable", "disable") and "--now" in m.group(0).lower():  # enable --now: enable, then start
        return f"{verb} service {m['name']} then {'start' if verb == 'enable' else 'stop'} service {m['name']}"
    return f"{_SERVICE_VERBS[verb]} {m['name']}"


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


# Task Manager's and GUI words for killing: "end task on x.exe", "end process java", "force quit x"
@_rule(r"\b(?:end|kill)\s+(?:the\s+)?(?:task|process(?:\s+tree)?)\s+(?:on\s+|for\s+|of\s+)?(?:the\s+)?" + _NAME
       + r"|\bforce[\s-]+(?:quit|close|kill|stop)\s+(?:the\s+)?" + _NAME.replace("name", "name2"))
def _end_task(m: re.Match[str]) -> str:
    return f"kill {m['name'] or m['name2']}"


# Who listens on a port: "anything bound to 6379", "what's listening on 8080", "ss -tlnp | grep 5432",
# "netstat -ano | findstr :443", "lsof -i :5432", "Get-NetTCPConnection -LocalPort 443"
@_rule(r"\b(?:bound|bind|binding|listening|listens|attached)\s+(?:to|on|at)\s+(?:tcp\s+)?(?:port\s+)?:?(?P<p>\d{1,5})\b")
def _bound(m: re.Match[str]) -> str:
    return f"listening on port {m['p']}"


@_rule(r"(?<![\w-])(?:(?:ss|netstat)(?:\s+-[a-zA-Z]+)*\s*\|\s*(?:grep|findstr|select-string)(?:\s+[-/][a-zA-Z]+)*"
       r"|lsof\s+-i\s*(?:tcp)?|get-nettcpconnection\s+-localport)\s*[\s:]?(?P<p>\d{1,5})\b")
def _port_tools(m: re.Match[str]) -> str:
    return f"is port {m['p']} open"


# Searching a file with a tool: "grep -i error /var/log/x", "zgrep -c 'OOM' /var/log/kern.log.1.gz",
# "findstr /i timeout C:\\logs\\a.log", "Select-String -Pattern denied -Path C:\\x.log"
@_rule(r"(?<![\w-])(?:[ez]?grep|rg|ag|findstr|select-string|sls)(?:\s+(?:-{1,2}[a-zA-Z][\w-]*|/[a-zA-Z]))*"
       r"(?:\s+-pattern)?\s+(?P<pat>\x01\d+\x01|[^\s\x01\x02/\\][^\s\x01\x02]*)(?:\s+-path(?=\s+[\x01\x02])|(?=\s+(?:/|\x02)))")
def _grep(m: re.Match[str]) -> str:
    return f"search for {m['pat']} in"


# Accounts: "getent passwd deploy", "net user svc_backup", "Get-LocalUser svc_x", "Get-ADUser jdoe", "id deploy"
@_rule(r"(?<![\w-])(?:getent\s+passwd|net\s+user|get-localuser(?:\s+-name)?|get-aduser(?:\s+-identity)?|lslogins|"
       r"finger|id)\s+" + _NAME + r"(?:\s+/domain)?")
def _account_tools(m: re.Match[str]) -> str:
    return f"does the user {m['name']} exist"


_REWRITES.extend(wording.REWRITES)  # questions, needs and courtesy (app.planner.wording), in this place


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
@_rule(r"(?:,\s*|\s+and\s+)?(?:(?:it['’]?s|it\s+is|which\s+is|that\s+is|its|it)\s+)?(?:installed|located|living|deployed|lives|sits|resides)\s+"
       r"(?:at|in|under|to)\s+|(?:,\s*)?(?:the\s+)?(?<![\w.])(?:binary|executable|exe|program)\s+(?:is|lives|sits)\s+(?:at\s+|in\s+)?")
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


@_rule(r"\b(?P<verb>enable|start|disable|stop)\s+(?:the\s+)?" + _NAME + r"(?:\s+service)?\s+(?:from\s+starting\s+)?"
       r"(?:at|on|during)\s+(?:boot|startup|start-up|reboot|system\s+start)\b")
def _enable_at_boot(m: re.Match[str]) -> str:
    return f"{'enable' if m['verb'].lower() in ('enable', 'start') else 'disable'} {m['name']}"


@_rule(r"\bset\s+(?:the\s+)?(?:startup\s+type\s+of\s+)?(?:the\s+)?" + _NAME
       + r"(?:\s+service)?(?:'?s?\s+startup\s+type)?"
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
_CANONICAL = {n.lower(): n for n in objects.WINDOWS_DISPLAY_NAMES}  # "print spooler" is "Print Spooler"
# Windows programs are named as Programs and Features shows them: "Google Chrome", "Adobe Reader", "7-Zip"
_TITLE_PACKAGE = re.compile(r"\b(?P<lead>install|uninstall|remove|update|upgrade|whether|if|is)\s+"
                            r"(?P<words>(?:[A-Z0-9][\w.+&-]*\s+){1,4}"
                            r"[A-Z0-9][\w.+&-]*)(?=\s+(?:is\s+installed|installed|from|on|to|across|version)\b)")
_TITLE_SERVICE = re.compile(r"(?<![\w\"'\x01])(?P<words>(?:[A-Z][\w.&-]*\s+){1,5}[A-Z][\w.&-]*)(?=\s+service\b)")


class _Held:
    """Values held out of every rewrite: each stands as ``<marker><n><marker>`` until it is put back."""

    def __init__(self, marker: str):
        self.marker, self.values = marker, list[str]()

    def keep(self, value: str) -> str:
        self.values.append(value)
        return f"{self.marker}{len(self.values) - 1}{self.marker}"

    def put_back(self, text: str) -> str:
        return re.sub(f"{self.marker}(\\d+){self.marker}", lambda m: self.values[int(m.group(1))], text)


def _title_service(m: re.Match[str], quote: Callable[[str], str]) -> str:
    words = m.group("words").split()
    lead = []
    while words and words[0].lower() in NOT_NAME_START:
        lead.append(words.pop(0))
    if len(words) < 2:
        return m.group(0)
    return " ".join([*lead, quote(" ".join(words))])


_WORDS = re.compile(r"(?<![\w\\/.:@-])[A-Za-z]{3,}(?![\w\\/.:@-])")
# Short words hands get wrong that the typo table (words of 5+ letters) leaves alone
_SHORT_TYPOS = {"teh": "the", "hte": "the", "adn": "and", "waht": "what", "whta": "what", "taht": "that",
                "chek": "check", "chck": "check", "chk": "check", "lsit": "list", "shwo": "show", "stpo": "stop",
                "pign": "ping"}


def _spelled(m: re.Match[str]) -> str:
    """A misspelt verb or keyword, spelt right ("dissable" -> "disable", "chek" -> "check"); other words as written."""
    word = m.group(0)
    low = word.lower()
    if word[0].isupper() and m.start() > 0 and not word.isupper():
        return word  # a capitalised word inside the sentence is a name ("Remote Desktop Services")
    fixed = _SHORT_TYPOS.get(low) or (typos().get(low) if len(low) >= 5 else None)
    return fixed if fixed is not None and fixed != low else word


# Ticket and change references are not targets: "INC-2231:", "CHG0012345", "ticket #4411", "JIRA OPS-1234"
_TICKET = re.compile(r"(?<![\w-])(?:(?:INC|CHG|RITM|REQ|PRB|SCTASK|TASK|SR|TKT|CASE|BUG|OPS|JIRA|CR|WO)-?\d{3,}"
                     r"|(?:ticket|incident|case|change|jira|issue)\s*(?:no\.?\s*|number\s*)?#?\d{3,}|#\d{3,})"
                     r"(?![\w-])\s*[:\-–]?", _I)


def _shouting(text: str) -> bool:
    """Typed in capitals: four or more letters, none lower case, outside quoted text."""
    bare = _QUOTED.sub(" ", text)
    letters = [c for c in bare if c.isalpha()]
    return len(letters) >= 4 and not any(c.islower() for c in letters)


def _lower_unquoted(text: str) -> str:
    parts, last = [], 0
    for m in _QUOTED.finditer(text):
        parts += [text[last:m.start()].lower(), m.group(0)]
        last = m.end()
    return "".join(parts) + text[last:].lower()


def normalize(text: str) -> str:
    """The request with operators' tool syntax and chatter rewritten to plain wording (quoted text untouched)."""
    out = _REWRITES[0][0].sub(_backticks, text)  # backticks become quotes first: they are quoted commands too
    out = _TICKET.sub(" ", re.sub(r"^\s*(?:re|fwd?)\b\s*:?", " ", out, flags=_I))  # "re:", "fwd:" of a mail
    if _shouting(out):  # "RESTART NGINX ON WEB-01": the words as they would be written (quoted text kept)
        out = _lower_unquoted(out)
    quoted, paths = _Held(_HOLE), _Held(_PATH_HOLE)
    out = _QUOTED.sub(lambda m: quoted.keep(m.group(0)), out.replace(_HOLE, " ").replace(_PATH_HOLE, " "))
    # "C:\\Program Files (x86)\\X" is one value, whatever it holds
    out = WIN_PATH_RX.sub(lambda m: paths.keep(m.group(0)), out)

    def quote(name: str) -> str:  # a display name is held as if it had been quoted
        return quoted.keep(f'"{name}"')

    out = _DISPLAY_NAMES.sub(lambda m: quote(_CANONICAL.get(" ".join(m.group(0).lower().split()), m.group(0))), out)
    out = _TITLE_SERVICE.sub(lambda m: _title_service(m, quote), out)
    out = _TITLE_PACKAGE.sub(lambda m: f"{m['lead']} {_title_service(m, quote)}", out)
    out = _WORDS.sub(_spelled, out)  # after the display names: "Remote Registry" is a name, not a typo
    for rx, fn in _REWRITES[1:]:
        out = rx.sub(fn, out)
    out = quoted.put_back(paths.put_back(out))
    return re.sub(r"\s{2,}", " ", out).strip()
