"""Everyday ways of saying the catalog's actions: "give tomcat a restart", "get W3SVC going again", "take apache2
down", "put jq on app-01", "rip vlc off cis-04", "how's wuauserv doing over on cis-01", "is 1433 up on app-03",
"what groups is jenkins in", "what IP does app-02 get for redis.internal",
"check /var/log/auth.log for 'Failed password'", "the cert served by localhost:443".

The rewrites run inside ``app.planner.normalize`` after ``app.planner.learners``'s, on text whose quoted values and
Windows paths are held out (``\\x01n\\x01`` and ``\\x02n\\x02``); each is one family of phrasings, never one sentence.
A rewrite never turns a host into an object: "take web-01 down" is left as written (a power-off is not a
service stop).
"""
from __future__ import annotations

import re
from collections.abc import Callable

from app.planner.lexer import HOSTLIKE_RX
from app.planner.rewrite import Rewrite, registrar
from app.planner.wording import NOT_NAME_START

REWRITES: list[tuple[str, int, Callable[[re.Match[str]], str]]] = []

_rule = registrar(REWRITES, needs={
    "_give_a": ("give",), "_get_going": ("get",), "_take_down": ("take",), "_halt": ("halt",),
    "_put_on": ("put", "stick", "slap", "pop"),
    "_bin": ("bin ",), "_tell_me_if": ("tell", "let me know", "let us know"),
    "_host_dash": (" -", " –", " —"),
    "_add_package_to": ("add",), "_rip_off": ("rip",), "_get_off": ("off", "out of"), "_hows_doing": ("doing",),
    "_port_up": ("is ",),
    "_groups_of": ("group",), "_ip_for": ("ip", "address"),
    "_check_for": ("for",), "_end_task": ("end ",), "_top_kind": ("top",),
    "_path_filling": ("fill", "full", "running out"),
    "_nuke_process": ("nuke", "zap"), "_served_by": ("served", "presented", "offered"),
    "_tell_me_when_done": (" me ",), "_possessive": ("'s", "’s"),
    "_in_this_order": ("order", "step by step", "one after"),
})

_NAME = r"(?:the\s+)?(?P<name>\x01\d+\x01|[A-Za-z0-9][A-Za-z0-9_.@+\-]*)"
_GENERIC = NOT_NAME_START | {"it", "them", "this", "that", "everything", "all", "something", "box", "server", "host",
                             "machine", "file", "files", "a", "an", "he", "she", "they", "him", "her", "user", "users",
                             "account", "accounts", "someone", "somebody"}
_PATH = r"(?P<path>\x02\d+\x02|/[^\s,;]*|[A-Za-z]:\\[^\s,;]*|\x01\d+\x01)"


def _object(m: re.Match[str]) -> str | None:
    name = m["name"]
    if name.lower() in _GENERIC or HOSTLIKE_RX.match(name.lower()):
        return None
    return name


def _named(fn_name: str, pattern: str, template: str) -> Rewrite:
    """A rule that says its object (``_NAME``) again in ``template`` ("start {name}"); a generic word or a host in
    the object's place leaves the text as written."""
    def rewrite(m: re.Match[str]) -> str:
        name = _object(m)
        return m.group(0) if name is None else template.format(name=name)
    rewrite.__name__ = fn_name
    return _rule(pattern)(rewrite)


# "give tomcat a restart", "give iis-02 a reboot", "give nginx a quick bounce"
@_rule(r"\bgive\s+(?:the\s+)?(?P<name>\x01\d+\x01|[A-Za-z0-9][\w.@+\-]*)(?:\s+(?:service|server|box|container))?\s+"
       r"an?\s+(?:quick\s+|fresh\s+|good\s+|little\s+)?(?P<verb>restart|reboot|bounce|kick|reload|ping)\b")
def _give_a(m: re.Match[str]) -> str:
    if m["name"].lower() in _GENERIC:
        return m.group(0)
    return f"{m['verb'].lower()} {m['name']}"


# "get W3SVC going again", "get nginx back up", "get redis running again"
_named("_get_going", r"\bget\s+" + _NAME + r"(?:\s+service)?\s+(?:going|running|started|back\s+up|up\s+again|"
       r"back\s+online)(?:\s+again)?\b", "start {name}")
# "please halt grafana-server": a service stopped ("halt web-01", a host, is left as written: a power-off is no stop)
_named("_halt", r"\bhalt\s+" + _NAME + r"(?:\s+service)?\b(?!\s+(?:server|box|host|machine|vm)\b)", "stop {name}")
# "take apache2 down", "take memcached offline for now"
_named("_take_down", r"\btake\s+" + _NAME + r"(?:\s+service)?\s+(?:down|offline)\b", "stop {name}")


# "put jq on app-01 and app-02", "stick htop on mon-01": a bare name put on hosts is a package (a path or a file is a
# copy)
@_rule(r"\b(?:put|stick|slap|pop)\s+" + _NAME + r"\s+(?=on\s)")
def _put_on(m: re.Match[str]) -> str:
    name = _object(m)
    if name is None or "\x01" in name or re.search(r"\.(?:\w{2,4})$", name):
        return m.group(0)  # "put config.ini on web-01": a file
    return f"install package {name} "


# "add the sysstat package to all dev linux machines"
_named("_add_package_to", r"\badd\s+" + _NAME + r"\s+package\s+to\s+", "install package {name} on ")
# "rip vlc off cis-04", "rip telnet out of the dev boxes"
_named("_rip_off", r"\brip\s+(?:out\s+)?" + _NAME + r"(?:\s+package)?\s+(?:off(?:\s+of)?|out\s+of|from)\s+",
       "remove package {name} from ")
# "get the telnet package off db-04", "take vlc off cis-02" (a host in the object's place is left as written)
_named("_get_off", r"\b(?:get|take)\s+(?:the\s+)?(?P<name>[A-Za-z0-9][A-Za-z0-9_.@+\-]*)(?:\s+package)?\s+"
       r"(?:off(?:\s+of)?|out\s+of)\s+(?![/\\\x01\x02]|[A-Za-z]:\\)(?=\S)",
       "remove package {name} from ")
# "how's wuauserv doing over on cis-01", "what's MSSQLSERVER doing on the app servers", "how is nginx doing"
_named("_hows_doing", r"\b(?:how'?s|how\s+is|how\s+are|what'?s|what\s+is)\s+" + _NAME + r"(?:\s+service)?\s+doing\b"
       r"(?:\s+over)?", "status of {name}")


# "is 1433 up on app-03", "is 8443 open on web-01": a bare port number
@_rule(r"\bis\s+(?:port\s+)?(?P<port>\d{2,5})\s+(?:up|open|listening|bound|in\s+use|taken)\b")
def _port_up(m: re.Match[str]) -> str:
    return f"is port {m['port']} listening"


# "what groups is jenkins in", "which groups does deploy belong to": the account's details
@_rule(r"\b(?:what|which)\s+groups?\s+(?:is|are|does|do)\s+(?:the\s+)?(?:user\s+|account\s+)?(?P<name>[A-Za-z_][\w.$-]*)"
       r"\s+(?:in|a\s+member\s+of|member\s+of|belong\s+to|part\s+of)\b")
def _groups_of(m: re.Match[str]) -> str:
    not_accounts = {"he", "she", "they", "it", "him", "her", "them", "user", "users", "account", "accounts", "this",
                    "that", "someone", "somebody", "the", "a", "an"}
    return m.group(0) if m["name"].lower() in not_accounts else f"check user {m['name']}"


# "what IP does app-02 get for redis.internal", "what address does web-01 resolve api.example.com to"
@_rule(r"\bwhat\s+(?:ip|ip\s+address|address)\s+(?:does|do|is)\s+(?P<host>[A-Za-z][\w.-]*)\s+"
       r"(?:get|see|resolve|return|give)\s+(?:for\s+)?(?P<name>[A-Za-z0-9][\w.-]*\.[A-Za-z][\w.-]*)(?:\s+to)?\b")
def _ip_for(m: re.Match[str]) -> str:
    return f"resolve {m['name']} on {m['host']}"


# "nuke the stuck java process", "zap the runaway python processes": kill them (any other "nuke" is refused)
@_rule(r"\b(?:nuke|zap)\s+(?:the\s+|all\s+(?:the\s+)?)?(?:stuck\s+|hung\s+|runaway\s+|zombie\s+|frozen\s+)?"
       r"(?P<name>[A-Za-z0-9][\w.+-]*)\s+process(?:es)?\b")
def _nuke_process(m: re.Match[str]) -> str:
    return m.group(0) if m["name"].lower() in _GENERIC else f"kill process {m['name']}"


# "end the hung excel.exe process", "end task chrome.exe": Task Manager's words for a kill
@_rule(r"\bend\s+(?:task\s+(?P<task>[\w.+-]+)|(?:the\s+)?(?:hung\s+|stuck\s+|frozen\s+|runaway\s+)?"
       r"(?P<name>[\w.+-]+)\s+(?:process(?:es)?|task)\b)")
def _end_task(m: re.Match[str]) -> str:
    name = m["task"] or m["name"]
    return m.group(0) if name.lower() in _GENERIC else f"kill process {name}"


# "the top 5 memory processes", "top 10 cpu hogs": the processes using the most of it
@_rule(r"\btop\s+(?P<n>\d{1,3})\s+(?P<k>memory|mem|ram|cpu)\s+(?:processes|consumers|hogs|users|eaters|procs)\b")
def _top_kind(m: re.Match[str]) -> str:
    return f"top {m['n']} processes by {'cpu' if m['k'].lower() == 'cpu' else 'memory'}"


# "check /var/log/auth.log for 'Failed password'": a search of that log
@_rule(r"\b(?:check|scan|look\s+(?:through|in|at)|go\s+through)\s+" + _PATH + r"\s+for\s+(?=\x01\d+\x01)")
def _check_for(m: re.Match[str]) -> str:
    return f"search {m['path']} for "


# "is /var/lib/postgresql filling up on db-03?", "is D:\\Shares nearly full": the disk it is on (how big a directory
# is, "du", is no action of the catalog)
@_rule(r"\b(?:is|are)\s+(?:the\s+)?" + _PATH + r"\s+(?:filling\s+up|getting\s+full|(?:almost|nearly)\s+full|full|"
       r"running\s+out(?:\s+of\s+space)?)\b|\bhow\s+full\s+(?:is|are)\s+(?:the\s+)?" + _PATH.replace("path", "p2"))
def _path_filling(m: re.Match[str]) -> str:
    return f"check disk {m['path'] or m['p2']}"


# "the cert served by localhost:443": the certificate of that endpoint
@_rule(r"\b(?:served|presented|offered)\s+(?:by|at|on)\s+(?=[\w.-]+:\d{1,5}\b)")
def _served_by(m: re.Match[str]) -> str:
    return "of "


# "..., and ping me when done", "let me know once it's finished": the run reports its end; no step
@_rule(r"\s*[,;]?\s*(?:and\s+)?(?:then\s+)?(?:ping|tell|message|email|text|slack|let)\s+me\s+(?:know\s+)?(?:(?:when|once|after)\s+"
       r"(?:it'?s\s+|it\s+is\s+|you'?re\s+|you\s+are\s+|that'?s\s+)?(?:done|finished|complete|completed|through|over)\b"
       r"|(?<=\bme\s)know\s*[.!]?\s*$)")
def _tell_me_when_done(m: re.Match[str]) -> str:
    return ""


# "iis-01, in this order: stop W3SVC; stop WAS; ...": the steps keep their order anyway
@_rule(r"\s*\b(?:in\s+(?:this|that|the\s+following|exactly\s+this)\s+order|step\s+by\s+step|one\s+after\s+(?:the\s+)?"
       r"other)\s*[:,-]?\s*")
def _in_this_order(m: re.Match[str]) -> str:
    return " "


# "mon-01 - please halt grafana-server": the host as a label, as with a colon
@_rule(r"^\s*(?P<h>[A-Za-z][\w.-]*\d[\w.-]*(?:\s*,\s*[A-Za-z][\w.-]*\d[\w.-]*)*)\s+[-–—]{1,2}\s+(?=\S)")
def _host_dash(m: re.Match[str]) -> str:
    return f"{m['h']}: "


# "check myapp's status", "nginx's journal on web-01": the name, not a name with an s
@_rule(r"\b(?P<name>[A-Za-z][\w.@+-]*)['’]s\s+(?=(?:status|state|logs?|journal|version|port|process(?:es)?|service|"
       r"config(?:uration)?|cert(?:ificate)?|container|health|uptime|memory|cpu|pid)\b)")
def _possessive(m: re.Match[str]) -> str:
    return m.group(0) if m["name"].lower() in ("it", "that", "what", "who", "there", "here", "let") else f"{m['name']} "


# "bin anything older than 30 days in D:\\temp": delete (British), only with an age, as "delete" would be
@_rule(r"\bbin\s+(?=(?:anything|everything|stuff|whatever|(?:any\s+|all\s+(?:the\s+)?|the\s+|old\s+)?(?:files|logs|"
       r"backups|dumps|exports))\b[^.;\n]*\bolder\s+than\b)")
def _bin(m: re.Match[str]) -> str:
    return "delete "


# "run `nginx -t` and tell me if nginx is up", "restart X and let me know whether it came back": a check asked after
@_rule(r"\s*,?\s*\band\s+(?:then\s+)?(?:tell|let)\s+(?:me|us)\s+(?:know\s+)?(?=(?:if|whether)\s+(?:the\s+)?[\w.@-]+"
       r"(?:\s+(?:service|process|container|port))?\s+(?:is|are)\s+(?:still\s+)?(?:up|running|listening|installed|"
       r"reachable|there|back|down|stopped|alive)\b)")
def _tell_me_if(m: re.Match[str]) -> str:
    return ", then check "
