"""Bad input: each case ends quickly with a clear message (or a clear note in the report)."""
import os
import time

import pytest

from dalil import Archive
from dalil.trace import ArticleError


@pytest.fixture(scope="module")
def tiny(corpus_doc, tmp_path_factory):
    archive = Archive(str(tmp_path_factory.mktemp("bad-db") / "t.db"))
    archive.ingest([str(corpus_doc("C05772122")), str(corpus_doc("C05764217"))])
    return archive


def _bounded(fn, seconds):
    t0 = time.perf_counter()
    out = fn()
    assert time.perf_counter() - t0 < seconds
    return out


@pytest.mark.parametrize("data", ["", "   \n\t ", b""])
def test_empty(tiny, data):
    with pytest.raises(ArticleError, match="empty"):
        _bounded(lambda: tiny.trace(data), 5)


def test_no_checkable_claim(tiny):
    with pytest.raises(ArticleError, match="no checkable claim"):
        _bounded(lambda: tiny.trace("hello there. nice weather today. see you soon"), 5)


def test_binary_garbage(tiny):
    with pytest.raises(ArticleError, match="binary"):
        _bounded(lambda: tiny.trace(os.urandom(100_000)), 5)


def test_five_megabyte_article_is_capped(tiny):
    # Each claim differs (a number in it): a sentence printed twice is one claim.
    sentence = "Cheryl Mills wrote to Clinton on 3 March 2011 that the vote would be held on day {} of the session. "
    filler = "This paragraph is ordinary prose without anything to check in it at all. "
    body = "".join(sentence.format(i) + filler * 40 for i in range(1700))
    assert len(body.encode()) > 5_000_000
    report = _bounded(lambda: tiny.trace(body, max_claims=5), 120)
    assert len(report.claims) == 5
    assert any("only the first 5" in n for n in report.notes)


def test_unsupported_language_is_said(tiny):
    text = ("Am 18. Dezember 2010 schrieb Richard Verma an Clinton, dass der Änderungsantrag von McCain "
            "zur Präambel des START-Vertrags scheitern werde.")
    report = _bounded(lambda: tiny.trace(text), 60)
    assert report.article.lang == "de"
    assert any("not one dalil is tuned for" in n for n in report.notes)
    assert report.claims and report.claims[0].verdict.label in (
        "supported", "partly_supported", "contradicted", "not_found")
