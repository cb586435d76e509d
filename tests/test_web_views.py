"""The pages over the intelligence views (people, person, thread, timeline, graph, duplicates) on
the full real corpus: served by the real application, in English and Arabic, and at phone width in
Chromium.  Queries are lexical-safe: the CI archive has no vectors."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from urllib.parse import parse_qs, unquote, urlparse

import pytest
from starlette.testclient import TestClient

from dalil.web.app import create_app

THREAD_DOC = "C05739545"                 # "Wow" from Christian Brose, forwarded by Jacob Sullivan
DUP_DOC, DUP_COPY = "C05739794", "C05787803"   # the copy was released in full, the original with B6


@pytest.fixture(scope="module")
def client(full_archive):
    with TestClient(create_app(str(full_archive))) as c:
        yield c


@pytest.fixture(scope="module")
def sullivan(full):
    return full.person("Jake Sullivan")


def _no_inline_code(html: str) -> None:
    """The strict CSP (script-src 'self', style-src 'self') would block inline scripts and styles."""
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert " style=" not in html and "<style" not in html
    assert not re.search(r"\son[a-z]+=", html)


def test_people_list_and_search(client):
    r = client.get("/people?ui=en")
    assert r.status_code == 200
    assert "content-security-policy" in r.headers
    _no_inline_code(r.text)
    rows = re.findall(r'<a href="/people/(\d+)\?ui=en"><bdi>([^<]+)</bdi>', r.text)
    assert len(rows) >= 100
    names = [n for _, n in rows]
    assert "Hillary Clinton" in names[:3] and "Jacob Sullivan" in names[:10]
    for label in ("Forms", "Sent", "Received", "First", "Last"):
        assert f">{label}</th>" in r.text
    narrowed = client.get("/people", params={"q": "benghazi militia", "ui": "en"})
    assert narrowed.status_code == 200
    assert 'value="benghazi militia"' in narrowed.text
    assert 0 < len(re.findall(r'href="/people/\d+', narrowed.text)) < len(rows)


def test_person_page(client, sullivan):
    r = client.get(f"/people/{sullivan.id}?ui=en")
    assert r.status_code == 200
    _no_inline_code(r.text)
    assert "<bdi>Jacob Sullivan</bdi></h1>" in r.text
    assert "Sullivan, Jacob J" in r.text                      # a form
    top = re.search(r'<ol class="correspondents">(.*?)</ol>', r.text, re.S).group(1)
    assert "Hillary Clinton" in top
    assert len(re.findall(r'class="bar"', r.text)) >= 12      # sent per month
    link = re.search(r'<a class="button-link" href="([^"]+)"', r.text).group(1)
    q = parse_qs(urlparse(link.replace("&amp;", "&")).query)["q"][0]
    assert q == f"from:#{sullivan.id}"                      # that person, in every form of theirs
    assert client.get("/people/99999999").status_code == 404
    assert client.get("/people/nobody").status_code == 404


def test_thread_page(client):
    r = client.get(f"/thread/{THREAD_DOC}?ui=en")
    assert r.status_code == 200
    _no_inline_code(r.text)
    body = re.search(r"<tbody>(.*?)</tbody>", r.text, re.S).group(1)
    rows = re.findall(r"<tr.*?</tr>", body, re.S)
    assert len(rows) >= 2
    # In order: the original first, then its forward; each with the confidence of its link.
    assert "Christian Brose" in rows[0] and ">Wow<" in rows[0]
    assert "Jacob Sullivan" in rows[1] and "FW: Wow" in rows[1]
    assert all(re.search(r'<td class="num">[01]\.\d\d</td>', row) for row in rows)
    assert ">Link confidence</th>" in r.text
    assert client.get("/thread/C99999999").status_code == 404


def test_timeline_page_bars_open_that_month(client, full):
    r = client.get("/timeline", params={"q": "benghazi", "ui": "en"})
    assert r.status_code == 200
    _no_inline_code(r.text)
    months = [m for m in full.timeline("benghazi")["months"] if re.match(r"\d{4}-\d\d$", m["month"])]
    hrefs = re.findall(r'<a href="([^"]+)" aria-label="[^"]*"><title>', r.text)
    assert len(hrefs) == len(months) > 5
    first = parse_qs(urlparse(hrefs[0].replace("&amp;", "&")).query)["q"][0]
    y, m = map(int, months[0]["month"].split("-"))
    nxt = f"{y + (m == 12):04d}-{m % 12 + 1:02d}-01"
    assert first == f"benghazi after:{months[0]['month']}-01 before:{nxt}"
    # The link finds documents of that month.
    hit = client.get("/", params={"q": first, "mode": "lexical"})
    assert hit.status_code == 200 and 'class="hit' in hit.text
    assert client.get("/timeline").status_code == 200


def test_graph_page_and_gexf(client, full):
    r = client.get("/graph", params={"q": "benghazi", "ui": "en"})
    assert r.status_code == 200
    _no_inline_code(r.text)
    graph = full.graph("benghazi")
    assert r.text.count('<circle class="node"') == min(30, len(graph["nodes"])) > 5
    assert '<line class="edge"' in r.text
    assert len(re.findall(r'<a href="/people/\d+" aria-label=', r.text)) == min(30, len(graph["nodes"]))
    busiest = max(graph["nodes"], key=lambda n: n["sent"] + n["received"])["name"]
    assert f">{busiest}</text>" in r.text or f">{busiest[:24]}</text>" in r.text
    gexf = client.get("/graph/download", params={"q": "benghazi", "format": "gexf"})
    assert gexf.status_code == 200 and "attachment" in gexf.headers["content-disposition"]
    root = ET.fromstring(gexf.content)
    ns = {"g": "http://gexf.net/1.3"}
    assert len(root.findall(".//g:node", ns)) == len(graph["nodes"])
    assert len(root.findall(".//g:edge", ns)) == len(graph["edges"])
    assert client.get("/graph/download", params={"q": "benghazi", "format": "exe"}).status_code == 400


def test_dupes_pages(client):
    r = client.get("/dupes?ui=en")
    assert r.status_code == 200 and 'name="doc"' in r.text
    go = client.get("/dupes", params={"doc": DUP_DOC.lower()}, follow_redirects=False)
    assert go.status_code == 303 and unquote(go.headers["location"]).startswith(f"/dupes/{DUP_DOC.lower()}")
    side = client.get(f"/dupes/{DUP_DOC}", params={"with": DUP_COPY, "ui": "en"})
    assert side.status_code == 200
    _no_inline_code(side.text)
    panes = re.findall(r'<section class="panel copy"><h2><a href="/documents/(\w+)', side.text)
    assert panes == [DUP_DOC, DUP_COPY]
    assert side.text.count('<pre class="doc-text"') == 2
    redactions = re.findall(r'<mark class="redaction">([^<]+)</mark>', side.text)
    assert "exemptions: B6 only in C05739794" in redactions
    assert client.get("/dupes/C99999999").status_code == 404


@pytest.mark.parametrize("path,label", [
    ("/people", "الأشخاص"), ("/timeline?q=benghazi", "الخط الزمني لاستعلام"),
    ("/graph?q=benghazi", "شبكة المراسلين"), (f"/thread/{THREAD_DOC}", "ثقة الربط"),
    (f"/dupes/{DUP_DOC}", "الاختلافات (الحجب)")])
def test_arabic_pages(client, path, label):
    r = client.get(path + ("&" if "?" in path else "?") + "ui=ar")
    assert r.status_code == 200
    assert '<html lang="ar" dir="rtl">' in r.text
    assert label in r.text
    assert "النسخ المكررة" in r.text                        # the navigation is Arabic too
    assert ">People<" not in r.text and ">Timeline<" not in r.text


@pytest.mark.parametrize("path", ["/people", "/timeline", "/graph", "/graph/download"])
def test_query_over_the_limits_is_refused(client, path):
    r = client.get(path, params={"q": "libya " * 400, "ui": "en"})
    assert r.status_code == 400
    assert "bad query" in r.text


def test_views_are_linked_from_search_and_document(client):
    page = client.get("/", params={"q": "benghazi", "mode": "lexical", "ui": "en"}).text
    for path in ("/people", "/timeline", "/graph", "/dupes"):
        assert f'href="{path}"' in page
    assert 'href="/timeline?q=benghazi"' in page and 'href="/graph?q=benghazi"' in page
    doc = client.get(f"/documents/{DUP_DOC}").text
    assert f'href="/thread/{DUP_DOC}"' in doc and f'href="/dupes/{DUP_DOC}"' in doc


def test_phone_width_in_chromium(full_archive, tmp_path):
    from playwright.sync_api import sync_playwright
    from web_support import Server

    server = Server(full_archive)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                        args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
            context = browser.new_context(viewport={"width": 375, "height": 800}, base_url=server.base)
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            for name, url in [("people-en", "/people?ui=en"), ("people-ar", "/people?ui=ar"),
                              ("timeline-en", "/timeline?q=benghazi&ui=en"),
                              ("timeline-ar", "/timeline?q=benghazi&ui=ar"),
                              ("graph-ar", "/graph?q=benghazi&ui=ar"),
                              ("dupes-en", f"/dupes/{DUP_DOC}?with={DUP_COPY}&ui=en")]:
                assert page.goto(url).status == 200
                width = page.evaluate("document.documentElement.scrollWidth")
                page.screenshot(path=str(tmp_path / f"views-{name}.png"), full_page=True)
                assert width <= 375, (name, width)
            # The graph downloads as a PNG of the drawing: a real image, its edges and nodes in colour.
            page.goto("/graph?q=benghazi&ui=en")
            with page.expect_download() as download:
                page.click("#graph-png")
            png = tmp_path / download.value.suggested_filename
            download.value.save_as(png)
            from PIL import Image
            with Image.open(png) as image:
                assert image.format == "PNG" and image.size[0] >= 600 and image.size[0] == image.size[1]
                colours = image.convert("RGB").getcolors(maxcolors=1 << 20)
            assert len(colours) > 20                 # not a blank canvas
            assert any(b > r + 60 for _, (r, g, b) in colours)     # the blue nodes are drawn
            page.goto("/timeline?q=benghazi&ui=en")
            bars = page.locator("svg.timeline-chart a")
            assert bars.count() > 5
            bars.first.click()
            page.wait_for_load_state()
            assert "after%3A" in page.url or "after:" in unquote(page.url)
            context.close()
            browser.close()
        assert errors == []
        assert list(tmp_path.glob("views-*.png"))
    finally:
        server.stop()
