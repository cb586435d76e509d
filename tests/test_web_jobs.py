"""Results that leave the tool from the web, and long work as jobs (issue 26, items 2, 3 and 8), in
a real browser (Debian's Chromium driven by Playwright) against the real `dalil serve` on the full
corpus: the export buttons of the search, person, thread and trace report pages (each format
downloaded and parsed: its rows are the page's set), the batch upload page, and the job page of a
big export, a batch and a long trace, followed to its result while its progress shows a total."""
from __future__ import annotations

import csv
import io
import json
import re
import time
import zipfile

import httpx
import pytest
from playwright.sync_api import expect

from web_support import Server

SMALL_QUERY = "Somali rebels Asha"           # words of corpus document C05765915
BIG_QUERY = "libya"                          # over 1,000 hits: its exports run as jobs
THREAD_DOC = "C05765915"
# Sentences written for this test from corpus documents about Somalia and Libya.
ARTICLE_EN = ("In December 2009 an aide wrote to Huma Abedin that Somali rebels were trying to kill "
              "Asha Haji, whom Clinton had met at CGI.")


@pytest.fixture(scope="module")
def server(full_archive, tmp_path_factory):
    jobs = tmp_path_factory.mktemp("jobs")
    srv = Server(full_archive, env={"DALIL_JOBS_DIR": str(jobs)})
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def browser():
    from web_support import chromium
    with chromium() as b:
        yield b


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=server.base,
                                  accept_downloads=True)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.errors = errors
    yield pg
    context.close()
    assert errors == []


def download(page, locator, tmp_path) -> bytes:
    with page.expect_download(timeout=120_000) as info:
        locator.click()
    target = tmp_path / info.value.suggested_filename
    info.value.save_as(target)
    return target.read_bytes()


def parse(fmt: str, data: bytes) -> list[str]:
    """The doc_ids of an export, in order, each format read back with its own parser."""
    if fmt == "csv":
        return [r["doc_id"] for r in csv.DictReader(io.StringIO(data.decode("utf-8")))]
    if fmt == "jsonl":
        return [json.loads(line)["doc_id"] for line in data.decode("utf-8").splitlines()]
    z = zipfile.ZipFile(io.BytesIO(data))
    manifest = json.loads(z.read("manifest.json"))
    assert len([n for n in z.namelist() if n.endswith(".txt")]) == len(manifest["documents"])
    for entry in manifest["documents"][:3]:
        assert z.read(entry["file"]).decode("utf-8").strip()
    return [d["doc_id"] for d in manifest["documents"]]


def test_search_page_exports_its_result_set(page, tmp_path):
    page.goto(f"/?q={SMALL_QUERY}&mode=lexical&ui=en")
    expect(page.locator(".hit").first).to_be_visible(timeout=60_000)
    shown = [a.inner_text() for a in page.locator(".hit .doc-id").all()]
    total = int(re.search(r"[\d,]+", page.locator(".result-summary strong").inner_text()).group().replace(",", ""))
    assert total == len(shown) >= 2
    for fmt in ("csv", "jsonl", "zip"):
        ids = parse(fmt, download(page, page.locator(f".export-links a[data-format={fmt}]"), tmp_path))
        assert ids == shown, fmt


def test_thread_page_exports_its_messages(page, tmp_path):
    page.goto(f"/thread/{THREAD_DOC}?ui=en")
    shown = list(dict.fromkeys(a.inner_text() for a in page.locator(".thread-table td:nth-child(5) > a").all()))
    assert THREAD_DOC in shown
    for fmt in ("csv", "jsonl", "zip"):
        assert parse(fmt, download(page, page.locator(f".export-links a[data-format={fmt}]"), tmp_path)) == shown


def test_person_page_exports_their_messages(page, full, tmp_path):
    # A person with a few dozen messages: the page downloads at once.
    person = full.person("Asha Haji") or full.person("Verveer")
    assert person is not None
    expected = list(dict.fromkeys(full.store.person_doc_ids(person.id)))
    assert 0 < len(expected) <= 1000
    page.goto(f"/people/{person.id}?ui=en")
    for fmt in ("csv", "jsonl", "zip"):
        button = page.locator(f".export-links [data-format={fmt}]")
        if button.evaluate("e => e.tagName") == "A":
            ids = parse(fmt, download(page, button, tmp_path))
        else:                                  # a busy correspondent: the export is a job
            button.click()
            ids = parse(fmt, follow_job_download(page, tmp_path))
            page.goto(f"/people/{person.id}?ui=en")
        assert sorted(ids) == sorted(expected), fmt


def follow_job_download(page, tmp_path, seen: list | None = None) -> bytes:
    """On a job's page: wait (the page polls) until it shows its result link, then download it."""
    expect(page.locator("[data-job]")).to_be_visible()
    link = page.locator(".job-result a")
    expect(link).to_be_visible(timeout=300_000)
    return download(page, link, tmp_path)


def watch(server: Server, job_id: str, until: float = 300) -> list[dict]:
    """Every state of a job read from /api/jobs/<id> until it ends."""
    states, deadline = [], time.monotonic() + until
    while time.monotonic() < deadline:
        s = httpx.get(f"{server.base}/api/jobs/{job_id}", timeout=30).json()
        states.append(s)
        if s["state"] in ("done", "failed"):
            return states
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not end: {states[-1]}")


def test_big_search_exports_as_a_job_with_progress(page, server, tmp_path):
    page.goto(f"/?q={BIG_QUERY}&mode=lexical&ui=en")
    expect(page.locator(".hit").first).to_be_visible(timeout=60_000)
    total = int(re.search(r"[\d,]+", page.locator(".result-summary strong").inner_text()).group().replace(",", ""))
    assert total > 1000
    page.locator(".export-links button[data-format=zip]").click()
    page.wait_for_url(re.compile(r"/jobs/[A-Za-z0-9_-]{16}"))
    job_id = re.search(r"/jobs/([A-Za-z0-9_-]{16})", page.url).group(1)
    states = watch(server, job_id)
    assert states[-1]["state"] == "done" and states[-1]["total"] == total == states[-1]["done"]
    running = [s for s in states if s["state"] == "running" and s["total"]]
    assert running and all(s["total"] == total for s in running)      # progress with a total
    ids = parse("zip", follow_job_download(page, tmp_path))
    assert len(ids) == len(set(ids)) == total
    assert page.locator(".job-progress").get_attribute("value") == str(total)
    page.screenshot(path=str(tmp_path / "export-job.png"))


def test_batch_upload_answers_each_query(page, server, tmp_path):
    page.goto("/batch?ui=ar")
    names = tmp_path / "names.csv"
    # A header, a name with a comma, an Arabic name and a query nothing matches.
    rows = ["query", "Stevens", '"Mills, Cheryl"', "Somali rebels", "قذافي", "zzqxjv"]
    names.write_text("\n".join(rows) + "\n", encoding="utf-8")
    page.locator("#batch-file").set_input_files(str(names))
    page.locator("#top").fill("3")
    page.locator("#batch-mode").select_option("lexical")
    page.locator(".batch-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/jobs/"))
    expect(page.locator(".batch-table tbody tr")).to_have_count(5, timeout=300_000)
    assert page.locator("html").get_attribute("dir") == "rtl"
    data = download(page, page.locator(".job-result a"), tmp_path)
    answers = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    assert [a["query"] for a in answers] == ["Stevens", "Mills, Cheryl", "Somali rebels", "قذافي", "zzqxjv"]
    for a in answers:
        found = httpx.get(f"{server.base}/api/search", params={"q": a["query"], "mode": "lexical", "limit": 3},
                          timeout=60).json()
        assert int(a["total"]) == found["total"], a
        assert a["top"].split() == [h["doc_id"] for h in found["hits"]], a
    assert answers[-1]["total"] == "0" and int(answers[0]["total"]) > 0
    page.screenshot(path=str(tmp_path / "batch-ar.png"), full_page=True)


def test_batch_refuses_an_empty_or_oversized_list(page):
    page.goto("/batch?ui=en")
    page.locator(".batch-form button[type=submit]").click()
    expect(page.locator(".error-panel")).to_contain_text("no query")
    page.locator("#queries").fill("\n".join(f"name {i}" for i in range(1001)))
    page.locator(".batch-form button[type=submit]").click()
    expect(page.locator(".error-panel")).to_contain_text("at most 1000")
    # The browser logs the refusals' status (400, 413); nothing else may be logged.
    assert [e for e in page.errors if "status of 4" not in e] == []
    page.errors.clear()


def test_trace_report_exports_its_sources(page, tmp_path):
    page.goto("/trace?ui=en")
    page.get_by_label("Article text or HTML").fill(ARTICLE_EN)
    page.get_by_role("button", name="Trace").click()
    expect(page.locator(".claim").first).to_be_visible(timeout=120_000)
    cited = [a.inner_text() for a in page.locator(".claim-evidence a.passage-link").all()]
    firsts = [c.locator("a.passage-link").first.inner_text() for c in page.locator(".claim-evidence").all()
              if c.locator("a.passage-link").count()]
    assert firsts
    for fmt in ("csv", "jsonl", "zip"):
        ids = parse(fmt, download(page, page.locator(f".export-links a[data-format={fmt}]"), tmp_path))
        assert set(firsts) <= set(ids) <= set(cited) and len(ids) == len(set(ids)), fmt


def test_long_article_is_traced_as_a_job(page, server, tmp_path):
    # Over 1,500 characters: the trace runs as a job; its page counts the claims traced.
    paragraphs = [ARTICLE_EN,
                  "The aide added that the massacre had killed Asha Haji's closest allies and wounded her brother.",
                  "According to the same email, a note to the US embassy in Nairobi was to be sent about her "
                  "family's security, and Johnnie Carson was asked what guidance could be given.",
                  "Another official at the US Mission to the UN in Geneva had tried to contact the embassy in "
                  "Nairobi by email without an answer, the message said.",
                  "Clinton's staff were told that Asha Haji was the last moderate leader speaking out."]
    article = "\n\n".join(paragraphs * 3)
    assert len(article) > 1500
    page.goto("/trace?ui=en")
    page.get_by_label("Article text or HTML").fill(article)
    page.get_by_role("button", name="Trace").click()
    page.wait_for_url(re.compile(r"/jobs/"))
    job_id = re.search(r"/jobs/([A-Za-z0-9_-]{16})", page.url).group(1)
    states = watch(server, job_id, until=600)
    assert states[-1]["state"] == "done", states[-1]
    assert states[-1]["total"] and states[-1]["done"] == states[-1]["total"]
    expect(page.locator(".claim").first).to_be_visible(timeout=30_000)        # the page reloaded on the report
    assert page.locator(".claim").count() == states[-1]["total"]
    expect(page.locator(".export-links a[data-format=csv]")).to_be_visible()
    page.screenshot(path=str(tmp_path / "trace-job.png"))


def test_unknown_job_is_404(server):
    r = httpx.get(f"{server.base}/api/jobs/AAAAAAAAAAAAAAAA", timeout=30)
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    assert httpx.get(f"{server.base}/jobs/../../etc/passwd", timeout=30).status_code == 404
