"""The demo: a saved Arabic news page about released e-mails, traced against the quality
archive (its three source documents, C05777468, C05772122 and C05772136, are in it among
3,000 other releases).  The right sources must be cited, byte offsets must point at the quote,
and the verdicts must be sensible."""
from pathlib import Path

import pytest

ARTICLE = Path(__file__).resolve().parent.parent / "demo" / "article-ar.html"
START_THREAD = {"C05777468", "C05772122"}        # Verma's update and Clinton's reply, two releases
VOTE = "C05772136"                               # the McCain-Barrasso vote result


@pytest.fixture(scope="module")
def report(quality_archive):
    return quality_archive.trace(ARTICLE.read_bytes(), name=str(ARTICLE))


def _claim(report, word):
    found = [c for c in report.claims if word in c.claim.text]
    assert len(found) == 1, [c.claim.text for c in report.claims]
    return found[0]


def _cited(claim):
    lead = claim.evidence[0]
    return {lead.doc_id, *lead.duplicates}


def test_article_read_without_boilerplate(report):
    assert report.article.lang == "ar"
    assert report.article.title and "ستارت" in report.article.title
    texts = " ".join(c.claim.text for c in report.claims)
    assert "التعليقات" not in texts and "اقرأ أيضاً" not in texts and "مقال ممتاز" not in texts
    assert len(report.claims) >= 3


def test_verma_update_is_traced_to_the_start_thread(report):
    claim = _claim(report, "فيرما")
    assert claim.claim.meta.get("date") == "2010-12-18"
    # The vote's result, sent the same day, ranks first; Verma's update follows it.
    top_two = [e for e in claim.evidence[:2] if START_THREAD & {e.doc_id, *e.duplicates}]
    assert top_two, [(e.doc_id, e.duplicates) for e in claim.evidence]
    assert START_THREAD <= {top_two[0].doc_id, *top_two[0].duplicates}
    quote = top_two[0].quote.lower()
    assert "mccain" in quote and "preamble" in quote
    assert claim.verdict.label == "supported"


def test_clinton_reply_is_read_as_a_message_claim(report):
    # Known miss (docs/trace.md): "I will hold on the Murkowski call" is one line of a long
    # thread, and other messages about calls with senators outrank it.
    claim = _claim(report, "موركوفسكي")
    assert claim.claim.kind == "metadata" and claim.claim.meta.get("sender") == "كلينتون"
    assert claim.evidence and claim.verdict.label != "contradicted"


def test_vote_result_is_traced(report):
    claim = _claim(report, "59")
    assert VOTE in _cited(claim)
    assert claim.verdict.label == "supported"
    assert "59" in claim.evidence[0].quote


def test_citations_are_raw_byte_offsets(report, quality_archive):
    for c in report.claims:
        for ev in c.to_dict()["evidence"]:
            raw = quality_archive.document(ev["doc_id"]).raw_bytes()
            assert raw[ev["start"]:ev["end"]].decode("utf-8") == ev["quote"]
            assert ev["page"] >= 1


def test_html_report_is_right_to_left(report):
    page = report.to_html()
    assert 'dir="rtl"' in page and "C05772136" in page


def test_a_page_read_again_reads_the_same():
    """trafilatura's duplicate filter is process-wide: without emptying it, the third reading of
    one page had lost its body and fallen back to the whole page, menus and comments included."""
    from dalil.trace.article import read_article
    first = read_article(ARTICLE.read_bytes(), name=str(ARTICLE))
    for _ in range(4):
        again = read_article(ARTICLE.read_bytes(), name=str(ARTICLE))
        assert again.text == first.text
    assert "التعليقات" not in first.text
