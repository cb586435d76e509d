"""Passage-proximity reranking: a claim or query rests on one passage, not on a whole document.

BM25 over a bag of native and bridged terms rewards long documents that mention many of the
terms far apart (a daily digest naming Clinton, Mills and Sullivan on different pages).  Here
each candidate document is scored by its best window of `WINDOW` tokens: the summed IDF of the
distinct query concepts found inside it, where a concept is a query word together with its
bridged English forms (معاهدة, treaty), so a word and its translation never count twice.
"""
from __future__ import annotations

import math
from collections import defaultdict

from dalil.text.normalize import index_terms

WINDOW = 100            # tokens: about one ~700-character passage
MAX_CHARS = 60_000      # of each document's text scanned (long reports: their opening is enough)


def concept_terms(groups: list[list[str]], df, n_docs: int) -> dict[str, tuple[int, float]]:
    """term → (concept number, IDF).  `groups`: one list of query strings per concept; `df`: the
    document frequency of an index term.  A multi-word name counts by its rarest word."""
    out: dict[str, tuple[int, float]] = {}
    for c, group in enumerate(groups):
        for text in group:
            terms = index_terms(text)
            if not terms:
                continue
            freqs = [max(1, df(t)) for t in terms]
            idf = math.log(1 + n_docs / min(freqs))
            key = terms[freqs.index(min(freqs))]        # the rarest word stands for the phrase
            if key not in out or out[key][1] < idf:
                out[key] = (c, idf)
    return out


def best_window(text: str, terms: dict[str, tuple[int, float]], window: int = WINDOW) -> float:
    """Summed IDF of the distinct concepts in the best window of `window` tokens of `text`."""
    hits = [(i, *terms[t]) for i, t in enumerate(index_terms(text[:MAX_CHARS])) if t in terms]
    if not hits:
        return 0.0
    best = 0.0
    count: dict[int, int] = defaultdict(int)
    weight: dict[int, float] = {}
    score = 0.0
    lo = 0
    for i, concept, idf in hits:
        while hits[lo][0] <= i - window:                # drop hits that fell out of the window
            _, c_lo, _ = hits[lo]
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
