"""Passage-proximity reranking (dalil.search.proximity): a document is scored by its best
passage-sized window of distinct query concepts."""
from __future__ import annotations

import math

import pytest

from dalil.search import hybrid
from dalil.search.proximity import best_window, concept_terms

DF = {"slaughter": 40, "alone": 300, "speech": 2000, "mills": 3000, "discourse": 12}


def df(term: str) -> int:
    return DF.get(term, 0)


def terms():
    # Concepts: Slaughter; seule → alone; discours → speech/discourse; Mills.
    return concept_terms([["Slaughter"], ["seule", "alone"], ["discours", "speech", "discourse"],
                          ["Mills"]], df, 27000)


def test_idf_per_term_and_one_concept_per_group():
    t = terms()
    assert t["slaughter"][1] == math.log(1 + 27000 / 40)
    assert t["speech"][0] == t["discourse"][0] == t["discours"][0] != t["alone"][0]


def test_terms_close_together_beat_the_same_terms_far_apart():
    filler = " ".join(["report"] * 300)
    close = "Slaughter wrote: I need to see her alone. I won't be talking about the speech."
    apart = f"Slaughter called. {filler} She was alone. {filler} The speech is done."
    t = terms()
    assert best_window(close, t) > best_window(apart, t) > 0
    assert best_window(apart, t) == max(v for _, v in t.values() if _ == t["slaughter"][0])


def test_a_concept_counts_once_however_many_of_its_forms_appear():
    t = terms()
    once = best_window("the speech", t)
    twice = best_window("the speech, the speech and its discourse", t)
    assert twice == pytest.approx(t["discourse"][1])   # the rarer form lifts the concept, never adds
    assert once == t["speech"][1] < twice


def test_no_query_term_scores_zero():
    assert best_window("nothing of the query here", terms()) == 0.0
    assert best_window("", terms()) == 0.0


def test_real_document_window(corpus_doc):
    """C05761927 (Slaughter to Mills: "I need to see her alone. I won't be talking about the
    speech"): every concept of the claim sits in one window of the real OCR text."""
    text = corpus_doc("C05761927").read_text(encoding="utf-8")
    t = terms()
    together = t["slaughter"][1] + t["alone"][1] + t["speech"][1]
    assert best_window(text, t) >= together - 1e-9


def test_a_stem_prefix_reaches_the_other_forms_of_a_word():
    """The bridge's English word gives one inflection (reminding); the memo has another
    (Reminder).  A prefix form (remind*) finds it; a whole word must still start there."""
    from dalil.text.english import stem_prefix
    assert stem_prefix("reminding") == stem_prefix("reminder") == "remind"
    assert stem_prefix("war") is None and stem_prefix("hillary clinton") is None
    assert stem_prefix("wait") == stem_prefix("waiting") == "wait"   # four letters are enough
    groups = [["تذكير", "reminding", "remind*"], ["Donilon"]]
    t = concept_terms(groups, lambda term: {"donilon": 80, "remind*": 400}.get(term, 0), 27000)
    assert t["remind*"][0] == t["reminding"][0] != t["donilon"][0]
    memo = "Reminder: secure call with Tom Donilon at 3pm, Ops will connect."
    assert best_window(memo, t) == pytest.approx(t["remind*"][1] + t["donilon"][1])
    assert best_window("unremindful Donilon", t) == pytest.approx(t["donilon"][1])


def test_cognates_of_latin_script_languages():
    """A long French (Spanish, Italian...) word also matches its English cognate by its first
    letters; English queries, short words and Arabic words get no such form."""
    from dalil.search.hybrid import _cognate
    assert _cognate("développement", "fr") == ["develo*"]
    assert _cognate("téléphonique", "fr") == ["teleph*"] and _cognate("inversión", "es") == ["invers*"]
    assert _cognate("development", "en") == [] and _cognate("appel", "fr") == []
    assert _cognate("الاستيطان", "ar") == []
    t = concept_terms([["développement", *_cognate("développement", "fr")], ["Haiti"]],
                      lambda term: {"haiti": 900, "develo*": 1500}.get(term, 0), 27000)
    assert best_window("USAID development programs in Haiti", t) == pytest.approx(t["develo*"][1] + t["haiti"][1])


# Written for these tests: the email "The hotel manager asked me last night to try their special
# breakfast" asked for in three languages.
HOTEL = ["اقترح مدير الفندق على هوما تجربة فطورهم الخاص",
         "le directeur de l'hôtel propose son petit-déjeuner spécial à Huma",
         "hotel manager special breakfast Huma"]
HOTEL_EMAILS = {"C05787042", "C05787043", "C05787045", "C05780686", "C05780687", "C05780688"}


def test_a_document_holding_the_whole_query_is_read_first(quality_archive):
    """These six emails sit under a long forwarded NYT article, so BM25 over the bag of bridged
    words can rank them low; the coverage pass reads the documents holding the most query concepts,
    and these hold all five.  A concept they lack puts others first."""
    for query in HOTEL:
        assert {h.doc_id for h in quality_archive.search(query, limit=5).hits} & HOTEL_EMAILS, query
    h, db = quality_archive.hybrid, quality_archive.store.db
    n = db.execute("SELECT max(id) FROM documents").fetchone()[0]
    doc_id = dict(db.execute("SELECT id, doc_id FROM documents"))
    concepts = {"hotel": (0, 2.0), "manager": (1, 2.0), "breakfast": (2, 3.0), "special": (3, 1.5), "huma": (4, 1.0)}
    assert {doc_id[d] for d, _ in h._coverage(concepts, None, n)[:6]} == HOTEL_EMAILS
    concepts = {"hotel": (0, 2.0), "manager": (1, 2.0), "embassy": (2, 3.0)}
    assert not {doc_id[d] for d, _ in h._coverage(concepts, None, n)[:6]} & HOTEL_EMAILS


def test_coverage_candidates_obey_the_filters(quality_archive):
    hits = quality_archive.search(HOTEL[0] + " -breakfast", limit=20).hits
    assert hits and not {h.doc_id for h in hits} & HOTEL_EMAILS


def test_short_documents_holding_the_most_concepts_are_read_too(quality_archive, monkeypatch):
    """The documents holding the most query concepts are long ones (they name everything pages
    apart); the short ones holding the most come after them: "I need to talk to Gates tomorrow
    secure if possible btw 8-10" is one email of 1,092 characters."""
    monkeypatch.setattr(hybrid, "COVERAGE_DEPTH", 5)
    monkeypatch.setattr(hybrid, "SHORT_DEPTH", 5)
    h, db = quality_archive.hybrid, quality_archive.store.db
    n = db.execute("SELECT max(id) FROM documents").fetchone()[0]
    terms = {"gates": (0, 3.0), "secure": (1, 3.0), "tomorrow": (2, 2.0), "call": (3, 1.5), "clinton": (4, 1.0)}
    found = h._coverage(terms, None, n)
    length = dict(db.execute("SELECT id, length(text) FROM documents"))
    first, short = found[:5], found[5:]
    assert len(first) == 5 and len(short) == 5
    assert any(length[d] > hybrid.SHORT_CHARS for d, _ in first)
    assert all(length[d] <= hybrid.SHORT_CHARS for d, _ in short)
    assert not {d for d, _ in first} & {d for d, _ in short}
    # The short ones holding the most, in order: no short document further down holds more.
    assert [v for _, v in short] == sorted((v for _, v in short), reverse=True)
    monkeypatch.setattr(hybrid, "SHORT_DEPTH", 50)
    more = h._coverage(terms, None, n)[10:]
    assert more and all(v <= short[-1][1] for _, v in more)


def test_a_query_words_own_form_weighs_no_more_than_its_translation(full):
    """"discours" and its cognate prefix are rare in an English archive because only its few
    French documents hold them: weighed so, a French query's whole weight was one no English
    window could reach a share of.  They weigh as their translation "speech" does; a translation
    the archive lacks caps nothing, and a concept with no translation keeps its weight."""
    from dalil.search.proximity import cap_native
    store = full.store
    n = store.max_doc_row()

    def df(t):
        return store.prefix_df(t[:-1]) if t.endswith("*") else full.lexical.spelling.df(t)
    groups = [["discours", "speech", "speech*", "discou*"], ["besoin", "need", "zzqqxx"], ["Slaughter"]]
    terms = concept_terms(groups, df, n)
    assert terms["discours"][1] > terms["speech"][1] and terms["besoin"][1] > terms["need"][1]
    capped = cap_native(terms, {0: {"discours", "discou*"}, 1: {"besoin"}, 2: {"slaughter"}}, df)
    assert capped["discours"][1] == capped["speech"][1] >= capped["discou*"][1]
    assert capped["besoin"][1] == terms["need"][1]
    assert capped["slaughter"] == terms["slaughter"] and capped["speech"] == terms["speech"]
