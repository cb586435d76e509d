"""The time budget of a web request (issue 25, item 2): past `request_seconds`, search and trace
begin no further stage or claim and answer what they have with `"partial": true` (a note on the
page), instead of the whole answer or nothing.  On the quality archive (real documents with their
vectors, so that every stage of a hybrid search runs), over real HTTP."""
from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from dalil.model import Deadline
from web_support import Server

# Three claims, written for this test (names and dates from the released corpus's subjects).
ARTICLE = ("In March 2011 the State Department received reports that fuel shortages were spreading in Tripoli. "
           "Cheryl Mills told the Secretary in an email on 12 June 2010 that the schedule for Haiti had changed. "
           "The ambassador wrote in 2009 that talks with Pakistan on aid would resume within two weeks.")
QUERY = "oil exports libya"


def send(method: str, url: str, **kw) -> httpx.Response:
    """A request as a client following Retry-After once: the first search of a cold server (its
    indexes not yet read) can overrun even the grace after the budget, and gets a 503 saying
    when to come back."""
    r = httpx.request(method, url, timeout=300, **kw)
    if r.status_code == 503:
        assert int(r.headers["retry-after"]) >= 1, r.text
        time.sleep(int(r.headers["retry-after"]))
        r = httpx.request(method, url, timeout=300, **kw)
    return r


@pytest.fixture(scope="module")
def tiny(quality_archive):
    srv = Server(Path(quality_archive.path), env={"DALIL_REQUEST_SECONDS": "0.001"})   # below the option's floor of 0.1
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def ordinary(quality_archive):
    srv = Server(Path(quality_archive.path))
    yield srv
    srv.stop()


def test_search_deadline_in_the_pipeline(quality_archive):
    """Archive.search with a deadline already passed runs the lexical stage only; with none, every
    stage, the same exact matches first."""
    whole = quality_archive.search(QUERY)
    cut = quality_archive.search(QUERY, deadline=Deadline.after(0))
    assert not whole.partial and not any(s.startswith("skipped:") for s in whole.stages)
    assert cut.partial and "skipped:dense" in cut.stages and "skipped:facets" in cut.stages
    assert [s for s in cut.stages if not s.startswith("skipped:")] == ["lexical", "exact"]
    assert len(cut.stages) == len(whole.stages) - 1 and whole.facets and not cut.facets
    assert cut.total == whole.total > 0 and cut.hits


def test_search_over_the_budget_is_partial(tiny, ordinary):
    r = send("GET", tiny.base + "/api/search", params={"q": QUERY})
    assert r.status_code == 200, r.text
    cut = r.json()
    assert cut["partial"] is True and "skipped:dense" in cut["stages"] and cut["hits"]
    r = httpx.get(ordinary.base + "/api/search", params={"q": QUERY}, timeout=120)
    whole = r.json()
    assert r.status_code == 200 and whole["partial"] is False
    ran = [s for s in whole["stages"] if not s.startswith("skipped:")]
    assert len([s for s in cut["stages"] if not s.startswith("skipped:")]) < len(ran)
    assert cut["total"] == whole["total"]


def test_search_page_says_partial(tiny, ordinary):
    note = "Partial results: the time budget"
    page = send("GET", tiny.base + "/", params={"q": QUERY})
    assert page.status_code == 200 and note in page.text
    arabic = send("GET", tiny.base + "/", params={"q": QUERY, "ui": "ar"})
    assert arabic.status_code == 200 and "نتائج جزئية" in arabic.text
    page = httpx.get(ordinary.base + "/", params={"q": QUERY}, timeout=120)
    assert page.status_code == 200 and note not in page.text


def test_trace_over_the_budget_is_partial(tiny, ordinary):
    r = send("POST", tiny.base + "/api/trace", content=ARTICLE.encode(), headers={"content-type": "text/plain"})
    assert r.status_code == 200, r.text
    cut = r.json()
    assert cut["partial"] is True and len(cut["claims"]) < cut["claims_found"]
    r = httpx.post(ordinary.base + "/api/trace", content=ARTICLE.encode(), headers={"content-type": "text/plain"},
                   timeout=300)
    whole = r.json()
    assert r.status_code == 200 and whole["partial"] is False
    assert len(whole["claims"]) == whole["claims_found"] == cut["claims_found"] >= 2
