"""BM25 full-text search over the store's full-text index, with OCR-tolerant expansion,
filters, facets and highlighted snippets located in the original text."""
from __future__ import annotations

import re
import time
from typing import Any

import numpy as np

from dalil.search.query import Atom, Query, parse_query
from dalil.search.results import Matches, SearchHit, SearchResult
from dalil.search.snippets import MarkPattern, make_snippet
from dalil.search.spelling import SpellingIndex
from dalil.store.base import Store
from dalil.store.base.fulltext import Filter
from dalil.text.normalize import index_terms, is_arabic

_WORD = re.compile(r"\w+")


def query_terms(value: str) -> list[str]:
    """The index's terms for a piece of query text (same folding and stemming as at ingest)."""
    return [t for t in index_terms(value) if _WORD.fullmatch(t)]


class LexicalSearcher:
    def __init__(self, store: Store):
        self.store = store
        self.spelling = SpellingIndex(store)
        self._facets: FacetCache | None = None

    # --- query building -----------------------------------------------------------
    def expand(self, atom: Atom, expansions: dict[str, list[str]]) -> tuple[str | None, list[str]]:
        """FTS5 expression for one atom, and the regex alternatives that highlight it."""
        terms = query_terms(atom.value)
        if not terms:
            return None, []
        if atom.kind == "phrase" or len(terms) > 1:
            expr = '"' + " ".join(terms) + '"'
            marks = [r"\W+".join(_mark(t) for t in terms)]
        elif atom.prefix:
            expr = f'"{terms[0]}"*'
            marks = [re.escape(terms[0]) + r"\w*"]
        else:
            t = terms[0]
            variants = list(self.spelling.variants(t)) if not is_arabic(t) else []
            splits = list(self.spelling.splits(t)) if not is_arabic(t) else []
            if variants or splits:
                expansions[t] = variants + [" ".join(s) for s in splits]
            alts = [f'"{t}"'] + [f'"{v}"' for v in variants] + [f'"{a} {b}"' for a, b in splits]
            expr = "(" + " OR ".join(alts) + ")"
            # One group with shared boundaries: ten times faster to scan than one lookaround each.
            forms = sorted([re.escape(x) for x in [t, *variants]], key=len, reverse=True)
            forms += [rf"{re.escape(a)}\s+{re.escape(b)}" for a, b in splits]
            marks = [_mark(t)] if is_arabic(t) else [r"(?<!\w)(?:" + "|".join(forms) + r")(?!\w)"]
        if atom.field:
            expr = f"({{{atom.field}}} : {expr})"
        return expr, marks

    def build(self, q: Query) -> tuple[str | None, list[str], dict[str, list[str]]]:
        expansions: dict[str, list[str]] = {}
        marks: list[str] = []
        groups = []
        for group in q.groups:
            alts = []
            for atom in group:
                expr, m = self.expand(atom, expansions)
                if expr:
                    alts.append(expr)
                    if atom.field in (None, "subject"):
                        marks.extend(m)
            if alts:
                groups.append("(" + " OR ".join(alts) + ")")
        if not groups:
            return None, marks, expansions
        expr = "(" + " AND ".join(groups) + ")"
        for atom in q.negatives:
            neg, _ = self.expand(atom, {})
            if neg:
                expr = f"({expr} NOT {neg})"
        return expr, marks, expansions

    @staticmethod
    def filters(q: Query) -> list[Filter]:
        """The query's filters as the store takes them."""
        return [(f.field, f.value, f.negated) for f in q.filters]

    # --- execution -------------------------------------------------------------------
    def matches(self, q: Query, scored: bool = False) -> Matches:
        """Every document matching the query: all its terms (with their OCR spellings), none of
        its exclusions, and its filters; a query of filters alone matches what they let through.
        `scored`: also each one's BM25 score."""
        match, marks, expansions = self.build(q)
        filters = self.filters(q)
        if not match:
            rows = np.asarray(self.store.filter_rows(filters), dtype=np.int64)
            return Matches(rows=rows, scores=None, marks=marks, expansions=expansions)
        if not scored:
            rows = np.asarray(self.store.match_rows(match, filters), dtype=np.int64)
            return Matches(rows=rows, scores=None, marks=marks, expansions=expansions)
        ids, scores = self.store.match_scores(match, filters)
        return Matches(rows=np.asarray(ids, dtype=np.int64), scores=np.asarray(scores, dtype=np.float64),
                       marks=marks, expansions=expansions)

    def search(self, query: str | Query, limit: int = 10, offset: int = 0,
               facets: bool = True) -> SearchResult:
        """Documents matching all the query's terms, best BM25 first (newest first for filters alone)."""
        return self.search_matches(query, limit, offset, facets)[0]

    def search_matches(self, query: str | Query, limit: int = 10, offset: int = 0,
                       facets: bool = True) -> tuple[SearchResult, Matches]:
        """The result page of `search` and every match it was ranked from."""
        t0 = time.perf_counter()
        q = parse_query(query) if isinstance(query, str) else query
        found = self.matches(q, scored=True)
        ids = found.rows
        if found.scores is not None:
            # One pass over the matches: every (id, score) for the count and the facets, the top
            # `limit` picked in numpy, then only those rows fetched.
            scores = found.scores
            order = _top(scores, offset + limit)[offset:]
            top = {int(ids[i]): float(scores[i]) for i in order}
            by_id = self.store.hit_rows(list(top))
            rows = [(*by_id[i], top[i]) for i in top if i in by_id]
        else:
            rows = [(*r, 0) for r in self.store.newest_hit_rows(self.filters(q), limit, offset)]
        hits = self._hits(rows, found.marks)
        result = SearchResult(query=q.text, total=int(len(ids)), hits=hits, expansions=found.expansions)
        if facets:
            result.facets = self.facet_cache().count(ids)
        result.took_ms = (time.perf_counter() - t0) * 1000
        return result, found

    def _hits(self, rows: list[tuple[Any, ...]], marks: list[str]) -> list[SearchHit]:
        """Hits of (hit row, score) rows: snippet and page of each at its first highlighted match."""
        if not rows:
            return []
        texts = self.store.texts([r[0] for r in rows])
        pattern = MarkPattern(marks) if marks else None
        hits = []
        for r in rows:
            text = texts[r[0]]
            snip = make_snippet(text, pattern)
            page = text.count("\f", 0, snip.start) + 1 if (r[6] and snip.start is not None) else None
            hits.append(SearchHit(doc_id=r[1], score=-float(r[7]), subject=r[2], sender=r[3],
                                  date=r[4][:10] if r[4] else None, page=page, snippet=snip.text,
                                  highlights=snip.highlights, release=r[5], start=snip.start, row=r[0]))
        return hits

    def facet_cache(self) -> "FacetCache":
        n = self.store.max_doc_row()
        if self._facets is None or self._facets.max_id != n:
            self._facets = _kept(self.store, "facets", lambda: FacetCache(self.store, n))
        return self._facets


def _kept(store: Store, name: str, build, code: str = __file__):
    """`build()` (something derived from the whole archive), kept between processes under the
    archive's content key and the file of the code that builds it (`code`): building the facet arrays took half a
    second of every cold `dalil search` on the full corpus, unpickling them takes milliseconds
    (docs/benchmarks.md).  Built as before where the store has no content key (PostgreSQL)."""
    from dalil.text.model_cache import cached_value, source_key
    key, version = store.content_key(), source_key(code, name)
    if key is None or version is None:
        return build()
    return cached_value(name, f"{key[1]}|{version}", build, family=key[0])


def _top(scores: np.ndarray, n: int) -> np.ndarray:
    """Indices of the n best (lowest: bm25 is negative) scores, best first; ties by position."""
    if len(scores) > n:
        part = np.argpartition(scores, n - 1)[:n]
        return part[np.lexsort((part, scores[part]))]
    return np.lexsort((np.arange(len(scores)), scores))


def _mark(term: str) -> str:
    """Highlight regex for one index term: Arabic stems match inside words (clitics), others whole."""
    if is_arabic(term):
        return r"\w*" + re.escape(term) + r"\w*"
    return r"(?<!\w)" + re.escape(term) + r"(?!\w)"


class FacetCache:
    """Per-document facet values held as arrays, so facets of any result set cost one bincount."""

    FIELDS = ("release", "year", "sender", "lang")

    def __init__(self, store: Store, max_id: int):
        self.max_id = max_id
        self.labels: dict[str, list[str]] = {}
        self.codes: dict[str, np.ndarray] = {}
        rows, ex = store.facet_rows()
        for k, name in enumerate(self.FIELDS, start=1):
            labels: dict[str, int] = {}
            arr = np.full(max_id + 1, -1, dtype=np.int32)
            for row in rows:
                value = row[k]
                if name == "sender":
                    value = sender_label(value)
                if value:
                    arr[row[0]] = labels.setdefault(value, len(labels))
            self.codes[name] = arr
            self.labels[name] = list(labels)
        ex_labels: dict[str, int] = {}
        self.ex_doc = np.array([r[0] for r in ex], dtype=np.int64)
        self.ex_code = np.array([ex_labels.setdefault(r[1], len(ex_labels)) for r in ex], dtype=np.int32)
        self.labels["exemption"] = list(ex_labels)

    def count(self, ids: np.ndarray, top: int = 15) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for name in self.FIELDS:
            codes = self.codes[name][ids]
            out[name] = self._top(codes[codes >= 0], self.labels[name], top if name != "year" else 100)
        if len(self.ex_doc):
            mask = np.isin(self.ex_doc, ids)
            out["exemption"] = self._top(self.ex_code[mask], self.labels["exemption"], top)
        else:
            out["exemption"] = {}
        if out.get("year"):
            out["year"] = dict(sorted(out["year"].items()))
        return out

    @staticmethod
    def _top(codes: np.ndarray, labels: list[str], top: int) -> dict[str, int]:
        if not len(codes):
            return {}
        counts = np.bincount(codes, minlength=len(labels))
        order = np.argsort(-counts, kind="stable")[:top]
        return {labels[i]: int(counts[i]) for i in order if counts[i] > 0}


_ANGLE = re.compile(r"\s*[<\[].*$")


def sender_label(sender: str | None) -> str | None:
    """A readable facet label for a raw sender line ('Mills, Cheryl D <MillsCD@...>' → 'Mills, Cheryl D')."""
    if not sender:
        return None
    label = _ANGLE.sub("", sender).strip(" '\"")
    return label or sender.strip("<>[] ")[:60] or None
