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
    "_passive_need": ("need", "want", "would like", "'d like"),
    "_reason_tail": (",", " - ", " – ", " — "),
    "_only_the": ("only",), "_same_for": ("same",), "_the_same_check": ("same",),
    "_possessive_server": ("'s", "’s"), "_account_named": ("account", "user"),
    "_cannot_log_in": ("log in", "login", "log on", "logon", "sign in", "sign on"),
    "_negated": ("not ", "don", "never"), "_ticket_aside": ("(",), "_how_do_i_know": ("how do", "how can"),
    "_doing_it_is_ok": ("ing it is", "ing it's"), "_not_technical": ("technical", "admin", "expert"),
    "_was_told": ("told",), "_software": ("software",), "_even_alive": ("even", "actually", "really", "still"),
    "_turn_off_at_boot": ("boot", "startup"), "_ref_id": ("ref", "see ", "per "),
    "_customer_asks": ("asks", "asked", "wants"), "_once_thats_in": ("once", "when", "after"), "_patch_day": ("patch",),
    "_so_it_wont_start": ("so ",), "_until_done": ("until", "till"), "_control_ref": ("(",), "_per_ref": ("per ",),
    "_for_analysis": ("for ",), "_the_text": ("text", "string", "word", "phrase", "message"),
    "_window": ("window", "cut-over", "cutover", "return to service"), "_clock_prefix": ("-", "–", ":"),
    "_getting_errors": ("getting", "seeing", "hitting", "reporting", "complaining"),
    "_to_confirm": ("to confirm", "to verify"),
    "_the_x_box": ("box", "server", "machine"), "_same_problem": ("same", "for now"), "_file_is_there": ("file",),
    "_rollback_note": ("rollback", "roll back", "roll-back"), "_are_required": ("required", "needed"),
    "_existence_of": ("existence",), "_paren_service": ("(",), "_named_asks": ("asks", "wants"),
    "_but_actually": ("actually",), "_be_possible": ("possible",), "_so_i_can": ("so ",), "_as_a_test": ("test",),
    "_before_event": ("before", "ahead"), "_asks_if": ("asks if", "asks whether", "asked if", "asked whether"),
    "_to_latest_aside": ("latest",), "_want_to_know": ("to know",),
    "_programs_using_most": ("most",),
    "_trailing_count": ("tail", "top", "last", "journal", "log", "procs"),
    "_isnt_at_start": ("isn", "aren"), "_supposed_to_be": ("supposed", "meant"),
    "_not_in_state": ("isn", "is not", "aren", "are not"),
    "_was_upgraded": ("upgrade", "update", "install", "patch"), "_did_someone_delete": ("delete", "remove", "move"),
    "_host_down": ("down", " up", "alive", "dead", "offline", "online", "reachable", "responding", "answering"),
    "_thinks_resolves": ("think",), "_it_is_gone": ("gone", "removed", "uninstalled", "installed"),
    "_runs_on": ("runs",), "_standard_ref": ("benchmark", "control", "stig", "nist", "pci", "iso", "hipaa", "soc"),
    "_enough": ("enough", "plenty"), "_most_recent": ("most recent", "latest"),
    "_once_back": ("once", "as soon", "when", "after"),
    "_enabled_at_boot_too": ("enabled", "start at boot", "starts at boot"),
    "_for_the_script": ("script", "job", "team", "report", "project", "dashboard", "pipeline", "build", "test", "audit",
                        "review"),
    "_per_guidance": ("per ", "according to", "following", "in line with"),
    "_what_resolves": ("resolves",), "_please_action": ("action",), "_wont_start_at_boot": ("boot", "startup"),
    "_restart_loop": ("loop",), "_replace_line": ("replac",), "_hits": ("hits", "matches", "results", "occurrences"),
    "_i_need_details": ("need",), "_reachability": ("reachability",), "_sorry": ("sorry",),
    "_user_called": ("called", "named"), "_lead_asked": ("asked", "told", "wants"), "_duration": ("for ",),
    "_severity_tag": ("[",), "_use_host_for": ("use", "using"), "_top_by": ("top",),
    "_system_details": ("details", "specs", "facts"),
    "_done_report": ("done", "complete", "finished", "over", "success"),
    "_is_user_there": ("user", "account"), "_urgency": ("urgent", "asap", "important", "p1", "p2", "sev", "priority"),
    "_is_ok": ("ok", "fine", "healthy", "alright", "all right", "good", "happy"),
    "_path_on_host_has": ("contain", " has ", "include", "hold"),
    "_start_automatically": ("automatic", "boot", "start mode", "startup mode", "start type"),
    "_jobs_set_up": ("set up", "configured", "defined", "registered"),
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
       r"management|clients?|customers?)\s+(?:don'?t|do\s+not|won'?t|agreed|approved|said|asked|signed|confirmed|decided|"
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
@_rule(r"^\s*(?:the\s+)?same\s+(?:check|thing|again|here|please)?\s*(?:for|on)\s+[^:\n]{1,40}:\s*(?=\S)")
def _the_same_check(m: re.Match[str]) -> str:
    return ""


# "the database server's disk": one server named by its group, like "the database server"
@_rule(r"\b(?P<n>server|box|machine|host|vm|node)['’]s\b")
def _possessive_server(m: re.Match[str]) -> str:
    return m["n"]


# "whether the account jsmith exists", "the user account svc_backup exists": does that user exist
@_rule(r"(?P<check>\b(?:check\s+|confirm\s+|verify\s+)?(?:whether|if)\s+)?\b(?:the\s+)?(?:[a-z]+\s+)??(?:account|user)\s+"
       r"(?:named\s+|called\s+)?" + _NAME + r"\s+(?:still\s+|really\s+|actually\s+)?(?:exists?|is\s+there)\b")
def _account_named(m: re.Match[str]) -> str:
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
       r"(?:automatically|at\s+boot|on\s+boot|at\s+startup|on\s+startup)\b"
       r"|\bset\s+the\s+start(?:up)?\s+(?:mode|type)\s+of\s+(?:the\s+)?(?:service\s+)?(?P<n2>\x01\d+\x01|[\w.$-]+)\s+to\s+"
       r"(?P<mode>disabled|manual|automatic|auto)\b")
def _start_automatically(m: re.Match[str]) -> str:
    if m["n2"]:
        return f"{'disable' if m['mode'].lower() in ('disabled', 'manual') else 'enable'} {m['n2']}"
    return f"{'disable' if m['neg'] else 'enable'} {m['name']}"


# "dont reboot it just ping web-03", "check X, but don't restart it even if it isn't": what not to do is no step
@_rule(NEGATED)
def _negated(m: re.Match[str]) -> str:
    return " "


# "make sure /etc/app/app.conf on app-01 contains the line X": the host after what the file holds
@_rule(r"(?P<path>\S*[\\/]\S+|\x02\d+\x02)\s+on\s+(?P<h>" + _HOST + r")\s+(?P<v>contains|has|includes|holds)\b"
       r"(?P<tail>[^.?!\n]*)")
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
    return "check whether it is installed"


# "whether java runs on app-01": is it running
@_rule(r"\b(?P<w>whether|if)\s+" + _NAME + r"\s+runs\b")
def _runs_on(m: re.Match[str]) -> str:
    return f"{m['w']} {m['name']} is running"


# "(CIS benchmark 2.3.4)", "per NIST control AC-2": a standard's reference, not the cis hosts
@_rule(r"\(?\b(?:cis|nist|pci(?:[-\s]dss)?|iso(?:\s*27001)?|stig|hipaa|sox|soc\s*2)\s+(?:benchmark|controls?|level|section|"
       r"standard|requirements?|recommendations?|rec|hardening)\b[\w\s.:-]{0,20}\)?")
def _standard_ref(m: re.Match[str]) -> str:
    return " "


# "last 30 matches is enough", "20 lines is plenty": how much, already said
@_rule(r",?\s*\b(?:that'?s|that\s+is|is|are|should\s+be|would\s+be)\s+(?:more\s+than\s+)?(?:enough|plenty|fine|ok)\b")
def _enough(m: re.Match[str]) -> str:
    return ""


# "show the most recent 20": the last 20 lines
@_rule(r"\b(?:the\s+)?(?:most\s+recent|latest)\s+(?P<n>\d{1,5})\b(?!\s*(?:lines|entries|events|matches|records|messages))")
def _most_recent(m: re.Match[str]) -> str:
    return f"last {m['n']} lines"


# "ping it once it's back", "check it when it's up again": the order, already implied
@_rule(r"\s*,?\s*\b(?:once|as\s+soon\s+as|when|after)\s+it(?:'s|’s|\s+is|\s+has|\s+comes)\s+(?:back|up|done|finished|"
       r"rebooted|restarted|online)(?:\s+(?:again|up|online))?\b")
def _once_back(m: re.Match[str]) -> str:
    return ""


# "start postgresql on db-04 and make sure it's enabled at boot": enable it too
@_rule(r"\bmake\s+sure\s+(?:that\s+)?it(?:'s|’s|\s+is)\s+(?:enabled(?:\s+(?:at|on)\s+boot)?|set\s+to\s+start\s+(?:at|on)\s+boot)"
       r"|\bmake\s+sure\s+(?:that\s+)?it\s+starts\s+(?:at|on)\s+boot\b")
def _enabled_at_boot_too(m: re.Match[str]) -> str:
    return "enable it"


# "need jq on db-03 for the backup script": what it is for
@_rule(r"\s*\bfor\s+(?:the|our|a|my|their)\s+(?:[\w-]+\s+){0,2}(?:script|job|team|report|project|dashboard|pipeline|build|"
       r"tests?|audit|review)\b")
def _for_the_script(m: re.Match[str]) -> str:
    return " "


# "Per the Spooler hardening guidance, ...", "According to the runbook,": why, not what
@_rule(r"^\s*(?:per|as\s+per|according\s+to|following|in\s+line\s+with)\s+(?:the\s+|our\s+)?[^,.\n]{1,60}?"
       r"(?:guidance|guideline|policy|standard|benchmark|advisory|ticket|request|runbook|change|email|instructions?|"
       r"review|audit|recommendation)s?\b\s*,?")
def _per_guidance(m: re.Match[str]) -> str:
    return ""


# "check what sqlprod.corp.example.com resolves to on cis-01"
@_rule(r"\b(?:check\s+)?what\s+(?P<n>[\w-]+(?:\.[\w-]+)+)\s+resolves\s+to\b")
def _what_resolves(m: re.Match[str]) -> str:
    return f"what does {m['n']} resolve to"


# "pls action - check disk usage on both": the ask that follows
@_rule(r"(?:^|(?<=\x03))\s*(?:pls|please|kindly)\s+(?:action|actioned|advise|assist|handle)\b\s*[-—–:,.]*\s*")
def _please_action(m: re.Match[str]) -> str:
    return " "


# "make sure it doesn't start again on boot": disable it
@_rule(r"\bmake\s+sure\s+(?:that\s+)?it\s+(?:doesn'?t|does\s+not|won'?t|will\s+not|can'?t)\s+(?:start|come\s+up|run)"
       r"(?:\s+(?:up|again))*\s+(?:on|at|after)\s+(?:boot|startup|reboot|restart)\b")
def _wont_start_at_boot(m: re.Match[str]) -> str:
    return "disable it"


# "container 'payments' restart loop", "crashlooping": a state, not an instruction
@_rule(r"\b(?:re)?(?:start|boot)[\s-]?loop(?:ing)?\b|\bcrash[\s-]?loop(?:ing|backoff)?\b")
def _restart_loop(m: re.Match[str]) -> str:
    return "crashlooping"


# "(replace the line matching ^LOG_LEVEL=)", ", replace line matching ^PollInterval=": which line to replace
@_rule(r"[,(]?\s*\b(?:and\s+)?replac(?:e|ing)\s+(?:the\s+|whatever\s+|any\s+)?(?:existing\s+)?lines?\s+(?:that\s+)?(?P<how>matching|matches)"
       r"\s+(?P<x>\^?[^\s\x01\x02,)]+)\)?")
def _replace_line(m: re.Match[str]) -> str:
    x = m["x"].rstrip(".")  # a sentence's full stop is not part of the pattern
    return f' replacing the line matching "{x}"' + m["x"][len(x):]


# "; last 30 hits", ", first 10 matches": how many lines
@_rule(r"[;,]?\s*\b(?:the\s+)?(?:last|latest|most\s+recent|first)\s+(?P<n>\d{1,5})\s+(?:hits|matches|results|occurrences)\b")
def _hits(m: re.Match[str]) -> str:
    return f" last {m['n']} lines"


# "; I need size and checksum", " - need owner and checksum for the baseline": what the answer is for
@_rule(r"\s*(?:[;,]|\s[-–—])\s*(?:i\s+|we\s+)?need\s+(?:the\s+|its\s+)?(?:size|owner|checksum|details|info|output|"
       r"results?|numbers?|version|state|status)\b[^.?!\n]*")
def _i_need_details(m: re.Match[str]) -> str:
    return ""


# "reachability app-01 -> db-01:5432", "check reachability of db-01:5432 from app-02"
@_rule(r"\b(?:check\s+)?reachability\s+(?:from\s+)?(?P<a>" + _HOST + r")\s+(?:to|->)\s+(?P<ep>[\w.-]+:\d{1,5})"
       r"|\b(?:check\s+)?reachability\s+of\s+(?P<ep2>[\w.-]+:\d{1,5})\s+from\s+(?P<a2>" + _HOST + r")")
def _reachability(m: re.Match[str]) -> str:
    return f"can {m['a'] or m['a2']} reach {m['ep'] or m['ep2']}"


@_rule(r"^\s*(?:(?:hi|hey|hello)\s*,?\s*)?sorry\b\s*[,.!-]*\s*")
def _sorry(m: re.Match[str]) -> str:
    return ""


# "is there a user called 'jdoe' on app-02?"
@_rule(r"\bis\s+there\s+(?:a|an)\s+(?:local\s+|domain\s+)?(?:user|account)\s+(?:called|named)\s+" + _NAME)
def _user_called(m: re.Match[str]) -> str:
    return f"does the user {m['name']} exist"


# "my lead asked me to check ...": who asked
@_rule(r"\b(?:my|our)\s+(?:lead|manager|boss|team\s*lead|supervisor|colleague)\s+(?:asked|told|wants|wanted)\s+"
       r"(?:me|us)\s+to\s+")
def _lead_asked(m: re.Match[str]) -> str:
    return ""


# "unreachable for 3m", "CPU 98% for 10min": how long, not where
@_rule(r"\s*\bfor\s+(?:the\s+(?:last|past)\s+)?\d+\s*(?:s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?)\b")
def _duration(m: re.Match[str]) -> str:
    return " "


# "[CRIT] 03:02 W3SVC stopped ...", "[WARN] /var/log/app full ...": a severity tag and a time
@_rule(r"^\s*\[(?:crit|critical|warn|warning|err|error|info|alert|p[1-4]|sev\s*[1-4])\]\s*(?:\d{1,2}:\d{2}(?::\d{2})?\s*)?")
def _severity_tag(m: re.Match[str]) -> str:
    return ""


# "Use web-01 for the check.": where to run it
@_rule(r"\b(?:use|using)\s+(?P<h>" + _HOST + r")\s+for\s+(?:the|this|that|it)\b(?:\s+(?:check|test|lookup))?")
def _use_host_for(m: re.Match[str]) -> str:
    return f"on {m['h']}"


# "Top 5 by memory": the top processes
@_rule(r"\btop\s+(?P<n>\d{1,3})\s+(?=by\s+(?:cpu|memory|mem|ram)\b)")
def _top_by(m: re.Match[str]) -> str:
    return f"top {m['n']} processes "


# "the system details (OS, memory, CPU) of mon-01": system info
@_rule(r"\b(?:system|host|machine|server|hardware)\s+(?:details|specs|facts)\b(?:\s*\([^)]*\))?")
def _system_details(m: re.Match[str]) -> str:
    return "system info"


# "(PrintNightmare hardening, ticket MSP-4471)": where the request comes from
@_rule(r"\s*\((?=[^()]*\b(?:ticket|chg|inc|ref|see|per|hardening|req|request|case|jira|sec)\b)[^()]{1,80}\)")
def _ticket_aside(m: re.Match[str]) -> str:
    return " "


# "how do I know if web-05 is up?": check whether it is
@_rule(r"\bhow\s+(?:do|can|would|could)\s+(?:i|we|you)\s+(?:know|tell|check|see|find\s+out)\s+(?:if|whether)\s+")
def _how_do_i_know(m: re.Match[str]) -> str:
    return "check whether "


# "my lead said restarting it is ok": restart it
@_rule(r"(?:\b(?:my|our)\s+\w+\s+(?:said|says|agreed)\s+(?:that\s+)?)?\b(?P<v>restart|reboot|stopp|start|kill|bounc)"
       r"(?:ing)\s+it\s+(?:is|'s)\s+(?:ok|okay|fine|approved|allowed)\b")
def _doing_it_is_ok(m: re.Match[str]) -> str:
    verb = {"stopp": "stop", "bounc": "restart"}.get(m["v"].lower(), m["v"].lower())
    return f"{verb} it"


# "i am not technical, but", "i was told the Spooler ... needs to be restarted": who is asking, and why
@_rule(r"^\s*(?:i'?m|i\s+am)\s+not\s+(?:very\s+|a\s+|an\s+)?(?:technical|techie|admin|expert|it\s+person)\s*[,.]?\s*(?:but\s+|so\s+)?")
def _not_technical(m: re.Match[str]) -> str:
    return ""


@_rule(r"\b(?:i\s+was|i'?ve\s+been|we\s+were|we'?ve\s+been)\s+told\s+(?:that\s+)?")
def _was_told(m: re.Match[str]) -> str:
    return ""


# "our auditors want to know if openssl is installed": check whether it is
@_rule(r"\b(?:(?:our|the|my)\s+)?(?:\w+\s+)?(?:want|wants|would\s+like|need|needs)\s+to\s+know\s+(?:if|whether)\s+")
def _want_to_know(m: re.Match[str]) -> str:
    return "check whether "


# "which programs are using the most processor time": the top processes
@_rule(r"\b(?:which|what)\s+(?:programs|processes|apps|applications|things|tasks)\s+(?:are\s+)?(?:using|eating|hogging|"
       r"taking)\s+(?:up\s+)?(?:the\s+)?most\s+(?P<r>cpu|processor(?:\s+time)?|memory|ram)\b")
def _programs_using_most(m: re.Match[str]) -> str:
    return f"top processes by {'memory' if m['r'].lower() in ('memory', 'ram') else 'cpu'}"


# Terse chat with the count last: "tail /var/log/syslog db-01 200", "iis-01 top procs by memory 10"
@_rule(r"(?P<head>\b(?:tail|top|last|journal|log|procs?|processes)\b[^\n\x01\x02]*?\s)(?P<n>\d{1,5})\s*$")
def _trailing_count(m: re.Match[str]) -> str:
    head, n = m["head"], m["n"]
    if re.search(r"\b(?:for|matching|containing|id|event|code)\s*$", head, re.IGNORECASE):
        return m.group(0)  # "search the Security log for 4625": an event id to find, not a count
    if re.search(r"\b(?:top|procs?|processes)\b", head, re.IGNORECASE):
        if re.search(r"\btop\s+\d", head, re.IGNORECASE):
            return m.group(0)
        return re.sub(r"\btop\b", f"top {n}", head, count=1, flags=re.IGNORECASE) if re.search(
            r"\btop\b", head, re.IGNORECASE) else f"{head.rstrip()} top {n}"
    if re.search(r"\b(?:last|lines?)\s+\d|port|:\d", head, re.IGNORECASE):
        return m.group(0)
    return f"{head}{n} lines" if re.search(r"\blast\s+$", head, re.IGNORECASE) else f"{head}last {n} lines"


# "the openssl software": the package
@_rule(r"\b(?P<n>[A-Za-z0-9][\w.+-]*)\s+software\b")
def _software(m: re.Match[str]) -> str:
    from app.planner.wording import NOT_NAME_START

    if m["n"].lower() in NOT_NAME_START | {"the", "some", "any", "which", "what"}:
        return m.group(0)
    return f"{m['n']} package"


# "Is web-05 even alive?": whether it is
@_rule(r"\b(?:even|actually|really|still)\s+(?=(?:alive|up|running|there|reachable|responding|online)\b)")
def _even_alive(m: re.Match[str]) -> str:
    return ""


# "Turn off cron at boot on web-05": disable it; "turn on X at boot": enable it
@_rule(r"\bturn\s+(?P<d>off|on)\s+" + _NAME + r"(?:\s+service)?\s+(?:at|on|during)\s+(?:boot|startup|start-up)\b")
def _turn_off_at_boot(m: re.Match[str]) -> str:
    return f"{'disable' if m['d'].lower() == 'off' else 'enable'} {m['name']}"


# "Patch openssl on ... (update to latest).": the same instruction, said again
@_rule(r"\s*\((?:update\s+|upgrade\s+)?to\s+(?:the\s+)?latest(?:\s+version)?\)")
def _to_latest_aside(m: re.Match[str]) -> str:
    return " to latest"


# "disable cups so it doesn't come up at boot": why, already said by 'disable'
@_rule(r"\s*,?\s*\bso\s+(?:that\s+)?it\s+(?:doesn'?t|doesnt|does\s+not|won'?t|wont|will\s+not)\s+(?:come\s+up|start|run)"
       r"(?:\s+(?:up|again))*(?:\s+(?:at|on|after)\s+(?:boot|startup|reboot))?")
def _so_it_wont_start(m: re.Match[str]) -> str:
    return ""


# "until the release is out", "till the migration is done": for how long, not what
@_rule(r"\s*,?\s*\b(?:until|till)\s+(?:the\s+|our\s+)?(?:[\w-]+\s+){0,3}?(?:is|are|has\s+been|have\s+been)\s+"
       r"(?:out|done|over|finished|released|complete[d]?|shipped|live)\b")
def _until_done(m: re.Match[str]) -> str:
    return ""


# "Ref. AU-12.", "see KB-4411", "per NIST AC-2": a reference, not a name
@_rule(r"\s*\b(?:ref(?:erence)?\.?|see|per)\s*:?\s*(?-i:[A-Z]{1,6})-\d{1,6}(?:\(\d+\))?\b\.?")
def _ref_id(m: re.Match[str]) -> str:
    return " "


# "customer asks to set ...", "the client wants us to restart ...": what they ask for
@_rule(r"\b(?:the\s+|a\s+|our\s+)?(?:customer|client|user|team|tenant|they|he|she)\s+(?:asks?|asked|wants?|wanted|would\s+like)"
       r"\s+(?:us\s+|you\s+)?to\s+")
def _customer_asks(m: re.Match[str]) -> str:
    return ""


# "Once that's in, please start ...": after the step before
@_rule(r"^\s*(?:once|when|after)\s+(?:that|this|it)(?:'s|’s|\s+is|\s+has\s+been)\s+(?:in|done|installed|finished|through|"
       r"applied|deployed)\s*,?\s*")
def _once_thats_in(m: re.Match[str]) -> str:
    return ""


# "patch day!!": the occasion
@_rule(r"\bpatch\s+(?:day|tuesday|night|window|weekend)\b[!.,:\s-]*")
def _patch_day(m: re.Match[str]) -> str:
    return " "


# "(AC-2 account review)", "(CM-7)": a control's id, not a host
@_rule(r"\s*\((?=[^()]*\b(?-i:[A-Z]{1,4})-\d{1,3}\b)[^()]{0,60}\)")
def _control_ref(m: re.Match[str]) -> str:
    return " "


# ", per hardening baseline HB-14", "per end-of-life notice EOL-3": why, with a reference
@_rule(r",?\s*\bper\s+(?:the\s+)?(?:[\w-]+\s+){0,4}?(?-i:[A-Z]{2,6})-\d{1,4}\b\.?")
def _per_ref(m: re.Match[str]) -> str:
    return " "


# "for root cause analysis", "For the inventory:": what it is for
@_rule(r"^\s*for\s+(?:the\s+|our\s+)?(?:inventory|audit|records|compliance|review)\s*[:,]\s*"
       r"|\s*\bfor\s+(?:the\s+|our\s+)?(?:root\s+cause\s+analysis|rca|analysis|investigation|troubleshooting|debugging|"
       r"audit(?:\s+evidence)?|evidence|records|inventory|compliance|reporting|statistics\s+course|course|class|students|"
       r"workshop)\b")
def _for_analysis(m: re.Match[str]) -> str:
    return " "


# "search ... for the text 'SqlException'": the text is the pattern
@_rule(r"\bfor\s+the\s+(?:text|string|word|phrase|pattern|message)\s+(?=\x01)")
def _the_text(m: re.Match[str]) -> str:
    return "for "


# "within the approved window (22:00-23:00)", "prior to cut-over", "and confirm return to service"
@_rule(r"\s*\b(?:within|during|in)\s+the\s+(?:approved\s+|agreed\s+|maintenance\s+|change\s+)*window\b(?:\s*\([^)]*\))?"
       r"|\s*\b(?:prior\s+to|before|ahead\s+of)\s+(?:the\s+)?cut-?over\b"
       r"|\s*,?\s*\band\s+confirm\s+(?:its\s+|the\s+)?return\s+to\s+service\b|\s*,?\s*maint(?:enance)?\s+window\s+approved\b")
def _window(m: re.Match[str]) -> str:
    return " "


# "0320 - restart W3SVC": a night shift's clock
@_rule(r"^\s*(?:[01]\d|2[0-3])[0-5]\d\s*[-–—:]\s+")
def _clock_prefix(m: re.Match[str]) -> str:
    return ""


# ", clinicians getting 503s": what they see
@_rule(r",\s*(?:the\s+)?(?:\w+\s+){0,2}(?:are\s+|keep\s+|keeps\s+)?(?:getting|seeing|hitting|reporting|complaining\s+about)\s+"
       r"[^,.;\n]*")
def _getting_errors(m: re.Match[str]) -> str:
    return ""


# "... from it to confirm": why
@_rule(r"\s+to\s+(?:confirm|verify|double-?check|make\s+sure)(?:\s+(?:it\s+works|connectivity|it'?s\s+(?:up|back)))?"
       r"\s*(?=[.!?]|$)")
def _to_confirm(m: re.Match[str]) -> str:
    return ""


# "the PACS viewer box app-03": the host, described
@_rule(r"\bthe\s+(?:[\w-]+\s+){1,3}?(?:box|server|machine|vm|node)\s+(?=" + _HOST + r"\b)")
def _the_x_box(m: re.Match[str]) -> str:
    return ""


# ", same problem there", "for now": said before, or for how long
@_rule(r"\s*,?\s*\bsame\s+(?:problem|issue|thing)(?:\s+(?:there|here|as\s+before))?\b|\s+for\s+now\b")
def _same_problem(m: re.Match[str]) -> str:
    return " "


# "check the price file is there on the cis boxes": which file? (no path given)
@_rule(r"\b(?:check|see|verify)\s+(?:if\s+|whether\s+|that\s+)?the\s+[\w-]+\s+file\s+is\s+(?:there|present)\b")
def _file_is_there(m: re.Match[str]) -> str:
    return "check the file"


# "Rollback per standard procedure.": a plan's note, not a step
@_rule(r"(?:^|(?<=[.!?\x03]))\s*roll[\s-]?back\s+(?:per|as\s+per|according\s+to|via|using|is|by)\b[^.\n]*\.?")
def _rollback_note(m: re.Match[str]) -> str:
    return " "


# "; subject, issuer and expiry are required for the audit evidence": what the answer must hold
@_rule(r"\s*[;,]\s*(?:the\s+)?(?:subject|issuer|expiry|owner|size|checksum|version|details|output)(?:[\s,]+(?:and\s+)?\w+){0,4}"
       r"\s+(?:are|is)\s+(?:required|needed)\b[^.]*")
def _are_required(m: re.Match[str]) -> str:
    return ""


# "Confirm the existence and group membership of account 'svc_netbank'": check that user
@_rule(r"\bconfirm\s+the\s+existence\s+(?:and\s+[\w\s]+?\s+)?of\s+(?:the\s+)?(?:user\s+)?account\s+" + _NAME)
def _existence_of(m: re.Match[str]) -> str:
    return f"check the user {m['name']}"


# "restart IIS on iis-02 (service W3SVC)": the name in brackets is the one
@_rule(r"\b(?P<x>[\w-]+)\s+(?P<rest>on\s+\S+\s+)?\((?:the\s+)?(?:service|package|process)\s+(?P<n>\x01\d+\x01|[\w.$-]+)\)")
def _paren_service(m: re.Match[str]) -> str:
    return f"{m['n']} {m['rest'] or ''}"


# "Riverside Dental asks us to restart ...": who asks
@_rule(r"\b(?-i:[A-Z][\w&.'-]*)(?:\s+(?-i:[A-Z][\w&.'-]*)){0,3}\s+(?:asks?|asked|wants?)\s+(?:us\s+|you\s+)?to\s+")
def _named_asks(m: re.Match[str]) -> str:
    return ""


# "customer asks if ImageMagick is installed": check whether
@_rule(r"\b(?:the\s+)?(?:customer|client|user|they|he|she)\s+(?:asks|asked)\s+(?:if|whether)\s+")
def _asks_if(m: re.Match[str]) -> str:
    return "check whether "


# "I was going to ask X, but actually, could we simply Y": Y
@_rule(r"^(?P<pre>[^.?!\n]*?)\bbut\s+actually,?\s+(?P<post>.*)$", re.IGNORECASE | re.DOTALL)
def _but_actually(m: re.Match[str]) -> str:
    hosts = re.findall(_HOST, m["pre"])
    post = m["post"]
    if hosts and re.search(r"\bthere\b", post):  # "...on web-01, but actually, enable it there and on web-02"
        post = re.sub(r"\bthere\b", f"on {hosts[-1]}", post, count=1)
    return post


# "Would it be possible to install X": install X
@_rule(r"\b(?:would|will|could)\s+it\s+be\s+possible\s+to\s+|\bis\s+it\s+possible\s+to\s+")
def _be_possible(m: re.Match[str]) -> str:
    return ""


# "... so I can scrape them": why
@_rule(r"\s*,?\s*\bso\s+(?:that\s+)?(?:i|we|they|you|the\s+\w+)\s+(?:can|could|may)\s+[^,.;?!\n]*")
def _so_i_can(m: re.Match[str]) -> str:
    return ""


# ", purely as a test in dev": why
@_rule(r"\s*,?\s*(?:purely|just|only)?\s*as\s+a\s+test(?:\s+(?:in|on)\s+\w+)?\b")
def _as_a_test(m: re.Match[str]) -> str:
    return ""


# "before tomorrow's workshop": when, not what
@_rule(r"\s*\b(?:before|ahead\s+of)\s+(?:the\s+|our\s+|tomorrow'?s\s+|today'?s\s+|tonight'?s\s+|next\s+)?"
       r"(?:[\w-]+\s+)?(?:workshop|meeting|demo|class|event|launch|presentation|go-?live|exam|lecture|standup|audit)\b")
def _before_event(m: re.Match[str]) -> str:
    return " "
