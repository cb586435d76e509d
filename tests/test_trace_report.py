"""The trace report: JSON contract, citations that point at the raw bytes, self-contained HTML."""
import re

import pytest

from dalil import Archive

ARTICLE_EN = ("Clinton and the START vote\n\n"
              "Richard Verma wrote to Clinton on 18 December 2010 that the McCain amendment removing the "
              "offense/defense link from the START preamble was expected to fail.\n")
ARTICLE_AR = ("في 18 ديسمبر 2010 كتب ريتشارد فيرما إلى كلينتون أن تعديل ماكين الذي يلغي الربط بين "
              "الهجوم والدفاع في ديباجة معاهدة ستارت سيُهزم.")
DOCS = ["C05772122", "C05777468", "C05772136", "C05764217", "C05764219", "C05761927", "C05758726"]


@pytest.fixture(scope="module")
def small(corpus_doc, tmp_path_factory):
    import shutil
    root = tmp_path_factory.mktemp("trace-src")
    for d in DOCS:
        src = corpus_doc(d)
        (root / src.parent.name).mkdir(exist_ok=True)
        shutil.copy(src, root / src.parent.name / src.name)
    archive = Archive(str(tmp_path_factory.mktemp("trace-db") / "t.db"))
    archive.ingest([str(root)])
    return archive


def test_json_contract(small):
    d = small.trace(ARTICLE_EN).to_dict()
    assert set(d) == {"article", "claims", "skipped", "partial", "claims_found"}
    assert d["partial"] is False and d["claims_found"] == len(d["claims"])
    assert set(d["article"]) == {"lang", "title", "date"} and d["article"]["lang"] == "en"
    claim = d["claims"][0]
    assert set(claim) == {"text", "start", "end", "kind", "verdict", "confidence", "needs_review", "explanation",
                          "facts", "evidence", "metadata_checks"}
    assert ARTICLE_EN[claim["start"]:claim["end"]] == claim["text"]
    assert claim["kind"] == "metadata"
    assert claim["verdict"] in ("supported", "partly_supported", "contradicted", "not_found")
    assert 0.0 <= claim["confidence"] <= 1.0 and claim["explanation"]
    for ev in claim["evidence"]:
        assert set(ev) == {"doc_id", "duplicates", "release", "page", "start", "end", "quote", "score"}
    for check in claim["metadata_checks"]:
        assert set(check) - {"role_of"} == {"field", "claimed", "found", "ok", "status"}
        assert check["field"] in ("sender", "recipient", "date", "subject")
    fields = {c["field"]: c for c in claim["metadata_checks"]}
    assert fields["sender"]["ok"] and fields["date"]["ok"]


def test_a_correspondent_named_only_in_the_headers_is_not_missing(small):
    # The article says Clinton; the message headers say "H". She is the recipient, not a name
    # the source lacks.
    claim = small.trace(ARTICLE_EN).to_dict()["claims"][0]
    assert "does not mention Clinton" not in claim["explanation"], claim["explanation"]
    recipient = [c for c in claim["metadata_checks"] if c["field"] == "recipient"]
    assert recipient and recipient[0]["ok"], claim["metadata_checks"]


def test_evidence_offsets_are_raw_bytes(small):
    report = small.trace(ARTICLE_EN)
    evidence = report.to_dict()["claims"][0]["evidence"]
    assert evidence[0]["doc_id"] in {"C05772122", "C05777468", "C05772136"}
    for ev in evidence:
        raw = small.document(ev["doc_id"]).raw_bytes()
        assert raw[ev["start"]:ev["end"]].decode("utf-8") == ev["quote"]


def test_html_is_self_contained_and_rtl_for_arabic(small):
    report = small.trace(ARTICLE_AR)
    page = report.to_html(ui_base_url="http://localhost:8080")
    assert "<script" not in page and "src=" not in page and "<link" not in page
    assert not re.search(r"(?:href|src)=\"https?://(?!localhost:8080/documents/)", page)
    assert 'dir="rtl"' in page and 'lang="ar"' in page
    assert "http://localhost:8080/documents/" in page
    assert "<mark>" in page
    plain = report.to_html()
    assert "/documents/" not in plain


def test_html_escapes_article_text(small):
    report = small.trace("On 18 December 2010 <b>Richard Verma</b> told Clinton that the McCain amendment "
                         "would be defeated <script>alert(1)</script>.")
    page = report.to_html()
    assert "<script>" not in page and "&lt;script&gt;" in page


def test_markdown(small):
    md = small.trace(ARTICLE_EN).to_markdown()
    assert md.startswith("# Trace") and "Richard Verma" in md and "bytes" in md
