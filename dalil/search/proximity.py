"""Passage-proximity reranking: a claim or query rests on one passage, not on a whole document.

BM25 over a bag of native and bridged terms rewards long documents that mention many of the
terms far apart (a daily digest naming Clinton, Mills and Sullivan on different pages).  Here
each candidate document is scored by its best window of `WINDOW` characters: the summed IDF of the
distinct query concepts found inside it, where a concept is a query word together with its
bridged English forms (معاهدة, treaty), so a word and its translation never count twice.
"""
from __future__ import annotations

import math
from collections import defaultdict

from dalil.text.normalize import index_terms, normalize_for_index

WINDOW = 700            # characters: about one passage
MAX_CHARS = 30_000      # of each document's text scanned (long reports: their opening is enough)


def concept_terms(groups: list[list[str]], df, n_docs: int) -> dict[str, tuple[int, float]]:
    """term → (concept number, IDF).  `groups`: one list of query strings per concept; `df`: the
    document frequency of an index term.  A multi-word name counts by its rarest word.  A string
    ending in * is a prefix (an English stem: remind* for reminder, reminding), kept as is."""
    out: dict[str, tuple[int, float]] = {}
    for c, group in enumerate(groups):
        for text in group:
            terms = [text] if text.endswith("*") else index_terms(text)
            if not terms:
                continue
            freqs = [max(1, df(t)) for t in terms]
            idf = math.log(1 + n_docs / min(freqs))
            key = terms[freqs.index(min(freqs))]        # the rarest word stands for the phrase
            if key not in out or out[key][1] < idf:
                out[key] = (c, idf)
    return out


def cap_native(terms: dict[str, tuple[int, float]], native: dict[int, set[str]], df) -> dict[str, tuple[int, float]]:
    """`terms` with each concept's native forms (`native`: concept → the query word's own index
    terms and cognate prefix) weighing no more than its heaviest translation the archive holds.
    In an English archive "discours", "besoin" and "parler*" are rare because only the few French
    documents hold them, not because they say more than "speech", "need", "talk": weighed as
    rare, they made a whole query's weight one that no English window could reach a share of."""
    cap: dict[int, float] = {}
    for t, (c, idf) in terms.items():
        if t not in native.get(c, ()) and df(t):
            cap[c] = max(idf, cap.get(c, 0.0))
    return {t: (c, min(idf, cap[c]) if c in cap and t in native.get(c, ()) else idf) for t, (c, idf) in terms.items()}


def best_window(text: str, terms: dict[str, tuple[int, float]], window: int = WINDOW,
                folded: bool = False) -> float:
    """Summed IDF of the distinct concepts in the best window of `window` characters of `text`
    (`folded`: `text` is `fold(text)` already, as a caller that keeps folded texts passes it)."""
    if not folded:
        text = fold(text)
    hits = sorted(h for term, (concept, idf) in terms.items() for h in _occurrences(text, term, concept, idf))
    if not hits:
        return 0.0
    best = score = 0.0
    count: dict[int, int] = defaultdict(int)
    weight: dict[int, float] = {}
    lo = 0
    for at, concept, idf in hits:
        while hits[lo][0] <= at - window:               # drop hits that fell out of the window
            c_lo = hits[lo][1]
            count[c_lo] -= 1
            if not count[c_lo]:
                score -= weight.pop(c_lo)
            lo += 1
        if count[concept]:
            if idf > weight[concept]:                   # a rarer form of the same concept
                score += idf - weight[concept]
                weight[concept] = idf
        else:
            weight[concept] = idf
            score += idf
        count[concept] += 1
        best = max(best, score)
    return best


def fold(text: str) -> str:
    """The part of a text that `best_window` scans, folded as it scans it."""
    return _folded(text[:MAX_CHARS])


def _folded(text: str) -> str:
    """The text as the index folds it.  An English OCR page with a stray ©, ’ or é is only
    lower-cased (C speed; the folding costs most of this module's time otherwise), so a folded
    query term may miss that one accented word; text with more non-ASCII letters is folded."""
    if text.isascii():
        return text.lower()
    extra = len(text.encode()) - len(text)          # bytes beyond one per character, in C
    if extra * 100 < len(text):
        return text.lower()
    return normalize_for_index(text)


def _occurrences(text: str, term: str, concept: int, idf: float):
    """(offset, concept, idf) of each whole-word occurrence of `term` (str.find: a C scan, far
    cheaper than tokenizing every candidate document); a term ending in * is a word's start."""
    prefix = term.endswith("*")
    term = term.rstrip("*")
    at = text.find(term)
    n = len(term)
    while at >= 0:
        end = at + n
        if (at == 0 or not text[at - 1].isalnum()) and (prefix or end == len(text) or not text[end].isalnum()):
            yield at, concept, idf
        at = text.find(term, end)
