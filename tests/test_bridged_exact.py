"""A query in another language is an exact match where a document holds its words' translations,
in a small archive too: the bridge's dictionary senses that the archive's vocabulary (words of
three documents or more) lacks, but a document holds, are translations of the word, counted as
its forms by the exact test and listed in matched_terms.  Sentences written for this test."""
from __future__ import annotations

import random

import pytest

from dalil import Archive
from tests.web_support import write_eml

EMAILS = {
    "quay": ("Harbour works at Misrata",
             "The new crane on the Misrata quay lifted its first containers on Tuesday. The fishing "
             "cooperative asked the port office to keep the north berth free for their boats."),
    "rail": ("Rail freight delay",
             "A locomotive hauling gasoline wagons stopped outside Homs after a signal fault; the "
             "crew waited four hours before the line reopened."),
    "berth": ("Berth space",
              "Misrata harbour officials met the mayor about berth space for the summer ferry."),
}


@pytest.fixture(scope="module")
def archive(corpus_dir, tmp_path_factory):
    folder = tmp_path_factory.mktemp("bridged_exact")
    inputs = folder / "inputs"
    inputs.mkdir()
    for i, (name, (subject, text)) in enumerate(EMAILS.items()):
        write_eml(inputs / f"{name}.eml", subject, "Port Desk <desk@example.org>", "Ops <ops@example.org>",
                  f"Tue, 1{i} Apr 2012 09:30:00 +0000", text)
    # Real emails around them, so that the archive has a vocabulary (words in three documents).
    paths = sorted(corpus_dir.glob("*/*.txt"))
    filler = random.Random(5).sample(paths, 12)
    archive = Archive(str(folder / "b.db"))
    archive.ingest([str(inputs)] + [str(p) for p in filler])
    archive.build_vectors(workers=2)
    return archive


def _hit(result, subject):
    return next((h for h in result.hits if h.subject == subject), None)


def test_the_words_are_outside_the_vocabulary(archive):
    """The case this file is about: the translations are too rare to be vocabulary words."""
    vocabulary = archive.hybrid.bridge.vocabulary
    assert vocabulary is not None
    assert not vocabulary.knows("crane") and not vocabulary.knows("locomotive")


@pytest.mark.parametrize("query", ["رافعة مصراتة", "grue Misrata"])
def test_translation_held_by_a_document_makes_it_exact(archive, query):
    result = archive.search(query, limit=20)
    quay = _hit(result, EMAILS["quay"][0])
    assert quay is not None and quay.match == "exact", [(h.subject, h.match, h.matched_terms) for h in result.hits]
    assert "crane" in quay.matched_terms and "misrata" in [t.lower() for t in quay.matched_terms]
    # The email that names the town but no crane stays related, crane not among its terms.
    berth = _hit(result, EMAILS["berth"][0])
    assert berth is None or (berth.match == "related" and "crane" not in berth.matched_terms)


def test_arabic_word_for_a_rare_english_noun(archive):
    result = archive.search("قاطرة حمص", limit=20)
    rail = _hit(result, EMAILS["rail"][0])
    assert rail is not None and rail.match == "exact"
    assert "locomotive" in rail.matched_terms


def test_no_exact_match_where_no_document_holds_both(archive):
    """Must not fire: a crane and Homs are in no document together."""
    result = archive.search("grue Homs", limit=20)
    assert result.total == 0
    rail = _hit(result, EMAILS["rail"][0])
    assert rail is None or (rail.match == "related" and "crane" not in rail.matched_terms)


def test_senses_no_document_holds_are_no_translations(archive):
    """رافعة is also a forklift, a hoist and a winch: no document here says so, none is added."""
    bridged = archive.hybrid.bridge.bridge("رافعة", "ar")
    assert bridged.sources.get("رافعة") == ["crane"]


def test_kept_columns_survive_their_own_eviction(archive, monkeypatch):
    """Similarity columns are kept per word; a query whose new words push its kept ones out
    still gets all its columns, each the product with that word's vector alone."""
    import numpy as np

    from dalil.search import bridge as bridge_module
    monkeypatch.setattr(bridge_module, "COLUMNS_KEPT", 2)
    b = archive.hybrid.bridge
    vocabulary, embed = b.vocabulary, b.embed
    vocabulary.similarities(["grue", "navire"], embed)
    sims = vocabulary.similarities(["navire", "سفينة", "رافعة"], embed)     # navire kept, then pushed out
    _, matrix = vocabulary.load()
    for j, word in enumerate(["navire", "سفينة", "رافعة"]):
        assert np.array_equal(sims[:, j], matrix @ embed([word])[0]), word
