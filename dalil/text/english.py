"""English word forms for bridged terms: a translated word rarely has the form the source uses.

A dictionary or the model gives one inflection (تذكير → "reminding"), the memo says "reminder";
"criticized" for "critics", "responds" for "response".  The proximity ranking therefore also
looks for each bridged English word by its Snowball stem as a prefix (remind*), as one more form
of the same concept, so a word's forms never count twice.  Short stems are left out: "war*"
would reach "warm".  (The same prefixes in the BM25 bag of words were measured and not kept:
docs/search.md.)  A long word of a French, Spanish or Italian query or claim also reaches its
English cognate by its first letters (`cognate_prefix`), in search and in the tracer alike.
"""
from __future__ import annotations

from functools import lru_cache

MIN_STEM = 4            # characters a stem needs to be used as a prefix
COGNATE = 6             # letters of a Latin-script word that reach its English cognate (5, 6 and 7
                        # measured in search: French recall@5 0.829, 0.819, 0.824; docs/search.md)


@lru_cache(maxsize=1)
def _stemmer():
    import snowballstemmer
    return snowballstemmer.stemmer("english")


@lru_cache(maxsize=8192)
def stem_prefix(word: str) -> str | None:
    """The stem to match `word`'s forms by prefix, or None when the word should match as is
    (not a plain English word, or a short stem)."""
    if not word.isalpha() or not word.isascii():
        return None
    stem = _stemmer().stemWord(word.lower())
    return stem if len(stem) >= MIN_STEM else None


def cognate_prefix(term: str) -> str | None:
    """A long word of a Latin-script language (an index term: folded, lower-case) as a prefix of
    its first COGNATE letters: développement, téléphonique, investissement reach development,
    telephone, investment.  None for short or non-Latin words."""
    if len(term) <= COGNATE or not term.isalpha() or not term.isascii():
        return None
    return term[:COGNATE] + "*"
