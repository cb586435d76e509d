"""BM25 full-text search over the SQLite FTS5 index, with OCR-tolerant expansion,
SQL filters, facets and highlighted snippets located in the original text."""
from __future__ import annotations

import re
import time
from typing import Any

import numpy as np

from dalil.search.query import Atom, Query, parse_query
from dalil.search.results import SearchHit, SearchResult
from dalil.search.snippets import MarkPattern, make_snippet
from dalil.search.spelling import SpellingIndex
from dalil.text.normalize import index_terms, is_arabic

# Column weights for bm25(): body, subject, sender, recipients, cc.
WEIGHTS = (1.0, 3.0, 2.0, 1.0, 1.0)
_WORD = re.compile(r"\w+")


def query_terms(value: str) -> list[str]:
    """The index's terms for a piece of query text (same folding and stemming as at ingest)."""
    return [t for t in index_terms(value) if _WORD.fullmatch(t)]


class LexicalSearcher:
    def __init__(self, store):
        self.store = store
        self.spelling = SpellingIndex(lambda: store.db)
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
    def sql_filters(q: Query) -> tuple[str, list[Any]]:
        clauses, params = [], []
        for f in q.filters:
            if f.field == "doc":
                sql, p = ("d.doc_id LIKE ?", f.value.rstrip("*").upper() + "%") if f.value.endswith("*") \
                    else ("d.doc_id = ?", f.value.upper())
            elif f.field == "release":
                sql, p = "d.release LIKE ?", f"%{f.value}%"
            elif f.field == "exemption":
                sql, p = "d.doc_id IN (SELECT doc_id FROM exemptions WHERE code = ?)", f.value
            elif f.field == "after":
                sql, p = "d.date >= ?", f.value
            elif f.field == "before":
                sql, p = "d.date < ?", f.value
            else:   # lang
                sql, p = "d.lang = ?", f.value.lower()
            clauses.append(f"NOT ({sql})" if f.negated else sql)
            params.append(p)
        return (" AND ".join(clauses) or "1"), params

    # --- execution -------------------------------------------------------------------
    def search(self, query: str | Query, limit: int = 10, offset: int = 0,
               facets: bool = True) -> SearchResult:
        t0 = time.perf_counter()
        q = parse_query(query) if isinstance(query, str) else query
        match, marks, expansions = self.build(q)
        where, params = self.sql_filters(q)
        db = self.store.db
        cols = "d.id, d.doc_id, d.subject, d.sender, d.date, d.release, d.n_pages"
        if match:
            # One pass over the matches: every (id, score) for the count and the facets, the top
            # `limit` picked in numpy, then only those rows fetched.
            w = ", ".join(str(x) for x in WEIGHTS)
            join = "" if where == "1" else " JOIN documents d ON d.id = docs_fts.rowid"
            scored = db.execute(f"SELECT docs_fts.rowid, bm25(docs_fts, {w}) FROM docs_fts{join} "
                                f"WHERE docs_fts MATCH ? AND {where}", [match, *params]).fetchall()
            ids = np.fromiter((r[0] for r in scored), dtype=np.int64, count=len(scored))
            scores = np.fromiter((r[1] for r in scored), dtype=np.float64, count=len(scored))
            order = _top(scores, offset + limit)[offset:]
            top = {int(ids[i]): float(scores[i]) for i in order}
            by_id = {r[0]: r for r in db.execute(
                f"SELECT {cols} FROM documents d WHERE d.id IN ({','.join('?' * len(top))})", list(top))} \
                if top else {}
            rows = [(*by_id[i], top[i]) for i in top if i in by_id]
        else:
            rows = db.execute(f"SELECT {cols}, 0 AS s FROM documents d WHERE {where} "
                              f"ORDER BY d.date DESC LIMIT ? OFFSET ?", [*params, limit, offset]).fetchall()
            ids = np.fromiter((r[0] for r in db.execute(f"SELECT d.id FROM documents d WHERE {where}", params)),
                              dtype=np.int64)
        hits = self._hits(rows, marks)
        result = SearchResult(query=q.text, total=int(len(ids)), hits=hits, expansions=expansions)
        if facets:
            result.facets = self.facet_cache().count(ids)
        result.took_ms = (time.perf_counter() - t0) * 1000
        return result

    def _hits(self, rows, marks: list[str]) -> list[SearchHit]:
        if not rows:
            return []
        texts = dict(self.store.db.execute(
            f"SELECT id, text FROM documents WHERE id IN ({','.join('?' * len(rows))})",
            [r[0] for r in rows]).fetchall())
        pattern = MarkPattern(marks) if marks else None
        hits = []
        for r in rows:
            text = texts[r[0]]
            snip = make_snippet(text, pattern)
            page = text.count("\f", 0, snip.start) + 1 if (r[6] and snip.start is not None) else None
            hits.append(SearchHit(doc_id=r[1], score=-float(r[7]), subject=r[2], sender=r[3],
                                  date=r[4][:10] if r[4] else None, page=page, snippet=snip.text,
                                  highlights=snip.highlights, release=r[5], start=snip.start))
        return hits

    def facet_cache(self) -> "FacetCache":
        n = self.store.db.execute("SELECT max(id) FROM documents").fetchone()[0] or 0
        if self._facets is None or self._facets.max_id != n:
            self._facets = FacetCache(self.store.db, n)
        return self._facets


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

    def __init__(self, db, max_id: int):
        self.max_id = max_id
        self.labels: dict[str, list[str]] = {}
        self.codes: dict[str, np.ndarray] = {}
        rows = db.execute("SELECT id, release, substr(date, 1, 4), sender, lang FROM documents").fetchall()
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
        ex = db.execute("SELECT d.id, e.code FROM exemptions e JOIN documents d ON d.doc_id = e.doc_id").fetchall()
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
