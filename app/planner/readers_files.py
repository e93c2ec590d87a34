"""Readers of files and accounts: old-file cleanup, config lines, file facts and user accounts.

Registered after the readers of ``app.planner.readers`` (logs, schedules, containers, certificates, reachability,
busiest processes), with the same contract: the words that make the family unmistakable, params from the
request's protected values, the consumed characters said back.
"""
from __future__ import annotations

import re

from app.planner.readers import _I, _NOT_NAMES, _WORD, Reading, _first_path, _reader, _Text


@_reader
def _cleanup(t: _Text) -> Reading | None:
    m = (re.search(r"\b(?:older\s+than|more\s+than|over|at\s+least|beyond|past)\s+(?P<n>\d{1,5})\s*"
                   r"(?P<u>days?|d|weeks?|w|months?)\b(?:\s+old)?", t.protected, _I)
         or re.search(r"\b(?P<n>\d{1,5})\s*\+?\s*(?P<u>days?|d|weeks?|w|months?)\s+(?:old|or\s+older|and\s+older)\b",
                      t.protected, _I))
    if m is None:
        return None
    unit = m.group("u").lower()
    days = int(m.group("n")) * (7 if unit.startswith("w") else 30 if unit.startswith("mo") else 1)
    consumed = [m.span()]
    params: dict[str, object] = {"older_than_days": days}
    # "*.gz." at a sentence's end: the full stop is not the glob's
    # "*.log,*.gz", "*.tmp, *.bak": several globs, one pattern as find takes it (apart by commas, no spaces)
    glob = re.search(r"(?<![^\s(,])(?P<g>[\w.\-]*\*[\w.*\-]*?(?:\s*,\s*[\w.\-]*\*[\w.*\-]*?)*)\.?(?=[\s,;)]|$)"
                     r"(?:\s+files?)?", t.protected)
    held = next((m for m in re.finditer(r"__q\d+__", t.protected) if "*" in (t.value(m.group(0)) or t.spans[0]).value),
                None)
    if glob is not None:
        params["pattern"] = re.sub(r"\s*,\s*", ",", glob.group("g"))
        consumed.append(glob.span())
    elif held is not None:  # a quoted glob: "-name '*.gz'"
        params["pattern"] = t.value(held.group(0)).value  # type: ignore[union-attr]
        consumed.append(held.span())
    inside = re.search(r"\b(?:in|under|from|inside|within|out\s+of)\s+(?:the\s+)?(?:folder\s+|directory\s+)?"
                       r"(?P<p>__p\d+__)", t.protected, _I)  # "check X and clear files in /x/archive": the folder
    folder = t.value(inside.group("p")) if inside is not None else None
    if folder is not None:
        params["path"] = folder.value
        consumed.append(inside.span())  # type: ignore[union-attr]
    elif (path := _first_path(t, consumed)) is not None:
        params["path"] = path
    verb = re.search(r"\b(?:delete|remove|clean(?:\s+up|\s+out)?|clean-?up|clear(?:\s+out)?|empty|purge|prune|"
                     r"wipe\s+out|"
                     r"get\s+rid\s+of|drop|"
                     r"housekeep|tidy(?:\s+up)?|trim|expire|nuke|zap)\b",
                     t.protected, _I)
    if verb is None:
        return None
    consumed.append(verb.span())
    return Reading("file.cleanup", params, consumed, "delete + older than N days")


_REPLACING = (r"\b(?:replac(?:e|ing)|swap(?:ping)?|overwrit(?:e|ing)|chang(?:e|ing))\s+(?:the\s+)?(?:existing\s+)?"
              r"(?:line|whatever|anything|what|one)\s+"
              r"(?:that\s+)?(?:matching|matches|match|starting\s+with|starts\s+with|beginning\s+with|begins\s+with|like)\s+"
              r"(?P<re>__q\d+__|[^\s,]+)")


def _held(t: _Text, word: str) -> str:
    span = t.value(word)
    return span.value if span is not None else word.rstrip(".,;")  # "matching ^ApiUrl=." ends the sentence


def _with_regexp(t: _Text, found: Reading) -> Reading:
    """The pattern of the line the new one replaces ("..., replacing the line that matches ^LogLevel=")."""
    m = re.search(_REPLACING, t.protected, _I) or re.search(r"\b(?:regexp?|regex)\s*[:=]?\s*(?P<re>__q\d+__)",
                                                           t.protected, _I)
    if m is not None:
        found.params["regexp"] = _held(t, m.group("re"))
        found.consumed.append(m.span())
    return found


@_reader
def _config_replace(t: _Text) -> Reading | None:
    """In a file, "replace the line matching ^vm.swappiness with vm.swappiness=10"."""
    m = re.search(_REPLACING + r"\s+(?:with|by|for)\s+(?:the\s+line\s+)?(?P<line>__q\d+__|[^\s,_][^,]*?)"
                  r"(?=\s+(?:in|inside|on|of)\s+(?:the\s+file\s+)?__p|\s+on\s+[\w.-]+\s*\.?\s*$|\s*[,.]?\s*$|\s*,)",
                  t.protected, _I)
    if m is None:
        return None
    consumed = [m.span()]
    path = _first_path(t, consumed)
    if path is None:
        return None
    return Reading("config.line", {"path": path, "line": _held(t, m.group("line")), "regexp": _held(t, m.group("re"))},
                   consumed, "replace the line matching ... with ...")


@_reader
def _config_line(t: _Text) -> Reading | None:
    found = _config_line_plain(t)
    return _with_regexp(t, found) if found is not None and "state" not in found.params else found


# a line written unquoted as key=value ("remove the line debug=true from ..."): the line as written
_KEY_VALUE = r"[A-Za-z_][\w.\-]*\s*=\s*[^\s,]+"


def _line_of(t: _Text, said: str) -> str:
    held = t.value(said)
    return held.value if held is not None else said


def _config_line_plain(t: _Text) -> Reading | None:
    rm = re.search(r"\b(?:remove|delete|drop|comment\s+out|take\s+out)\s+(?:the\s+)?(?:line\s+)?(?P<q>__q\d+__|"
                   + _KEY_VALUE + r")\s+"
                   r"(?:from|in|out\s+of)\s+(?P<p>__p\d+__)", t.protected, _I)
    if rm is not None:
        path = t.value(rm.group("p"))
        if path is not None:
            return Reading("config.line", {"path": path.value, "line": _line_of(t, rm.group("q")), "state": "absent"},
                           [rm.span()], "remove the line ... from a file")
    rm = (re.search(r"\b(?:take|get|pull|strip|cut|rip)\s+(?:the\s+)?(?:line\s+)?(?P<q>__q\d+__|" + _KEY_VALUE + r")\s+"
                    r"(?:out\s+of|from|out\s+from)\s+"
                    r"(?:the\s+file\s+)?(?P<p>__p\d+__)", t.protected, _I)
          or re.search(r"\b(?:make\s+sure|ensure)\s+(?:the\s+line\s+)?(?P<q>__q\d+__|" + _KEY_VALUE + r")\s+"
                       r"(?:is\s+(?:not|no\s+longer|gone\s+from|"
                       r"absent\s+from)|isnt|isn't)\s+(?:in\s+|from\s+)?(?P<p>__p\d+__)", t.protected, _I))
    if rm is not None:
        path = t.value(rm.group("p"))
        if path is not None:
            return Reading("config.line", {"path": path.value, "line": _line_of(t, rm.group("q")), "state": "absent"},
                           [rm.span()], "take the line ... out of a file")
    present = (re.search(r"\b(?:make\s+sure|ensure)\s+(?:that\s+)?(?:the\s+line\s+)?"
                         r"(?P<q>__q\d+__|[A-Za-z_][\w.\-]*\s*=\s*"
                         r"[^\s,]+)\s+is\s+"
                         r"(?:present\s+|there\s+|set\s+)?"
                         r"(?:in|inside)\s+(?P<p>__p\d+__)", t.protected, _I)
               or re.search(r"\b(?:make\s+sure|ensure)\s+(?:that\s+)?(?P<p>__p\d+__)(?:\s+(?:on|at|in)\s+[\w.-]+)?\s+"
                            r"(?:contains|has|includes|carries)\s+"
                            r"(?:the\s+line\s+)?(?P<q>__q\d+__)", t.protected, _I))
    if present is not None:
        held, path = t.value(present.group("q")), t.value(present.group("p"))
        wanted = held.value if held is not None else present.group("q")  # a quoted line, or key=value as written
        if path is not None:
            return Reading("config.line", {"path": path.value, "line": wanted}, [present.span()],
                           "make sure a line is in a file")
    add = re.search(r"\b(?:add|append|put|set|ensure|insert)\s+(?:the\s+)?(?:line\s+)?(?:(?P<q>__q\d+__)|"
                    r"(?P<kv2>(?-i:[A-Z][A-Za-z]+)\s+(?:yes|no|\d+|[\w./:-]+))(?=\s+(?:to|in|into|inside)\s+__p)|"
                    r"(?P<kv>[A-Za-z_][\w.\-]*\s*=\s*[^\s,]+))\s+(?:to|in|into|inside)\s+(?P<p>__p\d+__)",
                    t.protected, _I)
    if add is not None:
        target = t.value(add.group("p"))
        held = t.value(add.group("q")) if add.group("q") else None
        text = held.value if held is not None else (add.group("kv") or add.group("kv2"))
        if target is not None and text:
            return Reading("config.line", {"path": target.value, "line": text}, [add.span()], "add a line to a file")
    return None


_CONFIG_FILE = re.compile(r"\.(?:conf|cfg|ini|env|config|properties|ya?ml|toml|json|xml|cnf)$|[\\/]sshd_config$", _I)


@_reader
def _config_terse(t: _Text) -> Reading | None:
    """Terse config edits: "web-01 cfg /etc/x.conf add line "gzip on;"", "PATH line "K=V" regexp "^K="",
    "app-02 /etc/app.env set "MAX=2" replacing regex "^MAX=\""""
    m = re.search(r"\b(?:add|set|put|append|ensure|insert)?\s*(?:the\s+)?line\s+(?P<q>__q\d+__)"
                  r"|\b(?:add|set|put|append|ensure|"
                  r"insert)\s+(?P<q2>__q\d+__)", t.protected, _I)
    path = next((s for s in t.spans if s.kind == "p" and _CONFIG_FILE.search(s.value)), None)
    if m is None or path is None:
        return None
    line = t.value(m.group("q") or m.group("q2"))
    if line is None:
        return None
    params: dict[str, object] = {"path": path.value, "line": line.value}
    if re.search(r"\b(?:remove|delete|drop|get\s+rid\s+of|take\s+out|comment\s+out|strip)\b", t.protected, _I):
        params["state"] = "absent"
    consumed = [m.span()]
    r = re.search(r"\b(?:replacing\s+)?(?:regexp?|regex|pattern|matching)\s+(?P<re>__q\d+__)", t.protected, _I)
    if r is not None and (held := t.value(r.group("re"))) is not None:
        params["regexp"] = held.value
        consumed.append(r.span())
    consumed += [x.span() for x in re.finditer(r"__p\d+__|\bcfg\b", t.protected) if t.value(x.group(0)) in (path, None)]
    found = Reading("config.line", params, consumed, "a line and a config file")
    return _with_regexp(t, found) if "regexp" not in params and "state" not in params else found


_NOT_ACCOUNTS = _NOT_NAMES | {"accounts", "users", "logins", "exists", "exist", "details", "info", "list", "for",
                             "with", "has", "have", "whether", "if", "that"}


_ACCOUNT_NAME = _NAME_Q = r"(?:__q\d+__|" + _WORD + r")"


@_reader
def _user(t: _Text) -> Reading | None:
    m = (re.search(r"^\s*(?:user|account)\s+(?P<n>" + _ACCOUNT_NAME
                   + r")(?=\s+(?:on\s+)?[\w.-]+-\d+\s*\??\s*$|\s*\??\s*$|\s+exists?)", t.protected, _I)
         or re.search(r"\b(?:local\s+|domain\s+)?(?:user|account|login)\s+(?:account\s+)?(?:called|named)\s+(?P<n>"
                      + _ACCOUNT_NAME
                   + r")", t.protected, _I)
         or re.search(r"\bexists?\s+(?:the\s+)?(?:user|account)\s+(?P<n>" + _ACCOUNT_NAME + r")", t.protected, _I)
         or re.search(r"\b(?:does|is)\s+(?:the\s+)?(?:user|account)\s+(?P<n>" + _NAME_Q
                      + r")\s+(?:exist|there|present)",
                      t.protected, _I)
         or re.search(r"\b(?:the\s+)?(?P<n>" + _NAME_Q + r")\s+(?:user|account)\s+(?:exists?|is\s+there|is\s+present)",
                      t.protected, _I)
         or re.search(r"\b(?:check|verify|look\s+up|lookup|inspect|show|find|details\s+(?:of|for|on)|"
                      r"info\s+(?:on|for|about))\s+"
                      r"(?:the\s+)?(?:local\s+|domain\s+|service\s+|system\s+)?(?:user|account|login)\s+(?:account\s+)?"
                      r"(?P<n>" + _ACCOUNT_NAME + r")", t.protected, _I)
         or re.search(r"\b(?:check|verify|look\s+up|inspect|show)\s+(?:the\s+)?(?P<n>" + _NAME_Q + r")\s+(?:user\s+)?"
                      r"(?:account|login)\b", t.protected, _I)
         or re.search(r"\bis\s+there\s+(?:a|an)\s+(?:local\s+)?(?:user|account|login)\s+"
                      r"(?:called\s+|named\s+)?(?P<n>" + _ACCOUNT_NAME + r")",
                      t.protected, _I))
    if m is not None and m.group("n").lower() in _NOT_ACCOUNTS:
        m = None
    if m is None:
        unnamed = re.search(r"\b(?:a\s+|the\s+)?(?:user|account)\s+(?:exists?|is\s+present|is\s+there)\b",
                            t.protected, _I)
        return Reading("user.check", {}, [unnamed.span()], "an account, not named (it asks which)") if unnamed else None
    if re.search(r"\b(?:create|add|delete|remove|disable|lock|unlock|reset|change|rename)\b", t.protected, _I):
        return None
    name = m.group("n")
    held = t.value(name) if name.startswith("__q") else None  # "the account 'svc_backup'": the quoted name
    return Reading("user.check", {"name": held.value if held is not None else name}, [m.span()],
                   "an account called ...")


_FACTS = re.compile(r"\b(?:size|sizes|owner|owners|owns|owned|ownership|permissions?|perms|mode|checksum|md5(?:sum)?|"
                    r"sha-?(?:1|256)(?:sum)?|hash|last\s+modified|modified|mtime|timestamp|how\s+big|how\s+large)\b",
                    _I)
_FILE_TOOLS = re.compile(r"(?<![\w-])(?:ls\s+-[a-zA-Z]*l[a-zA-Z]*|stat|get-item|get-itemproperty|get-filehash|"
                         r"(?:md5|sha1|sha256)sum|test-path|file)\s+(?=__p\d+__)", _I)


@_reader
def _file_facts(t: _Text) -> Reading | None:
    """Facts about one file: "size and owner of C:\\x\\y.exe", "who owns /etc/shadow", "ls -l /opt/app/app.jar"."""
    if re.search(r"\b(?:change|set|chmod|chown|fix|reset|copy|move|delete|remove|edit|replace|update|truncate|"
                 r"compress)\b", t.protected, _I):
        return None
    facts = list(_FACTS.finditer(t.protected))
    tool = _FILE_TOOLS.search(t.protected)
    if not facts and tool is None:
        return None
    consumed: list[tuple[int, int]] = [f.span() for f in facts] + ([tool.span()] if tool else [])
    path = _first_path(t, consumed)
    if path is None:
        return None
    return Reading("file.stat", {"path": path}, consumed, "file facts (size, owner, checksum ...) of a path")
