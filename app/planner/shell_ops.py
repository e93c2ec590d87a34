"""Shell operators in a quoted command that the host will not read as operators.

command.run runs a command without a shell: on Linux ``ansible.builtin.command`` splits it into arguments, on
Windows ``win_command`` starts the executable. A chain (``&&``, ``||``, ``;``), a redirection (``>``, ``<``) or, on
Linux, a pipe would reach the first program as plain arguments: the plan would not do what was written, so the
planner asks instead of planning it. (PowerShell pipelines on Windows stay as written: the corpora's convention.)
"""
from __future__ import annotations

import shlex

_CHAINS = ("&&", "||", ";", "&")
_REDIRECTS = (">", ">>", "<", "<<", "2>", "2>>", "&>", ">&")


def _operators(command: str) -> list[str]:
    """The shell operators outside quotes, in order ([] when the quoting does not parse)."""
    lexer = shlex.shlex(command, posix=True, punctuation_chars=";&|<>")
    lexer.whitespace_split = True
    try:
        tokens = list(lexer)
    except ValueError:
        return []
    return [tok for tok in tokens if tok and set(tok) <= set(";&|<>")]  # "2>" lexes as "2", ">": a redirection


def question(command: str, systems: set[str]) -> str | None:
    """What to ask when ``command`` holds an operator that its hosts (``systems``: their OS names) would not read."""
    ops = _operators(command)
    if not ops:
        return None
    linux = "linux" in systems
    bad = [op for op in ops if op in _CHAINS or op in _REDIRECTS or op.startswith((">", "<"))
           or (linux and op in ("|", "|&"))]
    if not bad:
        return None
    program = command.split()[0] if command.split() else "the program"
    return (f"The command uses '{bad[0]}', but commands run without a shell here, so '{bad[0]}' would reach "
            f"{program} as a plain argument. Ask for each command on its own (run \"...\" then run \"...\"), or say "
            "which catalog action you mean (e.g. restart a service, tail a log).")
