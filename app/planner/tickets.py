"""Formal change and ticket language and its asides: control references ('(AC-2 account review)', 'per baseline
HB-14', 'Ref. AU-12'), change windows and cut-overs, 'Rollback per standard procedure.', a night shift's clock
('0320 -'), who asked ('Riverside Dental asks us to', 'customer asks if'), self-corrections ('..., but actually,
Y'), 'would it be possible to', 'so I can ...', 'as a test': what a request carries that is not a step.

The rewrites run inside ``app.planner.normalize`` after ``app.planner.asides``'s, on text whose quoted values and
Windows paths are held out; each is one family of phrasings, never one sentence.
"""
from __future__ import annotations

import re
from collections.abc import Callable

from app.planner.rewrite import registrar
from app.planner.staff import _HOST, _NAME

REWRITES: list[tuple[str, int, Callable[[re.Match[str]], str]]] = []

_rule = registrar(REWRITES, needs={
    "_software": ("software",), "_even_alive": ("even", "actually", "really", "still"),
    "_turn_off_at_boot": ("boot", "startup"), "_to_latest_aside": ("latest",), "_so_it_wont_start": ("so ",),
    "_until_done": ("until", "till"), "_ref_id": ("ref", "see ", "per "),
    "_customer_asks": ("asks", "asked", "wants"), "_once_thats_in": ("once", "when", "after"),
    "_patch_day": ("patch",), "_control_ref": ("(",), "_per_ref": ("per ",), "_for_analysis": ("for ",),
    "_the_text": ("text", "string", "word", "phrase", "message"),
    "_window": ("window", "cut-over", "cutover", "return to service"), "_clock_prefix": ("-", "–", ":"),
    "_getting_errors": ("getting", "seeing", "hitting", "reporting", "complaining"),
    "_to_confirm": ("to confirm", "to verify"), "_the_x_box": ("box", "server", "machine"),
    "_same_problem": ("same", "for now"), "_file_is_there": ("file",),
    "_rollback_note": ("rollback", "roll back", "roll-back"), "_are_required": ("required", "needed"),
    "_existence_of": ("existence",), "_paren_service": ("(",), "_named_asks": ("asks", "wants"),
    "_asks_if": ("asks if", "asks whether", "asked if", "asked whether"), "_but_actually": ("actually",),
    "_be_possible": ("possible",), "_so_i_can": ("so ",), "_as_a_test": ("test",),
    "_before_event": ("before", "ahead"), "_nominal": (" of ",), "_for_the_cycle": ("for ",),
    "_adjective_before_quoted": ("\x01",), "_what_comes_back": ("what",), "_test_things": ("test ",),
    "_greeting_all": ("all", "everyone", "team", "folks", "guys", "people", "yo", "hey", "hiya", "oi"),
    "_because_of_event": ("following", "due to", "because of", "morning", "night", "yesterday", "today", "earlier"),
})


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
       r"(?:\s+(?:up|again|back))*(?:\s+(?:at|on|after)\s+(?:the\s+next\s+|a\s+|the\s+|every\s+|each\s+|any\s+)?"
       r"(?:boot|startup|reboot|restart)s?)?")
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


# "following this morning's config push", "due to last night's deploy": the event the request answers, not a step
# ("config push" would read as a copy)
@_rule(r"\s*,?\s*\b(?:following|due\s+to|because\s+of|after)\s+(?:the\s+|our\s+|a\s+)?(?:(?:this\s+morning|last\s+night|"
       r"yesterday|today|earlier\s+today|this\s+afternoon)(?:'?s)?\s+)(?:[\w-]+\s+){0,2}?(?:push|deploy(?:ment)?|release|"
       r"roll-?out|change|patch(?:ing)?|update|upgrade|migration|incident|outage|cut-?over)\b(?!\s+(?:of|to|on|from)\b)"
       r"|\s*,?\s*\b(?:following|due\s+to|because\s+of)\s+(?:the\s+|our\s+|a\s+)?(?:[\w-]+\s+){0,2}?(?:push|"
       r"deploy(?:ment)?|release|roll-?out|change|patching|migration|incident|outage|cut-?over)\b(?!\s+(?:of|to|on|from)\b)")
def _because_of_event(m: re.Match[str]) -> str:
    return " "


# A request written as a noun: "A restart of nginx on web-04 is required", "Installation of htop on mon-01 requested",
# "Reboot of cis-02 needed - pending updates": the verb, at the start of a sentence only ("after the restart of X,
# check Y" tells of an event); the words that say it is wanted go
_NOUNS = {"restart": "restart", "restarting": "restart", "reboot": "reboot", "rebooting": "reboot",
          "installation": "install", "install": "install", "installing": "install", "removal": "remove",
          "uninstall": "remove", "uninstallation": "remove", "deinstallation": "remove", "removing": "remove",
          "stop": "stop", "stopping": "stop", "start": "start", "starting": "start", "update": "update",
          "updating": "update", "upgrade": "upgrade", "upgrading": "upgrade", "shutdown": "shut down",
          "cleanup": "clean up", "clean-up": "clean up", "deletion": "delete", "termination": "kill",
          "disabling": "disable", "enabling": "enable", "ping": "ping", "bounce": "bounce", "recycle": "recycle"}


@_rule(r"(?P<lead>^\s*|[.;!?\x03]\s+|\n\s*|:\s+)(?:an?\s+|the\s+)?(?:(?:quick|full|immediate|urgent|graceful|"
       r"clean|controlled)\s+)?(?P<noun>" + "|".join(sorted(_NOUNS, key=len, reverse=True)) + r")\s+of\s+"
       r"(?P<rest>(?:[^.;!?\n\x03]|\.(?=\S))*?)(?:(?:\s*,?\s+(?:is|are))?\s+(?:urgently\s+|kindly\s+)?(?:required|"
       r"needed|requested|necessary|wanted|pending|asap)\b|(?=\s*(?:please|pls)\b)|(?=\s+[-–—]\s|\s*[(,;!?\n\x03]"
       r"|\.(?:\s|$)|\s*$))")
def _nominal(m: re.Match[str]) -> str:
    return f"{m['lead']}{_NOUNS[m['noun'].lower()]} {m['rest']}"


# "for the regression cycle", "for this sprint's release": what the work is for ("cycle" would read as a restart)
@_rule(r"\s*,?\s*\bfor\s+(?:the|our|this|a|next)\s+(?:[\w-]+(?:'s)?\s+){0,2}?(?:cycle|sprint|iteration|phase|round|"
       r"milestone|test\s+run)(?:\s+(?:cycle|run|round))?\b")
def _for_the_cycle(m: re.Match[str]) -> str:
    return " "


# "stop and disable the suspicious 'updsvc' service": the quoted name is the name; the word before it describes it
@_rule(r"\b(?P<art>the|a|an|that|this)\s+(?:[a-z]+\s+){1,2}?(?=\x01\d+\x01(?:\s+(?:service|process|package|"
       r"container|daemon|task)\b))", re.ASCII)
def _adjective_before_quoted(m: re.Match[str]) -> str:
    return f"{m['art']} "


# "run `X` on file-01 and show me what comes back": the command's output is what a run reports, not a step
@_rule(r"\s*,?\s*(?:and\s+)?(?:show|tell|give|send)\s+me\s+what\s+(?:comes\s+back|it\s+(?:says|returns|prints|shows|gives"
       r"(?:\s+back)?)|you\s+get(?:\s+back)?|(?:it|that)\s+outputs?)\b")
def _what_comes_back(m: re.Match[str]) -> str:
    return " "


# "the test build of orderapi", "my test run", "the test fixtures": a kind of thing, not a 'test' environment
@_rule(r"\b(?P<art>the|my|our|a|some|this)\s+test\s+(?=(?:build|builds|fixtures|run|runs|data|suite|results|checklist|"
       r"files?|scripts?|cases?)\b)")
def _test_things(m: re.Match[str]) -> str:
    return f"{m['art']} "


# "Hi all - can someone restart nginx ...", "morning everyone,": a greeting; its "all" is the readers, not every host
@_rule(r"^\s*(?:(?:hi|hey|hello|hiya|yo|morning|good\s+(?:morning|afternoon|evening)|evening|afternoon)\s+(?:all|everyone|"
       r"everybody|team|folks|guys|people|y'?all)\b|(?:yo|hey|hiya|oi)\b(?!\s+(?:is|are|on|to)\b))\s*[-–—,:;!.]*\s*")
def _greeting_all(m: re.Match[str]) -> str:
    return ""

