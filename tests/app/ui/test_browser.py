"""The web UI end to end in a real browser (Debian's Chromium via Playwright), against the real stack:
the app served on a free port, a real RQ worker, real Redis and four real sshd hosts.

Typed request -> clarifying question answered -> check-mode preview per host -> approve & run ->
live run page until it finishes -> per-host results; plus the chat, history and asset pages.
Screenshots of every page go to a temporary directory, or to OPSPLAN_SCREENSHOTS when set
(`make screenshots` refreshes docs/screenshots/ that way), so `make test` leaves the work tree clean.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
from pathlib import Path

import pytest

from tests.conftest import sqlite_only

pytestmark = [pytest.mark.integration, pytest.mark.browser, sqlite_only]

CHROMIUM = os.environ.get("OPSPLAN_CHROMIUM", "/usr/bin/chromium")
SHOTS = Path(os.environ.get("OPSPLAN_SCREENSHOTS") or tempfile.mkdtemp(prefix="opsplan-shots-"))
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic", "--disable-dev-shm-usage"]
SLOW = 180_000  # ms: previews and runs against real hosts on a shared machine


@pytest.fixture
def live_app(stack_env, fleet_assets):
    """The real app (UI registered) on a free port, served from a background thread."""
    from werkzeug.serving import make_server

    from app.auth import create_user
    from app.config import Settings
    from app.db import session_scope
    from tests.app.ui.conftest import ui_app

    settings = Settings.from_env(stack_env)
    with session_scope(settings.database_url) as s:
        create_user(s, "alice", "approver", password="alice-pass-1")
    server = make_server("127.0.0.1", 0, ui_app(settings), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def browser_page(tmp_path):
    from playwright import sync_api  # a dev requirement: missing means a broken install, not a skip

    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        if os.environ.get("CI"):  # CI installs Debian's chromium: its absence there is a failure
            pytest.fail(f"no Chromium at {CHROMIUM}")
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    with sync_api.sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"), executable_path=CHROMIUM, headless=True, args=ARGS,
            viewport={"width": 1280, "height": 900})
        page = context.pages[0] if context.pages else context.new_page()
        page.set_default_timeout(30_000)
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        yield page, sync_api.expect, errors
        context.close()


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name), full_page=True)


def test_request_answer_preview_approve_and_watch_the_run(live_app, worker, browser_page, tmp_path):
    page, expect, errors = browser_page
    worker()

    # every page needs a login; the login form works from the keyboard alone
    page.goto(live_app + "/plans")
    expect(page).to_have_url(f"{live_app}/login?next=/plans")
    shot(page, "login.png")
    page.keyboard.type("alice")  # the user name field has the focus
    page.keyboard.press("Tab")
    page.keyboard.type("alice-pass-1")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_app}/plans")
    expect(page.locator(".flash")).to_contain_text("Signed in as alice")

    # the request form, with pickers fed by the asset database
    page.goto(live_app + "/")
    expect(page.locator("#environment option[value=staging]")).to_have_count(1)
    expect(page.locator("#group option[value=web]")).to_have_count(1)
    page.fill("#request", "check disk space")
    shot(page, "request-form.png")
    page.click("button:has-text('Make a plan')")

    # no target: the planner asks; the answer re-plans
    expect(page.locator(".question")).to_be_visible()
    expect(page.locator(".qtext").first).not_to_be_empty()
    shot(page, "plan-question.png")
    page.fill("#answer", "on web-01")
    page.press("#answer", "Enter")
    expect(page.locator("#steps-h")).to_have_text("What will happen")
    expect(page.locator(".steps")).to_contain_text("disk.check")
    expect(page.locator(".badges")).to_contain_text("LOW risk")
    expect(page.locator(".badges")).to_contain_text("READ-ONLY")
    expect(page.locator("#policy-h")).to_be_visible()
    plan_url = page.url

    # a question changes nothing: it runs at once, without preview or approval, and answers as a table
    expect(page.locator("#btn-run-now")).to_be_visible()
    streams: list[str] = []
    page.on("request", lambda req: streams.append(req.url) if "/events" in req.url else None)
    page.click("#btn-run-now")
    page.wait_for_url("**/runs/*")
    live = page.locator("#run-root").get_attribute("data-finished") != "yes"
    expect(page.locator(".banner-ro")).to_contain_text("RUN — read-only: nothing")
    assert page.title().startswith("RUN ")
    expect(page.locator("#run-root")).to_have_attribute("data-finished", "yes", timeout=SLOW)
    expect(page.locator("#run-status")).to_contain_text("successful")
    if live:  # the page opened before the run ended: it followed the run over Server-Sent Events
        assert any("/api/v1/runs/" in u and "/events?after=" in u for u in streams), streams
    answers = page.locator("#answers table.answers")
    expect(answers).to_contain_text("web-01")
    expect(answers.locator("thead")).to_contain_text("used percent")
    expect(answers.locator("td.num .bar").first).to_be_visible()
    answers.locator("button.sort", has_text="mount").click()  # sortable, from the keyboard too
    expect(answers.locator("button.sort", has_text="mount")).to_have_attribute("aria-sort", "ascending")
    expect(page.locator("#answers a:has-text('CSV')")).to_have_count(1)
    expect(page.locator("#count-done")).to_have_text("1")
    expect(page.locator("#count-failed")).to_have_text("0")
    expect(page.locator(".host-grid li[data-host='web-01']")).to_have_class("host st-ok")
    expect(page.locator("#log li").first).to_be_visible()
    page.select_option("#log-host", "web-01")
    shot(page, "run-answer.png")

    # edit: a new revision that changes a file; its preview shows the diff a run would apply
    page.goto(plan_url)
    src, dest = tmp_path / "src.txt", tmp_path / "dest.txt"
    src.write_text("release 2\n")
    dest.write_text("release 1\n")
    page.click("details.edit summary")
    page.fill("#plan-json", json.dumps({"steps": [{"action": "file.copy",
                                                   "params": {"src": str(src), "dest": str(dest)},
                                                   "targets": {"hosts": ["web-01"]}}]}))
    page.click("button:has-text('Save new revision')")
    expect(page.locator(".flash")).to_contain_text("Saved as revision 2")
    expect(page.locator(".badges")).to_contain_text("CHANGES HOSTS")
    expect(page.locator("#approve-blocked")).to_be_visible()  # no preview yet: no approve button
    page.click("#btn-preview")
    expect(page.locator(".flash")).to_contain_text("Check-mode preview queued")
    expect(page.locator("#preview")).to_have_attribute("data-status", "successful", timeout=SLOW)
    row = page.locator(".preview-table tr[data-host='web-01']")
    expect(row.locator("td .pill").first).to_have_text("would change")
    if row.locator("details summary").count():  # the diff, when the executor recorded one, is expandable
        row.locator("details summary").first.click()
        expect(row.locator("pre.diff")).to_contain_text("release 2")
    assert dest.read_text() == "release 1\n"  # the preview changed nothing
    expect(page.locator("#preview .banner-check")).to_contain_text("CHECK MODE — nothing was changed")
    expect(page.locator(".approve-form input[name=confirm]")).to_be_visible()  # a change needs the tick
    shot(page, "plan-approval-card.png")

    # approve & run (medium risk: the requester may approve, holding the approver role) -> the live run page
    page.check(".approve-form input[name=confirm]")
    page.click("#btn-approve")
    page.wait_for_url("**/runs/*")
    expect(page.locator(".banner-run")).to_contain_text("RUN")
    expect(page.locator("#run-root")).to_have_attribute("data-finished", "yes", timeout=SLOW)
    expect(page.locator("#run-status")).to_contain_text("successful")
    expect(page.locator(".banner-run")).to_contain_text("real changes were applied")
    assert dest.read_text() == "release 2\n"
    summary = page.locator("#summary")
    expect(summary.locator("tr", has_text="web-01")).to_contain_text("changed")
    verification = page.locator("#run-root p", has_text="Verification")
    for _ in range(120):  # the verification (the same bundle in check mode) follows the run: poll with a deadline
        if verification.count() and "pending" not in verification.inner_text():
            break
        page.wait_for_timeout(500)
        page.reload()
    expect(verification).to_contain_text("converged")
    shot(page, "run-finished.png")
    run_url = page.url

    # the preview run looks unmistakably different from the real run
    page.goto(plan_url)
    page.click("#preview a:has-text('live view and log')")
    expect(page.locator(".banner-check")).to_contain_text("CHECK MODE — nothing was changed")
    assert page.title().startswith("CHECK ")
    expect(page.locator(".banner-run")).to_have_count(0)
    shot(page, "preview-run.png")

    # the plan ran: its page shows the run, and that the approval was used up by it (no "Run approved plan")
    page.goto(plan_url)
    expect(page.locator(".badges")).to_contain_text("APPROVAL by alice USED by its run")
    expect(page.locator("button:has-text('Run approved plan')")).to_have_count(0)
    expect(page.locator(f"a[href='{run_url.removeprefix(live_app)}']")).to_have_count(1)
    shot(page, "plan-diff-preview.png")

    # chat: a question answered inline, then the plan card
    page.goto(live_app + "/chat")
    page.fill("#chat-input", "restart nginx")
    page.press("#chat-input", "Enter")
    expect(page.locator(".msg-assistant")).to_have_count(1)
    expect(page.locator(".msg-assistant").first).to_contain_text("Which hosts")
    page.fill("#chat-input", "on web-02")
    page.press("#chat-input", "Enter")
    card = page.locator(".msg-assistant .plan-card")
    expect(card).to_contain_text("service.restart")
    expect(card).to_contain_text("web-02")
    expect(card).to_contain_text("CHANGES HOSTS")
    shot(page, "chat.png")
    # the card leads to a stored plan page either way (a link, or the request form)
    opener = card.locator("a, button").first
    opener.click()
    expect(page.locator(".steps")).to_contain_text("service.restart")
    expect(page.locator(".badges")).to_contain_text("CHANGES HOSTS")

    # history with filters, and the assets
    page.goto(live_app + "/plans")
    expect(page.locator("table")).to_contain_text("check disk space on web-01")
    shot(page, "plans.png")
    page.goto(live_app + "/runs")
    expect(page.locator("tbody tr")).to_have_count(4)  # the question's run, a preview, a run, its verification
    shot(page, "runs.png")
    page.select_option("#f-mode", "run")
    page.click("button:has-text('Filter')")
    expect(page.locator("tbody tr")).to_have_count(2)
    expect(page.locator("tbody tr .mode-run")).to_have_count(2)
    page.goto(live_app + "/assets")
    for host in ("web-01", "web-02", "web-03", "web-04"):
        expect(page.locator("tbody").first).to_contain_text(host)
    assert "BEGIN OPENSSH" not in page.content() and "secret" not in page.content().lower()
    shot(page, "assets.png")

    # readable on a phone
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(run_url)
    shot(page, "run-phone.png")
    page.goto(plan_url)
    shot(page, "plan-phone.png")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1, "horizontal scroll on a phone"

    assert not [e for e in errors if "favicon" not in e], errors
