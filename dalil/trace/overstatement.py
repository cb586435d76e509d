"""Absolutes an article adds to its source: "all" where the source says "mostly", "both" where
it names one, "cancelled for good" where it says "postponed", "had already approved" where it
says "we should check".  Such a claim repeats most of its source and overstates the rest: the
mark of a partly supported claim, which no number, date or negation check sees.

Each kind of absolute is one lexicon for every side (an Arabic or French claim, an English
source): the claim overstates when it uses a word of a kind that no word of the source passage
shares.  A few words of each language read as absolutes only on the source side, where they are
the source's own wording of the same idea ("the two kids" for "both", "just" for "only");
in a claim they are too often something else ("tout de suite", "un seul mot", كل "each").
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from dalil.text.datafile import tsv_rows
from dalil.text.normalize import is_arabic, strip_marks

_AR_PROCLITIC = r"(?:[وفبلك]|وب|ول|فب|فل)?"

DATA = Path(__file__).with_name("data") / "overstatement.tsv"


@lru_cache(maxsize=1)
def absolutes() -> dict[str, tuple[list[str], list[str]]]:
    """data/overstatement.tsv, read once: kind → (words that mark the absolute in a claim,
    further words by which a source states it), each in file order."""
    out: dict[str, tuple[list[str], list[str]]] = {}
    for kind, side, _lang, word in tsv_rows(DATA):
        out.setdefault(kind, ([], []))[side == "source"].append(word)
    return out


def word_pattern(latin: list[str], arabic: list[str], before: str = _AR_PROCLITIC, after: str = "") -> re.Pattern:
    """One regular expression for a lexicon's whole words: `latin` (regular expressions), and
    `arabic` (regular expressions too) with what an Arabic word may carry `before` and `after` it."""
    parts = []
    if latin:
        parts.append(r"(?<![\w'])(?:" + "|".join(latin) + r")(?![\w'])")
    if arabic:
        parts.append(r"(?<![\u0600-\u06FF])" + before + "(?:" + "|".join(arabic) + ")" + after + r"(?![\u0600-\u06FF])")
    return re.compile("|".join(parts), re.I)


def _pattern(words: list[str]) -> re.Pattern:
    return word_pattern([re.escape(w) for w in words if not is_arabic(w)],
                        [re.escape(w) for w in words if is_arabic(w)])


_CLAIM = {kind: _pattern(said) for kind, (said, _) in absolutes().items()}
_SOURCE = {kind: _pattern(said + stated) for kind, (said, stated) in absolutes().items()}


def overstatements(claim: str, source: str) -> list[str]:
    """The absolutes of `claim` (its own words, one per kind) whose kind `source` never states."""
    claim, source = strip_marks(claim), strip_marks(source)
    out = []
    for kind, pattern in _CLAIM.items():     # "both" first: the "tous" of "tous les deux" is no "all"
        m = pattern.search(claim)
        if m and not _SOURCE[kind].search(source):
            out.append(m.group())
        if m and kind == "both":
            claim = pattern.sub(" ", claim)
    return out
