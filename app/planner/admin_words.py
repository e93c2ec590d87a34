"""Administrators' own words for what the actions take: a configuration line said without quotes ("make sure
/etc/ssh/sshd_config has the line PermitRootLogin no"), Windows start modes ("startup type -> Automatic", "shouldn't
autostart"), a name to look up ("what does iis-02 think X resolves to", "what IP does X come back as"), reachability
("does app-02 see db-03 on 5432", "SSH into web-03 and ..."), accounts ("the postgres OS user"), room on a disk,
"take it up to 8.0.37".

The rewrites run inside ``app.planner.normalize`` right after ``app.planner.asides``', on text whose quoted values
and Windows paths are held out; each is one family of phrasings, never one sentence.
"""
from __future__ import annotations

import re
from collections.abc import Callable

from app.planner.rewrite import registrar
from app.planner.staff import _HOST

REWRITES: list[tuple[str, int, Callable[[re.Match[str]], str]]] = []

_rule = registrar(REWRITES, needs={
    "_has_the_line": ("line", "setting", "entry", "directive"), "_contains_quoted": ("contain", "has", "includ"),
    "_installed_path": ("path", "location", "copy", "exe", "executable", "binary"),
    "_startup_type": ("startup", "start mode", "startmode", "start type", "start-up", "start="),
    "_line_is_there": ("make sure", "ensure"),
    "_autostart": ("autostart", "auto-start", "autorun", "on boot", "boot start"), "_set_line_in": ("set ",),
    "_quoted_is_state": ("absent", "present", "gone", "removed", "there"),
    "_path_must_contain": ("contain", "have", "include"), "_what_resolves": ("resolves",),
    "_name_resolves": ("resolv",),
    "_boot_wish": ("boot", "autostart", "auto-start", "automatically"), "_come_back_after_reboot": ("boot",),
    "_take_it_to": (" to ",),
    "_sees_on_port": (" on ",), "_what_ip": ("what ip", "what address"), "_os_account": ("account", "user"),
    "_room_left": ("room",), "_able_to_connect": ("able to",), "_ssh_into": ("to ",),
    "_emphasis": ("even", "actually", "really", "still", "already", "truly"),
})


# A configuration line said without quotes, quoted: "make sure /etc/ssh/sshd_config has the line PermitRootLogin no",
# "set X11Forwarding no in /etc/ssh/sshd_config" -> set "X11Forwarding no" in /etc/ssh/sshd_config
_CONF_PATH = r"(?P<path>\x02\d+\x02|/[\w./-]+)"
_CONF_LINE = (r"(?P<line>(?!(?:the|a|an|it|this|that)\b)[A-Za-z_][\w.-]*"
              r"(?:\s*=\s*[^\s\"'`\x01\x02]+|\s+[^\s\"'`\x01\x02]+))")


@_rule(r"\b(?:make\s+sure|ensure|check\s+that|verify\s+that)\s+(?:the\s+file\s+)?" + _CONF_PATH
       + r"(?P<mid>(?:\s+(?:on|at)\s+[\w-]+)?)\s+(?:has|have|contains?|includes?)\s+(?:the\s+|a\s+)?(?:line|setting|"
         r"entry|directive)\s+" + _CONF_LINE + r"(?=(?:\s+(?:on|at)\s+[\w-]+)?\s*[.!?]?\s*$)")
def _has_the_line(m: re.Match[str]) -> str:
    return f'set "{m["line"]}" in {m["path"]}{m["mid"]}'


# "make sure the hosts file C:\\...\\hosts on cis-03 contains '10.0.0.5 db'": the quoted line, ensured
@_rule(r"\b(?:make\s+sure|ensure)\s+(?:that\s+)?(?:the\s+(?:[\w-]+\s+){0,2}file\s+)?" + _CONF_PATH
       + r"(?P<mid>(?:\s+(?:on|at)\s+[\w-]+)?)\s+(?:has|contains?|includes?)\s+(?:the\s+(?:line|setting|entry)\s+)?"
         r"(?P<q>\x01\d+\x01)")
def _contains_quoted(m: re.Match[str]) -> str:
    return f'set {m["q"]} in {m["path"]}{m["mid"]}'


# Windows' start type, said any way: "wuauserv startup type -> Automatic", "set MSSQLSERVER to startup type Automatic",
# "Spooler start mode disabled", "set the startup type of Spooler to Automatic", "Set Startup type for Spooler to
# Disabled", "Set wuauserv (Windows Update) on
# cis-04 to Disabled start mode", "sc.exe config Spooler start= disabled": Disabled is disable, Automatic (delayed
# or not) is enable, Manual is neither (left as said: app.planner.scope asks)
_MODE = r"(?P<mode>automatic|auto|delayed(?:[\s-]+(?:start|auto))?|disabled|manual|demand)"
_START_TYPE = r"start(?:up)?[\s-]*(?:type|mode)"


@_rule(r"\bsc(?:\.exe)?\s+config\s+(?P<sc>\x01\d+\x01|[\w.$-]+)\s+start=\s*" + _MODE.replace("mode", "scmode") + r"\b"
       r"|\b(?:(?:set|change|switch|put|make|configure)\s+)?(?P<said>(?:(?:the|its|a)\s+|of\s+|for\s+|service\s+|to\s+|"
       r"(?:on|in)\s+" + _HOST + r"\s+|\([^()\n]{1,40}\)\s*|" + _START_TYPE + r"\s+|(?:\x01\d+\x01|[A-Za-z][\w.$-]*)"
       r"(?:'s)?\s+){1,8}?)(?:(?:->|=>|=|:|to|is)\s*)?(?:\x01)?" + _MODE + r"\b(?:\x01)?(?:\s+" + _START_TYPE + r")?")
def _startup_type(m: re.Match[str]) -> str:
    mode = (m["mode"] or m["scmode"]).lower()
    if mode in ("manual", "demand"):
        return m.group(0)  # Manual: app.planner.scope asks
    if m["sc"]:
        name, where = m["sc"], ""
    else:
        said = m["said"]
        if not re.search(_START_TYPE, m.group(0), re.I):
            return m.group(0)  # "set X to disabled" without a start type is read elsewhere
        where = " ".join(re.findall(r"\b(?:on|in)\s+" + _HOST, said))
        rest = re.sub(r"\b(?:on|in)\s+" + _HOST + r"|\([^()\n]*\)|" + _START_TYPE
                      + r"|\b(?:the|its|a|of|for|service|to)\b"
                      r"|'s\b", " ", said, flags=re.I).split()
        if len(rest) != 1:
            return m.group(0)
        name = rest[0]
    return f"{'disable' if mode == 'disabled' else 'enable'} {name}{' ' + where if where else ''}"


# "update X on H to the new build, installed path is C:\\...\\X.exe": where it is installed, not where the new one is
@_rule(r"\s*[,;]?\s*(?:the\s+|its\s+|and\s+(?:the\s+|its\s+)?)?(?:installed|install|current|live|existing|running)"
       r"\s+(?:path|location|copy|exe|executable|binary)\s+(?:is|=|:|lives\s+at|sits\s+at)\s*(?=[A-Za-z]:\\|/|\x02)")
def _installed_path(m: re.Match[str]) -> str:
    return "; it's installed at "


# "can you SSH into web-03 and bounce nginx": the way in is the worker's business; the host is the target
@_rule(r"\b(?:ssh|rdp|remote|log(?:\s*in|\s*on)?|hop|jump)\s+(?:in)?to\s+(?P<h>" + _HOST
       + r")\s*(?:,\s*)?(?:and\s+(?:then\s+)?)?")
def _ssh_into(m: re.Match[str]) -> str:
    return f"on {m['h']}, "


# "whether file-01 is able to connect to backup.example.net:443": can it reach it
@_rule(r"\b(?:is|are)\s+able\s+to\s+(?:connect|talk|get)\s+(?:to|through\s+to)\b")
def _able_to_connect(m: re.Match[str]) -> str:
    return "can reach"


# "In /etc/app.properties on app-02, make sure the line max.threads=200 is there": that line, in that file
@_rule(r"\bin\s+" + _CONF_PATH + r"(?P<mid>(?:\s+on\s+[\w-]+)?),?\s+(?:make\s+sure|ensure)\s+(?:that\s+)?(?:the\s+)?"
       r"(?:line|setting|entry)\s+(?P<line>[^\s\"'`\x01\x02]+)\s+is\s+(?:there|present|set|in\s+place)\b")
def _line_is_there(m: re.Match[str]) -> str:
    return f'set "{m["line"]}" in {m["path"]}{m["mid"]}'


# "disable redis autostart on mon-01", "enable CISController auto-start": at boot is what enable/disable means
@_rule(r"\b(?P<v>enable|disable|turn\s+on|turn\s+off|switch\s+on|switch\s+off)\s+(?:the\s+)?(?P<n>\x01\d+\x01|[A-Za-z][\w.$-]*)"
       r"(?:\s+service)?\s+(?:auto-?start(?:ing)?|autorun|start\s+on\s+boot|boot\s+start)\b")
def _autostart(m: re.Match[str]) -> str:
    verb = "disable" if m["v"].lower().endswith("off") or m["v"].lower() == "disable" else "enable"
    return f"{verb} {m['n']}"


# "ensure 'http_proxy=...' is absent from /etc/environment", "/etc/sysctl.conf on the dev db needs to contain 'X'"
@_rule(r"\b(?:ensure|make\s+sure)\s+(?:that\s+)?(?P<q>\x01\d+\x01)\s+is\s+(?P<st>absent|present|gone|removed|there)\s+"
       r"(?:from|in)\s+")
def _quoted_is_state(m: re.Match[str]) -> str:
    state = "absent" if m["st"].lower() in ("absent", "gone", "removed") else "present"
    return f"make sure {m['q']} is {state} in "


@_rule(_CONF_PATH + r"(?P<mid>(?:\s+on\s+(?:the\s+)?(?:[\w-]+\s+){0,3}?[\w-]+)?)\s+"
       r"(?:needs\s+to|should|must|has\s+to)\s+(?:contain|have|include)\s+(?:the\s+line\s+)?(?P<q>\x01\d+\x01)")
def _path_must_contain(m: re.Match[str]) -> str:
    return f"set {m['q']} in {m['path']}{m['mid']}"


@_rule(r"\bset\s+" + _CONF_LINE + r"\s+in\s+(?=\x02\d+\x02|/)")
def _set_line_in(m: re.Match[str]) -> str:
    return f'set "{m["line"]}" in '


# a name to look up: dotted ("sqlprod.corp.example.com") or a host's name ("file-01"), never a plain word ("it")
DNS_NAME = r"(?P<n>[\w-]+(?:\.[\w-]+)+|[A-Za-z][\w-]*\d[\w-]*)"


# "check what sqlprod.corp.example.com resolves to on cis-01", "what file-01 resolves to there"
@_rule(r"\b(?:check\s+)?what\s+" + DNS_NAME + r"\s+resolves\s+to\b")
def _what_resolves(m: re.Match[str]) -> str:
    return f"what does {m['n']} resolve to"


# "check if the name db-01.internal resolves correctly", "whether file-01 resolves": a lookup of that name
@_rule(r"\b(?:check\s+|see\s+|test\s+|verify\s+)?(?:if|whether)\s+(?:the\s+)?(?:(?:host\s*)?name\s+)?" + DNS_NAME
       + r"\s+(?:still\s+|even\s+|actually\s+)?(?:resolves?|is\s+resolv(?:ed|able)|can\s+be\s+resolved)"
       r"(?:\s+(?:correct(?:ly)?|properly|fine|ok(?:ay)?|right|at\s+all))?\b")
def _name_resolves(m: re.Match[str]) -> str:
    return f"resolve {m['n']}"


# "Make sure mysqld comes back by itself after a reboot", "SQLBrowser shouldn't autostart anymore": start at boot
@_rule(r"\b(?:make\s+sure|ensure)\s+(?:that\s+)?(?P<n>\x01\d+\x01|[A-Za-z][\w.$-]*)(?:\s+service)?\s+(?:comes\s+(?:back\s+)?up|"
       r"comes\s+back|starts(?:\s+again)?)\s+(?:by\s+itself|on\s+its\s+own|automatically|again)\s+(?:after|on|at)\s+"
       r"(?:a\s+|every\s+|each\s+)?(?:re)?boot\b"
       r"|\b(?P<m>\x01\d+\x01|[A-Za-z][\w.$-]*)(?:\s+service)?\s+(?:should\s*n'?t|should\s+not|must\s*n'?t|must\s+not|"
       r"may\s+not)\s+(?:auto-?start|start\s+(?:automatically|on\s+boot|at\s+boot|with\s+(?:the\s+)?(?:server|windows)))"
       r"(?:\s+any\s*more)?\b")
def _boot_wish(m: re.Match[str]) -> str:
    return f"enable {m['n']}" if m["n"] else f"disable {m['m']}"


# "make W3SVC come back after reboot", "make it come back up after a reboot", "have Spooler start again on boot":
# started at boot (service.enable), not a reboot
@_rule(r"\b(?:make|have|let|get)\s+(?:sure\s+(?:that\s+)?)?(?:the\s+)?(?P<n>\x01\d+\x01|[A-Za-z][\w.$-]*)(?:\s+service)?\s+"
       r"(?:come|comes|start|starts)\s+(?:back\s+)?(?:up\s+)?(?:again\s+)?(?:(?:by\s+itself|on\s+its\s+own|automatically)\s+)?"
       r"(?:after|on|at|with)\s+(?:a\s+|every\s+|each\s+|the\s+next\s+)?(?:re)?boots?\b")
def _come_back_after_reboot(m: re.Match[str]) -> str:
    name = m["n"].lower()
    if name in ("sure", "that", "this", "the", "them") or (name == "it" and "back" not in m.group(0)):
        return m.group(0)  # "make it start at boot" is read elsewhere; "make it come back after reboot" is this rule's
    return f"enable {m['n']}"


# "what version of X is on db-03? then take it up to 8.0.37": an update of it to that version
@_rule(r"\b(?:take|bring|move|get|push)\s+(?P<o>it|them)\s+(?:up\s+)?to\s+(?:version\s+)?(?=v?\d)")
def _take_it_to(m: re.Match[str]) -> str:
    return f"update {m['o']} to "


# "does app-02 see db-03 on 5432", "can app-01 talk to db-01 on port 5432": a reach test of that port
@_rule(r"\b(?:does|do|can)\s+(?P<a>" + _HOST + r")\s+(?:see|reach|talk\s+to|get\s+to|connect\s+to)\s+(?P<b>" + _HOST
       + r"|[\w-]+(?:\.[\w-]+)+)\s+on\s+(?:port\s+|tcp\s+)?(?P<p>\d{1,5})\b")
def _sees_on_port(m: re.Match[str]) -> str:
    return f"can {m['a']} reach {m['b']}:{m['p']}"


# "what IP does mysql-stg.corp.example come back as": a lookup of that name
@_rule(r"\bwhat\s+(?:ip|ip\s+address|address|addresses|ips)\s+(?:does|do|is|will)\s+" + DNS_NAME
       + r"\s+(?:come\s+back\s+as|resolve\s+to|map\s+to|point\s+to|have|get|return)\b(?!\s+for\b)")
def _what_ip(m: re.Match[str]) -> str:
    return f"resolve {m['n']}"


# "does the user postgres even exist", "is nginx actually running": the state asked, without the emphasis
@_rule(r"\b(?:even|actually|really|still|already|truly)\s+(?=(?:exists?|installed|there|running|listening|up|present|"
       r"enabled|reachable|answering)\b)")
def _emphasis(m: re.Match[str]) -> str:
    return ""


# "how much room is left under /var/lib/pgsql": disk space
@_rule(r"\bhow\s+much\s+room\b|\broom\s+(?:is\s+)?(?:left|free|remaining)\b")
def _room_left(m: re.Match[str]) -> str:
    return "disk space left"


# "is the mysql OS account on db-03 in the right groups", "the postgres OS user exists": the account named
@_rule(r"\b(?P<n>(?!the\b|an?\b|this\b|that\b|service\b)[a-z_][\w.-]*)\s+(?:os|linux|unix|local|system|windows)\s+"
       r"(?:account|user)\b")
def _os_account(m: re.Match[str]) -> str:
    return f"user {m['n']}"
