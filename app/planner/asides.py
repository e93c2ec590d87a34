"""What goes around an instruction in chat and tickets and is no part of it: references to standards ('(CIS
benchmark 2.3.4)'), "is enough", "once it's back", "for the backup script", "Per the hardening guidance,", "pls
action -", a bot's severity tag and clock, durations ("for 10min"), "Use web-01 for the check", terse counts at
the end ("tail /var/log/syslog db-01 200"), and values said another way ("Top 5 by memory", "system details").

The rewrites run inside ``app.planner.normalize`` after ``app.planner.staff``'s, on text whose quoted values and
Windows paths are held out; each is one family of phrasings, never one sentence.
"""
from __future__ import annotations

import re
from collections.abc import Callable

from app.planner.rewrite import registrar
from app.planner.staff import _HOST, _NAME

REWRITES: list[tuple[str, int, Callable[[re.Match[str]], str]]] = []

_rule = registrar(REWRITES, needs={
    "_so_it_survives": ("so ",), "_needful": ("needful",),
    "_standard_ref": ("benchmark", "control", "stig", "nist", "pci", "iso", "hipaa", "soc"),
    "_enough": ("enough", "plenty"), "_most_recent": ("most recent", "latest"),
    "_once_back": ("once", "as soon", "when", "after"),
    "_enabled_at_boot_too": ("enabled", "start at boot", "starts at boot"),
    "_for_the_script": ("script", "job", "team", "report", "project", "dashboard", "pipeline", "build", "test", "audit",
                        "review"),
    "_per_guidance": ("per ", "according to", "following", "in line with"), "_per_record": ("per",),
    "_use_regex": ("regex", "pattern"), "_at_least": ("at least",),
    "_someone_wants_to_see": ("want", "need", "would like"), "_room_to_install": ("room", "space"),
    "_they_say": ("say", "said", "think", "thought", "report", "claim"), "_find_out": ("find out", "like to know"),
    "_once_done": ("done", "finished", "complete"),
    "_the_one_asked_for": ("asked", "wanted", "requested", "mentioned", "needed", "talked"),
    "_like_we_did": (" did ", "same as", "like "),
    "_before_anybody": ("before",), "_to_see_the_code": (" to ", " so "), "_purpose": (" to ",),
    "_revert_back": ("revert",), "_rollback_if": ("roll",), "_salutation": ("dear", "hello", "hi", "hey", "good "),
    "_because": ("because", "cause", "coz", "cuz"), "_tell_me_when_it": ("tell", "let"),
    "_then_i": ("then i", "then we"),
    "_someone_mentioned": ("mention", "asked", "want", "request", "suggest", "recommend", "talked", "said", "told",
                           "sent", "need", "flagged"),
    "_and_report": ("report", "tell", "let ", "send", "paste", "post", "attach", "share", "put"),
    "_please_action": ("action",), "_wont_start_at_boot": ("boot", "startup"), "_restart_loop": ("loop",),
    "_replace_line": ("replac",), "_hits": ("hits", "matches", "results", "occurrences"),
    "_last_quoted": ("last", "latest", "recent", "newest"), "_i_need_details": ("need",),
    "_reachability": ("reachability",), "_sorry": ("sorry",), "_user_called": ("called", "named"),
    "_lead_asked": ("asked", "told", "wants"), "_duration": ("for ",), "_severity_tag": ("[",), "_tool_tag": ("[",),
    "_use_host_for": ("use", "using"), "_top_by": ("top",), "_system_details": ("details", "specs", "facts"),
    "_ticket_aside": ("(",),
    "_how_do_i_know": ("how do", "how can"), "_doing_it_is_ok": ("ing it is", "ing it's"),
    "_not_technical": ("technical", "admin", "expert"), "_was_told": ("told",), "_want_to_know": ("to know",),
    "_programs_using_most": ("most",), "_trailing_count": ("tail", "top", "last", "journal", "log", "procs"),
})


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
@_rule(r"(?:^|(?<=\x03))\s*(?:per|as\s+per|according\s+to|following|in\s+line\s+with)\s+(?:the\s+|our\s+)?[^,.\n]{1,60}?"
       r"(?:guidance|guideline|policy|standard|benchmark|advisory|ticket|request|runbook|change|email|instructions?|"
       r"review|audit|recommendation)s?\b\s*,?")
def _per_guidance(m: re.Match[str]) -> str:
    return ""


# "As per the postmortem, restart ...", "remove telnet from db-03 as per the audit findings", "..., per INC-3390":
# the reason or the record, not part of the instruction (never across a target's "on"/"from")
@_rule(r"(?:^|\s*,|\s*-)?\s*\b(?:as\s+)?per\s+(?:(?:the|our|my|your|his|her|their|this|that|today'?s|yesterday'?s|"
       r"last\s+night'?s)\s+(?:(?!\b(?:on|from|at|in|across)\b)[^,.;!?\n]){1,50}?(?=\s*(?:$|[,.;!?]))|[A-Z]{2,}-\d+\b"
       r"|(?=\s*(?:$|[.;!?])))\s*,?")
def _per_record(m: re.Match[str]) -> str:
    return " "


# "can you at least see whether iis-02 is reachable": how much is hoped for, not a target
@_rule(r"\bat\s+least\s+(?=(?:see|check|tell|ping|try|confirm|verify|show|look|find|get|restart|start|give)\b)")
def _at_least(m: re.Match[str]) -> str:
    return ""


# "install the package ops asked for", "deploy the tool the devs wanted": which one is not said
@_rule(r"\b(?P<what>the\s+(?:package|service|app|application|tool|thing|one|update|version))\s+(?:that\s+)?"
       r"(?!(?:is|was|on|from|to|in)\b)(?:[\w-]+\s+){1,2}?(?:asked|wanted|requested|mentioned|needed|talked\s+about)"
       r"(?:\s+for|\s+about)?\b")
def _the_one_asked_for(m: re.Match[str]) -> str:
    return f"{m['what']} "


# "..., then read the cert and tell me when it expires": what the step answers, said again
@_rule(r"\s*,?\s+and\s+(?:then\s+)?(?:tell|let)\s+(?:me|us)\s+(?:know\s+)?(?:when|whether|if|how\s+\w+|what)\s+"
       r"(?:it|they|that|this)\b[^.;\n]*")
def _tell_me_when_it(m: re.Match[str]) -> str:
    return ""


# "... and report the days left", "..., and paste the output in the ticket": what to do with the answer, not a step
@_rule(r"\s*,?\s+(?:and\s+)?(?:then\s+)?(?:report|tell\s+(?:me|us)|let\s+(?:me|us)\s+know|send\s+(?:me|us)|paste|post|"
       r"attach|share|put)\b(?:\s+(?:back|the|its|their|about|me|us|what|how\s+many|any|all|in|into|to|on|"
       r"days?\s+left|expiry|expiration|output|results?|status|state|findings|details|numbers|it|them|that|this|"
       r"everything|anything|ticket|chat|channel|here|thread|date|dates|answer))+\s*(?=$|[.!?\n])")
def _and_report(m: re.Match[str]) -> str:
    return ""


# "install the package Raj mentioned", "the version the devs asked for": who said it, not the object's name
@_rule(r"\b(?P<kw>package|service|app|application|container|process|version|build|update|patch|fix|tool|file|one)\s+"
       r"(?:that\s+)?(?P<who>(?-i:[A-Z][a-z]+)|the\s+\w+|our\s+\w+|my\s+\w+|they|he|she|we|you)\s+(?:mentioned|asked\s+(?:for|about)|"
       r"wanted|wants|requested|suggested|recommended|talked\s+about|said|told\s+(?:me|us)\s+about|sent|needs?|flagged)\b")
def _someone_mentioned(m: re.Match[str]) -> str:
    return m["kw"]


# "..., then i move on to the db checks": what the operator does next, not a step
@_rule(r",?\s*(?:and\s+)?then\s+(?:i|we)(?:'ll|\s+will|\s+can|\s+am\s+going\s+to|\s+are\s+going\s+to)?\s+(?:move\s+on|"
       r"continue|go\s+(?:on|back)|head|switch|take\s+it\s+from\s+there|handle|deal\s+with|do\s+the\s+rest)\b[^.;\n]*")
def _then_i(m: re.Match[str]) -> str:
    return ""


# "Dear support, ...", "Good morning team, ...": the greeting of a letter
@_rule(r"^\s*(?:dear|hello|hi|hey|good\s+(?:morning|afternoon|evening))\s+(?:[A-Za-z]+\s*){0,2}[,!:]\s*")
def _salutation(m: re.Match[str]) -> str:
    return ""


# "restart it like we did on web-02 last week": how it was done elsewhere, not another host to do it on
@_rule(r"\s*,?\s+(?:like|as|same\s+as|just\s+like)\s+(?:we|you|i|they|someone)\s+did\s+(?:it\s+)?(?:on|for|with|to)\s+\S+"
       r"(?:\s+(?:last\s+\w+|yesterday|earlier|before|this\s+morning))?"
       r"|^\s*(?:(?:same|just)\s+as|like\s+(?:we|you|i)\s+did\s+(?:it\s+)?(?:on|for|with)|like)\s+[\w.-]+"
       r"(?:\s+(?:last\s+\w+|yesterday|earlier|before|this\s+morning))?\s*[:,-]\s*")
def _like_we_did(m: re.Match[str]) -> str:  # ("same as cis-01 yesterday: restart Spooler on cis-02": the model)
    return ""


# "Before anybody restarts W3SVC on iis-01, just tell me its current state": when, not what to do
@_rule(r"^\s*before\s+(?:anybody|anyone|someone|somebody|we|i|you)\s+[^,]{1,60},\s*(?:just\s+|please\s+)?")
def _before_anybody(m: re.Match[str]) -> str:
    return ""


# "kill java on app-01 because it's ignoring SIGTERM": why, not what
@_rule(r"\s*,?\s+(?:because|cause|coz|cuz)\s+(?:it|they|the|this|that|we|i|our|he|she|its|theyre|there)\b[^.;!?\n]*")
def _because(m: re.Match[str]) -> str:
    return ""


# "... fetch http://localhost/ping from there to see the code": what the step shows, not another step
@_rule(r"\s+(?:to|so\s+(?:i|we)\s+(?:can|could))\s+(?:see|get|check|know|read)\s+(?:the\s+|its\s+|what\s+)?(?:(?:http|status|"
       r"response|return|exit)\s+)?(?:code|result|answer|output|it\s+(?:returns|says|gives))\b[^,.;\n]*")
def _to_see_the_code(m: re.Match[str]) -> str:
    return ""


# "... then fetch http://localhost/ to confirm it's serving": why the step, not another step
@_rule(r"\s+to\s+(?:confirm|verify|check|see|make\s+sure|ensure|double-check)\s+(?:that\s+|whether\s+|if\s+)?(?:it'?s|it\s+is|"
       r"its|they'?re|they\s+are|it|they)\s+(?:really\s+|actually\s+|still\s+)?(?:serving|up|down|back|working|running|ok|"
       r"fine|alive|healthy|responding|reachable|gone|there|answers|responds|works|comes\s+(?:back|up)|starts)\b[^,.;\n]*")
def _purpose(m: re.Match[str]) -> str:
    return ""


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


# ", use regex ^max-players= to find the line to replace": which line to replace
@_rule(r"[,;]?\s*\b(?:and\s+)?use\s+(?:the\s+)?(?:regex|regexp|pattern)\s+(?P<x>\x01\d+\x01|\^?[^\s\x01\x02,]+)\s+to\s+"
       r"(?:find|match|locate|pick|select)\s+(?:the\s+)?line(?:\s+to\s+replace)?\b")
def _use_regex(m: re.Match[str]) -> str:
    return f", replacing the line matching {m['x']}"  # quoted by _replace_line below


# "(replace the line matching ^LOG_LEVEL=)", ", replace line matching ^PollInterval=": which line to replace
@_rule(r"[,(]?\s*\b(?:and\s+)?replac(?:e|ing)\s+(?:(?:the\s+|whatever\s+|any\s+)?(?:existing\s+)?lines?\s+(?:that\s+)?|"
       r"(?:whatever|anything)\s+(?:that\s+)?)(?P<how>matching|matches|match)"
       r"\s+(?P<x>\x01\d+\x01|\^?[^\s\x01\x02,)]+)\)?")
def _replace_line(m: re.Match[str]) -> str:
    if m["x"].startswith("\x01"):  # ", replacing any line matching '^#?X'": quoted already (not the instruction)
        aside = "replacing" in m.group(0).lower() or m.group(0).lstrip()[:1] in ",("
        return f" replacing the line matching {m['x']}" if aside else m.group(0)
    x = m["x"].rstrip(".")  # a sentence's full stop is not part of the pattern
    return f' replacing the line matching "{x}"' + m["x"][len(x):]


# "find the last 10 'Login failed' lines in <log> on cis-02": a search for what is quoted, that many lines
@_rule(r"\b(?:find|show|get|pull|list|grep|give\s+me)\s+(?:me\s+)?(?:the\s+)?(?:(?:last|latest|most\s+recent|newest)\s+"
       r"(?P<n>\d{1,5})|(?P<n2>\d{1,5})\s+(?:last|latest|most\s+recent|newest))\s+(?P<q>\x01\d+\x01)\s+(?:lines?|entries|events|"
       r"messages|errors|hits|matches|records)\s+(?P<rest>(?:in|from|out\s+of)\s+[^\n]*?)\s*[.!]?\s*$")
def _last_quoted(m: re.Match[str]) -> str:
    rest = re.sub(r"^out\s+of\b", "in", m["rest"])
    return f"search for {m['q']} {rest}, last {m['n'] or m['n2']} lines"


# "... and revert back", "revert back to me": reply (Indian English), not a rollback
@_rule(r"\s*,?\s*(?:and\s+)?(?:kindly\s+|please\s+)?revert\s+back(?:\s+to\s+(?:me|us))?(?:\s+(?:asap|soon))?\b")
def _revert_back(m: re.Match[str]) -> str:
    return ""


# "Replace the executable ... Roll back if the service does not start": what an application update does anyway
@_rule(r"\s*[,.;]?\s*(?:and\s+)?(?:please\s+)?roll\s*-?back\s+(?:if|when|on|in\s+case)\b[^.;\n]*")
def _rollback_if(m: re.Match[str]) -> str:
    return "" if re.search(r"\b(?:update|replace|roll\s+out|deploy|upgrade|swap)\b", m.string, re.I) else m.group(0)


# "; last 30 hits", ", first 10 matches", "and give me the last 20 hits": how many lines (of the search before)
@_rule(r"(?P<sep>[;,]\s*|\s+and\s+(?:give|show|send|get|return)\s+(?:me\s+|us\s+)?)?\s*\b(?:the\s+)?"
       r"(?:(?:last|latest|most\s+recent|first)\s+(?P<n>\d{1,5})|(?P<n2>\d{1,5})\s+(?:last|latest|most\s+recent|newest))\s+"
       r"(?:hits|matches|results|occurrences)\b")
def _hits(m: re.Match[str]) -> str:  # ("20 most recent hits" too)
    return f"{',' if m['sep'] else ''} last {m['n'] or m['n2']} lines"


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


# "sorry to bother you, but ...", "sorry for the noise, ...": courtesy before the ask
@_rule(r"^\s*(?:(?:hi|hey|hello)\s*,?\s*)?(?:sorry|apologies)\b(?:\s+(?:to\s+(?:bother|trouble|bug|ping|disturb|ask)"
       r"(?:\s+(?:you|y'?all|everyone|again))?|for\s+(?:the\s+)?(?:noise|trouble|bother|interruption|late\s+notice|spam)))?"
       r"\s*[,.!-]*\s*(?:but\s+)?")
def _sorry(m: re.Match[str]) -> str:
    return ""


# "is there a user called 'jdoe' on app-02?"
@_rule(r"\bis\s+there\s+(?:a|an)\s+(?:local\s+|domain\s+)?(?:user|account)\s+(?:called|named)\s+" + _NAME)
def _user_called(m: re.Match[str]) -> str:
    return f"does the user {m['name']} exist"


# ", client wants to see the new vhost", "- users want to test the fix": why, after the instruction (not a step)
@_rule(r"\s*[,;-]\s*(?:the\s+|our\s+|my\s+)?(?:client|customer|users?|boss|manager|pm|team|devs?|developers?|qa)\s+"
       r"(?:wants?|needs?|would\s+like)\s+to\s+(?:see|test|try|look\s+at|verify|check\s+out|play\s+with)\b[^.;!?\n]*")
def _someone_wants_to_see(m: re.Match[str]) -> str:
    return " "


# "I want to know if there's room to install a few things": disk space, not an installation
@_rule(r"\b(?P<what>room|space|enough\s+(?:room|space))\s+(?:left\s+)?(?:to|for)\s+(?:install|put|deploy|add|store|copy|fit)\b"
       r"(?:(?!\s(?:on|in|at|across)\s)[^.;!?\n])*")  # not the target after it
def _room_to_install(m: re.Match[str]) -> str:
    return "disk space "


# "the devs say php-fpm on web-01 hangs, check its status", "Ops chat thinks the app pool leaks": who says so
@_rule(r"(?<!\buser\s)\b(?:the\s+|our\s+|my\s+)?(?:devs?|developers?|users?|customers?|ops\s+chat|monitoring|"
       r"the\s+team|vendor|support|qa|testers?)\s+(?:say|says|said|think|thinks|thought|claim|claims)\s+(?:that\s+)?"
       r"(?=\S+\s+(?:on|is|are|was|has|hangs|keeps|needs|leaks|crashed|died)\b)")
def _they_say(m: re.Match[str]) -> str:
    return " "


# "Could you find out whether X is running", "I'd like to know what status code ...": the question itself
@_rule(r"\bfind\s+out\s+(?=whether|if|what|which|how)|\b(?:i'?d|i\s+would|we'?d|we\s+would)\s+like\s+to\s+know\s+"
       r"(?=what|which|how|whether|if)")
def _find_out(m: re.Match[str]) -> str:
    return "check " if m.group(0).lower().startswith("find") else ""


# "start W3SVC there and once done fetch URL": then
@_rule(r"\b(?:and\s+)?(?:once|when)\s+(?:that'?s\s+|it'?s\s+)?(?:done|finished|complete)\s*,?\s+(?=[a-z])")
def _once_done(m: re.Match[str]) -> str:
    return " then "


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


# "fyi [Zabbix] Service 'nginx' is not running", "[Nagios] PROBLEM: ...": the monitoring tool that said it, anywhere
@_rule(r"\[(?:zabbix|nagios|icinga2?|prometheus|alertmanager|grafana|pagerduty|opsgenie|datadog|sentry|checkmk|prtg|"
       r"solarwinds|uptime\s*kuma|new\s*relic|splunk|elastic|kibana|scom|monitoring|alert(?:ing)?)\]\s*")
def _tool_tag(m: re.Match[str]) -> str:
    return " "


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


# "so it survives reboots", "so that it stays up": why, already said by the instruction
@_rule(r"\s*,?\s*\bso\s+(?:that\s+)?it\s+(?:survives|persists|stays|comes\s+back|keeps\s+running|is\s+there|starts)\b[^,.;?!\n]*")
def _so_it_survives(m: re.Match[str]) -> str:
    return ""


# "kindly do the needful and restart httpd": the instruction that follows
@_rule(r"\b(?:kindly\s+|please\s+)?do\s+the\s+needful\b(?:\s*,?\s*and\b)?")
def _needful(m: re.Match[str]) -> str:
    return " "
