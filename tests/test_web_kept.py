"""Kept work in a real browser (Chromium driven by Playwright) against the real `dalil serve`:
a document tagged, starred and noted on its page is found with tag:/is:, keeps all of it after a
reload and in the exported CSV; opened documents show as read in the results; a search saved
from the search page lists, on /alerts, exactly the matching documents a later ingest added."""
from __future__ import annotations

import csv
import io
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from dalil import Archive
from web_support import Server

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


@pytest.fixture(scope="module")
def served(two_ingests, tmp_path_factory):
    """A fresh archive of the first slice and `dalil serve` on it."""
    db = tmp_path_factory.mktemp("web-kept") / "dalil.db"
    archive = Archive(str(db))
    archive.ingest([str(two_ingests[0])], workers=1)
    archive.close()
    srv = Server(db)
    yield srv, db
    srv.stop()


@pytest.fixture(scope="module")
def browser():
    ARTIFACTS.mkdir(exist_ok=True)
    from web_support import chromium
    with chromium() as b:
        yield b


@pytest.fixture
def page(browser, served):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=served[0].base,
                                  accept_downloads=True)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    yield pg
    context.close()
    assert errors == []


def hit_ids(page) -> list[str]:
    return page.locator(".hit .doc-id").all_inner_texts()


def test_tag_star_note_on_the_document_page(page, two_ingests, tmp_path):
    docs = sorted(p.stem for p in two_ingests[0].glob("*.txt"))
    doc = docs[7]
    page.goto(f"/documents/{doc}?ui=en")
    kept = page.locator("section.kept")
    expect(kept).to_contain_text("No tags yet.")
    kept.get_by_label("Add tags (comma-separated)").fill("Benghazi Files, متابعة")
    kept.get_by_role("button", name="Add", exact=True).click()
    expect(kept.locator(".kept-tags .chip")).to_have_text(["benghazi files", "متابعة"])
    kept.get_by_role("button", name="Star").click()
    expect(kept.locator(".star.on")).to_contain_text("Starred")
    note = "Compare with the cable of the same week; the second page names the deputy."
    kept.get_by_label("Note").fill(note)
    kept.get_by_role("button", name="Save the note").click()
    page.reload()
    kept = page.locator("section.kept")
    expect(kept.get_by_label("Note")).to_have_value(note)
    expect(kept.locator(".kept-tags .chip")).to_have_text(["benghazi files", "متابعة"])
    expect(kept.get_by_role("button", name="Remove the star")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "kept-document.png"), full_page=True)

    # Found again by tag and by star, from the search box, in both interface languages.
    page.goto("/?ui=en")
    page.get_by_label("Search the archive").fill('tag:"benghazi files"')
    page.get_by_role("button", name="Search").click()
    assert hit_ids(page) == [doc]
    page.goto("/?q=" + "is:starred tag:متابعة" + "&mode=lexical&ui=ar")
    assert hit_ids(page) == [doc]

    # The result of the tag search exports with the tags, the star and the note.
    page.goto('/?q=tag:"benghazi files"&mode=lexical&ui=en')
    with page.expect_download() as got:
        page.locator(".export-links a", has_text="CSV").click()
    path = tmp_path / "kept.csv"
    got.value.save_as(path)
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert [(r["doc_id"], r["tags"], r["starred"], r["note"]) for r in rows] == \
        [(doc, "benghazi files; متابعة", "True", note)]

    # Removing a tag: the search no longer finds it.
    page.goto(f"/documents/{doc}?ui=en")
    page.get_by_role("button", name="Remove the tag متابعة").click()
    expect(page.locator(".kept-tags .chip")).to_have_text(["benghazi files"])
    page.goto("/?q=tag:متابعة&mode=lexical&ui=en")
    assert hit_ids(page) == []

    # Opened documents are marked read in the results; the ones beside it were never opened.
    near = f"/?q=doc:{doc[:8]}*&mode=lexical&ui=en"
    page.goto(near)
    shown = hit_ids(page)
    read = page.locator(".hit.hit-read .doc-id").all_inner_texts()
    assert doc in shown and len(shown) > 1 and read == [doc]
    expect(page.locator(".hit.hit-read .read-mark").first).to_have_text("Read")
    page.screenshot(path=str(ARTIFACTS / "kept-read-results.png"), full_page=True)
    page.goto(f"/documents/{doc}?ui=ar")
    expect(page.locator("#kept-h")).to_have_text("ملاحظاتك")
    page.get_by_role("button", name="علّمها غير مقروءة").click()
    page.goto(near)
    assert page.locator(".hit.hit-read").count() == 0


def test_a_saved_search_alerts_on_documents_ingested_later(page, served, two_ingests):
    server, db = served
    page.goto("/?q=benghazi&mode=lexical&ui=en")
    page.get_by_label("Name").fill("Benghazi watch")
    page.get_by_role("button", name="Save this search").click()
    expect(page).to_have_url(f"{server.base}/alerts?ui=en")
    watch = page.locator("section.saved-search", has_text="Benghazi watch")
    expect(watch.locator(".count")).to_have_text("0")
    expect(watch).to_contain_text("Nothing new.")

    archive = Archive(str(db))              # a new release arrives while the server runs
    try:
        archive.ingest([str(two_ingests[1])], workers=1)
        later = {p.stem for p in two_ingests[1].glob("*.txt")}
        expected = later & {h.doc_id for h in archive.search("benghazi", mode="lexical", limit=1000).hits}
    finally:
        archive.close()
    assert expected
    page.reload()
    watch = page.locator("section.saved-search", has_text="Benghazi watch")
    expect(watch.locator(".count")).to_have_text(str(len(expected)))
    listed = watch.locator(".alert-docs .doc-id").all_inner_texts()
    # At most 50 listed per saved search (the newest), the count of all of them beside it.
    assert set(listed) <= expected and len(listed) == len(set(listed)) == min(50, len(expected))
    if len(expected) > 50:
        expect(watch).to_contain_text(f"… and {len(expected) - 50} more")
    page.screenshot(path=str(ARTIFACTS / "kept-alerts.png"), full_page=True)
    watch.locator(".alert-docs a").first.click()
    expect(page.locator("section.kept .read-mark")).to_be_visible()

    page.goto("/alerts?ui=en")
    page.get_by_role("button", name="Mark all as seen").click()
    expect(page.locator("section.saved-search", has_text="Benghazi watch").locator(".count")).to_have_text("0")
    page.goto("/alerts?ui=ar")
    expect(page.locator("h1")).to_have_text("التنبيهات")
    page.get_by_role("button", name="احذف هذا البحث المحفوظ").click()
    expect(page.locator("section.saved-search")).to_have_count(0)


def test_a_change_sent_from_another_site_is_refused(served, two_ingests):
    server, db = served
    doc = sorted(p.stem for p in two_ingests[0].glob("*.txt"))[30]
    url = f"{server.base}/documents/{doc}/kept"
    for headers in ({"Origin": "https://elsewhere.example"}, {"Sec-Fetch-Site": "cross-site"}):
        r = httpx.post(url, data={"action": "tag", "value": "planted"}, headers=headers)
        assert r.status_code == 403
        r = httpx.post(f"{server.base}/saved", data={"q": "libya", "name": "planted"}, headers=headers)
        assert r.status_code == 403
    r = httpx.post(url, data={"action": "tag", "value": "mine"}, headers={"Origin": server.base})
    assert r.status_code == 303
    archive = Archive(str(db), readonly=True)
    try:
        assert archive.annotations([doc])[doc]["tags"] == ["mine"]
        assert all(s["name"] != "planted" for s in archive.saved_searches())
    finally:
        archive.close()
    assert httpx.post(url, data={"action": "explode"}, headers={"Origin": server.base}).status_code == 400
    assert httpx.post(f"{server.base}/documents/C99999999/kept", data={"action": "star"}).status_code == 404
