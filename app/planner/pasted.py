"""Commands operators paste, as the plain words the rule planner reads.

"systemctl restart nginx", "sc query wuauserv", "Get-Service W3SVC", "pkill -f celery", "ps aux | grep java",
"dpkg -l | grep nginx", "journalctl -u nginx | grep 'timed out'", "Get-Process | Sort-Object CPU -Descending",
"state=restarted name=apache2", "find /tmp -mtime +7 -delete", "ss -ltn sport = :6379", "getent passwd deploy":
each family of tools (systemd, SysV, Windows sc/net/PowerShell, ps/pgrep/tasklist, grep/findstr/Select-String,
Ansible's own module words ...) is one rule, never one command line. Only read-only pipelines are rewritten;
any other unquoted pipe is still refused as a smuggled metacharacter.

The rewrites run first inside ``app.planner.normalize``, on text whose quoted values and Windows paths are held
out (``\x01<n>\x01`` and ``\x02<n>\x02``).
"""
from __future__ import annotations

import re
from collections.abc import Callable

from app.planner.rewrite import registrar

_I = re.IGNORECASE
_NAME = r"(?P<name>\x01\d+\x01|[A-Za-z0-9][A-Za-z0-9_.@+\-]*)"
_FLAGS = r"(?:\s+(?:-{1,2}[A-Za-z][\w-]*(?:[= ](?:true|false|\d+))?|/[a-z]))*"
# (pattern, flags, rewrite), compiled by app.planner.normalize on first use: importing the planner stays cheap
REWRITES: list[tuple[str, int, Callable[[re.Match[str]], str]]] = []


_NEEDS: dict[str, tuple[str, ...]] = {}  # filled below, before the first rule
_rule = registrar(REWRITES, needs=_NEEDS)


# The words without which a rule cannot match (lowercase substrings of the request): a request that holds none of
# them skips the rule and never compiles it, so a one-shot "opsplan plan" compiles only what it may use
_NEEDS.update({
    "_ps_grep": ("ps",), "_pkg_grep": ("dpkg", "rpm", "apt", "yum", "dnf", "choco", "pip", "get-package", "winget"),
    "_journal_grep": ("journalctl",), "_cat_grep": ("cat", "tail", "type", "get-content"),
    "_top_pipeline": ("get-process", "gps", "ps"), "_facts_tools": ("win32_", "uname", "hostnamectl", "systeminfo",
                                                                     "lscpu", "/etc/os-release", "/proc/", "uptime",
                                                                     "get-computerinfo"),
    "_dns_tools": ("dig", "nslookup", "resolve-dnsname"), "_s_client": ("s_client",), "_event_viewer": ("viewer",),
    "_gui_place": ("services", "task", "taskmgr", "eventvwr", "viewer", "manager", "mmc"),
    "_ansible_service": ("state=",), "_lineinfile": ("lineinfile",), "_copy_item": ("copy-item", "cpi"),
    "_find_delete": ("find",), "_step_number": (), "_sls_path_first": ("select-string",), "_ss_filter": ("port",),
    "_tasklist": ("tasklist",), "_s_client_bare": ("s_client",), "_sudo": ("sudo",),
    "_systemctl": ("systemctl", "sc"), "_sysv": ("service",), "_net": ("net",), "_ps_service": ("-service",),
    "_ps_startup": ("set-service",), "_pkill": ("pkill", "killall", "taskkill", "stop-process"), "_ps_name": ("ps",),
    "_ps_switch": (" -",), "_pgrep": ("pgrep", "get-process", "pidof"), "_free": ("free",),
    "_end_task": ("end", "kill", "force"), "_bound": ("bound", "bind", "listen", "attached"),
    "_port_tools": ("ss", "netstat", "lsof", "get-nettcpconnection"),
    "_grep": ("grep", "rg", "ag", "findstr", "select-string", "sls"),
    "_account_tools": ("getent", "net", "get-localuser", "get-aduser", "lslogins", "finger", "id"),
    "_winevent": ("get-winevent", "get-eventlog"), "_wsman": ("test-wsman",),
    "_docker_filter": ("--filter",), "_wget_o": ("wget", "curl"),
    "_display_stage": ("select", "format-", "fl", "ft", "out-", "less", "more", "x509"), "_tail_stage": ("tail",),
})


_SERVICE_VERBS = {
    "status": "status of service", "is-active": "status of service", "is-enabled": "status of service",
    "query": "status of service", "queryex": "status of service", "qc": "status of service",
    "start": "start service", "stop": "stop service", "restart": "restart service", "reload": "restart service",
    "enable": "enable service", "disable": "disable service", "try-restart": "restart service",
}
_PS_SERVICE = {"get": "status of service", "start": "start service", "stop": "stop service",
               "restart": "restart service"}
# Read-only pipelines people paste: "ps aux | grep java", "dpkg -l | grep nginx", "journalctl -u x | grep 'y'",
# "Get-Process | Sort-Object CPU -Descending | Select-Object -First 10", "cat /var/log/x | grep y"
_GREP = r"\s*\|\s*(?:grep|egrep|findstr|select-string|sls)(?:\s+(?:-{1,2}[a-zA-Z][\w-]*|/[a-zA-Z]))*(?:\s+-pattern)?\s+"
_PAT = r"(?P<pat>\x01\d+\x01|[^\s\x01\x02|]+)"


# Stages that only shape what the command before them prints ("| Select-Object Status,StartType", "| Format-List",
# "| openssl x509 -noout -dates", "| less"): the command is what is asked. First, before the tools' own rules.
@_rule(r"\s*\|\s*(?:select(?:-object)?\s+(?!-first\b|-last\b)|format-(?:list|table|wide)\b|fl\b|ft\b|out-(?:string|host|"
       r"default)\b|less\b|more\b|openssl\s+x509\b)[\w ,.*=-]*?(?=\s*\||\s+(?:on|from|in)\s+[\w-]+\s*$|\s*\(|\s*$)")
def _display_stage(m: re.Match[str]) -> str:
    return ""


# "... | tail -n 30", "... | tail -20" at the end of a read: the last N lines (head would be the first: not read)
@_rule(r"\s*\|\s*tail\s+(?:-n\s*|--lines[= ])?-?(?P<n>\d{1,5})\b(?=\s+(?:on|from|in)\s+[\w-]+\s*$|\s*\(|\s*$)")
def _tail_stage(m: re.Match[str]) -> str:
    return f" last {m['n']} lines"


# "Get-WinEvent -LogName Application -MaxEvents 25", "Get-EventLog -LogName System -Newest 50 | Where-Object Message
# -match 'timeout'": the newest entries of an event log, or a search of them
@_rule(r"(?<![\w-])(?:get-winevent|get-eventlog)\s+(?:-logname\s+)?(?P<log>[A-Za-z][\w-]*)(?:\s+-(?:maxevents|newest)\s+"
       r"(?P<n>\d+))?(?:\s*\|\s*where(?:-object)?\s+(?:\{\s*\$_\.)?message\s*\}?\s*-(?:match|like)\s+(?P<pat>\x01\d+\x01|\S+))?"
       r"(?:\s*\|\s*select(?:-object)?\s+-first\s+(?P<first>\d+))?")
def _winevent(m: re.Match[str]) -> str:
    lines = m["n"] or m["first"]
    count = f" last {lines} lines" if lines else ""
    if m["pat"]:
        return f"search the {m['log']} event log for {m['pat']}{count}"
    return f"tail the {m['log']} event log{count}"


# "Test-WSMan cis-04": is WinRM answering (a ping, for Opsplan)
@_rule(r"(?<![\w-])test-wsman(?:\s+-computername)?\s+(?P<h>[A-Za-z][\w.-]*)")
def _wsman(m: re.Match[str]) -> str:
    return f"ping {m['h']}"


# "docker ps --filter name=grafana": that container's state
@_rule(r"(?<![\w-])(?:docker|podman)\s+(?:container\s+)?(?:ps|ls)(?:\s+-a)?\s+--filter[= ]name=(?P<n>[\w.-]+)")
def _docker_filter(m: re.Match[str]) -> str:
    return f"status of container {m['n']}"


# "wget -O /opt/tools/jq URL", "curl -o /tmp/x URL", "wget URL -O /tmp/x": a download is a copy
@_rule(r"(?<![\w-])(?:wget|curl)(?:\s+-[a-zA-Z]+)*\s+(?:-(?:O|o|-output(?:-document)?)[= ]?\s*"
       r"(?P<d1>/\S+|\x02\d+\x02)\s+(?P<u1>https?://\S+)|(?P<u2>https?://\S+)\s+-(?:O|o|-output(?:-document)?)[= ]?\s*"
       r"(?P<d2>/\S+|\x02\d+\x02))")
def _wget_o(m: re.Match[str]) -> str:
    return f"copy {m['u1'] or m['u2']} to {m['d1'] or m['d2']}"


@_rule(r"(?<![\w-])ps(?:\s+-?[a-zA-Z]+)*(?:\s*\|\s*grep\s+-v\s+grep)?" + _GREP + _PAT
       + r"(?:\s*\|\s*grep\s+-v\s+grep)?")
def _ps_grep(m: re.Match[str]) -> str:
    name = re.sub(r"^\[(\w)\]", r"\1", m["pat"])  # "grep [j]ava": the trick that keeps grep out of its own output
    return f"is process {name} running"


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
       r"cat\s+/proc/(?:meminfo|cpuinfo|loadavg)|uptime(?=\s+on\b)|get-computerinfo(?:\s*\|\s*select(?:-object)?\s+[\w,\s]+?"
       r"(?=\s+on\b|\s*$))?)")
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


# Ansible's own words: "state=restarted name=apache2", "lineinfile path=/etc/x line='y'"
_STATES = {"restarted": "restart", "started": "start", "stopped": "stop", "reloaded": "restart"}


@_rule(r"(?:(?:ansible\.builtin\.)?(?:service|systemd|win_service):?\s+)?(?:state=(?P<s>restarted|started|stopped|reloaded)\s+"
       r"name=(?P<n>[\w.@-]+)|name=(?P<n2>[\w.@-]+)\s+state=(?P<s2>restarted|started|stopped|reloaded))")
def _ansible_service(m: re.Match[str]) -> str:
    return f"{_STATES[(m['s'] or m['s2']).lower()]} service {m['n'] or m['n2']}"


@_rule(r"(?:ansible\.builtin\.)?lineinfile:?\s+(?:dest|path)=(?P<p>\S+)\s+line=(?P<l>\x01\d+\x01|\S+)")
def _lineinfile(m: re.Match[str]) -> str:
    return f"make sure {m['l']} is in {m['p']}"


# A runbook step's number or bullet: "2) bring W3SVC back up", "- drain: stop nginx"
@_rule(r"(?:^|(?<=\x03))\s*(?:(?:step\s+)?\d{1,2}[.):]|[-*•])\s+(?:\w+:\s+)?")
def _step_number(m: re.Match[str]) -> str:
    return ""


# "Copy-Item C:\\a -Destination C:\\b", "find /var/log/app -name '*.gz' -mtime +10 -delete"
@_rule(r"(?<![\w-])(?:copy-item|cpi)\s+(?:-path\s+)?(?P<src>\x02\d+\x02|\x01\d+\x01|\S+)\s+(?:-destination\s+)?"
       r"(?P<dst>\x02\d+\x02|\x01\d+\x01|\S+)")
def _copy_item(m: re.Match[str]) -> str:
    return f"copy {m['src']} to {m['dst']}"


@_rule(r"(?<![\w-])find\s+(?P<p>/\S+|\x02\d+\x02)(?:\s+-type\s+f)?(?:\s+-i?name\s+(?P<pat>\x01\d+\x01|\S+))?(?:\s+-type\s+f)?"
       r"\s+-mtime\s+\+(?P<d>\d+)(?:\s+-type\s+f)?\s+(?:-delete|-exec\s+rm\b[^\n]*?(?:\\;|\+|;))")
def _find_delete(m: re.Match[str]) -> str:
    pattern = f" matching {m['pat']}" if m["pat"] else ""
    return f"delete files{pattern} older than {m['d']} days in {m['p']}"


@_rule(r"(?<![\w-])select-string\s+-path\s+(?P<p>\x02\d+\x02|\x01\d+\x01|/\S+)\s+-pattern\s+(?P<pat>\x01\d+\x01|\S+)")
def _sls_path_first(m: re.Match[str]) -> str:
    return f"search for {m['pat']} in {m['p']}"


@_rule(r"(?<![\w-])(?:ss|netstat)(?:\s+-[a-zA-Z]+)*\s+\(?\s*[sd]port\s*=\s*:?(?P<p>\d{1,5})\s*\)?")
def _ss_filter(m: re.Match[str]) -> str:
    return f"is port {m['p']} open"


@_rule(r"(?<![\w-])tasklist(?:\.exe)?(?:\s+/fi\s+\x01\d+\x01|\s+/fi\s+\S+)?(?:\s*[-:,]\s*|\s+)(?:is\s+)?"
       r"(?P<n>[\w.-]+\.exe)(?:\s+(?:there|running|up|present))?")
def _tasklist(m: re.Match[str]) -> str:
    return f"is process {m['n']} running"


@_rule(r"(?<![\w-])openssl\s+s_client\s+(?:the\s+|on\s+|to\s+|against\s+)?(?P<ep>[\w.-]+:\d{1,5})(?:\s+endpoint)?")
def _s_client_bare(m: re.Match[str]) -> str:
    return f"check the certificate served on {m['ep']}"


# "sudo systemctl restart nginx": the command; not "give jdoe sudo on web-04" (sudo is what is asked for there)
@_rule(r"(?<![\w/\\.-])sudo\s+(?:-\S+\s+)*(?!(?:on|to|for|in|at|access|rights?|privileges?|permissions?|group)\b)")
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
    if m["name"].lower() in ("to", "will", "should", "must", "can", "would", "needs", "is", "and", "then", "not"):
        return m.group(0)  # "set the W3SVC service to start at boot": words, not `service X start`
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


@_rule(r"(?<![\w-])ps\s+(?P<name>[A-Za-z][\w.-]*)(?=\s)(?<!-)")
def _ps_name(m: re.Match[str]) -> str:  # "ps java app-02"
    if re.search(r"(?:docker|podman)\s*$", m.string[:m.start()], _I) or m["name"].lower() in (
            "on", "in", "at", "for", "from", "aux", "ef", "output", "the", "all", "everywhere"):
        return m.group(0)
    return f"is process {m['name']} running"


@_rule(r"\s-(?:force|confirm|wait|verbose|whatif|passthru)\b")
def _ps_switch(m: re.Match[str]) -> str:  # "Restart-Computer on iis-02 -Force": a switch, not a word
    return ""


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
