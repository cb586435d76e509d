"""The interface in a real browser (Debian's Chromium driven by Playwright) against the real
`dalil serve` on an archive of real corpus documents.  Screenshots go to test-artifacts/."""
from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from web_support import ARABIC_SUBJECT, DUP_ID, DUP_OF

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


@pytest.fixture(scope="module")
def db(web_db):
    return web_db


@pytest.fixture(scope="module")
def server(web_server):
    return web_server


@pytest.fixture(scope="module")
def browser():
    ARTIFACTS.mkdir(exist_ok=True)
    from web_support import chromium
    with chromium() as b:
        yield b


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=server.base)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    # Nothing may be requested outside the server itself (no CDN, no fonts, no beacons).
    pg.route("**/*", lambda route: route.continue_() if route.request.url.startswith(server.base)
             else (errors.append("offsite " + route.request.url), route.abort()))
    pg.errors = errors
    yield pg
    context.close()
    assert errors == []


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"ui-{name}.png"), full_page=True)


def test_search_in_english(page):
    page.goto("/?ui=en")
    page.get_by_label("Search the archive").fill("libya militias")
    page.get_by_role("button", name="Search").click()
    hits = page.locator(".hit")
    expect(hits.first).to_be_visible()
    assert hits.count() == 20
    assert "documents" in page.locator(".result-summary").inner_text()
    assert page.locator(".snippet mark").count() >= 20
    assert page.locator(".snippet mark").first.inner_text().lower().startswith(("libya", "militia"))
    bars = page.locator("svg.timeline-chart rect.bar")
    assert bars.count() >= 5
    assert page.locator(".people li").count() >= 5
    shot(page, "search-en")
    # A facet refines the query; the active filter can be removed again.
    page.locator(".facet").filter(has_text="Exemption").get_by_role("link").filter(has_text="B5").click()
    assert "exemption:B5" in page.get_by_label("Search the archive").input_value()
    refined = int(page.locator(".result-summary strong").inner_text().split()[0].replace(",", ""))
    assert 0 < refined < 100
    page.locator(".active-filters a").first.click()
    assert page.get_by_label("Search the archive").input_value() == "libya militias"
    # Paging.
    page.get_by_role("link", name="Next").click()
    assert "offset=20" in page.url
    assert page.locator(".hits").get_attribute("start") == "21"


def test_timeline_bar_filters_to_its_month(page):
    page.goto("/?q=libya")
    bar = page.locator("svg.timeline-chart a").first
    label = bar.get_attribute("aria-label")
    bar.click()
    query = page.get_by_label("Search the archive").input_value()
    assert "after:" in query and "before:" in query
    month = label.split(":")[0]
    dates = page.locator(".hit-meta time").all_inner_texts()
    assert dates and all(d.startswith(month) for d in dates), (month, dates)


def test_search_in_arabic_with_arabic_interface(page):
    page.goto("/?ui=ar")
    html = page.locator("html")
    assert html.get_attribute("dir") == "rtl" and html.get_attribute("lang") == "ar"
    page.get_by_label("ابحث في الأرشيف").fill("ليبيا")
    page.get_by_role("button", name="ابحث").click()
    expect(page.locator(".hit").first).to_be_visible()
    titles = page.locator(".hit-title .subject").all_inner_texts()
    assert ARABIC_SUBJECT in titles
    arabic_hit = page.locator(".hit").filter(has_text=ARABIC_SUBJECT)
    assert arabic_hit.locator(".snippet mark").count() >= 1
    # The snippet is laid out right to left by its own content.
    direction = arabic_hit.locator(".snippet").evaluate("e => getComputedStyle(e).direction")
    assert direction == "rtl"
    # Mirrored layout: the facets column is on the right, the search button left of the box.
    # Measured once the stylesheet's two-column grid is applied (a late stylesheet lays the
    # page out in one column first).
    page.wait_for_function("() => getComputedStyle(document.querySelector('.results-layout'))"
                           ".gridTemplateColumns.split(' ').length === 2", timeout=15000)
    facets = page.locator(".facets").bounding_box()
    results = page.locator(".results-main").bounding_box()
    assert facets["x"] > results["x"]
    button = page.get_by_role("button", name="ابحث").bounding_box()
    box = page.get_by_label("ابحث في الأرشيف").bounding_box()
    assert button["x"] < box["x"]
    shot(page, "search-ar")
    arabic_hit.locator(".hit-title a").click()
    text = page.locator(".doc-text").first
    assert text.evaluate("e => getComputedStyle(e).direction") == "rtl"
    assert text.locator("mark").count() >= 1
    shot(page, "document-arabic-email")


def test_open_a_document_from_the_results(page, server, corpus_dir):
    page.goto("/?q=%22brits+and+libya%22&ui=en")
    page.locator(".hit-title a").first.click()
    assert "/documents/" in page.url and "q=" in page.url
    assert page.locator("h2", has_text="Messages").count() == 1
    headers = page.locator(".message .headers").first.inner_text()
    assert "From" in headers and "Subject" in headers and "Brits and Libya" in headers
    assert page.locator(".doc-text mark").count() >= 1
    assert page.locator(".page-marker").count() >= 1
    shot(page, "document")
    # Exemption codes explained; page markers; duplicates; the original file.
    page.goto(f"/documents/{DUP_OF}?q=libya")
    codes = page.locator("dl.codes").inner_text()
    assert "B6" in codes and "privacy" in codes
    assert page.locator(".page-marker").count() == 4
    assert page.locator("#page-1 .page-marker abbr").first.get_attribute("title").startswith("Personal privacy")
    page.get_by_role("link", name=DUP_ID).click()
    assert page.url.split("?")[0].endswith(f"/documents/{DUP_ID}")
    with page.expect_download() as info:
        page.get_by_role("link", name="Download the original file").click()
    download = info.value
    assert download.suggested_filename == f"{DUP_ID}.txt"
    assert Path(download.path()).read_bytes().startswith(b"UNCLASSIFIED")
    page.goto(f"/documents/{DUP_OF}?ui=ar")
    assert "الخصوصية الشخصية" in page.locator("dl.codes").inner_text()
    shot(page, "document-ar")


def test_unknown_document_page_is_404(page):
    response = page.goto("/documents/C00000000")
    assert response.status == 404
    assert page.get_by_role("alert").count() == 1
    assert page.errors == ["Failed to load resource: the server responded with a status of 404 (Not Found)"]
    page.errors.clear()


def test_language_switch_is_remembered(page):
    page.goto("/?q=libya&ui=en")
    page.get_by_role("link", name="العربية").click()
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert "q=libya" in page.url
    assert page.get_by_role("link", name="تتبّع مقال").count() == 1
    page.get_by_role("link", name="تتبّع مقال").click()
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("h1").inner_text() == "تتبّع مقال إلى مصادره"
    page.get_by_role("link", name="English").click()
    assert page.locator("html").get_attribute("dir") == "ltr"


def test_keyboard_reaches_search_box_and_results(page):
    page.goto("/?ui=en")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert focused == "skip-link"
    assert page.locator(".skip-link").is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "q"
    page.keyboard.type("sullivan")
    page.keyboard.press("Enter")
    page.wait_for_url("**/?q=sullivan*")
    # "/" jumps back to the search box; Tab order then reaches the first result.
    page.locator("body").press("/")
    assert page.evaluate("document.activeElement.id") == "q"
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("!!document.activeElement.closest('.hit-title')"):
            break
    else:
        raise AssertionError("Tab never reached a result")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"
    page.keyboard.press("Enter")
    page.wait_for_url("**/documents/**")


def test_every_form_control_has_a_label(page):
    for url in ("/?q=libya", "/trace", f"/documents/{DUP_OF}"):
        page.goto(url)
        unlabeled = page.evaluate("""() => [...document.querySelectorAll('input, select, textarea')]
            .filter(e => e.type !== 'hidden' && !(e.labels && e.labels.length) && !e.getAttribute('aria-label'))
            .map(e => e.outerHTML)""")
        assert unlabeled == [], url
        assert page.locator("main").count() == 1 and page.locator("header[role=banner]").count() == 1


def test_trace_page(page):
    page.goto("/trace?ui=en")
    article = ("في رسالة بريد إلكتروني بتاريخ 2 أبريل 2011 بعنوان Brits and Libya، كتب جيك سوليفان "
               "إلى هيلاري كلينتون أن الأمر كان من المفترض أن يتم اليوم.")
    page.get_by_label("Article text or HTML").fill(article)
    page.get_by_role("button", name="Trace").click()
    claims = page.locator(".claim")
    expect(claims.first).to_be_visible(timeout=60_000)
    assert claims.first.locator("blockquote").first.evaluate("e => getComputedStyle(e).direction") == "rtl"
    assert claims.first.locator(".badge").count() == 1
    assert page.locator(".claim-evidence a").count() >= 1
    shot(page, "trace")


def test_trace_upload_of_an_html_page(page, tmp_path):
    page.goto("/trace?ui=ar")
    saved = tmp_path / "article.html"
    saved.write_text("<html><head><title>تسريبات</title></head><body><nav>الرئيسية</nav><article><h1>تسريبات</h1>"
                     "<p>أرسل جيك سوليفان رسالة إلى كلينتون في 2 أبريل 2011 بعنوان Brits and Libya.</p>"
                     "</article></body></html>", encoding="utf-8")
    page.get_by_label(re.compile("أو ارفع ملفاً")).set_input_files(str(saved))
    page.get_by_role("button", name="تتبّع").click()
    expect(page.locator(".report")).to_be_visible(timeout=60_000)
    assert page.locator("html").get_attribute("dir") == "rtl"
    claims = page.locator(".claim blockquote[lang]").all_inner_texts()
    assert claims and all("الرئيسية" not in c for c in claims)       # the page's menu is not a claim
    assert any("Brits and Libya" in c for c in claims)
    assert page.locator(".article-meta").inner_text().count("تسريبات") == 1
    assert page.locator("#article").input_value() == ""               # the upload is not pasted back
    assert page.locator(".claim-evidence a").first.inner_text().startswith("C05")
    shot(page, "trace-ar")


def test_static_assets_are_local(server):
    html = httpx.get(server.base + "/?q=libya").text
    assert "http://" not in html.split("<main", 1)[0] and "https://" not in html.split("<main", 1)[0]
    for asset in ("/static/style.css", "/static/app.js", "/static/favicon.svg"):
        assert httpx.get(server.base + asset).status_code == 200
