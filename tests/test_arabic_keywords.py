"""The Arabic filter keywords (من: إلى: نسخة: موضوع: وثيقة: إصدار: إعفاء: بعد: قبل: لغة:): read from
dalil/search/data/filter_keywords.tsv, parsed as their English filters, giving the same hits on the
full real corpus, in the API and on the search page; an Arabic word before a colon that is not a
keyword stays a word of the query."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from dalil import QUERY_FILTERS, QueryError, parse_query
from dalil.search.query import FILTER_KEYWORDS, FILTER_KEYWORDS_DATA, filter_keywords
from dalil.web.app import create_app

DOCS = Path(__file__).resolve().parent.parent / "docs" / "query-syntax.md"

# English query → the same query with Arabic keywords (values are corpus names, words, codes).
PAIRS = [
    ("from:mills libya", "من:mills libya"),
    ("to:abedin after:2011-01-01 before:2011-03-01", "إلى:abedin بعد:2011-01-01 قبل:2011-03-01"),
    ("to:abedin after:2011-01-01 before:2011-03-01", "الى:abedin بعد:2011-01-01 قبل:2011-03-01"),
    ("cc:sullivan exemption:B5 egypt", "نسخة:sullivan إعفاء:B5 egypt"),
    ('subject:"call list" -from:mills', 'موضوع:"call list" -من:mills'),
    ("benghazi release:HRC_Email_296 lang:en", "benghazi إصدار:HRC_Email_296 لغة:en"),
    ("doc:C0573* libya", "وثيقة:C0573* libya"),
]


def _atoms(q):
    return ([(a.kind, a.field, a.value, a.prefix, a.negated) for g in q.groups for a in g],
            [(a.kind, a.field, a.value, a.negated) for a in q.negatives],
            [(a.field, a.value, a.negated) for a in q.filters])


def test_every_english_filter_has_an_arabic_keyword():
    arabic = {english for keyword, english in filter_keywords().items() if not keyword.isascii()}
    assert arabic == set(QUERY_FILTERS), set(QUERY_FILTERS) - arabic


def test_the_table_is_a_data_file_with_one_loader():
    lines = [line for line in FILTER_KEYWORDS_DATA.read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith("#")]
    assert all(len(line.split("\t")) == 2 for line in lines)
    assert FILTER_KEYWORDS["من"] == "from" and FILTER_KEYWORDS["قبل"] == "before"
    # A line naming a filter this version lacks is left out rather than breaking the parser.
    assert all(english in QUERY_FILTERS for english in FILTER_KEYWORDS.values())


@pytest.mark.parametrize("english,arabic", PAIRS)
def test_arabic_keywords_parse_as_english(english, arabic):
    q = parse_query(arabic)
    assert _atoms(q) == _atoms(parse_query(english))
    assert q.text == arabic                      # the echo keeps what was typed
    assert parse_query(q.english).filters == parse_query(english).filters


def test_arabic_indic_digits_in_dates():
    q = parse_query("بعد:٢٠١١-٠٢-٠١ قبل:٢٠١١-٠٤")
    assert [(a.field, a.value) for a in q.filters] == [("after", "2011-02-01"), ("before", "2011-04")]
    with pytest.raises(QueryError, match="bad date"):
        parse_query("بعد:٢٠١١-١٣-٠١")


@pytest.mark.parametrize("text,words", [
    ("ملاحظة:عاجل ليبيا", ["ملاحظة:عاجل", "ليبيا"]),          # not a keyword: a word
    ("منذ:2011 بنغازي", ["منذ:2011", "بنغازي"]),              # starts like من but is another word
    ("تضمن:السفارة", ["تضمن:السفارة"]),                       # ends like من
    ("من : mills", ["من", "mills"]),                           # a keyword needs its value after the colon
])
def test_arabic_colon_that_is_not_a_keyword_stays_text(text, words):
    q = parse_query(text)
    assert not q.filters and all(a.field is None for a in q.positive_atoms())
    assert [a.value for a in q.positive_atoms()] == words


def test_english_rules_unchanged():
    with pytest.raises(QueryError, match="unknown filter frm:"):
        parse_query("frm:mills")
    assert _atoms(parse_query("from:mills")) == _atoms(parse_query("FROM:mills"))


def test_docs_list_every_arabic_keyword_beside_the_english_one():
    text = DOCS.read_text(encoding="utf-8")
    for keyword, english in FILTER_KEYWORDS.items():
        if not keyword.isascii():
            row = next((line for line in text.splitlines() if f"`{keyword}:" in line), "")
            assert f"{english}:" in row, (keyword, english)


@pytest.mark.parametrize("english,arabic", PAIRS)
def test_same_hits_on_the_full_corpus(full, english, arabic):
    for mode in ("lexical", None):
        kw = {"mode": mode} if mode else {}
        a, b = full.search(english, limit=30, **kw), full.search(arabic, limit=30, **kw)
        assert a.total > 0, english
        assert (b.total, b.related_total) == (a.total, a.related_total)
        assert [h.doc_id for h in b.hits] == [h.doc_id for h in a.hits]
        assert b.lang == a.lang                  # the keywords do not make the query Arabic


def test_not_a_keyword_on_the_full_corpus(full):
    # The colon word is searched as text: it is in no document, and no filter was applied.
    result = full.search("ملاحظة:عاجل", limit=5, mode="lexical")
    assert result.total == 0 and result.query == "ملاحظة:عاجل"
    assert full.search("من:mills", limit=5, mode="lexical").total > 0


@pytest.fixture(scope="module")
def client(full_archive):
    with TestClient(create_app(str(full_archive))) as c:
        yield c


def _hit_ids(html: str) -> list[str]:
    return re.findall(r'<a href="/documents/([^"?]+)\?q=[^"]*"><span class="doc-id"', html)


def test_search_page_with_arabic_keywords(client):
    english = client.get("/", params={"q": "from:mills libya", "mode": "lexical", "ui": "ar"})
    arabic = client.get("/", params={"q": "من:mills libya", "mode": "lexical", "ui": "ar"})
    assert english.status_code == arabic.status_code == 200
    assert _hit_ids(english.text) and _hit_ids(arabic.text) == _hit_ids(english.text)
    # The Arabic filter is an active filter chip that can be removed.
    chip = re.search(r'<a class="chip" href="/\?q=([^"]+)"[^>]*><bdi dir="auto">([^<]+)<bdi>([^<]+)</bdi>', arabic.text)
    assert chip and chip.group(2) + chip.group(3) == "من:mills" and chip.group(1) == "libya"
    plain = client.get("/", params={"q": "ملاحظة:عاجل", "mode": "lexical", "ui": "ar"})
    assert plain.status_code == 200 and 'class="chip"' not in plain.text


def test_errors_name_the_keyword_as_typed():
    with pytest.raises(QueryError, match="filter من: needs a value"):
        parse_query('من:""')
    with pytest.raises(QueryError, match="filter from: needs a value"):
        parse_query('FROM:""')
    with pytest.raises(QueryError, match="unknown exemption code"):
        parse_query("إعفاء:Z9")
