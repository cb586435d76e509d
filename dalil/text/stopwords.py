"""Function words of a query's language: in an English archive they only match the few documents
in that language, where they are everywhere, and their transliterations or nearest English words
are noise (بأن → "ben", إذا → "adha").  The lists are stopwords-iso's (58 languages, in its wheel),
with our own Arabic and French ones (data/function_words.tsv); a word is compared by its index
terms (Arabic light-stemmed, so a function word with a clitic, وبأن, is one too).
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from dalil.text.datafile import tsv_rows
from dalil.text.dictionary import load_glossary
from dalil.text.normalize import index_terms, normalize_for_index

DATA = Path(__file__).with_name("data") / "function_words.tsv"


@lru_cache(maxsize=1)
def own_function_words() -> dict[tuple[str, str], list[str]]:
    """data/function_words.tsv, read once: (list, language) → its words in file order."""
    out: dict[tuple[str, str], list[str]] = {}
    for name, lang, word in tsv_rows(DATA):
        out.setdefault((name, lang), []).append(word)
    return out


# Arabic function words of our own: never names, and their transliterations hit short corpus words.
AR_STOP = frozenset(normalize_for_index(w) for w in own_function_words()["stop", "ar"])
# ... and the prepositions and particles that carry a pronoun (إليها "to her", عليهم, لأنه, بيننا):
# stopwords-iso lists a few (عليه, منها), the rest were transliterated into names (إليها → Elia).
# Kept as written, so that the hamza tells أليك (Alec) from إليك as it does for stopwords-iso's.
AR_SUFFIXED: dict[str, set[str]] = {}
for _base in own_function_words()["pronoun_base", "ar"]:
    for _suffix in own_function_words()["pronoun_suffix", "ar"]:
        AR_SUFFIXED.setdefault(normalize_for_index(_base + _suffix), set()).add(_base + _suffix)
# All in stopwords-iso's French list too, but these count in a query of any language.
FR_STOP = frozenset(normalize_for_index(w) for w in own_function_words()["stop", "fr"])

# The verbs by which an article attributes what it reports ("Clinton wrote that", "a indiqué
# que", أفادت بأن): the source is the email itself, which never says that it was written or
# reported, so these words match nothing of it and only carry their own translations' noise
# (كتبت ≈ Tibet, أبلغت → "reportedly").  Perfect forms (he, she, they), with و or ف before them.
REPORTING = frozenset(normalize_for_index(p + v + e) for v in own_function_words()["reporting_stem", "ar"]
                      for e in ("", "ت", "وا") for p in ("", "و", "ف")) \
    | frozenset(normalize_for_index(w) for w in own_function_words()["reporting", "fr"])


def function_word(word: str, lang: str) -> bool:
    """True when every index term of `word` is a function word of `lang` (or of our lists)."""
    stop = stopwords(lang)
    key = normalize_for_index(word)
    if key in _glossary_words(lang):
        return False      # stopwords-iso lists لقاء (meeting), زيارة (visit), بيان (statement)
    if key in AR_STOP or key in FR_STOP or key in stop or (lang != "en" and key in REPORTING):
        return True
    written = _written(lang).get(key) or AR_SUFFIXED.get(key)
    if written:
        # A hamza the writer put where the function word has the other one: أليك (Alec) is not
        # إليك ("to you"), though both normalize to اليك.
        first = {w[0] for w in written}
        return not (word[:1] in "أإ" and first <= set("أإ") and word[:1] not in first)
    terms = index_terms(word)
    return bool(terms) and all(t in stop or t in AR_STOP or t in FR_STOP for t in terms)


@lru_cache(maxsize=64)
def _glossary_words(lang: str) -> frozenset[str]:
    """The single words of the glossary of official email (dalil/text/data/glossary.tsv): words
    the archive's senders use, whatever a general list of function words says."""
    return frozenset(k for k in load_glossary().get(lang, {}) if " " not in k)


@lru_cache(maxsize=64)
def stopwords(lang: str) -> frozenset[str]:
    """stopwords-iso's list for `lang` as index terms (empty for a language it lacks)."""
    import stopwordsiso
    words = stopwordsiso.stopwords(lang) if stopwordsiso.has_lang(lang) else set()
    return frozenset(t for w in words for t in index_terms(w))


@lru_cache(maxsize=64)
def _written(lang: str) -> dict[str, set[str]]:
    """stopwords-iso's list for `lang` as written: normalized form → its spellings."""
    import stopwordsiso
    out: dict[str, set[str]] = {}
    for w in (stopwordsiso.stopwords(lang) if stopwordsiso.has_lang(lang) else ()):
        out.setdefault(normalize_for_index(w), set()).add(w)
    return out
