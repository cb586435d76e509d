"""Results that leave the tool, on the real corpus: exports (CSV, JSONL, ZIP; every hit, streamed),
citations, batch search; from the Python API, the CLI and a real `dalil serve`.  Lexical mode
throughout, so the tests hold on an archive without vectors (CI's)."""
from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import zipfile

import httpx
import pytest

from web_support import Server

# A query taken from a corpus document (C05765915, "Fw: Somali Rebels trying to kill Asha Haji").
DOC = "C05765915"
QUERY = "Somali rebels Asha"
# Five names from corpus headers and bodies, one an Arabic name in its Latin transliteration.
NAMES = ["Sullivan", "Abedin", "Qaddafi", "Cheryl Mills", "Stevens"]


def dalil(*args, timeout: int = 600, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dalil", *map(str, args)], capture_output=True, text=True,
                          env=dict(os.environ) | (env or {}), timeout=timeout)


def _csv_rows(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


def test_export_formats_parse_back_with_every_hit(full):
    result = full.search(QUERY, mode="lexical", limit=50)
    assert result.total >= 1 and DOC in [h.doc_id for h in result.hits]
    export = full.export(QUERY, mode="lexical")
    assert export.total == result.total
    rows = _csv_rows(b"".join(full.write_export(export, "csv")))
    assert len(rows) == result.total
    assert [r["doc_id"] for r in rows] == [h.doc_id for h in result.hits]     # the search's own order
    first = next(r for r in rows if r["doc_id"] == DOC)
    assert first["case"] == "F-2014-20439" and first["release"] and first["date"].startswith("2009")
    assert "Somali" in first["subject"] and first["match"] == "exact" and float(first["score"]) > 0
    assert first["page"] and "Asha" in first["snippet"]

    lines = b"".join(full.write_export(full.export(QUERY, mode="lexical"), "jsonl")).decode().splitlines()
    assert [json.loads(line)["doc_id"] for line in lines] == [r["doc_id"] for r in rows]
    assert isinstance(json.loads(lines[0])["recipients"], list)

    z = zipfile.ZipFile(io.BytesIO(b"".join(full.write_export(full.export(QUERY, mode="lexical"), "zip"))))
    manifest = json.loads(z.read("manifest.json"))
    assert manifest["total"] == len(manifest["documents"]) == result.total
    texts = [n for n in z.namelist() if n.endswith(".txt")]
    assert len(texts) == result.total
    entry = next(d for d in manifest["documents"] if d["doc_id"] == DOC)
    assert z.read(entry["file"]).decode("utf-8") == full.document(DOC).text


def test_cli_exports_a_result_set_over_ten_thousand_rows_with_progress(full, full_archive, tmp_path):
    total = full.search("state", mode="lexical", limit=1).total
    assert total > 10_000
    out = tmp_path / "state.csv"
    # Every count printed whatever the machine's speed (a fast export finishes before the default 2 s).
    r = dalil("export", "state", "--mode", "lexical", "--format", "csv", "-o", out, "--db", full_archive,
              env={"DALIL_PROGRESS_AFTER": "0", "DALIL_PROGRESS_EVERY": "0"})
    assert r.returncode == 0, r.stderr
    rows = _csv_rows(out.read_bytes())
    assert len(rows) == total and len({row["doc_id"] for row in rows}) == total
    # On a pipe: plain "export N/total" lines, ending on the total.
    counts = [line for line in r.stderr.splitlines() if line.startswith("export ")]
    assert counts and counts[-1] == f"export {total}/{total}"


def test_export_a_thread_and_a_person(full, full_archive, tmp_path):
    thread = full.thread(DOC)
    doc_ids = list(dict.fromkeys(m["doc_id"] for m in thread["messages"]))
    out = tmp_path / "thread.jsonl"
    r = dalil("export", "--thread", DOC, "-o", out, "--db", full_archive)
    assert r.returncode == 0, r.stderr
    assert [json.loads(line)["doc_id"] for line in out.read_text().splitlines()] == doc_ids

    person = full.person("Huma Abedin")
    export = full.export(person="Huma Abedin")
    rows = list(export.rows())
    assert len(rows) == export.total > 100
    assert all(r["sender"] for r in rows[:50])
    # Every exported document has a message from or to her.
    sample = full.document(rows[0]["doc_id"]).to_dict(text=False)
    forms = " ".join([m["from"] or "" for m in sample["messages"]] + [t for m in sample["messages"] for t in m["to"] + m["cc"]])
    assert any(f.split("<")[0].strip(" ,").lower() in forms.lower() for f in person.forms[:20] if f.strip())
    r = dalil("export", "--person", "nobody-at-all-xyz", "-o", tmp_path / "x.csv", "--db", full_archive)
    assert r.returncode != 0 and "no person" in r.stderr and "Traceback" not in r.stderr


def test_cite_a_real_document(full, full_archive):
    doc = full.document(DOC)
    c = full.cite(DOC, page=2)
    for form in (c["plain"], c["markdown"]):
        assert DOC in form and doc.case_no in form and "p. 2" in form
        assert doc.release.replace("_", " ") in form
    assert c["url"] == f"https://foia.state.gov/Search/Results.aspx?searchText={DOC}"
    assert f"[DocNo {DOC}]({c['url']})" in c["markdown"]
    assert c["fields"]["subject"] == doc.to_dict(text=False)["messages"][0]["subject"]
    # A character offset gives the page it falls on.
    second = doc.text.index("\f") + 5
    assert full.cite(DOC, start=second)["fields"]["page"] == 2
    assert full.cite("C99999999") is None
    r = dalil("cite", DOC.lower(), "--db", full_archive)
    assert r.returncode == 0 and r.stdout.strip() == full.cite(DOC)["plain"]


def test_batch_search_matches_single_searches(full, full_archive, tmp_path):
    names = tmp_path / "names.csv"
    names.write_text("name,note\n" + "".join(f'"{n}",x\n' for n in NAMES), encoding="utf-8")
    out = tmp_path / "hits.csv"
    r = dalil("batch", names, "-o", out, "--top", "3", "--mode", "lexical", "--db", full_archive)
    assert r.returncode == 0, r.stderr
    rows = _csv_rows(out.read_bytes())
    assert [row["query"] for row in rows] == NAMES
    for row in rows:
        single = full.search(row["query"], mode="lexical", limit=3)
        assert int(row["total"]) == single.total > 0
        assert row["top"].split() == [h.doc_id for h in single.hits]
        assert row["related"] == ""


@pytest.fixture(scope="module")
def server(full_archive):
    s = Server(full_archive)
    yield s
    s.stop()


def test_api_export_streams_every_row(server, full):
    total = full.search("Qaddafi", mode="lexical", limit=1).total
    with httpx.Client(base_url=server.base, timeout=120) as client:
        with client.stream("GET", "/api/export", params={"q": "Qaddafi", "format": "csv", "mode": "lexical"}) as r:
            assert r.status_code == 200
            assert r.headers["content-type"].startswith("text/csv")
            assert "content-length" not in r.headers and r.headers["x-total-count"] == str(total)
            assert "attachment" in r.headers["content-disposition"]
            chunks = list(r.iter_bytes())
        assert len(_csv_rows(b"".join(chunks))) == total
        r = client.get("/api/export", params={"q": "Qaddafi", "format": "jsonl", "mode": "lexical"})
        assert r.headers["content-type"].startswith("application/x-ndjson")
        assert len(r.text.splitlines()) == total
        r = client.get("/api/export", params={"q": QUERY, "format": "zip", "mode": "lexical"})
        z = zipfile.ZipFile(io.BytesIO(r.content))
        assert len(json.loads(z.read("manifest.json"))["documents"]) == full.search(QUERY, mode="lexical").total
        assert client.get("/api/export", params={"q": "x", "format": "pdf"}).status_code == 400
        # The search page offers the export: a download of a small set, a job for a big one (over 1,000 rows).
        page = client.get("/", params={"q": "Qaddafi", "mode": "lexical"}).text
        assert total <= 1000 and "/api/export?q=Qaddafi&amp;mode=lexical&amp;format=csv" in page
        big = full.search("libya", mode="lexical", limit=1).total
        page = client.get("/", params={"q": "libya", "mode": "lexical"}).text
        assert big > 1000 and '<input type="hidden" name="q" value="libya">' in page


def test_api_cite_and_batch(server, full):
    with httpx.Client(base_url=server.base, timeout=120) as client:
        c = client.get(f"/api/cite/{DOC}", params={"page": 1}).json()
        assert c == full.cite(DOC, page=1)
        assert client.get(f"/api/cite/{DOC}", params={"format": "text"}).text == full.cite(DOC)["plain"]
        assert client.get("/api/cite/C99999999").status_code == 404
        assert "FOIA reading room" in client.get(f"/documents/{DOC}").text     # the document page's cite box

        body = "query\n" + "\n".join(NAMES) + "\n"
        r = client.post("/api/batch", params={"mode": "lexical", "top": 2}, content=body.encode(),
                        headers={"content-type": "text/csv"})
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
        rows = _csv_rows(r.content)
        assert [(row["query"], int(row["total"])) for row in rows] == [
            (n, full.search(n, mode="lexical", limit=1).total) for n in NAMES]
        r = client.post("/api/batch", params={"mode": "lexical"},
                        files={"file": ("names.csv", body.encode(), "text/csv")})
        assert r.status_code == 200 and len(_csv_rows(r.content)) == len(NAMES)
        too_many = "\n".join(f"name{i}" for i in range(1001)).encode()
        assert client.post("/api/batch", content=too_many).status_code == 413
        assert client.post("/api/batch", content=b"x" * (1024 * 1024 + 1)).status_code == 413


def test_trace_report_exports_its_sources_and_cites_each_passage(full, full_archive, tmp_path):
    article = tmp_path / "article.txt"
    article.write_text("Cheryl Mills forwarded to Hillary Clinton a Wall Street Journal piece about Libya "
                       "in November 2012.\n", encoding="utf-8")
    out, page = tmp_path / "sources.csv", tmp_path / "report.html"
    r = dalil("trace", article, "--export", out, "--html", page, "--db", full_archive)
    assert r.returncode == 0, r.stderr
    rows = _csv_rows(out.read_bytes())
    assert rows and all(row["match"] and row["page"] and row["case"] for row in rows)
    html = page.read_text(encoding="utf-8")
    # Every traced passage of the report carries its citation.
    assert html.count('<details class="cite">') == html.count('<div class="ev">') > 0
    assert full.cite(rows[0]["doc_id"], page=int(rows[0]["page"]))["fields"]["doc_no"] in html


def test_export_button_and_cite_box_in_chromium(server, full, tmp_path):
    from playwright.sync_api import expect, sync_playwright
    total = full.search("Qaddafi", mode="lexical", limit=1).total
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            page = browser.new_context(base_url=server.base, accept_downloads=True).new_page()
            page.goto("/?q=Qaddafi&mode=lexical&ui=en")
            with page.expect_download() as got:
                page.locator(".export-links a", has_text="CSV").click()
            path = tmp_path / "download.csv"
            got.value.save_as(path)
            assert len(_csv_rows(path.read_bytes())) == total
            page.goto(f"/documents/{DOC}?ui=en")
            box = page.locator("details.cite")
            expect(box.locator(".cite-plain")).to_be_hidden()
            box.locator("summary").click()
            expect(box.locator(".cite-plain")).to_contain_text(f"DocNo {DOC}")
            expect(box.locator("a")).to_have_attribute("href", full.cite(DOC)["url"])
        finally:
            browser.close()
