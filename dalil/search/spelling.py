"""OCR-tolerant spelling: a query term also finds the ways the OCR damaged it.

The corpus shows the damage (corpus-notes §6): `Sullivan` → `Sullivaral`,
`Blumenthal` → `Blumenthat`, `Mubarak` → `Mubaralc`, `Abedin` → `Abed in`,
`hrod17` → `hrodl7`, `state.gov` → `state.goy`.  Each indexed term gets a
*skeleton* in which look-alike glyphs collapse to one class; a query term is
expanded to the indexed terms whose skeletons are within a small edit distance
and that are much rarer than the term itself (damage is rare; real words that
merely look similar, like `meeting`/`meetings`, are both common and are left alone).
"""
from __future__ import annotations

from functools import lru_cache

from rapidfuzz.distance import Levenshtein

from dalil.store.base import FullTextStore
from dalil.text.ocr_spelling import skeleton

MAX_PIECE = 64      # longest half of a word that OCR split in two


class SpellingIndex:
    """Query-time expansion over the index's term vocabulary, built at the end of each ingest."""

    def __init__(self, store: FullTextStore, max_variants: int = 12):
        self.store = store
        self.max_variants = max_variants

    def df(self, term: str) -> int:
        return self.store.term_df(term)

    @lru_cache(maxsize=4096)
    def variants(self, term: str) -> tuple[str, ...]:
        """Rarer indexed spellings of `term` within OCR distance (term itself not included)."""
        if len(term) < 5 or not term.isalpha():
            return ()
        sk = skeleton(term)
        own = self.df(term)
        # Short words get only look-alike substitutions; longer ones one or two edits.
        budget = 0 if len(sk) < 6 else 1 if len(sk) < 10 else 2
        rows = self.store.spelling_candidates(sk[:3], max(3, own // 10))
        found = []
        for cand, cand_skel, df in rows:
            if cand == term or len(cand) < 4 or not _plausible(term, cand):
                continue
            if cand_skel == sk:
                d = 0
            elif df > max(3, own // 100) or abs(len(cand_skel) - len(sk)) > max(budget, 1):
                continue
            elif budget == 0:
                d = _hamming1(sk, cand_skel)
            else:
                d = Levenshtein.distance(sk, cand_skel, score_cutoff=budget)
                d = d if d <= budget else 99
            # Beyond look-alike glyphs, the raw spellings must be close too (tikva is not libya).
            if d <= max(budget, 1) and (d == 0 or Levenshtein.distance(term, cand) <= max(budget, 1)):
                found.append((d, -df, cand))
        found.sort()
        return tuple(c for _, _, c in found[: self.max_variants])

    @lru_cache(maxsize=4096)
    def splits(self, term: str) -> tuple[tuple[str, str], ...]:
        """`abedin` → (('abed', 'in'),): OCR inserted a space inside the word."""
        if len(term) < 6 or len(term) > 2 * MAX_PIECE or not term.isalpha():
            return ()
        # Only cuts whose halves are both word-sized: the looked-up strings then total O(len(term))
        # characters instead of O(len(term)²) (a 20,000-letter word took 4.5 s and 580 MB).
        n = len(term)
        pairs = [(term[:i], term[i:]) for i in range(max(2, n - MAX_PIECE), min(n - 1, MAX_PIECE + 1))]
        words = {p for pair in pairs for p in pair}
        known = self.store.known_terms(words)
        return tuple(p for p in pairs if p[0] in known and p[1] in known and len(p[0]) >= 3)


def _hamming1(a: str, b: str) -> int:
    """1 when a and b have the same length and differ in one position, else 99."""
    if len(a) != len(b):
        return 99
    return 1 if sum(x != y for x, y in zip(a, b)) == 1 else 99


def _plausible(term: str, cand: str) -> bool:
    """Reject candidates that differ only by a plural or possessive ending: those are words, not damage."""
    for suffix in ("s", "es", "ed", "ing", "er", "ly"):
        if cand == term + suffix or term == cand + suffix:
            return False
    return True
