"""``opsplan chat``: the chat in a terminal, over the same service as the API and the web page.

Type requests and follow-ups; card actions are slash commands (``/preview``, ``/approve``, ``/run``,
``/relaunch``, ``/reject``, ``/cancel``, ``/ask-approver``) on the last plan or run shown. A preview, run or
answer is followed with a progress line until it ends, then shown per host (failures first) or as tables.
"""
from __future__ import annotations

import sys
import time
from typing import Any, TextIO

import click

from app.config import Settings
from app.errors import OpsplanError
from app.services import chat as svc
from app.services.answers import Table, render_text
from app.services.chat_cards import Viewer

HOSTS_SHOWN = 12
COMMANDS = {"/preview": "preview", "/approve": "approve", "/run": "run", "/relaunch": "relaunch",
            "/reject": "reject", "/cancel": "cancel", "/ask-approver": "request_approval"}
HELP = ("Type a request or a follow-up (\"now the same on staging\", \"only on the ones that failed\",\n"
        "\"cancel that\").\n"
        "Card actions on the last plan/run: " + " ".join(COMMANDS) + "\n"
        "Also: /history, /open ID, /new, /help, /quit")


def _bar(done: int, total: int, width: int = 20) -> str:
    total = max(total, 1)
    filled = int(width * min(done, total) / total)
    return "[" + "#" * filled + "-" * (width - filled) + f"] {min(done, total)}/{total}"


class TerminalChat:
    def __init__(self, settings: Settings, viewer: Viewer, out: TextIO, conversation_id: str | None = None):
        self.settings, self.viewer, self.out = settings, viewer, out
        self.conversation_id = conversation_id
        self.last_plan: dict[str, Any] | None = None
        self.last_run: dict[str, Any] | None = None

    def echo(self, text: str = "") -> None:
        self.out.write(text + "\n")
        self.out.flush()

    # --- input ---------------------------------------------------------------------------------------

    def handle(self, line: str) -> bool:
        """One line typed by the user; False to stop."""
        line = line.strip()
        if not line:
            return True
        word, _, arg = line.partition(" ")
        try:
            if word in ("/quit", "/exit"):
                return False
            if word == "/help":
                self.echo(HELP)
            elif word == "/history":
                for c in svc.conversations_of(self.settings, self.viewer.name):
                    self.echo(f"  {c['conversation_id']}  {c['messages']:3} msgs  {c['title']}")
            elif word == "/open":
                self.open(arg.strip())
            elif word == "/new":
                self.conversation_id, self.last_plan, self.last_run = None, None, None
                self.echo("new conversation")
            elif word in COMMANDS:
                self.action(COMMANDS[word], arg.strip())
            elif word.startswith("/"):
                self.echo(f"unknown command {word}; /help lists them")
            else:
                out = svc.handle_message(self.settings, line, self.conversation_id, self.viewer)
                self.conversation_id = out["conversation_id"]
                self.show(out["reply"], out["cards"])
        except OpsplanError as exc:
            self.echo(f"error: {exc.message}")
        return True

    def open(self, conversation_id: str) -> None:
        conv = svc.conversation_json(self.settings, conversation_id, self.viewer)
        self.conversation_id = conv["conversation_id"]
        for m in conv["messages"]:
            if m["role"] == "user":
                self.echo(f"you> {m['text']}")
            else:
                self.show(m.get("text", ""), m.get("cards") or [], follow=False)

    def action(self, action: str, arg: str) -> None:
        if not self.conversation_id:
            self.echo("nothing to act on yet: ask for something first")
            return
        ids: dict[str, str] = {}
        if action == "relaunch":
            offer = (self.last_plan or {}).get("relaunch") or {}
            ids["run_id"] = arg or offer.get("run_id") or ""
        elif action == "cancel":
            ids["run_id"] = arg or (self.last_run or {}).get("run_id") or ""
        else:
            ids["plan_id"] = arg or (self.last_plan or {}).get("plan_id") or ""
        out = svc.handle_action(self.settings, self.conversation_id, action, self.viewer, **ids)
        self.show(out["reply"], out["cards"])

    # --- output --------------------------------------------------------------------------------------

    def show(self, reply: str, cards: list[dict[str, Any]], follow: bool = True) -> None:
        if reply:
            self.echo(reply)
        for card in cards:
            kind = card["type"]
            if kind == "plan":
                self.last_plan = card
                self.plan(card)
            elif kind in ("preview", "run", "answer"):
                self.last_run = card
                if follow and not card["finished"]:
                    card = self.follow(card)
                self.run(card)

    def plan(self, c: dict[str, Any]) -> None:
        kind = "read-only" if c.get("read_only") else "changes hosts"
        self.echo(f"  plan {c['plan_id'][:8]}: {c.get('risk')} risk, {kind}, {c['state']}"
                  + (f", approved by {c['approved_by']}" if c.get("approved_by") else ""))
        for n, step in enumerate(c.get("steps", []), 1):
            params = ", ".join(f"{k}={v}" for k, v in step.get("params", {}).items())
            where = f"on {len(step.get('hosts', []))} host(s)"
            self.echo(f"    {n}. {step['action']}{f' ({params})' if params else ''} {where}")
        hosts = c.get("hosts", [])
        more = f" and {len(hosts) - HOSTS_SHOWN} more" if len(hosts) > HOSTS_SHOWN else ""
        self.echo(f"    hosts: {', '.join(hosts[:HOSTS_SHOWN])}{more}")
        if c.get("estimate_text"):
            self.echo(f"    expected: {c['estimate_text']}")
        if c.get("approval_note"):
            self.echo(f"    {c['approval_note']}")
        names = [f"/{'ask-approver' if a == 'request_approval' else a}" for a in c.get("actions", []) if a != "edit"]
        if names:
            self.echo(f"    actions: {' '.join(names)}   edit: {self.settings.base_url.rstrip('/')}{c['urls']['edit']}")

    def run(self, c: dict[str, Any]) -> None:
        label = {"preview": "preview (check mode, nothing changed)", "run": "run", "answer": "answer"}[c["type"]]
        counts = c["counts"]
        self.echo(f"  {label} {c['run_id'][:8]}: {c['status']}  done={counts['done']} failed={counts['failed']} "
                  f"pending={counts['pending']}")
        if not c["finished"]:
            return
        hosts = c["hosts"]
        for h in hosts[:HOSTS_SHOWN] + [h for h in hosts[HOSTS_SHOWN:] if h["host"] in c["failed_hosts"]]:
            shown = h["outcome"] if c["type"] == "preview" else h["status"]
            reasons = "; ".join(f"{st['action']}: {st['reason']}" for st in h["steps"] if st.get("reason"))
            self.echo(f"    {h['host']:20} {shown:16} {reasons}"[:400].rstrip())
        rest = len([h for h in hosts[HOSTS_SHOWN:] if h["host"] not in c["failed_hosts"]])
        if rest:
            self.echo(f"    ... and {rest} more host(s) that did not fail")
        if c["type"] == "answer" and c.get("tables"):
            tables = [Table(t["step"], t["action"], t["columns"], t["rows"], t["missing"]) for t in c["tables"]]
            self.echo(render_text(tables))

    def follow(self, c: dict[str, Any], poll: float = 0.4) -> dict[str, Any]:
        """A progress line (steps, hosts done/failed/pending, task, elapsed, ETA) until the run ends."""
        from app.db.session import session_scope
        from app.services.chat_cards import counters, run_card
        from app.services.runs import events_after, get_run

        last, step, total, task = 0, 0, 0, ""
        started, estimate = time.monotonic(), c.get("estimate_seconds")
        try:
            while True:
                with session_scope(self.settings.database_url) as s:
                    events = events_after(s, c["run_id"], last)
                    run = get_run(s, c["run_id"])
                    status, counts = run.status, counters(run.hosts or {})
                for e in events:
                    last = e["seq"]
                    if e["kind"] == "start":
                        total = len(e["data"].get("steps") or []) or total
                    elif e["kind"] == "step":
                        step, total = int(e["data"].get("step") or 0), int(e["data"].get("total") or total)
                    elif e["kind"] == "task":
                        task = str(e["data"].get("task", ""))
                done = status not in ("queued", "running")
                elapsed = time.monotonic() - started
                eta = "done" if done else f"ETA ~{max(0, round(estimate - elapsed))}s" if estimate else "ETA -"
                self.out.write(f"\r  {_bar(total if done else max(step - 1, 0), total)} done={counts['done']} "
                               f"failed={counts['failed']} pending={counts['pending']} {elapsed:.0f}s {eta} "
                               f"{'' if done else task[:30]}".ljust(100)[:110])
                self.out.flush()
                if done:
                    self.out.write("\n")
                    break
                time.sleep(poll)
        except KeyboardInterrupt:
            self.echo("\n  (stopped following; the run goes on: /cancel to cancel it)")
        with session_scope(self.settings.database_url) as s:
            return run_card(s, c["run_id"], c["type"])


def run_chat(settings: Settings, viewer: Viewer, conversation_id: str | None, stdin: TextIO = sys.stdin,
             stdout: TextIO = sys.stdout) -> None:
    chat = TerminalChat(settings, viewer, stdout, conversation_id)
    interactive = stdin.isatty()
    if interactive:
        import readline  # noqa: F401 - line editing and history for input()
    chat.echo(f"Opsplan chat as {viewer.name} ({viewer.role}). /help for commands, /quit to leave.")
    if conversation_id:
        try:
            chat.open(conversation_id)
        except OpsplanError as exc:
            raise click.ClickException(exc.message) from None
    while True:
        try:
            line = input("opsplan> ") if interactive else stdin.readline()
        except EOFError:
            break
        except KeyboardInterrupt:
            chat.echo("")
            continue
        if not interactive and not line:
            break
        if not chat.handle(line):
            break


@click.command("chat")
@click.option("--user", default=None, help="act as this Opsplan user (default: OPSPLAN_USER, else the OS user)")
@click.option("--conversation", "conversation_id", default=None, help="reopen a conversation (see /history)")
def chat_command(user: str | None, conversation_id: str | None) -> None:
    """Interactive chat in the terminal: plans, previews, approvals, live runs and answers."""
    import getpass

    from app.cli import _db, _settings
    from app.services.users import acting_user

    settings = _settings()
    with _db(settings) as s:
        acting = acting_user(s, user or settings.cli_user or getpass.getuser(), "operator")
        viewer = Viewer(acting.name, str(acting.role))
    run_chat(settings, viewer, conversation_id)
