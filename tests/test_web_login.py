"""The login flow in a real browser (Chromium driven by Playwright) against the real `dalil serve`
on an archive with accounts: a page asks for a login and comes back after it, the session cookie
is HttpOnly and SameSite=Strict, a form (with its CSRF token) changes kept work, the user sees
only their collection, and logging out ends the session."""
from __future__ import annotations

import shutil

import httpx
import pytest
from playwright.sync_api import expect

from dalil import Archive
from web_support import Server

PASSWORD = "a long enough pass"


@pytest.fixture(scope="module")
def served(tmp_path_factory, corpus_dir):
    root = tmp_path_factory.mktemp("web-login")
    mine, theirs = root / "mine", root / "theirs"
    mine.mkdir()
    theirs.mkdir()
    for p in sorted((corpus_dir / "HRC_Email_296").glob("*.txt"))[:20]:
        shutil.copy(p, mine)
    for p in sorted((corpus_dir / "HRCEmail_Feb13thWeb").glob("*.txt"))[:10]:
        shutil.copy(p, theirs)
    db = root / "dalil.db"
    archive = Archive(str(db))
    archive.ingest([str(mine)], workers=1, collection="mine")
    archive.ingest([str(theirs)], workers=1, collection="theirs")
    archive.add_user("ed", "editor", PASSWORD)
    archive.grant("ed", "mine")
    archive.close()
    srv = Server(db, ready="/login")
    yield srv, sorted(p.stem for p in mine.glob("*.txt")), sorted(p.stem for p in theirs.glob("*.txt"))
    srv.stop()


@pytest.fixture(scope="module")
def browser():
    from web_support import chromium
    with chromium() as b:
        yield b


def test_login_flow(browser, served):
    server, mine, theirs = served
    assert httpx.get(server.base + "/api/status").status_code == 401
    context = browser.new_context(base_url=server.base)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto("/?q=doc:C05*")
    expect(page).to_have_url(server.base + "/login?next=%2F%3Fq%3Ddoc%3AC05%2A")
    page.fill("#login-name", "ed")
    page.fill("#login-password", "not the password")
    page.click("button[type=submit]")
    expect(page.locator(".login-panel [role=alert]")).to_be_visible()
    page.fill("#login-name", "ed")
    page.fill("#login-password", PASSWORD)
    page.click(".login-form button[type=submit]")
    expect(page).to_have_url(server.base + "/?q=doc:C05*")
    expect(page.locator(".user-name")).to_have_text("ed")
    shown = set(page.locator(".hit .doc-id").all_inner_texts())
    assert shown and shown <= set(mine)
    cookie = next(c for c in context.cookies() if c["name"] == "dalil_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    # a form of the document page carries its CSRF token: the tag is kept
    page.goto(f"/documents/{mine[0]}")
    page.fill(".kept-tag input[name=value]", "checked-by-ed")
    page.click(".kept-tag button[type=submit]")
    expect(page.locator("#kept")).to_contain_text("checked-by-ed")
    # a document of the other collection is not there for this user
    response = page.goto(f"/documents/{theirs[0]}")
    assert response.status == 404
    page.click(".user-box button[type=submit]")
    expect(page).to_have_url(server.base + "/login")
    page.goto("/archive")
    expect(page).to_have_url(server.base + "/login?next=%2Farchive")
    context.close()
    assert errors == []
