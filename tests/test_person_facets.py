"""Sender and recipient facets by person, and kinds of correspondent, on the real full archive
(issue 24, item 3): a person facet counts the documents with a message from (to) any form of
the person, and its link opens exactly as many; mailing lists, news feeds and system senders are
kinds of their own, apart from the people.  Queries written from corpus words; none of the
development sets."""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest
from starlette.testclient import TestClient

from dalil.text.correspondents import correspondent_kind
from dalil.web.app import create_app
from dalil.web.pages import person_token

QUERIES = ["ceasefire Tripoli", 'from:"سيدني بلومنتال" Tripoli']


@pytest.mark.parametrize("query", QUERIES)
def test_a_person_facet_opens_the_documents_it_counted(full, query):
    result = full.search(query, mode="lexical", limit=1)
    assert result.total > 5
    for facet in ("sender", "recipient"):
        entries = result.person_facets[facet]
        assert entries and all(e["forms"] for e in entries)
        for e in entries[:4] + [e for e in entries if e["kind"] != "person"][:2]:
            again = full.search(f"{query} {person_token(facet, e['id'])}", mode="lexical", limit=1, facets=False)
            assert again.total == e["count"], (facet, e["name"])
        # The facet by name lists the persons only; their names are those of the entries.
        people = {e["name"]: e["count"] for e in entries if e["kind"] == "person"}
        assert result.facets[facet] == people
        assert all(e["count"] <= result.total for e in entries)


def test_one_person_one_facet_value(full):
    # The forms the sender facet once listed apart ("Sullivan, Jacob J", "Jake Sullivan", an
    # OCR-damaged "Sullivan, Jacob 1") are one value: no two entries share a person's forms.
    result = full.search("ceasefire Tripoli", mode="lexical", limit=1)
    seen: dict[str, int] = {}
    for e in result.person_facets["sender"]:
        for form in e["forms"]:
            assert seen.setdefault(form, e["id"]) == e["id"], form
    ids = [e["id"] for e in result.person_facets["sender"]]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("name,kind", [
    ("NEWS-Mahogany", "feed"), ("OpsNewsTicker@state.gov", "feed"), ("NEA-Syria-DL", "list"),
    ("SES-O_Shift-II", "list"), ("postmaster", "system"), ("noreply@washingtonpost.com", "system"),
    ("ne-pas-repondre@exemple.fr", "system"), ("Revue de presse du Quai", "feed"),
    ("liste de diffusion Afrique", "list"), ("نشرة الأخبار اليومية", "feed"),
    # Names of people (and one foundation) that must not be taken for lists or feeds.
    ("David Pressman", "person"), ("Trees That Feed Foundation", "person"), ("Sidney Blumenthal", "person"),
    ("Jean-Louis Warnholz", "person"), ("Newsom, Gavin", "person"), ("هيلاري كلينتون", "person"),
    ("Dlamini-Zuma", "person"),
])
def test_kind_of_correspondent(name, kind):
    assert correspondent_kind(name) == kind


def test_people_mark_their_kind(full):
    people = full.people("ceasefire Tripoli")["people"]
    kinds = {p["kind"] for p in people}
    assert "person" in kinds and kinds - {"person"}, kinds          # a feed or list among them
    for p in people:
        assert p["kind"] == correspondent_kind(p["name"])
    found = full.person("NEWS-Mahogany")
    assert found is not None and found.kind == "feed"
    assert full.person("Jake Sullivan").kind == "person"


@pytest.fixture(scope="module")
def client(full_archive):
    with TestClient(create_app(str(full_archive))) as c:
        yield c


def test_web_facets_by_person_with_forms_on_demand(client):
    q = "ceasefire Tripoli"
    r = client.get("/", params={"q": q, "mode": "lexical", "ui": "en"})
    assert r.status_code == 200
    section = re.search(r'<section class="facet facet-people facet-sender">(.*?)</section>', r.text, re.S).group(1)
    links = re.findall(r'<a href="([^"]+)" data-person="(\d+)"><span class="facet-value" dir="auto">([^<]+)'
                       r'</span><span class="count">(\d+)</span>', section)
    assert len(links) >= 3
    # One expander for the section, listing each person's forms.
    assert section.count('<details class="facet-forms">') == 1
    assert len(re.findall(r"<dt dir=\"auto\">", section)) == len(links)
    for href, pid, name, n in links[:3]:
        opened = parse_qs(urlparse(href.replace("&amp;", "&")).query)["q"][0]
        assert opened == f"{q} from:#{pid}"
        page = client.get("/", params={"q": opened, "mode": "lexical", "ui": "en"})
        shown = re.search(r'<p class="result-summary" role="status">\s*<strong>([\d,]+) documents contain', page.text)
        assert shown and int(shown.group(1).replace(",", "")) == int(n), (name, n)
        assert "from: matched" in page.text and name.strip() in page.text
    # Lists and feeds under their own heading, not among the senders.
    assert 'class="facet facet-people facet-recipient_other"' in r.text
    names = [n for _, _, n, _ in links]
    assert not any(correspondent_kind(n) != "person" for n in names)
    arabic = client.get("/", params={"q": q, "mode": "lexical", "ui": "ar"})
    assert "قوائم ونشرات" in arabic.text and "الصيغ (" in arabic.text


@pytest.fixture(scope="module")
def browser_page(full_archive):
    """The real `dalil serve` on the full archive, in Chromium."""
    from playwright.sync_api import sync_playwright

    from web_support import Server
    server = Server(full_archive)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                        args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
            context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=server.base)
            yield context.new_page()
            browser.close()
    finally:
        server.stop()


def test_browser_shows_a_persons_forms_on_demand_and_opens_their_documents(browser_page):
    from playwright.sync_api import expect
    page = browser_page
    page.goto("/?q=ceasefire%20Tripoli&mode=lexical&ui=en")
    section = page.locator(".facet-sender")
    first = section.locator("ul li").first
    forms = section.locator("details.facet-forms dd li")
    expect(forms.first).to_be_hidden()                     # the forms only on demand
    section.locator("summary").click()
    expect(forms.first).to_be_visible()
    count = int(first.locator(".count").inner_text())
    name = first.locator(".facet-value").inner_text().strip()
    first.locator("a").click()
    page.wait_for_url(lambda url: "from%3A%23" in url or "from:%23" in url)
    summary = page.locator(".result-summary strong").inner_text()
    assert summary.startswith(f"{count:,} documents contain")
    expect(page.locator(".person-filter")).to_contain_text(f"forms of {name}")
    # In Arabic, right to left, the lists and feeds under their own heading.
    page.goto("/?q=ceasefire%20Tripoli&mode=lexical&ui=ar")
    expect(page.locator(".facet-recipient_other h3")).to_have_text("قوائم ونشرات (مستقبِلة)")
    assert page.locator("html").get_attribute("dir") == "rtl"
