"""Operators' shorthand -> the plain wording the rule planner reads.

Operators type the command they would have typed on the box ("systemctl status nginx", "apt-get install -y
htop", "Get-Service W3SVC", "crontab -l", "docker ps"), quote commands with backticks, name drives as "C:" and
add chatter ("it's frozen", "thx"). Each rewrite below handles one such family, for every tool of the family
(systemd, SysV, Windows sc/net/PowerShell, every package manager, docker/podman ...), never one sentence.
Rewrites only ever produce the words a person would have written instead; values (names, paths, quoted text)
pass through unchanged.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Callable

from app.planner import (
    admin_words,
    asides,
    complaints,
    envelope,
    gui,
    idioms,
    learners,
    objects,
    outcomes,
    pasted,
    slang,
    staff,
    surface,
    tickets,
    wording,
)
from app.planner.lexer import WIN_PATH_RX, typos
from app.planner.rewrite import may_apply, registrar
from app.planner.wording import AT_BOOT, NOT_NAME_START

_I = re.IGNORECASE
_QUOTED = re.compile(r'"[^"\n]*"|“[^”\n]*”|(?<![\w])\'[^\'\n]*\'(?![\w])')
_HOLE = "\x01"  # quoted text is held out of every rewrite: \x01<n>\x01 stands for the n-th quoted string
_PATH_HOLE = "\x02"  # so are Windows paths: \x02<n>\x02 stands for the n-th one
_NAME = r"(?P<name>\x01\d+\x01|[A-Za-z0-9][A-Za-z0-9_.@+\-]*)"
_FLAGS = r"(?:\s+(?:-{1,2}[A-Za-z][\w-]*(?:[= ](?:true|false|\d+))?|/[a-z]))*"

_PKG_VERBS = {
    "install": "install package", "add": "install package", "remove": "remove package", "purge": "remove package",
    "erase": "remove package", "uninstall": "remove package", "del": "remove package", "autoremove": "remove package",
    "upgrade": "update package", "update": "update package", "up": "update package",
}
_MANAGERS = r"apt-get|apt|yum|dnf|zypper|apk|pacman|choco|chocolatey|winget|scoop|brew|snap|pip3?"

_REWRITES: list[tuple[str, int, Callable[[re.Match[str]], str]]] = []  # compiled on first use (_compiled)


_MANAGER_WORDS = ("apt", "yum", "dnf", "zypper", "apk", "pacman", "choco", "winget", "scoop", "brew", "snap", "pip")
_rule = registrar(_REWRITES, needs={
    "_bracketed_id": ("(",), "_pkg": _MANAGER_WORDS, "_manager_manner": _MANAGER_WORDS,
    "_pkg_query": ("rpm", "dpkg", *_MANAGER_WORDS), "_docker_ps": ("docker", "podman"),
    "_docker_verb": ("docker", "podman"), "_journalctl": ("journalctl",), "_tail": ("tail",),
    "_eventlog": ("eventlog",),
    "_crontab": ("crontab",), "_schtasks": ("schtasks", "get-scheduledtask"), "_df": ("df",),
    "_output_asked": (" me ", " us "),
    "_nc": ("nc", "netcat"),
    "_tnc": ("test-netconnection", "tnc"), "_test_connection": ("test-connection",), "_telnet": ("telnet",),
    "_drive": ("drive",),
    "_located": ("installed", "located", "living", "deployed", "lives", "sits", "resides", "binary", "executable",
                 "exe", "program"),
    "_startup_question": ("is ",), "_make_autostart": ("automatic", "boot", "startup", "system", "with the"),
    "_enable_at_boot": ("boot", "startup", "start-up", "system start", "with the"), "_set_startup": ("set",),
    "_chatter": (",",),
    "_done_remark": ("updated", "patched", "upgraded", "replaced", "swapped", "applied", "migrated"),
    "_thanks": ("thx", "thanks", "ty", "cheers", "pls", "plz", "please"),
})


@_rule(r"(?<![\w`])`([^`\n]+)`(?![\w`])")
def _backticks(m: re.Match[str]) -> str:  # `free -m` is a quoted command, as "free -m" is
    inner = m.group(1)
    before, after = m.string[max(0, m.start() - 30):m.start()], m.string[m.end():m.end() + 30]
    if (_REFERENCE_BEFORE.search(before) or _REFERENCE_AFTER.match(after)) and not re.search(r"[|;&<>$`]", inner):
        return inner  # "what `journalctl -u nginx -n 200` would show": the tool names what is asked, not a command
    return f'"{inner}"' if '"' not in inner else f"'{inner}'"


# a command cited rather than given to run: "what `X` would show", "same as `X`", "`X` equivalent", "`X` -> dead"
# ("get me `df -h /var`", "show us the output of `free -m`": its output is asked for, as a check's result)
_REFERENCE_BEFORE = re.compile(r"\b(?:what|like|same\s+as|equivalent\s+(?:of|to)|usually\s+(?:do|run)|"
                               r"normally\s+(?:do|run)|would\s+(?:do|run)|(?:get|give|show|send|pull|grab|fetch)\s+"
                               r"(?:me|us)(?:\s+(?:the\s+)?(?:output|result)s?\s+of)?|(?:the\s+)?(?:output|result)s?\s+of)\s*$",
                               re.IGNORECASE)
_REFERENCE_AFTER = re.compile(r"\s*(?:would\s+(?:show|say|give|tell|print|return)|equivalent\b|comes\s+back|returns\b|"
                              r"gives\b|shows\b|says\b|->|=>|printed\b|output\b)", re.IGNORECASE)


_REWRITES.extend(pasted.REWRITES)  # commands operators paste (app.planner.pasted), first
_REWRITES.extend(outcomes.REWRITES)  # the state wanted, not the action (app.planner.outcomes)
_REWRITES.extend(staff.REWRITES)  # how people outside operations ask (app.planner.staff)
_REWRITES.extend(asides.REWRITES)  # what goes around an instruction in chat and tickets (app.planner.asides)
_REWRITES.extend(admin_words.REWRITES)  # administrators' words for the actions' values (app.planner.admin_words)
_REWRITES.extend(tickets.REWRITES)  # formal change and ticket language (app.planner.tickets)
_REWRITES.extend(complaints.REWRITES)  # what a complaint around an ask tells (app.planner.complaints)
_REWRITES.extend(idioms.REWRITES)  # idioms that would read as targets or actions (app.planner.idioms)
_REWRITES.extend(learners.REWRITES)  # English as a second language (app.planner.learners)
_REWRITES.extend(slang.REWRITES)  # everyday ways of saying the actions (app.planner.slang)
_REWRITES.extend(wording.REWRITES)  # questions, needs and courtesy (app.planner.wording), in this place


@_rule(r"(?:\b[A-Za-z][\w.-]*|\x01\d+\x01)(?:\s+(?:service|svc|daemon))?\s+\((?P<id>[A-Za-z][\w$.-]*)\)")
def _bracketed_id(m: re.Match[str]) -> str:
    before = m.group(0).split("(")[0].strip()
    if before.startswith("\x01"):  # "the SQL Server Agent service (SQLSERVERAGENT)": the display name's id
        return m["id"]
    if re.search(r"-\d+[a-z]?$", before) or m["id"].lower() in _ANNOTATIONS:  # "web-04 (staging)": a note
        return m.group(0)
    if re.fullmatch(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*-\d+[a-z]?", m["id"].lower()):  # "start MSSQLSERVER (app-03)"
        return f"{before} on {m['id']}"
    return m["id"]


_ANNOTATIONS = frozenset(("staging", "stg", "production", "prod", "prd", "development", "dev", "test", "testing", "qa",
                          "uat", "preprod", "linux", "windows", "win", "primary", "secondary", "replica", "master"))


# Package managers: "apt-get install -y htop", "yum remove telnet", "choco upgrade googlechrome", "winget install X"
@_rule(r"(?<![\w-])(?:" + _MANAGERS + r")" + _FLAGS + r"\s+(?P<verb>install|add|remove|purge|erase|uninstall|del|"
       r"autoremove|upgrade|update|up)" + _FLAGS + r"\s+(?P<name>[A-Za-z0-9][A-Za-z0-9_.@+\-]*)"
       r"(?:" + _FLAGS + r"\s+(?:--version|--ver|-v|--required-version)[= ](?P<ver>[\w.+~:-]+))?" + _FLAGS)
def _pkg(m: re.Match[str]) -> str:
    return f"{_PKG_VERBS[m['verb'].lower()]} {m['name']}" + (f" version {m['ver']}" if m["ver"] else "")


# The package manager named as a manner, not a package: "via choco", "(chocolatey)", "the chocolatey package x"
@_rule(r"\s*\b(?:via|with|using|through|from)\s+(?:the\s+)?(?:" + _MANAGERS + r")\b(?!\s*(?:install|list|info|show|-))"
       r"|\s*\(\s*(?:" + _MANAGERS + r")\s*\)|\b(?:" + _MANAGERS + r")\s+(?=packages?\b)")
def _manager_manner(m: re.Match[str]) -> str:
    return " "


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


# "get me `df -h /var`", "give me `free -m`": a pasted tool read as its check above, its output asked for
@_rule(r"\b(?:get|give|show|send|pull|grab|fetch)\s+(?:me|us)\s+(?:the\s+(?:output|result)s?\s+of\s+)?"
       r"(?=(?:check|show)\s)")
def _output_asked(m: re.Match[str]) -> str:
    return ""


# Connectivity tools: "nc -zv db-01 5432", "Test-NetConnection db-01 -Port 5432", "telnet db-01 5432"
@_rule(r"(?<![\w-])(?:nc|ncat|netcat)(?:\s+-[a-zA-Z]+)*\s+(?P<host>[A-Za-z0-9][\w.-]*)\s+(?P<port>\d{1,5})\b")
def _nc(m: re.Match[str]) -> str:
    return f"can it reach {m['host']}:{m['port']}"


@_rule(r"(?<![\w-])test-connection\s+(?:-computername\s+|-targetname\s+)?(?P<host>[A-Za-z][\w.-]*)"
       r"(?:\s+-(?:count|quiet)(?:\s+\d+)?)*")
def _test_connection(m: re.Match[str]) -> str:  # PowerShell's ping
    return f"ping {m['host']}"


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
@_rule(r"(?:,\s*|\s+and\s+)?(?:(?:it['’]?s|it\s+is|which\s+is|that\s+is|its|it)\s+)?(?:itself\s+)?(?:installed|located|living|deployed|lives|sits|resides)\s+"
       r"(?:at|in|under|to)\s+|(?:,\s*)?(?:the\s+)?(?<![\w.])(?:binary|executable|exe|program)\s+(?:is|lives|sits)\s+(?:at\s+|in\s+)?")
def _located(m: re.Match[str]) -> str:
    return " at "


# Start-up type: "enable nginx at boot", "make X start automatically", "set the X service to Disabled";
# and the question "is X set to start at boot?" / "is X enabled?" is a status check
@_rule(r"\bis\s+(?:the\s+)?" + _NAME + r"(?:\s+service)?\s+(?:set\s+to\s+(?:start|run)\s+(?:automatically|"
       r"at\s+boot|on\s+boot|at\s+startup|on\s+startup)|enabled(?:\s+(?:at|on)\s+(?:boot|startup))?|(?:set\s+to\s+)?(?:automatic|auto|disabled))")
def _startup_question(m: re.Match[str]) -> str:
    return f"status of service {m['name']}"


@_rule(r"\b(?:make|have|let|get|configure|enable|set|put)\s+(?:the\s+)?" + _NAME
       + r"(?:\s+service)?\s+(?:to\s+)?(?:start|run)\s+"
       r"(?:up\s+)?(?:automatically|" + AT_BOOT + ")")
def _make_autostart(m: re.Match[str]) -> str:
    if m["name"].lower() in ("to", "it", "them", "that", "this", "is", "be"):  # "is set to start automatically"
        return m.group(0)
    return f"enable {m['name']}"


@_rule(r"\b(?P<verb>enable|start|disable|stop)\s+(?:the\s+)?" + _NAME + r"(?:\s+service)?\s+(?:from\s+starting\s+)?"
       + AT_BOOT + r"\b")
def _enable_at_boot(m: re.Match[str]) -> str:
    return f"{'enable' if m['verb'].lower() in ('enable', 'start') else 'disable'} {m['name']}"


@_rule(r"\bset\s+(?:the\s+)?(?:startup\s+type\s+of\s+)?(?:the\s+)?" + _NAME
       + r"(?:\s+service)?(?:'?s?\s+startup\s+type)?"
       r"\s+to\s+(?P<mode>disabled|manual|automatic|auto|enabled)\b(?:\s+(?:startup|start-up|start\s+type|start|mode))?")
def _set_startup(m: re.Match[str]) -> str:
    if m["mode"].lower() == "manual":  # Windows' Manual start is neither: app.planner.scope says so
        return m.group(0)
    return f"{'disable' if m['mode'].lower() == 'disabled' else 'enable'} {m['name']}"


# Chatter after a comma: ", it's frozen", ", printers r stuck agian", ", thx" (a reason, not an instruction)
@_rule(r",\s*(?:it['’]?s|its|it\s+is|it\s+has|they['’]?re|they\s+are|it\s+was|been|since|because|cos|cuz|as|"
       r"thx|thanks|ty|cheers|ta|printers?|users?\s+(?:are|report|say)|customers?\s+(?:are|report)|seems?|looks?)\b"
       r"[^,.!?;\n]*(?:$|[.!?;]+(?=\s|$))")  # to its sentence's end ("..., it's dev. kill X on db-04": the ask stays)
def _chatter(m: re.Match[str]) -> str:
    return ". " if m.group(0).rstrip()[-1:] in ".!?;" and m.end() < len(m.string.rstrip()) else ""


# ", firmware updated,", ", kernel patched": what happened, between commas or at the end
@_rule(r",\s*[\w-]+\s+(?:updated|patched|upgraded|replaced|swapped|applied|migrated)(?=\s*(?:,|$|[.!?;]))")
def _done_remark(m: re.Match[str]) -> str:
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
# "World Wide Web Publishing Service (W3SVC)", "wuauserv (Windows Update)": the display name and the service's name
# said together are the service's name
_DISPLAY_AND_NAME = re.compile(r"(?P<d>" + _DISPLAY_NAMES.pattern + r")\s*\(\s*(?P<s>[A-Za-z][\w.$-]{1,40})\s*\)"
                               r"|(?<![\w\"'\\/.-])(?P<s2>[A-Za-z][\w.$-]{1,40})\s*\(\s*(?P<d2>"
                               + _DISPLAY_NAMES.pattern
                               + r")\s*\)", _I)
# Windows programs are named as Programs and Features shows them: "Google Chrome", "Adobe Reader", "7-Zip"
_TITLE_PACKAGE = re.compile(r"\b(?P<lead>(?i:install|uninstall|remove|update|upgrade|whether|if|is))\s+"
                            r"(?P<words>(?:[A-Z0-9][\w.+&-]*\s+){1,4}"
                            r"[A-Z0-9][\w.+&-]*)(?=\s+(?:is\s+installed|installed|from|on|to|across|version)\b)")
# "stop Windows Search on file-01", "restart Windows Audio": a Windows service's display name, not the OS word
_WINDOWS_PRODUCT = re.compile(r"\b(?P<lead>(?i:start|stop|restart|bounce|disable|enable|kill)(?:\s+the)?)\s+"
                              r"(?P<words>Windows(?:\s+(?!(?:Servers?|Hosts?|Boxes|Box|Machines?|VMs?|Nodes?|Clients?|"
                              r"Stations?|Side|Ones?|Fleet)\b)[A-Z][\w-]*){1,3})(?=\s+(?:on|service|at|across|in|for)\b|\s*[,.;]|\s*$)")
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
                "pign": "ping", "rst": "restart", "rstrt": "restart", "rstart": "restart", "restrt": "restart",
                "stp": "stop", "strt": "start"}


def _spelled(m: re.Match[str]) -> str:
    """A misspelt verb or keyword, spelt right ("dissable" -> "disable", "chek" -> "check"); other words as written."""
    word = m.group(0)
    low = word.lower()
    if word[0].isupper() and m.start() > 0 and not word.isupper():
        return word  # a capitalised word inside the sentence is a name ("Remote Desktop Services")
    fixed = _SHORT_TYPOS.get(low) or (typos().get(low) if len(low) >= 5 else None)
    return fixed if fixed is not None and fixed != low else word


@functools.cache
def _compile(pattern: str, flags: int) -> re.Pattern[str]:
    return re.compile(pattern, flags)


def normalize(text: str) -> str:
    """The request with operators' tool syntax and chatter rewritten to plain wording (quoted text untouched)."""
    text = surface.continued(text)  # "ensure line X in P\nreplacing the line matching Y": one instruction
    out = _compile(_REWRITES[0][0], _REWRITES[0][1]).sub(_backticks, envelope.unwrap(text))  # backticks: quoted
    out = surface.plain(out, _QUOTED)  # ticket numbers, host ranges, arrows, capitals
    quoted, paths = _Held(_HOLE), _Held(_PATH_HOLE)
    out = _QUOTED.sub(lambda m: quoted.keep(m.group(0)), out.replace(_HOLE, " ").replace(_PATH_HOLE, " "))
    # "C:\\Program Files (x86)\\X" is one value, whatever it holds
    out = WIN_PATH_RX.sub(lambda m: paths.keep(m.group(0)), out)

    def quote(name: str) -> str:  # a display name is held as if it had been quoted
        return quoted.keep(f'"{name}"')

    out = _DISPLAY_AND_NAME.sub(lambda m: m["s"] or m["s2"], gui.plain(out))
    out = _DISPLAY_NAMES.sub(lambda m: quote(_CANONICAL.get(" ".join(m.group(0).lower().split()), m.group(0))), out)
    out = _TITLE_SERVICE.sub(lambda m: _title_service(m, quote), out)
    out = _WINDOWS_PRODUCT.sub(lambda m: f"{m['lead']} {quote(m['words'])}", out)
    out = _TITLE_PACKAGE.sub(lambda m: f"{m['lead']} {_title_service(m, quote)}", out)
    out = _WORDS.sub(_spelled, out)  # after the display names: "Remote Registry" is a name, not a typo
    low = out.lower()
    for pattern, flags, fn in _REWRITES[1:]:  # a rule may need words an earlier one wrote ("isn't there": "is there")
        if may_apply(fn, low):
            new = _compile(pattern, flags).sub(fn, out)
            if new != out:
                out, low = new, new.lower()
    out = quoted.put_back(paths.put_back(out))
    return re.sub(r"[ \t]{2,}", " ", out).strip()
