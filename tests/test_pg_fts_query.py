"""The FTS5 → tsquery translator and the tsvector text of dalil/store/postgres/fts_query.py: the
strings it writes, and (on a real PostgreSQL server) what they match."""
from __future__ import annotations

import pytest

from dalil.store.postgres.fts_query import QuerySyntaxError, parse, to_tsquery, tokens, tsvector_text


@pytest.mark.parametrize("match, tsquery", [
    ('"libya"', "'libya'"),
    ('("libya")', "'libya'"),
    ('"state department"', "('state' <-> 'department')"),
    ('"secur"*', "'secur':*"),
    ('"prime min"*', "('prime' <-> 'min':*)"),
    ('("libya" OR "lybia")', "('libya' | 'lybia')"),
    ('(("libya" OR "lybia") AND ("benghazi"))', "(('libya' | 'lybia') & 'benghazi')"),
    ('(("libya") NOT "benghazi")', "('libya' & !'benghazi')"),
    ('((("libya") NOT "a") NOT "b c")', "(('libya' & !'a') & !('b' <-> 'c'))"),
    ('"a" "b"', "('a' & 'b')"),                                # FTS5's implicit AND
    ('"a" OR "b" "c"', "('a' | ('b' & 'c'))"),                 # AND binds tighter than OR
    ('({subject} : "libya")', "'libya':A"),
    ('({sender} : ("mills" OR "cheryl"))', "('mills':B | 'cheryl':B)"),
    ('({subject} : "fw"*)', "'fw':*A"),
    ('({recipients} : "hillary")', "'@to:hillary'"),
    ('({cc} : "huma abedin")', "('@cc:huma' <-> '@cc:abedin')"),
    ('"ليبيا"', "'ليبيا'"),
    ('("بنغاز" OR "ميناء")', "('بنغاز' | 'ميناء')"),
    ('"ستُنشر"', "'ستُنشر'"),                                  # a mark inside a word keeps it whole
    ('"o\'brien"', "('o' <-> 'brien')"),                       # split as unicode61 splits it
    ('""', "' '"),                                             # matches nothing, as in FTS5
])
def test_fts5_expressions_become_tsqueries(match, tsquery):
    assert to_tsquery(match) == tsquery


def test_phrases_are_listed_for_bm25_in_expression_order():
    q, phrases = parse('((("libya" OR "lybia") AND ({cc} : "abe"*)) NOT "x y")')
    assert q == "((('libya' | 'lybia') & '@cc:abe':*) & !('x' <-> 'y'))"
    assert [(p.terms, p.prefix, p.weights) for p in phrases] == [
        (("libya",), False, ""), (("lybia",), False, ""), (("@cc:abe",), True, ""), (("x", "y"), False, "")]
    assert parse('({subject} : "a b")')[1][0].weights == "A"


@pytest.mark.parametrize("bad", ['("libya"', '{nowhere} : "x"', '"a" OR', 'NOT "a"', '{subject} "a"'])
def test_what_lexical_never_builds_is_refused(bad):
    with pytest.raises(QuerySyntaxError):
        to_tsquery(bad)


def test_tokens_cut_as_fts5_unicode61():
    assert tokens("hrod17@clintonemail.com state.gov e-mail 3.5 a_b") == \
        ["hrod17", "clintonemail", "com", "state", "gov", "e", "mail", "3", "5", "a", "b"]
    assert tokens("سلطة ميناء") == ["سلطة", "ميناء"]
    assert tokens("naïve Ünïcode\u200b") == ["naïve", "ünïcode"]     # not folded here: ingest folds


def test_tsvector_text_weights_fields_and_keeps_phrases_inside_one_field():
    text, n = tsvector_text(("body words", "a subject", "me", "to one", "cc two"))
    assert n == 9
    assert text == ("'body':1D 'words':2D 'a':4A 'subject':5A 'me':7B 'to':9C '@to:to':9C 'one':10C "
                    "'@to:one':10C 'cc':12C '@cc:cc':12C 'two':13C '@cc:two':13C")
    assert tsvector_text(("a a b", "", "", "", ""), positions=False) == ("'a' 'b'", 3)


def test_translations_match_on_postgresql(pg_url):
    """The tsqueries parse on a real server and match what FTS5 would: column filters, phrases
    that never cross two fields, prefixes, markers no plain term reaches."""
    import psycopg
    doc, _ = tsvector_text(("the benghazi port", "fw: libya", "cheryl mills", "hillary", "huma abedin"))
    cases = {
        '"benghazi"': True, '"benghazi port"': True, '"port fw"': False,          # across body→subject
        '"hillary huma"': False,                                                   # across to→cc
        '({subject} : "libya")': True, '({subject} : "benghazi")': False,
        '({sender} : "mills")': True, '({recipients} : "hillary")': True, '({cc} : "hillary")': False,
        '({cc} : "huma abedin")': True, '({cc} : "abe"*)': True, '"cc"*': False, '"to"*': False,
        '("x" OR "libya")': True, '(("libya") NOT "mills")': False, '"ben"*': True, '""': False,
    }
    with psycopg.connect(pg_url) as conn:
        for match, expected in cases.items():
            got = conn.execute("SELECT %s::tsvector @@ %s::tsquery", (doc, to_tsquery(match))).fetchone()[0]
            assert got is expected, match
