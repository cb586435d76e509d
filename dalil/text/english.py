"""English word forms for bridged terms: a translated word rarely has the form the source uses.

A dictionary or the model gives one inflection (تذكير → "reminding"), the memo says "reminder";
"criticized" for "critics", "responds" for "response".  The proximity ranking therefore also
looks for each bridged English word by its Snowball stem as a prefix (remind*), as one more form
of the same concept, so a word's forms never count twice.  Short stems are left out: "war*"
would reach "warm".  (The same prefixes in the BM25 bag of words were measured and not kept:
docs/search.md.)
"""
from __future__ import annotations

from functools import lru_cache

MIN_STEM = 5            # characters a stem needs to be used as a prefix


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
