"""The language of a short query is told by its words, not by the names in it, and a highlighted
word is one that matched (issue 24, item 4).  Queries written fresh from corpus names (Benghazi,
Tripoli, In Amenas, Hillary Clinton); none of the development sets."""
from __future__ import annotations

import pytest

from dalil.text.lang import detect_lang
from dalil.text.stopwords import function_word


@pytest.mark.parametrize("query,lang", [
    # A word of another language beside Latin-script names: the word decides.
    ("هجوم Benghazi", "ar"), ("اجتماع Hillary Clinton", "ar"), ("رهائن In Amenas", "ar"),
    ("attaque Benghazi", "fr"), ("otages In Amenas", "fr"),
    ("secuestro Benghazi", "es"), ("elecciones Haiti", "es"),
    # Must not fire: names alone, English words with names, an English sentence quoting an
    # Arabic word, an English word the classifier alone would read as Dutch.
    ("Benghazi", "en"), ("Christopher Stevens", "en"), ("hostages In Amenas", "en"),
    ("tanker Benghazi", "en"), ("weekend Tripoli", "en"), ("the word جهاد in memos", "en"),
])
def test_short_query_language_by_its_words(query, lang):
    assert detect_lang(query) == lang


def _highlighted(hit) -> list[str]:
    return [hit.snippet[s:e].lower() for s, e in hit.highlights]


@pytest.mark.parametrize("query", ["hostages in Amenas", "consulate in Benghazi"])
def test_lexical_highlights_no_function_word(full, query):
    result = full.search(query, mode="lexical", limit=10)
    assert result.lang == "en" and result.total > 0 and any(h.highlights for h in result.hits)
    for hit in result.hits:
        words = _highlighted(hit)
        assert "in" not in words, (hit.doc_id, words)
        # Each highlight is a form the hit holds (its matched terms, OCR spellings among them).
        assert all(any(w == t or w.startswith(t) or t.startswith(w) for t in hit.matched_terms)
                   for w in words), (words, hit.matched_terms)


def test_a_query_of_function_words_is_still_highlighted(full):
    result = full.search('"in the"', mode="lexical", limit=3)
    assert result.hits and all(h.highlights for h in result.hits)


@pytest.fixture
def dense_archive(full, request):
    """An archive with vectors: the full one when built with them, else the quality archive."""
    return full if full.has_vectors() else request.getfixturevalue("quality_archive")


@pytest.mark.parametrize("query,lang", [("attaque à Tripoli", "fr"), ("هجوم في Benghazi", "ar")])
def test_cross_language_highlights_are_matched_words(dense_archive, query, lang):
    result = dense_archive.search(query, mode="hybrid", limit=10)
    assert result.lang == lang and any(h.highlights for h in result.hits)
    for hit in result.hits:
        for word in _highlighted(hit):
            assert not function_word(word, "en") and not function_word(word, lang), (hit.doc_id, word)
