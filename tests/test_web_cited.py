"""A cited passage opens marked (issue 26, item 5): in a real browser (Debian's Chromium driven by
Playwright) against the real `dalil serve` on the full corpus, a trace report's passage link and a
search snippet's link open the document scrolled to the cited byte range, marked, in the whole
text and in the page view.  Screenshots go to the test's tmp dir."""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from playwright.sync_api import expect

from web_support import Server

# Sentences written for this test from corpus document C05765915 ("Fw: Somali Rebels trying to
# kill Asha Haji"), in English and in Arabic.
QUERY = "Somali rebels Asha"
ARTICLE_EN = ("In December 2009 an aide wrote to Huma Abedin that Somali rebels were trying to kill "
              "Asha Haji, whom Clinton had met at CGI.")
# Arabic for "the Somali rebels": bridged to English, it needs an archive with its vectors (the
# quality archive: the full one the tests build has none).
QUERY_AR = "المتمردون الصوماليون"


@pytest.fixture(scope="module")
def server(full_archive):
    srv = Server(full_archive)
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def bridged_server(quality_archive):
    srv = Server(Path(quality_archive.path))
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def browser():
    from web_support import chromium
    with chromium() as b:
        yield b


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=server.base)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    yield pg
    context.close()
    assert errors == []


def cited_text(server: Server, url: str) -> str:
    """The text a link cites: its `start`/`end` bytes of the document's stored text (from the API)."""
    parts = urlsplit(url)
    params = parse_qs(parts.query)
    doc_id = parts.path.split("/")[2]
    text = httpx.get(f"{server.base}/api/documents/{doc_id}", timeout=60).json()["text"]
    data = text.encode("utf-8", "surrogatepass")
    return data[int(params["start"][0]):int(params["end"][0])].decode("utf-8", "surrogatepass")


def marked_text(page) -> str:
    """The text of every piece of the cited mark (a passage across a page break is in two)."""
    return "".join(page.locator("mark.cited").all_text_contents())


def in_viewport(page, selector: str) -> bool:
    return page.evaluate("""s => { const r = document.querySelector(s).getBoundingClientRect();
        return r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight; }""", selector)


def check_marked(page, server, url: str, shot) -> str:
    """Open `url`; the mark holds exactly the cited bytes (page breaks aside) and is on screen."""
    expected = cited_text(server, url)
    page.goto(url)
    page.wait_for_load_state("load")
    expect(page.locator("mark#cited")).to_have_count(1)
    page.wait_for_function("() => { const r = document.getElementById('cited').getBoundingClientRect();"
                           " return r.top >= 0 && r.bottom <= window.innerHeight; }", timeout=10_000)
    assert marked_text(page) == expected.replace("\f", "")
    assert in_viewport(page, "mark#cited")
    assert page.evaluate("() => window.scrollY") > 0 or page.locator("mark#cited").bounding_box()["y"] < 800
    page.screenshot(path=str(shot))
    return expected


def test_search_snippet_link_opens_the_passage_marked(page, server, tmp_path):
    page.goto(f"/?q={QUERY}&mode=lexical&ui=en")
    hit = page.locator(".hit").first
    expect(hit).to_be_visible(timeout=60_000)
    link = hit.locator("a.passage-link")
    href = link.get_attribute("href")
    snippet = hit.locator(".snippet").inner_text()
    cited = check_marked(page, server, href, tmp_path / "snippet-text.png")
    # The snippet is the cited range with its white space collapsed.
    assert " ".join(cited.split()) == snippet.strip("…").strip()
    assert re.search(r"Somali", cited) and page.locator("mark#cited mark").count() >= 3   # the hits inside
    # The same passage alone on its page (the page view).
    page_link = page.locator(".cited-note a.page-view-link").first.get_attribute("href")
    assert "/pages/" in page_link
    assert check_marked(page, server, page_link, tmp_path / "snippet-page.png") == cited
    assert page.locator("pre.doc-text").count() == 1


def test_snippet_link_of_an_arabic_query_marks_the_same_bytes(browser, bridged_server, tmp_path):
    # The bridged Arabic query finds the English document; its snippet link marks UTF-8 bytes.
    context = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=bridged_server.base)
    page = context.new_page()
    try:
        page.goto(f"/?q={QUERY_AR}&ui=ar")
        link = page.locator(".hit a.passage-link").first
        expect(link).to_be_visible(timeout=60_000)
        check_marked(page, bridged_server, link.get_attribute("href"), tmp_path / "snippet-ar.png")
        assert page.locator("html").get_attribute("dir") == "rtl"
    finally:
        context.close()


def test_trace_passage_link_opens_the_passage_marked(page, server, tmp_path):
    page.goto("/trace?ui=en")
    page.get_by_label("Article text or HTML").fill(ARTICLE_EN)
    page.get_by_role("button", name="Trace").click()
    evidence = page.locator(".claim-evidence figure.evidence").first
    expect(evidence).to_be_visible(timeout=120_000)
    quote = evidence.locator("blockquote").inner_text()
    href = evidence.locator("a.passage-link").get_attribute("href")
    page_href = evidence.locator("a.page-view-link").get_attribute("href")
    cited = check_marked(page, server, href, tmp_path / "trace-text.png")
    assert " ".join(cited.split()) == " ".join(quote.split())      # the link marks the quoted passage
    assert check_marked(page, server, page_href, tmp_path / "trace-page.png") == cited
    assert page.locator(".page-marker").count() == 1                   # one page alone


def test_a_range_outside_the_document_is_said_and_not_marked(page, server):
    page.goto("/documents/C05765915?start=10&end=999999999&ui=en")
    assert page.locator("mark.cited").count() == 0
    assert "not inside this document" in page.locator(".cited-note").inner_text()
