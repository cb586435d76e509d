"""Opposite stances: the article says someone agreed, supported or was optimistic where the
source says they disagreed, opposed or were worried.  No negation word marks such a reversal
("I disagree with … his overemphasis of the deficit" against "he agreed with the article's
emphasis on the deficit"), so the negation check misses it; antonymy is the other classic cue of
a contradiction between two texts.

Each pole is one lexicon for every side (English, French, Arabic, Spanish): a claim using a word
of one pole contradicts a source sentence that uses a word of the other pole and none of its own.
A Latin-script entry ending in `*` is a stem; an Arabic entry takes the conjunction, the future
and the imperfect prefixes before it and up to three letters after it (يعارض, وعارضت, المعارضة).
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from dalil.text.datafile import tsv_rows
from dalil.text.normalize import is_arabic, normalize_for_index
from dalil.trace.overstatement import word_pattern

DATA = Path(__file__).with_name("data") / "stance.tsv"


@lru_cache(maxsize=1)
def stance_pairs() -> dict[str, tuple[list[str], list[str]]]:
    """data/stance.tsv, read once: pair name → (words of one pole, words of the other), in file order."""
    out: dict[str, tuple[list[str], list[str]]] = {}
    for name, pole, _lang, word in tsv_rows(DATA):
        out.setdefault(name, ([], []))[pole == "other"].append(word)
    return out

_AR_PREFIX = r"(?:[وف])?(?:ال|س)?(?:[يتن])?"


def _pattern(words: list[str]) -> re.Pattern:
    # Latin-script entries are written as `normalize_for_index` leaves text: lower case, no accents.
    return word_pattern([w[:-1] + r"\w*" if w.endswith("*") else w for w in words if not is_arabic(w)],
                        [re.escape(normalize_for_index(w)) for w in words if is_arabic(w)],
                        _AR_PREFIX, r"[\u0621-\u064A]{0,3}")


_POLES = {name: (_pattern(a), _pattern(b)) for name, (a, b) in stance_pairs().items()}


def stance_flips(claim: str, stating: str, context: str) -> list[tuple[str, str]]:
    """(claim word, source word) for each pair whose one pole the claim uses and whose other pole
    the source's `stating` sentences use, where neither the claim uses the source's pole nor the
    source `context` (the passage around them) the claim's."""
    # Folded as the lexicon is written: lower case, no accents, Arabic without marks, one alef and ya.
    claim, stating, context = normalize_for_index(claim), normalize_for_index(stating), normalize_for_index(context)
    out = []
    for one, other in _POLES.values():
        for said, opposite in ((one, other), (other, one)):
            c = said.search(claim)
            s = opposite.search(stating)
            if c and s and not opposite.search(claim) and not said.search(context):
                out.append((c.group().strip(), s.group().strip()))
    return out
