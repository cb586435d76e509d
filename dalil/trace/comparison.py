"""Reversed comparisons: the article says the UK lost more soldiers in Afghanistan than in the
Falklands, the source that it lost more in the Falklands than in Afghanistan; the article says
voters prefer a Democrat over a Republican, the poll a Republican to a Democrat.  Both sides
hold the same terms, so every term check passes; what differs is which of the two compared
terms stands first.

A comparison is a comparative cue (more, fewer, prefer, davantage, أكثر, más…) before or between
two terms, and a marker of the second term (than, over, que, من, على…) between them.  One lexicon
serves both sides, as for negations: the source is English, the claim any of the tuned languages.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from dalil.text.datafile import tsv_rows

DATA = Path(__file__).with_name("data") / "comparison.tsv"


@lru_cache(maxsize=1)
def comparison_words() -> list[tuple[str, str, str, str]]:
    """data/comparison.tsv, read once: (role, language, form, entry) in file order."""
    return [(role, lang, form, entry) for role, lang, form, entry in tsv_rows(DATA)]


def _alternatives(role: str, arabic: bool, form: str = "word") -> str:
    return "|".join(e for r, lang, f, e in comparison_words() if r == role and f == form and (lang == "ar") == arabic)


CUE = re.compile(r"\b(?:" + _alternatives("cue", False) + r")\b"
                 r"|(?<![\u0621-\u064A])[وف]?(?:" + _alternatives("cue", True) + r")(?![\u0621-\u064A])", re.I)
MARKER = re.compile(r"\b(?:" + _alternatives("marker", False) + r")(?!\w)|\b" + _alternatives("marker", False, "elided")
                    + r"|(?<![\u0621-\u064A])(?:" + _alternatives("marker", True) + r")(?![\u0621-\u064A])", re.I)
GAP = 45              # characters between the two compared terms
REACH = 80            # how far before the first term its comparative cue may stand


def compared(text: str, first: tuple[int, int], second: tuple[int, int]) -> bool:
    """Whether `text` compares the term at `first` with the term at `second`, in that order."""
    if not first[1] <= second[0] <= first[1] + GAP:
        return False
    between = text[first[1]:second[0]]
    if re.search(r"[.;!?؛]", between) or not MARKER.search(between):
        return False
    return bool(CUE.search(text[max(0, first[0] - REACH):second[0]]))


def reversed_comparisons(claim: str, terms, doc_text: str, stating: list[tuple[int, int]],
                         hits: dict[int, list[tuple[int, int]]]) -> list[tuple[str, str]]:
    """(first, second) claim terms compared in that order by the claim and in the other order by
    a stating sentence of the source (and never in the claim's order there)."""
    out = []
    found = sorted((i for i in hits if terms[i].kind in ("name", "word")), key=lambda i: terms[i].start)
    for x, i in enumerate(found):
        for j in found[x + 1:]:
            if not compared(claim, (terms[i].start, terms[i].end), (terms[j].start, terms[j].end)):
                continue
            for a, b in stating:
                si = [s for s in hits[i] if a <= s[0] < b]
                sj = [s for s in hits[j] if a <= s[0] < b]
                if (any(compared(doc_text, q, p) for p in si for q in sj)
                        and not any(compared(doc_text, p, q) for p in si for q in sj)):
                    out.append((terms[i].surface, terms[j].surface))
                    break
    return out
