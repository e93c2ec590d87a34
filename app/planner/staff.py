"""How people outside operations ask: "QA here -", "Dev question:", "could it be that the disk is full on db-02?",
"QA needs /tmp/x copied to /srv/x", "has the Print Spooler crashed on cis-02?", "check nginx on web-01, then do the
same for web-02", "please disable nginx on web-05, we don't need it there anymore".

The rewrites run inside ``app.planner.normalize`` before ``app.planner.wording``'s, on text whose quoted values and
Windows paths are held out; each is one family of phrasings, never one sentence.
"""
from __future__ import annotations

import re
from collections.abc import Callable

from app.planner.rewrite import registrar
from app.planner.scope import NEGATED

_NAME = r"(?P<name>\x01\d+\x01|[A-Za-z0-9][A-Za-z0-9_.@+\-]*)"
_HOST = r"[A-Za-z][\w.-]*-\d+[a-z]?"
_ROLES = (r"qa|dev|devs|developers?|development\s+team|support|helpdesk|help\s*desk|service\s*desk|finance|billing|"
          r"accounting|pm|product|security|secops|dba|sre|ops|network\s+team|marketing|sales|it|testing|test\s+team")
REWRITES: list[tuple[str, int, Callable[[re.Match[str]], str]]] = []

_rule = registrar(REWRITES, needs={
    "_role_preface": ("here", "question", "request", ":", "ask"),
    "_hedged": ("could it be", "is it possible", "wonder", "do you think", "any chance", "is it true", "i think"),
    "_crashed": ("crash", "die", "died", "fall over", "fell over", "hung", "hang"),
    "_passive_need": ("need", "want", "would like", "'d like"), "_reason_tail": (",", " - ", " – ", " — "),
    "_only_the": ("only",), "_same_for": ("same",), "_the_same_check": ("same",), "_possessive_server": ("'s", "’s"),
    "_account_named": ("account", "user"),
    "_cannot_log_in": ("log in", "login", "log on", "logon", "sign in", "sign on"),
    "_jobs_set_up": ("set up", "configured", "defined", "registered"),
    "_start_automatically": ("automatic", "boot", "start mode", "startup mode", "start type"),
    "_negated": ("not ", "don", "never"), "_path_on_host_has": ("contain", " has ", "include", "hold"),
    "_isnt_at_start": ("isn", "aren"), "_supposed_to_be": ("supposed", "meant"),
    "_not_in_state": ("isn", "is not", "aren", "are not"),
    "_was_upgraded": ("upgrade", "update", "install", "patch"), "_did_someone_delete": ("delete", "remove", "move"),
    "_host_down": ("down", " up", "alive", "dead", "offline", "online", "reachable", "responding", "answering"),
    "_thinks_resolves": ("think",), "_is_ok": ("ok", "fine", "healthy", "alright", "all right", "good", "happy"),
    "_done_report": ("done", "complete", "finished", "over", "success"), "_is_user_there": ("user", "account"),
    "_urgency": ("urgent", "asap", "important", "p1", "p2", "sev", "priority"),
    "_it_is_gone": ("gone", "removed", "uninstalled", "installed"), "_runs_on": ("runs",),
})


# "Hi, QA here -", "Dev here,", "Support:", "Dev question:", "Finance request:": who asks, not where
@_rule(r"^\s*(?:(?:hi|hey|hello)\b[\s,!]*)?(?:(?:" + _ROLES
       + r")\s+(?:here|team\s+here|question|request|ask)\b\s*[,:.!\-–—]*"
       r"|(?:qa|support|helpdesk|finance|billing|security|dba|marketing|sales)\s*:)\s*")
def _role_preface(m: re.Match[str]) -> str:
    return ""


# Hedged questions: "could it be that the disk is full on db-02?" asks whether it is
@_rule(r"\b(?:could\s+it\s+be\s+(?:that\s+)?|is\s+it\s+possible\s+(?:that\s+)?|i\s+wonder\s+(?:if|whether)\s+|"
       r"do\s+you\s+think\s+(?:that\s+)?|any\s+chance\s+(?:that\s+)?|is\s+it\s+true\s+(?:that\s+)?|"
       r"i\s+think\s+(?:that\s+)?(?=(?:the\s+)?\S+\s+(?:is|are|has|was|crashed|died)\b))")
def _hedged(m: re.Match[str]) -> str:
    return "is "


# "has the Print Spooler crashed on cis-02?", "did cron die on db-01", "X crashed on H?": a status question
@_rule(r"(?:\b(?:has|did|have)\s+)?(?:the\s+)?" + _NAME + r"(?P<svc>\s+(?:service|daemon))?\s+"
       r"(?:crash(?:ed)?|die[ds]?|hung|hang|fall\s+over|fell\s+over|gone\s+down|go\s+down|went\s+down)"
       r"(?:\s+again)?(?=\s+(?:on|in)\b|\s*[?.!]*\s*$)")
def _crashed(m: re.Match[str]) -> str:
    from app.planner.wording import NOT_NAME_START

    if m["name"].lower() in NOT_NAME_START or m["name"].lower() in ("server", "host", "box", "machine"):
        return m.group(0)
    asked = re.search(r"\bis\s+$", m.string[:m.start()], re.IGNORECASE)  # "could it be that X crashed" -> "is X ..."
    return f"{'' if asked else 'is '}{m['name']}{m['svc'] or ''} running"


# "QA needs /tmp/x copied to /srv/x", "we'd like nginx restarted on web-03": the verb, then its object
_PARTICIPLES = {"copied": "copy", "restarted": "restart", "stopped": "stop", "started": "start", "checked": "check",
                "installed": "install", "removed": "remove", "updated": "update", "deleted": "delete",
                "enabled": "enable", "disabled": "disable", "killed": "kill", "pinged": "ping", "rebooted": "reboot",
                "bounced": "restart", "uninstalled": "remove", "upgraded": "update"}


@_rule(r"(?:\b(?:we|i|they|" + _ROLES + r"|the\s+\w+\s+team)\s+)?\b(?:needs?|wants?|would\s+like|'d\s+like)\s+"
       r"(?P<obj>(?:(?!\b(?:on|in|to|from|and|then)\b)\S+\s+){1,5}?)"
       r"(?P<verb>" + "|".join(_PARTICIPLES) + r")\b")
def _passive_need(m: re.Match[str]) -> str:
    return f"{_PARTICIPLES[m['verb'].lower()]} {m['obj'].strip()}"


# A reason after the instruction: ", we don't need it there anymore", "- the dev team agreed on the downtime"
@_rule(r"(?:,|\s[-–—])\s*(?:(?:we|i|they|he|she|the\s+\w+(?:\s+team)?|our\s+\w+|users?|nobody|no\s*one|someone|"
       r"management|clients?|customers?)\s+(?!(?:was|were|have\s+been)\s+(?:asked|told|requested|tasked|instructed)\s+to\b)"
       r"(?:don'?t|do\s+not|won'?t|agreed|approved|said|asked|signed|confirmed|decided|"
       r"were|was|have\s+been|are\s+done|no\s+longer|already|(?:is|are)\s+(?:reporting|asking|complaining|seeing)|"
       r"reports?|reported|complains?|complained|says|sees|saw|noticed|need\s+it|needs\s+it)\b|(?:approved|agreed|signed\s+off)\s+(?:by|in|with)\b)[^,]*$")
def _reason_tail(m: re.Match[str]) -> str:
    return ""


# "delete files older than 60 days in D:\\logs, only the *.log ones": the name pattern
@_rule(r",?\s*\b(?:but\s+)?only\s+(?:the\s+)?(?P<p>\*[\w.*?-]+|[\w-]*\*[\w.*?-]*|\x01\d+\x01)(?:\s+(?:ones|files))?(?!\w)")
def _only_the(m: re.Match[str]) -> str:
    if m["p"].startswith("\x01"):
        return f" matching {m['p']}"
    pattern = m["p"].rstrip(".")
    return f' matching "{pattern}"' + m["p"][len(pattern):]


# "check nginx on web-01, and then do the same for web-02": the same steps on both
@_rule(r"\b(?P<on>on|for)\s+(?P<h1>" + _HOST + r")\s*[,;.]?\s*(?:and\s+)?(?:then\s+)?(?:also\s+)?(?:do\s+)?"
       r"(?:the\s+)?same(?:\s+(?:thing|check|again))?\s+(?:for|on|with)\s+(?P<h2>" + _HOST + r")\b")
def _same_for(m: re.Match[str]) -> str:
    return f"{m['on']} {m['h1']} and {m['h2']}"


# "Same check for the staging ones: is nginx up on web-03 and web-04?": the request after the colon says it all
# ("same for web-02: stop nginx, then start it": the hosts are said before the colon only; they stay)
@_rule(r"^\s*(?:the\s+)?same\s+(?:check|thing|again|here|please)?\s*(?:for|on)\s+(?P<t>[^:\n]{1,40}):\s*(?=\S)")
def _the_same_check(m: re.Match[str]) -> str:
    rest = m.string[m.end():]
    named = re.search(r"\b(?:on|in|at|from|across)\s+\S|\b[A-Za-z][\w]*-\d+[a-z]?\b", rest)
    return "" if named else f"on {m['t'].strip()}: "


# "the database server's disk": one server named by its group, like "the database server"
@_rule(r"\b(?P<n>server|box|machine|host|vm|node)['’]s\b")
def _possessive_server(m: re.Match[str]) -> str:
    return m["n"]


# "whether the account jsmith exists", "the user account svc_backup exists": does that user exist
@_rule(r"(?P<check>\b(?:check\s+|confirm\s+|verify\s+)?(?:whether|if)\s+)?\b(?:the\s+)?(?:[a-z]+\s+)??(?:account|user)\s+"
       r"(?:named\s+|called\s+)?" + _NAME + r"\s+(?:still\s+|really\s+|actually\s+)?(?:exists?|is\s+there)\b")
def _account_named(m: re.Match[str]) -> str:
    if m["name"].lower() in ("still", "really", "actually", "even", "should", "must", "needs", "has", "have"):
        return m.group(0)  # "the X account really exists", "the X user should exist": X is named before
    if m["check"]:
        return f"check the user {m['name']}"
    asked = re.search(r"\b(?:does|do)\s+$", m.string[:m.start()], re.IGNORECASE)  # "Does the account X still exist"
    return f"the user {m['name']} exist" if asked else f"does the user {m['name']} exist"


# "a user can't log in": signing in, not a log
@_rule(r"\b(?P<neg>can'?t|cannot|can\s+not|couldn'?t|unable\s+to|fails?\s+to|failing\s+to|not\s+able\s+to)\s+"
       r"(?:log|sign)\s*(?:in|on)(?:to)?\b")
def _cannot_log_in(m: re.Match[str]) -> str:
    return f"{m['neg']} sign in"


# "what scheduled tasks are set up on file-01": which there are
@_rule(r"\b(?P<what>scheduled\s+tasks|cron\s*jobs|crontabs?)\s+(?:are|is)\s+(?:set\s+up|configured|defined|registered)\b")
def _jobs_set_up(m: re.Match[str]) -> str:
    return f"{m['what']} are there"


# "set the W3SVC service to start automatically / at boot": enable it
@_rule(r"\bset\s+(?:the\s+)?" + _NAME + r"(?:\s+service)?\s+to\s+(?P<neg>not\s+)?(?:start|run|come\s+up)\s+"
       r"(?:automatically|at\s+boot|on\s+boot|at\s+startup|on\s+startup)\b")
def _start_automatically(m: re.Match[str]) -> str:
    return f"{'disable' if m['neg'] else 'enable'} {m['name']}"


# "dont reboot it just ping web-03", "check X, but don't restart it even if it isn't": what not to do is no step
@_rule(NEGATED)
def _negated(m: re.Match[str]) -> str:
    return " "


# "make sure /etc/app/app.conf on app-01 contains the line X": the host after what the file holds
@_rule(r"(?P<path>\S*[\\/]\S+|\x02\d+\x02)\s+on\s+(?P<h>" + _HOST + r")\s+(?P<v>contains|has|includes|holds)\b"
       # to the sentence's end ("^#?work_mem" is no end) or the next step (", then restart ...")
       r"(?P<tail>(?:(?!,?\s+(?:and\s+)?then\b|;)(?:[^.?!\n]|[.?!](?![\s)]|$)))*)")
def _path_on_host_has(m: re.Match[str]) -> str:
    return f"{m['path']} {m['v']}{m['tail']} on {m['h']}"


# Negative questions: "isn't W3SVC supposed to be running on iis-02?", "nginx isn't running on web-03?"
@_rule(r"^\s*(?:isn'?t|isnt|aren'?t|arent)\s+")
def _isnt_at_start(m: re.Match[str]) -> str:
    return "is "


@_rule(r"\b(?:supposed|meant)\s+to\s+be\s+(?=running|up|started|enabled|disabled|stopped|installed|listening)")
def _supposed_to_be(m: re.Match[str]) -> str:
    return ""


@_rule(r"(?:\bthe\s+)?\b" + _NAME + r"(?P<svc>\s+(?:service|daemon))?\s+(?:isn'?t|isnt|is\s+not|aren'?t|are\s+not)\s+"
       r"(?P<st>running|up|working|started|responding|listening|enabled|installed)\b")
def _not_in_state(m: re.Match[str]) -> str:
    from app.planner.wording import NOT_NAME_START

    if m["name"].lower() in NOT_NAME_START or m["name"].lower() in ("there", "what", "which", "who"):
        return m.group(0)
    if re.search(r"\b(?:make\s+sure|ensure|see\s+to\s+it)\s+(?:that\s+)?(?:the\s+)?$", m.string[:m.start()], re.I):
        return m.group(0)  # "make sure nginx isn't running": the state wanted (app.planner.outcomes), never a question
    return f"is {m['name']}{m['svc'] or ''} {m['st']}"


# "was postgresql upgraded on db-04?", "did openssl get updated": which version is there, not an update
@_rule(r"\b(?:was|were|has|have|did)\s+(?:the\s+)?" + _NAME + r"(?:\s+package)?\s+(?:been\s+|get\s+|got\s+)?"
       r"(?:upgraded|updated|installed|patched|upgrade|update|install)\b")
def _was_upgraded(m: re.Match[str]) -> str:
    from app.planner.wording import NOT_NAME_START

    if m["name"].lower() in NOT_NAME_START or m["name"].lower() in ("server", "host", "box", "machine", "it", "app"):
        return m.group(0)
    return f"is package {m['name']} installed"


# "did someone delete /etc/nginx/x.conf on web-04?": whether it is still there
@_rule(r"\b(?:did|has|have)\s+(?:someone|somebody|anyone|anybody|something|you|we|they)\s+(?:delete|deleted|remove|"
       r"removed|move|moved)\s+(?P<p>/\S+|\x02\d+\x02)")
def _did_someone_delete(m: re.Match[str]) -> str:
    return f"does {m['p']} exist"


# "is mon-01 down?": can it be reached
@_rule(r"\bis\s+(?P<h>" + _HOST + r")\s+(?:down|up|alive|dead|offline|online|reachable|unreachable|responding|"
       r"answering)\b")
def _host_down(m: re.Match[str]) -> str:
    elsewhere = re.search(r"^\s*(?P<a>" + _HOST + r")\s*[:\-\u2013\u2014]\s|\b(?:on|at)\s+(?P<b>" + _HOST + r")\b",
                          m.string, re.I)
    if elsewhere and (elsewhere["a"] or elsewhere["b"]).lower() != m["h"].lower():
        return m.group(0)  # "db-02: is postgresql-15 up?": the host is said; the word asked about is what runs there
    return f"ping {m['h']}"


# "what does iis-02 think files.example.com resolves to?"
@_rule(r"\bwhat\s+does\s+(?P<h>" + _HOST + r")\s+think\s+(?P<n>[\w.-]+)\s+resolves?\s+to\b")
def _thinks_resolves(m: re.Match[str]) -> str:
    return f"what does {m['n']} resolve to on {m['h']}"


# "is the Spooler on all staging windows hosts ok?": is it running there
@_rule(r"\bis\s+(?:the\s+)?" + _NAME + r"(?P<svc>\s+(?:service|daemon))?\s+(?P<where>(?:on|in|across)\s+[^?.!\n]+?)\s+"
       r"(?:ok|okay|fine|healthy|alright|all\s+right|good|happy)\b")
def _is_ok(m: re.Match[str]) -> str:
    from app.planner.wording import NOT_NAME_START

    if m["name"].lower() in NOT_NAME_START or m["name"].lower() in (
            "disk", "disks", "memory", "cpu", "server", "host", "box", "machine", "certificate", "cert", "network",
            "everything", "all", "it", "drive", "space"):
        return m.group(0)
    return f"is {m['name']}{m['svc'] or ''} running {m['where']}"


# "deploy done.", "patching complete!": a report of what happened, not an instruction
@_rule(r"(?:^|(?<=[.!?\x03]))\s*(?:the\s+)?(?:deploy(?:ment)?|release|rollout|upgrade|update|migration|patching|"
       r"install(?:ation)?|restart|reboot|failover|cutover)\s+(?:is\s+|was\s+|has\s+been\s+)?(?:done|complete[d]?|finished|"
       r"over|through|successful|succeeded)\b[.!,]*")
def _done_report(m: re.Match[str]) -> str:
    return " "


# "is user jenkins on app-01?": does that account exist there
@_rule(r"\bis\s+(?:the\s+)?(?:user|account)\s+" + _NAME + r"\s+(?=(?:on|in|there|present)\b)")
def _is_user_there(m: re.Match[str]) -> str:
    return f"does the user {m['name']} exist "


# "URGENT:", "ASAP -", "P1:", "Sev2 -": how soon, not what or where
@_rule(r"^\s*(?:urgent|asap|important|p[1-4]|sev\s*[1-4]|high\s+priority|prio(?:rity)?\s*[1-4])\b\s*[:!\-–—]*\s*")
def _urgency(m: re.Match[str]) -> str:
    return ""


# "check it's gone", "verify that it is removed": whether the package is there now
@_rule(r"\b(?:check|verify|confirm|make\s+sure)\s+(?:that\s+|if\s+|whether\s+)?it(?:'s|’s|\s+is)\s+(?:really\s+)?"
       r"(?:gone|removed|uninstalled|not\s+installed|installed|there|present)\b")
def _it_is_gone(m: re.Match[str]) -> str:
    if re.search(r"\b(?:kill|pkill|killall|taskkill|stop-process|terminate)\b", m.string[:m.start()], re.I) \
            and re.search(r"gone|there|present", m.group(0), re.I):
        return "check whether it is running"  # "kill EXCEL.EXE ..., then check it's really gone": the process
    return "check whether it is installed"


# "whether java runs on app-01": is it running
@_rule(r"\b(?P<w>whether|if)\s+" + _NAME + r"\s+runs\b")
def _runs_on(m: re.Match[str]) -> str:
    return f"{m['w']} {m['name']} is running"
