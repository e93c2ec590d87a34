"""Operators' phrasing -> the plain wording the rule planner reads: questions ("how long has cis-02 been up",
"what cron jobs does www-data have"), what something needs ("nginx needs restarting"), the host itself
("restart web-04 (the server itself, not nginx)"), "talk to db-01 on 5432", "top on app-02", and courtesy that
is no instruction ("when you get a sec").

The rewrites run inside ``app.planner.normalize`` (their place in its list is fixed there), on text whose quoted
values and Windows paths are held out; each family is one rule for every phrasing of it, never one sentence.
"""
from __future__ import annotations

import re
from collections.abc import Callable

from app.planner.lexer import FILLER, PREPS, VERBS
from app.planner.objects import DESCRIBED_SERVICES
from app.planner.rewrite import registrar
from app.planner.scope import CHECK_FIRST, START_IF_NOT

_I = re.IGNORECASE
_NAME = r"(?P<name>\x01\d+\x01|[A-Za-z0-9][A-Za-z0-9_.@+\-]*)"
_NOT_ACCOUNTS = frozenset((*FILLER, *PREPS, "it", "that", "this", "there"))
NOT_NAME_START = frozenset((*VERBS, *FILLER, *PREPS, "is", "the", "are", "whether", "check", "status", "it", "they",
                            "them", "this", "that", "its"))
# (pattern, flags, rewrite), compiled by app.planner.normalize on first use: importing the planner stays cheap
REWRITES: list[tuple[str, int, Callable[[re.Match[str]], str]]] = []


_rule = registrar(REWRITES, needs={
    "_how_long_up": ("how long",), "_last_boot": ("when did", "last boot", "last reboot", "last restart"),
    "_cron_owner": ("cron", "scheduled", "jobs", "tasks"), "_cron_possessive": ("cron", "scheduled"),
    "_the_host_itself": ("restart", "bounce", "cycle"),
    "_needs": ("need", "want", "require", "could use", "could do with", "be "), "_get_done": ("get ",),
    "_reach_port": ("talk", "reach", "connect", "get to", "hit", "see", "test"), "_test_port": ("test",),
    "_top_tool": ("top",), "_told_then_asked": (" it", " that", " him"),
    "_until": ("until", "till", "before"),
    "_purpose": ("for ", "before", "during", "ahead of", "because of", "due to", "after", "since"),
    "_leading_when": ("for ", "before", "after", "during", "while", "once", "until"),
    "_comes_up_at_boot": ("boot", "startup", "start-up", "system start", "automatic", "its own",
                          "with the"), "_if_not": ("if ",),
    "_kept_from_starting": (" from ",), "_confirm_enabled": ("enabled", "disabled"),
    "_account_exists": ("exist", "is there"),
    "_account_present": ("user", "account"), "_do_we_have": ("have",), "_we_need": ("need", "want", "require"),
    "_restart_computer": ("restart-computer",), "_threshold": ("%", "percent"), "_port_in_brackets": ("(",),
    "_so_that": ("so ",), "_and_wait": ("wait", "back"), "_bring_up_to_date": ("bring",), "_full_reboot": ("(",),
    "_bring": ("bring",),
    "_which_have": ("which",),
    "_dont_touch": ("touch", "leave", "skip"), "_leave_alone": ("touch", "leave", "skip", "not ", "off"),
    "_labelled_path": ("source", "src", "target", "destination", "dest", "path", "goes"),
    "_swap_binary": ("swap", "replace"), "_app_name_again": ("name",), "_pull_to": ("pull", "grab", "download"),
    "_sign_off": ("thx", "thank", "cheers", "ta", "regards", "br", "best", "wishes", "yours"),
    "_to_pick_up": ("pick up", "apply", "load", "activate", "take", "read"), "_dns_of": ("dns", "what does"),
    "_points_to": ("point", "map", "resolve"),
    "_ctr": ("ctr", "cntr", "ctnr"), "_evt_sched": ("evt", "sched"), "_conn": ("conn",),
    "_greater_than_age": (">",),
    "_described_service": ("remote management", "print", "firewall", "time service", "sql server service",
                           "sql agent", "iis web", "web publishing"),
    "_new_version_of": ("new",), "_whole_machine": ("whole", "entire", "actual", "physical"),
    "_politeness": ("bitte", "danke", "merci", "gracias", "obrigad", "favor", "grazie", "favore", "pla", "svp", "dzi",
                    "prosz", "advance", "kind", "please to"),
    "_noun_verb": ("make", "do ", "perform", "execute", "run ", "carry out"),
    "_learner_forms": ("control", "actuali", "older as", "more old", "place", "occupation", "planned", "activate",
                       "after"),
    "_to_latest": ("last", "latest", "newest", "most recent"), "_resolution_of": ("resolution", "what ip"),
    "_bring_file": ("bring",), "_arrive": ("arrive",), "_labelled_name": ("name",), "_new_build_of": ("new",),
    "_new_from": ("new",), "_mentioning": ("mentioning", "containing", "matching", "about", "with"),
})


# Uptime questions: "how long has cis-02 been up", "when did web-01 last reboot", "last boot time of db-02"
@_rule(r"\bhow\s+long\s+(?:has|have|is)\s+(?P<t>(?:the\s+)?[\w.-]+(?:\s+(?:server|box|machine|host|vm))?)\s+been\s+"
       r"(?:up|running|online|alive)\b(?:\s+(?:since|after)\s+(?:its|the|their|his|her)\s+(?:last\s+)?"
       r"(?:restart|reboot|boot|start)\b)?")
def _how_long_up(m: re.Match[str]) -> str:
    target = m["t"]
    if re.search(r"-\d+[a-z]?$|\b(?:server|box|machine|host|vm|it)$", target, _I):
        return f"uptime of {target}"
    return f"status of service {target}"  # "how long has nginx been running": the service's state


@_rule(r"\bwhen\s+did\s+(?P<t>(?:the\s+)?[\w.-]+(?:\s+(?:server|box|machine|host|vm))?)\s+(?:last\s+)?"
       r"(?:boot|reboot|restart|come\s+up|start\s+up)(?:\s+last)?\b|\blast\s+(?:boot|reboot|restart)\s+time\b")
def _last_boot(m: re.Match[str]) -> str:
    return f"uptime of {m['t']}" if m["t"] else "uptime"


# Whose schedule: "what cron jobs does www-data have", "postgres's crontab", "cron jobs running as backup"
@_rule(r"\b(?P<what>cron\s*jobs?|crons|crontabs?|cron\s+entries|scheduled\s+(?:tasks?|jobs?))\s+(?:does|do|has|have)\s+"
       r"(?:the\s+)?(?:user\s+)?(?P<u>[\w.-]+)(?:\s+user)?\s+(?:have|got|own|set\s+up)\b"
       r"|\b(?P<what2>cron\s*jobs?|crontabs?|scheduled\s+(?:tasks?|jobs?))\s+(?:running|run|set\s+up)\s+(?:as|under|by)\s+"
       r"(?:the\s+)?(?:user\s+)?(?P<u2>[\w.-]+)"
       r"|\b(?:jobs|tasks)\s+(?:does|do|has|have)\s+(?:the\s+)?(?:user\s+)?(?P<u3>[\w.-]+)\s+(?:have\s+|got\s+)?scheduled\b")
def _cron_owner(m: re.Match[str]) -> str:
    return f"cron jobs of {m['u'] or m['u2'] or m['u3']}"


@_rule(r"\b(?P<u>[A-Za-z_][\w.-]*)(?:\s+user)?['’]s\s+(?P<what>cron\s*jobs?|crontabs?|cron|scheduled\s+(?:tasks?|jobs?))")
def _cron_possessive(m: re.Match[str]) -> str:
    return f"cron jobs of {m['u']}"


# The host itself, not a service on it: "restart web-04 (the server itself, not nginx)", "bounce the box itself"
_HOST_NOUN = r"(?:the\s+)?(?:whole\s+|actual\s+|physical\s+)?(?:server|box|machine|host|vm|node|os)"


@_rule(r"\b(?:restart|bounce|cycle|power[\s-]*cycle)\b(?P<mid>[^()]*?)\s*(?:\(|,|-{1,2})\s*(?:i\s+mean\s+)?"
       + _HOST_NOUN + r"(?:\s+itself(?:\s*,?\s*not\s+[^)]*?)?|\s*,?\s*not\s+(?:just\s+)?(?:the\s+)?[^)]*?)\s*\)?"
       r"(?=\s*(?:[.!]|$))|\b(?:restart|bounce|cycle)\s+(?P<mid2>(?:the\s+)?(?:server|box|machine|host|vm|[\w.-]+-\d+))\s+itself\b")
def _the_host_itself(m: re.Match[str]) -> str:
    return f"reboot {m['mid2']}" if m["mid2"] else f"reboot{m['mid']}"


# What something needs, said of it: "nginx needs restarting on web-03", "the spooler needs a restart",
# "W3SVC should be restarted on iis-01", "get postgresql restarted"
_NEEDS = {"restart": "restart", "restarting": "restart", "restarted": "restart", "bounce": "restart",
          "bouncing": "restart", "bounced": "restart", "kick": "restart", "reboot": "reboot", "rebooting": "reboot",
          "rebooted": "reboot", "stopping": "stop", "stopped": "stop", "starting": "start", "started": "start",
          "start": "start", "stop": "stop", "disabling": "disable", "disabled": "disable", "enabling": "enable",
          "enabled": "enable", "updating": "update", "updated": "update", "update": "update", "upgrade": "update",
          "upgrading": "update", "upgraded": "update", "installing": "install", "installed": "install",
          "removing": "remove", "removed": "remove", "killing": "kill", "killed": "kill"}
_NEED_WORDS = "|".join(sorted(_NEEDS, key=len, reverse=True))


@_rule(r"\b(?:the\s+)?" + _NAME + r"(?P<svc>\s+(?:service|daemon|package|process))?(?P<where>\s+on\s+(?:the\s+)?"
       r"(?:[\w-]+\s+){0,3}?(?:server|box|host|machine|node|vm|station)s?)?\s+(?:really\s+)?"
       r"(?:needs|need|wants|requires|could\s+use|could\s+do\s+with|should\s+be|must\s+be|has\s+to\s+be|have\s+to\s+be|needs\s+to\s+be|"
       r"to\s+be)\s+(?:a\s+(?:quick\s+|good\s+)?)?(?P<verb>" + _NEED_WORDS + r")\b")
def _needs(m: re.Match[str]) -> str:  # ("grafana-server on the monitoring server needs a restart": where it is, kept)
    if m["name"].lower() in NOT_NAME_START | {"it", "this", "that", "everything", "something"}:
        return m.group(0)
    return f"{_NEEDS[m['verb'].lower()]} {m['name']}{m['svc'] or ''}{m['where'] or ''}"


@_rule(r"\bget\s+(?:the\s+)?" + _NAME + r"(?P<svc>\s+(?:service|daemon))?\s+(?P<verb>restarted|started|stopped|"
       r"rebooted|updated|installed|removed|enabled|disabled)\b")
def _get_done(m: re.Match[str]) -> str:
    return f"{_NEEDS[m['verb'].lower()]} {m['name']}{m['svc'] or ''}"


# "can app-01 talk to db-01 on 5432", "reach db-01 port 5432", "connect to db-01 on tcp/5432"
@_rule(r"\b(?P<verb>talk\s+to|reach|connect\s+to|get\s+to|hit|see|(?:get|open|make|establish)\s+a\s+(?:tcp\s+)?connection\s+to|"
       r"test\s+(?:a\s+)?(?:connection\s+)?to)\s+(?P<h>[A-Za-z0-9][\w.-]*)\s+(?:on\s+|at\s+|over\s+|via\s+)?"
       r"(?:port\s+|tcp\s*/?\s*|:)(?P<p>\d{1,5})\b|\b(?P<verb2>talk\s+to|reach|connect\s+to|get\s+to|(?:get|open|make|establish)\s+a\s+(?:tcp\s+)?connection\s+to)\s+"
       r"(?P<h2>[A-Za-z0-9][\w.-]*)\s+on\s+(?P<p2>\d{2,5})\b")
def _reach_port(m: re.Match[str]) -> str:
    return f"reach {m['h'] or m['h2']}:{m['p'] or m['p2']}"


# "test 443 to iis-01", "test dc01.corp.local:389"
@_rule(r"\btest\s+(?:port\s+|tcp\s+)?(?P<p>\d{1,5})\s+(?:to|on|against)\s+(?P<h>[A-Za-z0-9][\w.-]*)\b"
       r"|\btest\s+(?:the\s+)?(?:tcp\s+|connection\s+|connectivity\s+)?(?:to\s+)?(?P<ep>[A-Za-z0-9][\w.-]*:\d{1,5})\b")
def _test_port(m: re.Match[str]) -> str:
    return f"reach {m['ep'] or m['h'] + ':' + m['p']}"


# "top on app-02", "htop on db-01": the busiest processes
@_rule(r"(?:^\s*|\brun\s+)h?top(?=\s+(?:on|for)\b|\s*$)")
def _top_tool(m: re.Match[str]) -> str:
    return "top processes"


# A state told, then the instruction about it: "cron is dead on db-02, start it back up" -> "start cron on db-02"
@_rule(r"(?:^|(?<=\s))(?:the\s+)?(?:(?:nightly|daily|weekly|hourly|main|old|new|backup)\s+)?" + _NAME
       + r"(?P<svc>\s+(?:service|daemon|job|process|container))?(?P<where0>\s+(?:on|in)\s+[\w.-]+)?\s+"
       r"(?:(?:is|seems|looks|went|has|'s|"
       r"keeps|shows|shows\s+as|is\s+showing|got|was|has\s+been)\s+(?:(?:in|a|an|the|really|now|completely|totally|"
       r"constantly|still|again|being)\s+){0,2})?(?:dead|down|stopped|broken|hung|stuck|"
       r"crashed|died|dying|crashing|failing|hanging|stopping|gone|not\s+running|unresponsive|frozen|off|wedged|flapping|"
       r"restarting|crash-?loop(?:ing)?|unhealthy|misbehaving|acting\s+up|flaky|erroring(?:\s+out)?|timing\s+out|"
       r"throwing\s+\S+)(?P<where>\s+(?:on|in)\s+[\w.-]+)?"
       r"(?:\s+(?:after|since|for|during|again|somehow|overnight|today|randomly|again)\b[\w\s'-]{0,30}?)?\s*[,.;:!-]+\s*"
       r"(?:please\s+|pls\s+|(?:can|could)\s+"
       r"(?:you|u|someone|somebody|anyone|anybody|one\s+of\s+you|(?:you|u)\s+guys)\s+)?"
       r"(?P<verb>start|restart|bounce|kick|bring|kill|stop|end|turn|switch|recycle)\s+(?:it|that|him)\b"
       r"(?:\s+(?:back\s+)?(?:up|on)|\s+again)?(?:\s+for\s+me)?")
def _told_then_asked(m: re.Match[str]) -> str:
    if m["name"].lower() in NOT_NAME_START:
        return m.group(0)
    verb = {"bounce": "restart", "kick": "restart", "bring": "start", "turn": "start", "switch": "start",
            "recycle": "restart"}.get(m["verb"].lower(), m["verb"].lower())
    svc = "" if (m["svc"] or "").strip() in ("job", "process") else (m["svc"] or "")
    return f"{verb} {m['name']}{svc}{m['where'] or m['where0'] or ''}"


# Why, not what: "for the upgrade", "before tonight's maintenance", "ahead of the release", "after patching",
# "until the vendor patch lands", "before the change window opens"
@_rule(r"\s*\b(?:until|till|before)\s+(?:the|a|our|this|tonight'?s|today'?s|tomorrow'?s|next)\s+(?:[\w-]+\s+){0,2}"
       r"(?:patch|fix|update|release|window|maintenance|change|vendor|upgrade|cutover|migration)\s+(?:lands|arrives|is\s+"
       r"(?:out|released|applied|installed|done|over)|opens|closes|starts|begins|ends|comes\s+out|ships)\b")
def _until(m: re.Match[str]) -> str:
    return ""


@_rule(r"\s*\b(?:for|before|during|ahead\s+of|because\s+of|due\s+to|after)\s+(?:(?:the|a|an|our|this|tonight'?s|today'?s|"
       r"tomorrow'?s|next|upcoming)\s+(?:\w+\s+)?(?:upgrade|update|maintenance|migration|patching|patch|deploy(?:ment)?|"
       r"release|change|window|outage|cutover|rollout|go-live|audit|alerts?|alarms?|incident|spike)|patching|deploying|upgrading|updating|maintenance|"
       r"hours|business\s+hours|close\s+of\s+business)\b"
       # "after last night's restart, is nginx up", "since Tuesday's patch reboot": when, not a step
       r"|\s*\b(?:after|since)\s+(?:last\s+night'?s|yesterday'?s|this\s+morning'?s|today'?s|last\s+week'?s|"
       r"(?:mon|tues|wednes|thurs|fri|satur|sun)day'?s|the\s+last|its\s+last|the)\s+(?:\w+\s+)?(?:restart|reboot|"
       r"crash|incident|outage|failover|power\s+cut|deploy(?:ment)?)s?\b(?=\s*[,?]|\s+[-—–]\s|\s+(?:is|are|did|does|has|was)\b)")
def _purpose(m: re.Match[str]) -> str:
    return ""


@_rule(r"^\s*(?:for|before|after|during)\s+(?:the|a|an|our|this|tonight'?s|today'?s)\s+[\w\s-]{1,30}?,\s*"
       r"|\s*\b(?:before|after|while|once|until)\s+(?:i|we|they|you)\s+[^,.;?]*")
def _leading_when(m: re.Match[str]) -> str:  # "For the restore test, copy ...", "stop X before I deploy"
    return " "


# When a service starts by itself, in every rule that reads start-up wording: "at boot", "on startup", "after a
# reboot", "with the system", "with the machine"
AT_BOOT = (r"(?:(?:at|on|after|with|during)\s+(?:a\s+|every\s+|each\s+)?(?:boot(?:up)?|startup|start-up|reboot|"
           r"system\s+start)|with\s+the\s+(?:system|machine|box|server|host|os|computer|vm))")


# "confirm sshd is enabled at boot on ...", "check that chronyd is enabled": a check of the service (its status says
# whether it starts at boot), not a change
@_rule(r"\b(?:confirm|check|verify|see|find\s+out)\s+(?:that\s+|whether\s+|if\s+)?(?:the\s+)?" + _NAME
       + r"(?:\s+service)?\s+(?:is|are)\s+(?:still\s+|actually\s+|really\s+)?(?:enabled|disabled)"
       r"(?:\s+" + AT_BOOT + r")?")
def _confirm_enabled(m: re.Match[str]) -> str:
    return f"check the status of {m['name']}"


# Start-up wording: "make sure nginx comes up at boot", "apache2 shouldn't start on boot anymore", "make it so docker
# starts with the machine", "don't want cups coming up at boot"
@_rule(r"\b(?:make\s+it\s+so\s+(?:that\s+)?|make\s+sure\s+|ensure\s+)?(?:the\s+)?" + _NAME + r"(?:\s+service)?\s+"
       r"(?P<neg>shouldn'?t|should\s+not|must\s+not|"
       r"mustn'?t|won'?t|doesn'?t\s+need\s+to|never|no\s+longer|has\s+to|have\s+to|needs?\s+to|must|should|"
       r"will|is\s+set\s+to|gets?\s+set\s+to)?\s*(?:comes?\s+up|coming\s+up|start(?:s|ing)?(?:\s+up)?|runs?|"
       r"gets?\s+started|is\s+started)\s+(?:(?:automatically\s+|any\s*more\s+|again\s+)?" + AT_BOOT
       + r"|automatically\b|on\s+its\s+own\b)(?:\s+(?:too|as\s+well|again))?(?:\s+any\s*more)?")
def _comes_up_at_boot(m: re.Match[str]) -> str:
    if m["name"].lower() in NOT_NAME_START:
        return m.group(0)
    before = m.string[max(0, m.start() - 24):m.start()].lower()
    if re.search(r"(?:don'?t|do\s+not|never)\s+(?:want|need)\s+$", before):  # "don't want cups coming up at boot"
        return f"disable {m['name']}"
    negated = bool(m["neg"]) and re.fullmatch(r"(?:has|have|needs?)\s+to|must|should|will|(?:is|gets?)\s+set\s+to",
                                              m["neg"], re.I) is None
    return f"{'disable' if negated else 'enable'} {m['name']}"


# "keep nginx from starting at boot", "stop it from coming up on reboot", "prevent W3SVC from starting automatically"
@_rule(r"\b(?:keep|stop|prevent|block)\s+(?:the\s+)?" + _NAME + r"(?:\s+service)?\s+from\s+(?:starting|coming\s+up|"
       r"auto-?starting)(?:\s+(?:up|again|automatically))*(?:\s+" + AT_BOOT + r")?(?=\s|[,.;!?]|$)")
def _kept_from_starting(m: re.Match[str]) -> str:
    if m["name"].lower() in NOT_NAME_START - {"it", "them"}:
        return m.group(0)
    return f"disable {m['name']}"


# A check, then the change if needed: "is W3SVC running on iis-02? if not start it" -> both, in that order
@_rule(r"\?\s*(?:and\s+)?if\s+(?:not|no|it'?s\s+not(?:\s+running|\s+up)?|it\s+is\s+not(?:\s+running|\s+up)?|"
       r"it\s+isn'?t(?:\s+running|\s+up)?|(?:it'?s\s+)?(?:down|stopped|dead|not\s+running))\s*[,:]?\s*(?:then\s+|please\s+)?")
def _if_not(m: re.Match[str]) -> str:
    return " then "


# "see if the Spooler is running on file-01 and start it if it isn't" -> "... then start it"
@_rule(START_IF_NOT)
def _start_if_not(m: re.Match[str]) -> str:
    return " then start it" if CHECK_FIRST.search(m.string[:m.start()]) else m.group(0)


# A bare "does X exist" names an account (files come with a path, packages with "installed", services "running")
@_rule(r"\b(?:does|do)\s+(?:the\s+)?" + _NAME + r"(?:\s+(?:os|local|system|domain|linux|windows))?"
       r"(?:\s+(?:user|account))?"
       r"(?:\s+(?:still|really|actually|even|should|must|needs?\s+to|has\s+to|have\s+to))?\s+(?:exist|exists)\b|\bis\s+there\s+(?:a|an)\s+"
       + _NAME.replace("name", "n2")
       + r"\s+(?:user|account|login)\b")
def _account_exists(m: re.Match[str]) -> str:
    name = m["name"] or m["n2"]
    if name.lower() in _NOT_ACCOUNTS or "\x01" in name or name.lower() in ("user", "account", "file", "folder", "path",
                                                                        "local", "domain", "service", "system", "new"):
        return m.group(0)
    return f"does the user {name} exist"


# "is the local account guest present on cis-03", "is the user deploy there on app-01"
# "the deploy user should exist on all staging linux": a check that it does
@_rule(r"\bis\s+(?:the\s+)?(?:local\s+|domain\s+|os\s+)?(?:user|account)\s+" + _NAME
       + r"\s+(?:present|there|set\s+up|configured|defined)\b|\b(?:the\s+)?" + _NAME.replace("name", "n2")
       + r"\s+(?:local\s+|os\s+)?(?:user|account)\s+(?:should|must|needs?\s+to|has\s+to)\s+(?:still\s+)?exist\b")
def _account_present(m: re.Match[str]) -> str:
    name = m["name"] or m["n2"]
    if name.lower() in _NOT_ACCOUNTS or "\x01" in name:
        return m.group(0)
    return f"does the user {name} exist" if m["name"] else f"check the user {name}"


# Having software: "do we have curl on the app servers" is a package check; "we need jq on the db hosts" an install
@_rule(r"\b(?:do|does)\s+(?:(?:we|you|they|it)|(?P<who>(?:the\s+)?(?:[\w.-]+\s+){0,2}[\w.-]+(?:\s+(?:box|boxes|server|servers|host|hosts|"
       r"machine|machines|vm|vms|node|nodes))?))\s+have\s+" + _NAME
       + r"(?:\s+installed)?(?=\s+(?:on|in|across)\b|\s*[?.!]*\s*$)")
def _do_we_have(m: re.Match[str]) -> str:
    return f"is package {m['name']} installed" + (f" on {m['who']}" if m["who"] else "")


@_rule(r"(?:^\s*|\b(?:we|i|they|you)\s+)(?:need|want|require)\s+" + _NAME
       + r"(?P<ver>\s+(?:version\s+)?v?\d[\w.:+~-]*)?(?:\s+installed)?(?=\s+(?:on|in|across)\b)")
def _we_need(m: re.Match[str]) -> str:
    if m["name"].lower() in NOT_NAME_START:
        return m.group(0)
    return f"install {m['name']}" + (f" version {m['ver'].strip().removeprefix('version').strip()}" if m["ver"] else "")


# PowerShell's reboot: "Restart-Computer on app-03", "Restart-Computer -ComputerName cis-01"
@_rule(r"(?<![\w-])restart-computer\b(?:\s+-computername\s+(?P<h>[\w.-]+)|\s+-(?:force|wait|confirm(?::\$\w+)?))*")
def _restart_computer(m: re.Match[str]) -> str:
    return f"reboot {m['h'] or ''}"


# A usage threshold is a disk question unless it names CPU or memory: "is /var/lib/postgresql over 90% on db-03"
@_rule(r"\b(?:over|above|past|beyond|at|hit|hitting|more\s+than|less\s+than|under|below)\s+\d{1,3}\s*(?:%|percent)"
       r"(?:\s+(?:full|used|usage|utili[sz]ed|capacity))?")
def _threshold(m: re.Match[str]) -> str:
    if re.search(r"\b(?:cpu|memory|mem|ram|load|swap)\b[^,.?]*$", m.string[:m.start()], _I):
        return m.group(0)
    return " disk usage "


# A port named with its service: "is RDP (3389) up on cis-04", "SQL (tcp/1433)"
@_rule(r"\b[A-Za-z][\w-]*\s*\(\s*(?:port\s+|tcp\s*/?\s*)?(?P<p>\d{1,5})\s*\)")
def _port_in_brackets(m: re.Match[str]) -> str:
    return f"port {m['p']}"


# Why it is asked, after the instruction: "then disable it so it stays down", "so it doesn't come back"
@_rule(r"\s*,?\s*\bso\s+(?:that\s+)?(?:it|they|i|we|you|the\s+[\w-]+|[\w-]+)\s+(?:stays?|remains?|doesn'?t|won'?t|does\s+not|"
       r"will\s+not|can'?t|cannot|is\s+not|isn'?t|keeps?|comes?\s+(?:up|back|after|on)|starts?|runs?|works?|can|could|will|"
       r"may|might|"
       r"stop|no\s+longer|never|do\s+not|don'?t)\b[^,.;?]*")
def _so_that(m: re.Match[str]) -> str:
    return ""


# Waiting is part of a reboot: "reboot app-02 and wait for it (to come back)", "reboot web-05 and confirm it comes
# back up" (host.reboot waits for the host to answer again)
@_rule(r"\s*(?:,|\band\b)\s+wait\s+(?:for\s+(?:it|them)(?:\s+to\s+come\s+back(?:\s+up|\s+online)?)?|until\s+(?:it'?s|it\s+is|"
       r"they'?re)\s+back(?:\s+up|\s+online)?)"
       r"|\s*(?:,|\band\b)\s+(?:then\s+)?(?:confirm|make\s+sure|check|verify|ensure)\s+(?:that\s+)?(?:it|they)\s+"
       r"(?:comes?|came)\s+back(?:\s+up|\s+online)?\b")
def _and_wait(m: re.Match[str]) -> str:
    if not m.group(0).lstrip(" ,").lower().startswith(("and wait", "wait")) \
            and not re.search(r"\breboot|\brestart-computer\b|\brestart\s+(?:the\s+)?(?:box|host|server|machine)\b",
                              m.string[:m.start()], re.I):
        return " and check its status"  # "restart nginx and make sure it comes back up": a check of the service
    return ""


# "bring postgresql-client up to the latest", "bring curl up to date": an update
@_rule(r"\bbring\s+(?:the\s+)?" + _NAME + r"(?:\s+package)?\s+up\s+to\s+(?:the\s+)?(?:latest|date|current|newest)"
       r"(?:\s+version|\s+release)?\b")
def _bring_up_to_date(m: re.Match[str]) -> str:
    return f"update {m['name']}"


# "restart the station PC cis-03 (a full reboot, not just the service)": the host
@_rule(r"\b(?:restart|bounce|cycle)\b(?P<mid>[^()]*?)\s*\(\s*(?:i\s+mean\s+)?(?:a\s+|the\s+)?(?:full|hard|complete|proper|real|"
       r"whole)?\s*(?:reboot|restart\s+of\s+the\s+(?:box|server|machine|host|pc))\b[^)]*\)")
def _full_reboot(m: re.Match[str]) -> str:
    return f"reboot{m['mid']}"


# "bring W3SVC back up", "bring nginx down", "bring the box back online" (a host: start is no reboot, so the rules ask)
@_rule(r"\bbring\s+(?:the\s+)?" + _NAME + r"(?P<svc>\s+(?:service|daemon))?\s+(?:back\s+)?"
       r"(?P<way>up|online|down|offline)\b")
def _bring(m: re.Match[str]) -> str:
    if m["name"].lower() in NOT_NAME_START:
        return m.group(0)
    return f"{'start' if m['way'].lower() in ('up', 'online') else 'stop'} {m['name']}{m['svc'] or ''}"


# "which of the cis hosts have the Spooler running?", "which of the db servers have pgbouncer installed"
@_rule(r"\bwhich\s+(?:ones?\s+)?(?:of\s+)?(?P<t>(?:the\s+)?[\w\s.-]+?)\s+(?:have|has|are\s+running|run)\s+(?:the\s+)?"
       + _NAME
       + r"(?P<svc>\s+(?:service|package|process))?\s+(?P<st>running|installed|up|started|stopped|listening|open)\b")
def _which_have(m: re.Match[str]) -> str:
    if m["st"].lower() == "installed":
        return f"is package {m['name']} installed on {m['t']}"
    return f"is {m['name']}{m['svc'] or ''} {m['st']} on {m['t']}"


# "don't touch web-02 - restart nginx on the other prod web servers" -> "restart nginx on ... except web-02"
@_rule(r"^\s*(?:please\s+)?(?:(?:don'?t|do\s+not|never)\s+touch|leave|skip)\s+(?P<t>[\w.-]+(?:\s*(?:,|and)\s*[\w.-]+)*)"
       r"(?:\s+(?:alone|out|be))?\s*(?:[—–-]+|,|;|:|\.)\s*(?P<rest>.+)$")
def _dont_touch(m: re.Match[str]) -> str:
    return f"{m['rest']} except {m['t']}"


# Hosts named only to be left out, anywhere: "restart W3SVC on iis-01 but leave iis-02 alone", "restart postgresql on
# db-02 only. db-01 is the primary, do NOT touch it", "reboot web-03, not web-04" -> "... except iis-02"
_HOST_LIST = r"(?P<t>[A-Za-z][\w.-]*-\d+[a-z]?(?:\s*(?:,|and|&|or)\s*[A-Za-z][\w.-]*-\d+[a-z]?)*)"


@_rule(r"\s*[,.;:]?\s*(?:but\s+|and\s+|so\s+)?(?:please\s+)?(?:leave|don'?t\s+touch|do\s+not\s+touch|never\s+touch|"
       r"keep\s+(?:your\s+hands\s+)?off|skip|not\s+on|but\s+not(?:\s+on)?|and\s+not(?:\s+on)?)\s+" + _HOST_LIST
       + r"(?:\s+(?:alone|as\s+(?:it\s+)?is|out(?:\s+of\s+it)?|untouched))?\b"
       r"|\s*[,.;:]?\s*" + _HOST_LIST.replace("(?P<t>", "(?P<t2>") + r"\s+is\s+[^,.;!?\n]{0,40}?[,;-]?\s*(?:so\s+)?"
       r"(?:(?:do\s+not|don'?t|never|please\s+don'?t)\s+(?:touch|restart|reboot|stop|change|kill)\s+(?:it|that(?:\s+one)?|them)\b"
       r"|(?:but\s+)?leave\s+(?:it|that(?:\s+one)?|them)(?:\s+(?:alone|be|as\s+is))?\b)")
def _leave_alone(m: re.Match[str]) -> str:
    return f" except {m['t'] or m['t2']} "


# Where things come from and go, said as labels: "source /tmp/x, target /opt/x/bin/x"
@_rule(r"[,:]?\s*\b(?P<which>source|src|target|destination|dest|path)\s*(?:path)?\s*[:=]?\s+(?=/|\x02|https?://)"
       r"|\s*(?:,|\band\b)?\s*\bit\s+goes\s+(?:to|in|into)\s+")
def _labelled_path(m: re.Match[str]) -> str:
    return " from " if (m["which"] or "").lower() in ("source", "src") else " at "


# Replacing an executable: "swap the exporter executable on mon-01 with URL at PATH, app name exporter"
@_rule(r"\b(?:swap|replace)\s+(?:out\s+)?(?:the\s+)?(?P<n>[\w.-]+)\s+(?:executable|binary|exe)\b(?P<mid>[^,]*?)\s+with\s+"
       r"(?:the\s+new\s+(?:one\s+)?(?:from\s+)?)?")
def _swap_binary(m: re.Match[str]) -> str:
    return f"update app {m['n']}{m['mid']} from "


@_rule(r"\s*,\s*(?:the\s+)?(?:app|application)\s+name(?:\s+is)?\s+[\w.-]+\s*$")
def _app_name_again(m: re.Match[str]) -> str:
    return ""


# Getting a file: "pull https://x/y.tar.gz down to /opt/y.tar.gz", "grab \\\\f\\x.msi to C:\\Temp"
@_rule(r"\b(?:pull|grab|download)\s+(?P<src>https?://\S+|\x02\d+\x02|/\S+)\s+(?:down\s+)?(?:to|into|onto)\s+")
def _pull_to(m: re.Match[str]) -> str:
    return f"copy {m['src']} to "


# A sign-off: "thx, Marco", "Thanks, Jo (field eng)", "cheers -- Dana", "regards"
@_rule(r"\s*(?:[,.;]|--?|—)?\s*\b(?:thx|thanks|thank\s+you|cheers|ta|(?:best|kind|warm)\s+(?:regards|wishes)|regards|br|best|"
       r"with\s+(?:many\s+)?thanks|many\s+thanks|yours(?:\s+sincerely)?)\b(?:\s+(?:a\s+lot|so\s+much|ever\s+so\s+much|"
       r"again|in\s+advance|for\s+your\s+(?:help|patience|time)(?:\s+with\s+us)?))?[,.!]*(?:\s*(?:--?|—|,)?\s*[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)?(?:\s*\([^)]*\))?\s*[.!]*\s*$")
def _sign_off(m: re.Match[str]) -> str:
    return ""


# Why a restart: "to pick up the new config", "to apply the changes"
@_rule(r"\s+(?:to|so\s+it\s+can|so\s+that\s+it)\s+(?:pick\s+up|apply|load|reload|activate|take|read)\s+(?:the\s+)?(?:new\s+|latest\s+)?"
       r"(?:config(?:uration)?|changes?|settings?|cert(?:ificate)?s?|keys?)\b")
def _to_pick_up(m: re.Match[str]) -> str:
    return ""


@_rule(r"(?<!change\sthe\s)(?<!update\sthe\s)(?<!modify\sthe\s)(?<!fix\sthe\s)(?<!edit\sthe\s)"
       r"\bdns\s+(?:resolution|lookup|record)\s+(?:of|for)\s+|^\s*dns\s+(?:lookup\s+|check\s+)?(?=[\w-]+\.[\w.-]+)"
       r"|\bwhat\s+does\s+(?=[\w.-]+\s+(?:point|resolve|map)\s+to\b)")
def _dns_of(m: re.Match[str]) -> str:
    return "resolve "


@_rule(r"\s+(?:point|points|map|maps|resolve|resolves)\s+to\b")
def _points_to(m: re.Match[str]) -> str:  # "what does smtp.corp.local point/resolve to" (after "resolve" above)
    return " "


# Terse chat words: "ctr"/"cntr" (container), "evt log", "sched tasks", "conn?" (can it connect), ">30d" (older than)
@_rule(r"\b(?:ctr|cntr|ctnr)\b")
def _ctr(m: re.Match[str]) -> str:
    return "container"


@_rule(r"\bevt\s*(?=logs?\b)|\bsched(?=\s+(?:tasks?|jobs?)\b)")
def _evt_sched(m: re.Match[str]) -> str:
    return "event " if m.group(0).lower().startswith("evt") else "scheduled"


@_rule(r"\bconn\b\??")
def _conn(m: re.Match[str]) -> str:
    return "can it connect"


@_rule(r"(?<![\w>])>\s*(?P<n>\d{1,5})\s*(?P<u>d|days?|w|weeks?|months?)\b")
def _greater_than_age(m: re.Match[str]) -> str:
    return f" older than {m['n']} {m['u']}"


# Services called by what they do: "the IIS web service" (W3SVC), "remote management service" (WinRM)
_DESCRIBED = "|".join(re.escape(k).replace(r"\ ", r"\s+") for k in sorted(DESCRIBED_SERVICES, key=len, reverse=True))


@_rule(r"(?<![\w-])(?:the\s+)?(?P<d>" + _DESCRIBED + r")(?:\s+(?:service|svc))?(?![\w-])(?!\s*\()")
def _described_service(m: re.Match[str]) -> str:
    return DESCRIBED_SERVICES[" ".join(m["d"].lower().split())]


# "put the new version of the reporter application on app-02" -> "update app reporter on app-02"
@_rule(r"\b(?:put|deploy|install|roll\s+out|push|ship)\s+(?:the\s+)?new\s+(?:version|build|release|binary)\s+of\s+(?:the\s+)?"
       r"(?P<n>[\w.-]+)(?:\s+(?:application|app|program|binary|service|tool))?")
def _new_version_of(m: re.Match[str]) -> str:
    return f"update app {m['n']}"


# "restart the whole db-04 machine itself", "restart the entire box"
@_rule(r"\b(?:restart|bounce|cycle)\s+(?P<mid>(?:the\s+)?(?:whole|entire|actual|physical)\s+[\w.\s-]{0,30}?(?:server|box|machine|"
       r"host|vm|pc|workstation))(?:\s+itself)?\b")
def _whole_machine(m: re.Match[str]) -> str:
    return f"reboot {m['mid']}"


# Politeness in any language, and its English forms: "bitte", "merci", "por favor", "please be so kind and"
@_rule(r"\b(?:bitte|danke(?:\s+sch[oö]n)?|merci(?:\s+beaucoup)?|gracias|obrigad[oa]|por\s+favor|grazie|per\s+favore|"
       r"s'?il\s+(?:vous|te)\s+pla[iî]t|svp|dzi[eę]kuj[eę]|prosz[eę]|thanks\s+in\s+advance|thx\s+in\s+advance)\b[,.!]*"
       r"|\b(?:please\s+)?be\s+so\s+kind\s+(?:and|to|as\s+to)\b|\bplease\s+to\b|\bkindly\b")
def _politeness(m: re.Match[str]) -> str:
    return " please " if m.group(0).lower().startswith("please") else " "


# A verb said as a noun: "make restart of W3SVC", "do the reboot of cis-02", "make a ping to cis-03",
# "make deinstallation of apache2", "make new start of the iis-02 server" (a restart)
_NOUN_VERBS = {"restart": "restart", "reboot": "reboot", "start": "start", "stop": "stop", "enable": "enable",
               "disable": "disable", "kill": "kill", "ping": "ping", "tail": "tail", "grep": "grep",
               "install": "install",
               "installation": "install", "deinstallation": "uninstall", "uninstallation": "uninstall",
               "deinstall": "uninstall", "upgrade": "upgrade", "update": "update", "verification": "check",
               "check": "check", "control": "check", "list": "list", "cleanup": "clean up", "clean-up": "clean up",
               "removal": "remove", "deletion": "delete", "new start": "restart", "restart again": "restart",
               "activation": "enable", "deactivation": "disable"}


_NOUNS = "|".join(sorted((re.escape(k).replace(r"\ ", r"\s+") for k in _NOUN_VERBS), key=len, reverse=True))


@_rule(r"\b(?:make|do|perform|execute|run|carry\s+out)\s+(?:a\s+|an\s+|the\s+)?(?P<n>" + _NOUNS
       + r")\s+(?:of|to|for|on|at)?\b")
def _noun_verb(m: re.Match[str]) -> str:
    return f"{_NOUN_VERBS[' '.join(m['n'].lower().split())]} "


# False friends and learner forms: "control if" (check), "actualize" (update), "older as" (older than),
# "more old than", "free place" (free space), "occupation of" (disk usage of), "planned jobs" (scheduled tasks)
@_rule(r"\bcontrol\s+(?=if|whether|the|that)|\bactuali[sz]e\b|\bolder\s+as\b|\bmore\s+old\s+than\b|\bfree\s+place\b"
       r"|\bplace\s+(?:is\s+)?(?:free|left|available)\b|\boccupation\s+of\b|\bplanned\s+(?:jobs|tasks)\b"
       r"|\b(?:de)?activate\s+(?:the\s+)?autostart\s+of\b|\b(?:and\s+)?after(?:wards)?\s+(?=make|do|check|show|start|restart|"
       r"stop|run|ping)")
def _learner_forms(m: re.Match[str]) -> str:
    low = " ".join(m.group(0).lower().split())
    for key, value in (("control", "check "), ("actuali", "update"), ("older as", "older than"),
                       ("more old", "older than"), ("free place", "free space"), ("place", "free space"),
                       ("occupation", "disk usage of"), ("planned", "scheduled tasks"), ("deactivate", "disable"),
                       ("activate", "enable"), ("after", "then ")):
        if low.startswith(key) or (key == "after" and "after" in low):
            return value
    return m.group(0)


# "to the last version", "to latest": the update's default
@_rule(r"\s+to\s+(?:the\s+)?(?:last|latest|newest|most\s+recent)(?:\s+(?:version|release|one))?\b")
def _to_latest(m: re.Match[str]) -> str:
    return ""


# Names and answers: "name resolution of x", "what IP gives the DNS for x"; "bring the file SRC to DEST" (a copy)
@_rule(r"\bname\s+resolution\s+(?:of|for)\s+|\bwhat\s+ip\s+(?:gives|returns|has|is)\s+(?:the\s+)?dns\s+(?:for|of)\s+")
def _resolution_of(m: re.Match[str]) -> str:
    return "resolve "


@_rule(r"\bbring\s+(?:the\s+)?(?:file\s+)?(?=\x02|/|https?://)")
def _bring_file(m: re.Match[str]) -> str:
    return "copy "


@_rule(r"\barrives?\s+(?:to|at)\b")
def _arrive(m: re.Match[str]) -> str:
    return "reach"


# A labelled app name: "app update on app-01: name checkout, source ..., path ..."
@_rule(r"[,:]?\s*\b(?:app(?:lication)?\s+)?name\s*[:=]?\s+(?P<n>[A-Za-z][\w.-]*)(?=\s*,|\s+(?:source|src|from|path)\b)")
def _labelled_name(m: re.Match[str]) -> str:
    return f" app {m['n']} "


# A pager's reply before the instruction: "ack, bouncing nginx on web-04", "on it - restarting W3SVC"
@_rule(r"^\s*(?:ack(?:nowledged)?|roger|on\s+it|will\s+do|ok(?:ay)?|sure|k)\s*[,:;.!-]+\s*")
def _ack(m: re.Match[str]) -> str:
    return ""


# "New build of order-sync is at https://... -- update it on app-01" -> "update app order-sync from https://..."
@_rule(r"(?:the\s+)?new\s+(?:build|version|release|binary|exe)\s+of\s+(?P<n>[\w.-]+)\s+is\s+(?:at|in|on|up\s+at)\s+"
       r"(?P<src>\S+)\s*(?:[-–—]+|,|;|\.)\s*(?:please\s+|pls\s+)?(?:update|deploy|roll\s+out|install|push)\s+it\b")
def _new_build_of(m: re.Match[str]) -> str:
    return f"update app {m['n']} from {m['src']}"


# Where a new version comes from, said as a fact: "the new exe is \\\\file-01\\x.exe" -> "from \\\\file-01\\x.exe"
@_rule(r"[,:]?\s*(?:the\s+)?new\s+(?:exe|executable|binary|build|version|release|file|package|msi|jar)\s+(?:(?:is|lives|sits)\s+"
       r"(?:sitting\s+|waiting\s+|located\s+)?(?:at\s+|in\s+|on\s+)?|(?:at|in|on|under)\s+(?=\S*[\\/:\x02]))")
def _new_from(m: re.Match[str]) -> str:
    return " from "


# Search wording: "anything mentioning w3wp", "entries containing 'denied'"
@_rule(r"\b(?:anything|something|entries|lines|events|messages|errors)\s+(?:mentioning|containing|matching|about|with)\s+")
def _mentioning(m: re.Match[str]) -> str:
    return " search for "


# Host ranges: "web-01 through web-03", "cis-01 to cis-04", "db-01..db-03"
@_rule(r"\b(?P<p>[A-Za-z][\w-]*?-?)(?P<a>\d{1,4})\s*(?:(?P<word>through|thru|\.\.|-|–)\s*(?:(?P=p))?|(?:to|until)\s+(?P=p))"
       r"(?P<b>\d{1,4})(?![.:\w])")
def _host_range(m: re.Match[str]) -> str:
    a, b, width = int(m["a"]), int(m["b"]), len(m["a"])
    if not m["p"].endswith("-") and m["word"] in ("-", "–", None):  # "python3-12" is a name; "web01 thru web03" not
        return m.group(0)
    if not a < b <= a + 100 or re.search(r"\bfrom\s+$", m.string[:m.start()], _I):  # "from app-01 to app-03": a path
        return m.group(0)
    return " ".join(f"{m['p']}{n:0{width}d}" for n in range(a, b + 1))


# Courtesy and timing that is not an instruction: "when you get a sec", "if you have a minute", "no rush"
@_rule(r"[,;]?\s*\b(?:(?:when(?:ever)?|once|if)\s+(?:you\s+|u\s+)?(?:get|have|got|find|can\s+spare)\s+(?:a\s+|some\s+|the\s+)?"
       r"(?:sec|second|secs|minute|min|mins|moment|mo|chance|time|spare\s+minute)|(?:when|if)\s+(?:convenient|possible|"
       r"you\s+can|you'?re\s+free)|at\s+your\s+(?:earliest\s+)?convenience|no\s+rush|no\s+hurry|(?:so\s+)?no\s+worries|"
       r"no\s+problem|when\s+you\s+get\s+round\s+to\s+it)\b"
       r"(?:\s*,?\s*but\b)?|\s*(?:,|\band\b)\s+(?:then\s+)?(?:paste|send|post|share|give|tell|report|mail|email)\s+"
       r"(?:me\s+|us\s+)?(?:back\s+)?(?:the\s+|what\s+)?(?:output|results?|it\s+says|you\s+get|status(?:\s+code)?|answer|"
       r"response|numbers?|details|code)\b(?!\s+(?:of|for|on)\b)(?:\s+(?:here|back|to\s+me))?"
       r"|\s*(?:,|\band\b)\s+(?:show|give)\s+me\s+the\s+(?:output|results?)\b"
       r"|\s*(?:,|\band\b)\s+(?:tell|let)\s+me\s+(?:know\s+)?(?:which|whether|if|what|how)\b[^,.;?]*"
       r"|\s*,?\s*\b(?:if|while|since)\s+you'?re\s+(?:there|on\s+it|at\s+it|in\s+there|logged\s+in)\b"
       r"|^\s*(?:hi|hey|hello|morning|good\s+morning|afternoon|yo)\b(?:\s+(?:all|both|team|guys|folks|there|everyone))?\s*[,!:]\s*")
def _courtesy(m: re.Match[str]) -> str:
    return ""
