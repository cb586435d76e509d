"""The JSON API of `dalil serve`, over HTTP against the real server on a real archive."""
from __future__ import annotations

import json
import subprocess
import sys

import httpx
import pytest

from dalil import Archive
from web_support import ARABIC_SUBJECT, DUP_ID, DUP_OF, RELEASE, Server


@pytest.fixture(scope="module")
def db(web_db):
    return web_db


@pytest.fixture(scope="module")
def server(web_server):
    return web_server


@pytest.fixture(scope="module")
def client(server):
    with httpx.Client(base_url=server.base, timeout=30) as c:
        yield c


@pytest.fixture(scope="module")
def archive(db):
    a = Archive(str(db), readonly=True)
    yield a
    a.close()


def _without_timing(d: dict) -> dict:
    return {k: v for k, v in d.items() if k != "took_ms"}


def test_search_matches_the_cli_contract(client, archive):
    r = client.get("/api/search", params={"q": "libya militias", "limit": 5})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert _without_timing(body) == _without_timing(archive.search("libya militias", limit=5).to_dict())
    assert body["total"] > 5 and len(body["hits"]) == 5
    hit = body["hits"][0]
    for key in ("doc_id", "score", "subject", "from", "date", "page", "snippet", "highlights"):
        assert key in hit
    for start, end in hit["highlights"]:
        assert hit["snippet"][start:end].lower().startswith(("libya", "militia"))
    assert set(body["facets"]) >= {"release", "exemption", "sender", "year"}
    assert body["facets"]["release"][RELEASE] >= 5


def test_search_filters_offset_and_facets(client):
    first = client.get("/api/search", params={"q": "libya", "limit": 3}).json()
    second = client.get("/api/search", params={"q": "libya", "limit": 3, "offset": 3}).json()
    assert first["total"] == second["total"]
    assert not {h["doc_id"] for h in first["hits"]} & {h["doc_id"] for h in second["hits"]}
    filtered = client.get("/api/search", params={"q": "libya exemption:B5 after:2012-01-01", "limit": 50}).json()
    assert 0 < filtered["total"] < first["total"]
    assert all(h["date"] >= "2012-01-01" for h in filtered["hits"] if h["date"])
    assert set(filtered["facets"]["exemption"]) >= {"B5"}


def test_search_in_arabic(client):
    body = client.get("/api/search", params={"q": "ليبيا"}).json()
    subjects = [h["subject"] for h in body["hits"]]
    assert ARABIC_SUBJECT in subjects


@pytest.mark.parametrize("params, fragment", [
    ({"q": '"libya'}, "unbalanced quote"),
    ({"q": ""}, "empty query"),
    ({}, "empty query"),
    ({"q": "libya", "limit": "ten"}, "limit must be an integer"),
    ({"q": "libya", "limit": "0"}, "limit must be between"),
    ({"q": "libya", "offset": "-1"}, "offset must be between"),
    ({"q": "libya", "mode": "magic"}, "mode must be one of"),
    ({"q": "libya", "mode": "dense"}, "no vectors"),
    ({"q": "nosuchfilter:x libya"}, "bad query"),
    ({"q": "libya after:2012-13-45"}, "bad query"),
])
def test_bad_search_requests_get_400_with_one_line(client, params, fragment):
    r = client.get("/api/search", params=params)
    assert r.status_code == 400, r.text
    error = r.json()["error"]
    assert error["status"] == 400 and fragment in error["message"]
    assert "\n" not in error["message"]


def test_document_matches_show_json(client, archive):
    r = client.get(f"/api/documents/{DUP_OF}")
    assert r.status_code == 200
    assert r.json() == json.loads(json.dumps(archive.document(DUP_OF).to_dict()))
    d = r.json()
    assert d["release"] == RELEASE and d["disposition"] == "RELEASE IN PART" and "B6" in d["exemptions"]
    assert d["pages"] == 4 and len(d["messages"]) >= 2


def test_unknown_document_is_404(client):
    for path in ("/api/documents/C00000000", "/api/documents/C00000000/duplicates"):
        r = client.get(path)
        assert r.status_code == 404
        assert r.json()["error"]["code"] == "not_found"


def test_duplicates_find_the_re_released_email(client):
    r = client.get(f"/api/documents/{DUP_OF}/duplicates")
    assert r.status_code == 200
    body = r.json()
    assert body["doc_id"] == DUP_OF
    assert DUP_ID in [d["doc_id"] for d in body["duplicates"]]
    back = client.get(f"/api/documents/{DUP_ID}/duplicates").json()
    assert DUP_OF in [d["doc_id"] for d in back["duplicates"]]


def test_status_matches_status_json(client, archive):
    r = client.get("/api/status")
    assert r.status_code == 200
    assert r.json() == json.loads(json.dumps(archive.status()))
    assert r.json()["by_release"][RELEASE] == 296


def test_openapi_describes_every_endpoint(client):
    schema = client.get("/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) == {"/api/search", "/api/documents/{doc_id}",
                                    "/api/documents/{doc_id}/duplicates", "/api/trace", "/api/status",
                                    "/api/export", "/api/cite/{doc_id}", "/api/batch", "/api/jobs/{job_id}",
                                    "/api/audit", "/api/me"}
    assert "post" in schema["paths"]["/api/trace"]
    refs = json.dumps(schema).count('"$ref"')
    assert refs >= 10
    for name in ("SearchResult", "Document", "Status", "TraceReport", "Error"):
        assert name in schema["components"]["schemas"]


def test_trace_body_errors(client):
    r = client.post("/api/trace", content=b"x" * (7 * 1024 * 1024), headers={"content-type": "text/plain"})
    assert r.status_code == 413 and r.json()["error"]["code"] == "too_large"
    r = client.post("/api/trace", content=b"   \n", headers={"content-type": "text/plain"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "empty"
    r = client.post("/api/trace", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "bad_json"
    r = client.post("/api/trace", json={"article": "text"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "bad_body"
    assert client.get("/api/trace").status_code == 405


def test_trace_endpoint(client):
    article = ("في رسالة بريد إلكتروني أرسلها جيك سوليفان إلى هيلاري كلينتون في 2 أبريل 2011 بعنوان "
               "Brits and Libya، كتب أن الأمر كان من المفترض أن يتم اليوم.")
    r = client.post("/api/trace", json={"text": article})
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["article"]["lang"] == "ar"
    assert report["claims"]
    claim = report["claims"][0]
    assert claim["verdict"] in ("supported", "partly_supported") and 0 <= claim["confidence"] <= 1
    assert claim["evidence"][0]["doc_id"] in ("C05739639", "C05739638")
    # The same article as raw text and as a form upload gives the same report.
    as_text = client.post("/api/trace", content=article.encode(), headers={"content-type": "text/plain"})
    assert as_text.json() == report
    as_file = client.post("/api/trace", files={"file": ("article.txt", article.encode(), "text/plain")})
    assert as_file.json() == report
    garbage = client.post("/api/trace", content=bytes(range(256)) * 40,
                          headers={"content-type": "application/octet-stream"})
    assert garbage.status_code == 422 and garbage.json()["error"]["code"] == "bad_article"


def test_every_response_carries_the_security_headers(client):
    for path in ("/api/status", "/api/documents/nope", "/", f"/documents/{DUP_OF}", "/static/style.css"):
        r = client.get(path)
        assert "default-src 'self'" in r.headers["content-security-policy"]
        assert "script-src 'self'" in r.headers["content-security-policy"]
        assert r.headers["x-content-type-options"] == "nosniff"


def test_original_download(client, corpus_dir):
    r = client.get(f"/documents/{DUP_OF}/original")
    assert r.status_code == 200
    assert r.content == (corpus_dir / RELEASE / f"{DUP_OF}.txt").read_bytes()
    assert r.headers["content-disposition"] == f'attachment; filename="{DUP_OF}.txt"'
    assert r.headers["content-type"] == "application/octet-stream"


def test_serve_refuses_public_bind_without_flag(db):
    cmd = [sys.executable, "-c", "from dalil.cli import run; run()", "serve", "--db", str(db), "--host", "0.0.0.0"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert out.returncode != 0
    assert "--public" in out.stderr


def test_serve_public_prints_a_warning(db):
    srv = Server(db, ("--host", "0.0.0.0", "--public"))
    try:
        assert httpx.get(srv.base + "/api/status").status_code == 200
    finally:
        srv.stop()
    assert "warning" in srv.proc.stdout.read().lower()


def test_exact_duplicates_fallback_finds_the_re_release(archive):
    from dalil.web.insights import exact_duplicates
    found = exact_duplicates(archive, DUP_OF)
    assert found["method"] == "exact"
    assert [d["doc_id"] for d in found["duplicates"]] == [DUP_ID]
    assert exact_duplicates(archive, "C05739639")["duplicates"] == []
