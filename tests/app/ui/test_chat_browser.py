"""The whole job inside the chat, in Debian's Chromium against the real stack (issue 15): a change request, a
clarifying question answered, a preview shown per host in place, approval by a second user, the live run (the run
page's SSE client) to its end with per-host outcome, a follow-up to the failed hosts, and a read-only question
answered with its table. Keyboard only for the actions; screenshots as in test_browser.py."""
from __future__ import annotations

import re

import pytest

from tests.app.ui.test_browser import SLOW, browser_page, live_app, shot  # noqa: F401 - fixtures
from tests.conftest import sqlite_only

pytestmark = [pytest.mark.integration, pytest.mark.browser, sqlite_only]
REPLY = 30_000  # ms: a chat turn plans, compiles and stores on a loaded machine


def login(page, base: str, name: str, password: str) -> None:
    page.goto(base + "/login")
    page.fill("#username", name)
    page.fill("#password", password)
    page.press("#password", "Enter")
    page.wait_for_url(re.compile(r".*/(plans)?$"))


def send(page, text: str) -> None:
    page.focus("#chat-input")
    page.keyboard.type(text)
    page.keyboard.press("Enter")


def press(button) -> None:
    """Activate a button from the keyboard."""
    button.focus()
    button.press("Enter")


@pytest.fixture
def chat_users(live_app, stack_env):  # noqa: F811 - the imported fixture
    from app.assets.io import import_document
    from app.auth import create_user
    from app.db import session_scope
    from app.notify.service import create_webhook

    with session_scope(stack_env["DATABASE_URL"]) as s:
        create_user(s, "bob", "operator", password="bob-pass-1")
        create_webhook(s, name="pager", url="http://127.0.0.1:9/hook", events=["approval.needed"])
        import_document(s, {"assets": [{"name": "web-09", "address": "127.0.0.99", "os": "linux",
                                        "environment": "staging", "groups": ["web"], "credential": "test-ssh",
                                        "port": 9, "vars": {"ansible_python_interpreter": "/usr/bin/python3"}}]})
    return live_app


def test_the_whole_job_in_the_chat(chat_users, worker, browser_page, tmp_path):  # noqa: F811
    base = chat_users
    page, expect, errors = browser_page
    worker()
    src, dest = tmp_path / "src.txt", tmp_path / "dest.txt"
    src.write_text("release 2\n")
    dest.write_text("release 1\n")
    streams: list[str] = []
    page.on("request", lambda req: streams.append(req.url) if "/events" in req.url else None)

    # bob (operator) asks for a change; the planner asks which hosts; the answer makes the plan card
    login(page, base, "bob", "bob-pass-1")
    page.goto(base + "/chat")
    send(page, f"copy {src} to {dest}")
    expect(page.locator(".msg-assistant").last).to_contain_text("Which hosts", timeout=REPLY)
    shot(page, "chat-question.png")
    send(page, "on the web hosts")
    card = page.locator(".msg-assistant .plan-card").last
    expect(card).to_contain_text("file.copy", timeout=REPLY)
    expect(card).to_contain_text("CHANGES HOSTS")
    expect(card.locator("button[data-action=approve]")).to_have_count(0)  # an operator: no approve button
    shot(page, "chat-plan.png")
    conversation_url = page.url
    assert "?c=" in conversation_url
    edit_url = card.locator("a", has_text="Edit").get_attribute("href")
    assert edit_url.endswith("#edit")

    # preview in place: per host, failures first; nothing changed
    press(card.locator("button[data-action=preview]"))
    preview = page.locator(".card-preview").last
    expect(preview).to_have_attribute("data-status", "partial", timeout=SLOW)
    expect(preview.locator(".hrow").first).to_contain_text("web-09")
    expect(preview.locator(".hrow").first).to_contain_text("unreachable")
    expect(preview.locator(".hrow[data-host=web-01]")).to_contain_text("would change")
    diff = preview.locator(".hrow[data-host=web-01] details")
    if diff.count():  # the diff, when recorded, is folded
        diff.first.locator("summary").click()
        expect(diff.first.locator("pre.diff")).to_contain_text("release 2")
    assert dest.read_text() == "release 1\n"
    shot(page, "chat-preview.png")

    # bob may not approve: the card says who can, and asks them
    card = page.locator(".msg-assistant .plan-card").last
    expect(card.locator(".approval-note")).to_contain_text("alice")
    press(card.locator("button[data-action=request_approval]"))
    expect(page.locator(".msg-assistant").last).to_contain_text("Asked alice to approve (1 webhook", timeout=REPLY)
    page.goto(base + "/chat/history")
    expect(page.locator(".conversations")).to_contain_text("copy ")
    page.click("button:has-text('Sign out')")

    # alice (approver) opens the same conversation and approves: the run follows live, to its end
    login(page, base, "alice", "alice-pass-1")
    page.goto(conversation_url)
    card = page.locator(".msg-assistant .plan-card").last
    press(card.locator("button[data-action=approve]"))
    run = page.locator(".card-run").last
    expect(run).to_be_visible()
    expect(run).to_have_attribute("data-status", "partial", timeout=SLOW)
    assert any("/api/v1/runs/" in u and "/events?after=" in u for u in streams), streams
    expect(run.locator(".n-done")).to_have_text("4")
    expect(run.locator(".n-failed")).to_have_text("1")
    expect(run.locator(".hrow").first).to_contain_text("web-09")
    expect(run.locator(".hrow.st-changed")).not_to_have_count(0)  # the four hosts share one machine: one copies
    assert dest.read_text() == "release 2\n"
    shot(page, "chat-run.png")

    # follow-up to the failed hosts: a relaunch offer under the same approval, run in place
    send(page, "only on the ones that failed")
    expect(page.locator(".msg-assistant").last).to_contain_text("web-09", timeout=REPLY)
    press(page.locator(".msg-assistant").last.locator("button[data-action=relaunch]"))
    again = page.locator(".card-run").last
    expect(again).to_contain_text("Limited to web-09")
    expect(again).to_have_attribute("data-status", "failed", timeout=SLOW)
    shot(page, "chat-relaunch.png")

    # a read-only question: its answer as a table, no buttons
    send(page, "check disk space on web-01")
    answer = page.locator(".card-answer").last
    expect(answer).to_have_attribute("data-status", "successful", timeout=SLOW)
    expect(answer.locator("table.answers")).to_contain_text("web-01")
    expect(answer.locator("thead")).to_contain_text("used percent")
    expect(answer.locator("button[data-action]")).to_have_count(0)
    shot(page, "chat-answer.png")

    # the conversation survives a reload; readable on a phone
    page.reload()
    expect(page.locator(".card-answer table.answers")).to_contain_text("web-01")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "chat-phone.png")
    wide = page.evaluate("""Array.from(document.querySelectorAll('body *'))
        .filter(e => e.getBoundingClientRect().right > 391).map(e => e.tagName + '.' + e.className).slice(0, 8)""")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1, f"horizontal scroll on a phone: {wide}"
    page.goto(base + edit_url)  # the card's Edit opens the plan page's editor
    expect(page.locator("details#edit")).to_have_attribute("open", "")
    assert not [e for e in errors if "favicon" not in e], errors
