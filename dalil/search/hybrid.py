"""Hybrid ranking: lexical (native query + bridged terms) and dense fused by reciprocal rank,
with copies of the same email collapsed into one hit.

`--mode lexical` is the foundation's search unchanged (all terms must match, every copy shown).
Rankings fused in hybrid mode (each a list of documents.id, best first):
- strict: the query as written, every term must match (the foundation's lexical search);
- bag: native words OR bridged English terms, ranked by BM25 (cross-lingual queries never
  match all their words in an English document);
- dense: passages by cosine similarity to the query, aggregated to documents by their best one.
Filters (from:, after:, release: ...) and exclusions apply to all three.
"""
from __future__ import annotations

import dataclasses
import hashlib
import re
import threading
import time

import numpy as np

from dalil.model import Deadline
from dalil.search.bridge import Bridge, Bridged
from dalil.search.dense import VectorIndex, clean_passage
from dalil.search.fusion import fuse_ranks
from dalil.search.lexical import LexicalSearcher, _kept, query_terms
from dalil.search.proximity import MAX_CHARS as PROXIMITY_CHARS, best_window, cap_native, concept_terms, fold
from dalil.search.query import Atom, Query, parse_query
from dalil.search.results import Concept, Ranking, ResultSet, SearchHit, SearchResult
from dalil.store.base import Store
from dalil.store.base.fulltext import Filter
from dalil.text.english import cognate_prefix, stem_prefix
from dalil.text.foia_patterns import STAMP_OR_RELEASE_LINE
from dalil.text.lang import detect_lang
from dalil.text.normalize import index_terms, is_arabic
from dalil.text.stopwords import function_word

# Fusion: k=10 (a short list rewards agreement near the top); the bag of words carries the
# bridged names, dates and translated words, proximity their passage, dense the meaning.  For a
# query in another language than the archive's (English; the bridge's own assumption) the
# lexical side is a lossy translation and dense counts twice; for an English query the words
# themselves match and dense counts once.  Full corpus recall@5 with dense at 1 / 1.5 / 2 /
# 2.5 / 3 for every query: ar 0.720 / 0.737 / 0.746 / 0.747 / 0.714, fr 0.813 / 0.821 / 0.840 /
# 0.841 / 0.816, en 0.938 / 0.928 / 0.924 / 0.924 / 0.924, and English recall@1 0.897 → 0.835
# at 2 (docs/search.md).
RRF_K = 10
WEIGHTS_FUSION = {"strict": 1.0, "bag": 2.0, "dense": 1.0, "dense_crosslingual": 2.0, "filter": 1.0,
                  "proximity": 2.0}
DEPTH = 100              # candidates taken from each ranking
PROXIMITY_DEPTH = 30     # of the bag and dense rankings, reranked by proximity (it reads their text;
                         # 30 and 50 gave the same recall on the full corpus, 30 reads less)
COVERAGE_DEPTH = 100     # documents holding the most query concepts, also reranked by proximity
COVERAGE_CHARS = 10_000   # of each of those read: the documents that hold the most concepts are
                         # long ones, and reading their first 30,000 characters cost 6 ms a query
SHORT_DEPTH, SHORT_CHARS = 100, 3000   # and the short documents (one email and its headers) holding
                         # the most: a long one holds many concepts pages apart and outranks them
WINDOW_SHARE, WINDOW_BONUS = 0.42, 1.0   # fused score + 1.0 × (share of the query in the best
                         # window − 0.42): see docs/search.md, "Fusion"
COMMON_DF = 0.2          # bag-of-words drops terms found in more than this share of documents
PROXIMITY_COMMON_DF = 0.5  # proximity keeps terms up to half of the documents: "call", "8" (in
                         # 23 % of them) still tell the window that says "call ... btw 8-10"
MODES = ("lexical", "dense", "hybrid")
EXACT_FIRST_K = 5        # the fused ranking's first hits keep their places (exact ones first among
                         # them): exact-first over the whole list lowered the dev queries' search
                         # recall@5 from 0.893 to 0.847 (a long query's words are seldom all in
                         # the best documents; docs/search.md, "Exact and related")



def _in_time(deadline: Deadline | None, stages: list[str], stage: str) -> bool:
    """Whether `stage` may still run before `deadline` (None: no budget); `stages` records it as
    run, or as "skipped:<stage>"."""
    if deadline is not None and deadline.passed():
        stages.append(f"skipped:{stage}")
        return False
    stages.append(stage)
    return True

class HybridSearcher:
    def __init__(self, store: Store, lexical: LexicalSearcher, vectors: VectorIndex):
        self.store = store
        self.lexical = lexical
        self.vectors = vectors
        self._bridge: Bridge | None = None
        self._dupes: Duplicates | None = None
        self._short_docs: np.ndarray | None = None
        self._folded = _Kept(FOLDED_CHARS)
        self._form_rows = _Kept(FORM_ROWS)
        self._kept_lock = threading.Lock()

    @property
    def bridge(self) -> Bridge:
        if self._bridge is None:
            self._bridge = Bridge.for_archive(self.store, self.vectors)
        return self._bridge

    @property
    def dupes(self) -> "Duplicates":
        if self._dupes is None:
            self._dupes = Duplicates(self.store)
        return self._dupes

    def default_mode(self) -> str:
        return "hybrid" if self.vectors.exists() else "lexical"

    # --- rankings ---------------------------------------------------------------
    def rank(self, query: str, mode: str | None = None, lang: str | None = None,
             depth: int = DEPTH, dense_weight: float | None = None, bridged: Bridged | None = None,
             deadline: Deadline | None = None, stages: list[str] | None = None) -> Ranking:
        """Fused ranking of documents.id, with the parsed query, language, mode, best passage
        per document (dense) and the highlight patterns.  `query`: text, or a query parsed
        already.  `dense_weight` overrides the dense ranking's weight (default: by the query's
        language, see WEIGHTS_FUSION); `bridged`: the bridge's reading of the query's words in
        `lang`, when the caller has it already.  `deadline`: the dense and proximity rankings are
        left out once it has passed (the lexical one always runs); `stages` gets the name of
        each ranking that ran, "skipped:<name>" for each left out."""
        stages = [] if stages is None else stages

        mode = mode or self.default_mode()
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r} (lexical, dense or hybrid)")
        if mode != "lexical" and not self.vectors.exists():
            raise RuntimeError("no vectors for this archive: run `dalil index` first")
        q = parse_query(query) if isinstance(query, str) else query
        query = q.text
        free = [a for g in q.groups if all(a.field is None for a in g) for a in g]
        field_groups = [g for g in q.groups if any(a.field for a in g)]
        free_text = " ".join(a.value for a in free)
        lang = (lang or detect_lang(free_text or q.english)).lower()
        if lang != "en":
            free = [_without_elision(a) for a in free]
        rankings: list[list[int]] = []
        weights: list[float] = []
        marks: list[str] = []
        best_passage: dict[int, int] = {}
        near: dict[int, float] = {}
        bridged: Bridged | None = None
        filters = self.lexical.filters(q)
        if mode in ("lexical", "hybrid"):
            stages.append("lexical")
            strict_expr, _, _ = self.lexical.build(q)
            strict = self.store.ranked_rows(strict_expr, filters, depth) if strict_expr else []
            # Only the words an exact match must hold are highlighted (not "in" of a French query).
            marks += self._marks([a for a in free if _content(a, lang)] or free)
            bag_q, bridged = self._bag_query(q, free, field_groups, lang, free_text if mode == "hybrid" else None,
                                             bridged)
            bag: list[int] = []
            if bag_q is not None:
                expr, _, _ = self.lexical.build(bag_q)
                if expr == strict_expr:        # nothing bridged, nothing dropped: the same ranking
                    bag = list(strict)
                else:
                    bag = self.store.ranked_rows(expr, filters, depth) if expr else []
                marks += self._marks(bag_q.groups[0])
            if mode == "lexical":      # the lexical side alone: all-terms matches, then the bag
                seen = set(strict)
                rankings.append(strict + [d for d in bag if d not in seen])
                weights.append(1.0)
            else:
                rankings += [strict, bag]
                weights += [WEIGHTS_FUSION["strict"], WEIGHTS_FUSION["bag"]]
            if not q.has_text or (strict_expr is None and not free):   # filters (or persons) alone
                rankings.append(self.store.newest_rows(filters, depth))
                weights.append(WEIGHTS_FUSION["filter"])
        if mode in ("dense", "hybrid") and free_text and (mode == "dense" or _in_time(deadline, stages, "dense")):
            if mode == "dense":
                stages.append("dense")
            allowed = self._allowed(q, field_groups, filters)
            hits = self.vectors.search(self.vectors.embed_query(free_text), limit=depth, allowed_docs=allowed)
            rankings.append([h.doc_row for h in hits])
            weights.append(dense_weight if dense_weight is not None
                           else WEIGHTS_FUSION["dense" if lang == "en" else "dense_crosslingual"])
            best_passage = {h.doc_row: h.passage_id for h in hits}
            if mode == "hybrid" and bag_q is not None and _in_time(deadline, stages, "proximity"):
                near = self._proximity_rank(free, bridged, bag[:PROXIMITY_DEPTH]
                                            + [h.doc_row for h in hits[:PROXIMITY_DEPTH]], lang, allowed)
                if near:
                    rankings.append(list(near))
                    weights.append(WEIGHTS_FUSION["proximity"])
        if mode == "lexical":
            fused = [(d, 1.0 / (RRF_K + i + 1)) for i, d in enumerate(rankings[0])]
        else:
            fused = rrf(rankings, weights)
            if near:       # a passage holding most of the query is evidence whatever the rest say
                fused = sorted(((d, s + WINDOW_BONUS * max(0.0, near.get(d, 0.0) - WINDOW_SHARE))
                                for d, s in fused), key=lambda kv: -kv[1])
        if mode == "dense" and free:
            bridged = self.bridge.bridge(" ".join(a.value for a in free), lang)
        return Ranking(query=q, lang=lang, mode=mode, fused=fused, best_passage=best_passage,
                       marks=list(dict.fromkeys(marks)), bridged=bridged)

    # --- exact matches ------------------------------------------------------------
    def concepts(self, q: Query, lang: str, bridged: Bridged | None) -> list[Concept]:
        """The content concepts of a query, each with the forms through which a document holds
        it: each group of free words (a word, a phrase, words joined by OR) but the function
        words of the query's language ("in" of "otages in Amenas"), each word with its OCR
        spellings and what the bridge made of it."""
        groups = [[_without_elision(a) if lang != "en" else a for a in g]
                  for g in q.groups if all(a.field is None for a in g)]
        content = [[a for a in g if _content(a, lang)] for g in groups]
        if not any(content):            # a query of function words alone: they are its content
            content = groups
        sources = [(set(query_terms(src)), forms) for src, forms in (bridged.sources if bridged else {}).items()]
        out = []
        for group in content:
            forms: dict[str, str] = {}       # expression → form as shown
            for atom in group:
                for shown, expr in self._forms(atom):
                    forms.setdefault(expr, shown)
                terms = set(query_terms(atom.value))
                for src_terms, bridged_forms in sources:
                    if not terms or not (src_terms & terms):
                        continue
                    for f in bridged_forms:
                        expr, _ = self.lexical.expand(Atom("phrase" if " " in f.strip() else "word", f), {})
                        if expr:
                            forms.setdefault(expr, f)
            if forms:
                out.append(Concept(label=" OR ".join(a.value for a in group),
                                   forms=[(shown, expr) for expr, shown in forms.items()]))
        return out

    def _forms(self, atom: Atom) -> list[tuple[str, str]]:
        """(form as shown, expression) of a query word: itself, its OCR spellings and splits
        (as the lexical search expands it), one by one so that a hit can say which it holds."""
        terms = query_terms(atom.value)
        if not terms:
            return []
        if atom.kind == "phrase" or len(terms) > 1:
            return [(atom.value, '"' + " ".join(terms) + '"')]
        t = terms[0]
        if atom.prefix:
            return [(t + "*", f'"{t}"*')]
        out = [(t, f'"{t}"')]
        if not is_arabic(t):
            out += [(v, f'"{v}"') for v in self.lexical.spelling.variants(t)]
            out += [(f"{a} {b}", f'"{a} {b}"') for a, b in self.lexical.spelling.splits(t)]
        return out

    def _exact_expression(self, q: Query, field_groups: list[list[Atom]], concepts: list[Concept]) -> str | None:
        """The full-text expression of the documents holding every concept, the field terms and
        none of the exclusions (None: a query of filters alone)."""
        parts = [c.expression() for c in concepts]
        if field_groups:
            expr, _, _ = self.lexical.build(Query(text=q.text, groups=field_groups))
            if expr:
                parts.append(expr)
        if not parts:
            return None
        expr = "(" + " AND ".join(parts) + ")"
        for atom in q.negatives:
            neg, _ = self.lexical.expand(atom, {})
            if neg:
                expr = f"({expr} NOT {neg})"
        return expr

    def exact_rows(self, query: str, lang: str | None = None) -> list[int]:
        """documents.id of every document holding every concept of the query (see `concepts`)
        and passing its filters: the exact matches of a search, in any language."""
        q = parse_query(query)
        free = [a for g in q.groups if all(a.field is None for a in g) for a in g]
        field_groups = [g for g in q.groups if any(a.field for a in g)]
        free_text = " ".join(a.value for a in free)
        lang = (lang or detect_lang(free_text or q.english)).lower()
        if lang != "en":
            free = [_without_elision(a) for a in free]
        bridged = self.bridge.bridge(" ".join(a.value for a in free), lang) if free else None
        expr = self._exact_expression(q, field_groups, self.concepts(q, lang, bridged))
        filters = self.lexical.filters(q)
        return self.store.match_rows(expr, filters) if expr else self.store.filter_rows(filters)

    def matched_terms(self, concepts: list[Concept], rows: list[int]) -> dict[int, list[str]]:
        """documents.id → the forms of the query's concepts it holds, for the given documents
        (one statement for all of them)."""
        forms = [(shown, expr) for c in concepts for shown, expr in c.forms]
        out: dict[int, list[str]] = {d: [] for d in rows}
        if self.store.content_key() is None:      # nothing kept (PostgreSQL): one statement for the hits
            found = self.store.rows_matching_each([expr for _, expr in forms], rows)
        else:
            wanted = np.asarray(rows, dtype=np.int64)
            found = [wanted[np.isin(wanted, self.form_rows(expr))].tolist() for _, expr in forms]
        for (shown, _), held in zip(forms, found):
            for d in held:
                if shown not in out[d]:
                    out[d].append(shown)
        return out

    def form_rows(self, expr: str) -> np.ndarray:
        """documents.id (sorted) of every document an expression of one query form matches,
        kept for the archive's content as it is (`Store.content_key`; FORM_ROWS ids in all):
        which forms a hit holds and which documents hold the most concepts are asked of the
        same words query after query, and each asking reads the word's whole posting list
        (4-5 ms of each search for the forms of ten hits)."""
        key = self.store.content_key()
        kept = self._form_rows
        with self._kept_lock:
            if key is None or kept.key != key:
                kept.clear()
                kept.key = key
            found = kept.get(expr)
        if found is None:
            found = np.unique(np.asarray(self.store.match_rows(expr), dtype=np.int64))
            if key is not None:
                with self._kept_lock:
                    if kept.key == key:
                        kept.add({expr: found})
        return found

    def _marks(self, atoms: list[Atom]) -> list[str]:
        """Highlight patterns of the atoms that occur in the archive at all: an Arabic word of a
        query over English documents matches nothing, and its pattern would only cost time."""
        out = []
        for a in atoms:
            if any(self.lexical.spelling.df(t) for t in query_terms(a.value)):
                out += self.lexical.expand(a, {})[1]
        return out

    def _bag_query(self, q: Query, free: list[Atom], field_groups: list[list[Atom]],
                   lang: str, query_text: str | None = None, known: Bridged | None = None
                   ) -> tuple[Query | None, Bridged | None]:
        atoms = [a for a in free if not a.prefix and not (lang != "en" and function_word(a.value, lang))]
        bridged = None if not free else known if known is not None else \
            self.bridge.bridge(" ".join(a.value for a in free), lang, also_embed=query_text)
        if bridged:
            atoms += [Atom("phrase" if " " in t else "word", t) for t in bridged.all()]
        n_docs = self.store.max_doc_row() or 1
        keep = []
        for a in atoms:
            terms = query_terms(a.value)
            if not terms:
                continue
            if a.kind == "word" and len(terms) == 1 and self.lexical.spelling.df(terms[0]) > COMMON_DF * n_docs:
                continue
            keep.append(a)
        keep = list({(a.kind, a.value.lower()): a for a in keep}.values())
        if not keep or (len(keep) < 2 and len(free) < 2 and not bridged):
            return None, bridged   # one plain word: the strict query already is the bag
        return Query(text=q.text, groups=[keep] + field_groups, negatives=q.negatives, filters=q.filters), bridged

    def _proximity_rank(self, free: list[Atom], bridged, candidates: list[int], lang: str,
                        allowed: np.ndarray | None = None) -> dict[int, float]:
        """Candidates reranked by their best passage-sized window (see proximity.py): each query
        word with its bridged forms is one concept; words in too many documents are left out.
        The candidates are those given and the documents holding the most query concepts
        (`coverage`): a document that holds them all may rank low in BM25 (a short reply under
        a long forwarded article) and far in dense.  Returns document → the share of the query's
        concepts (by IDF) that its best window holds, best first."""
        sources = bridged.sources if bridged else {}
        covered = {t for src in sources for t in query_terms(src)}
        groups = [[src, *forms, *(p + "*" for p in map(stem_prefix, forms) if p), *_cognate(src, lang)]
                  for src, forms in sources.items()]
        groups += [[a.value, *_cognate(a.value, lang)] for a in free
                   if not a.prefix and not set(query_terms(a.value)) <= covered
                   and not (lang != "en" and function_word(a.value, lang))]
        n_docs = self.store.max_doc_row() or 1
        seen: dict[str, int] = {}          # each term's document frequency, read once

        def df(t: str) -> int:
            if t not in seen:
                seen[t] = self.store.prefix_df(t[:-1]) if t.endswith("*") else self.lexical.spelling.df(t)
            return seen[t]
        terms = {t: v for t, v in concept_terms(groups, df, n_docs).items() if df(t) <= PROXIMITY_COMMON_DF * n_docs}
        # (a digit or a name written the same in both languages is a translation, not a native form)
        terms = cap_native(terms, {c: {*index_terms(src), *_cognate(src, lang)} - {t for f in forms for t in index_terms(f)}
                                   for c, (src, forms) in enumerate(sources.items())}, df)
        if len({c for c, _ in terms.values()}) < 2:
            return {}              # one concept: proximity says nothing the bag did not
        # The whole: each concept by its rarest form that the archive holds at all (the Arabic
        # word itself, in no English document, would weigh most and never match).
        whole = _summed_concepts({t: v for t, v in terms.items() if df(t)}) or 1.0
        ids = list(dict.fromkeys(candidates))
        scored = [(best_window(text, terms, folded=True), -i, d) for i, (d, text) in enumerate(self._texts(ids))]
        if lang != "en":           # English words match themselves: no recall gained there
            # The postings read are those of the terms the bag keeps (in at most a fifth of the
            # documents; "call" alone is in 6,300); the commoner ones only add to a bound.
            rare = {t: v for t, v in terms.items() if df(t) <= COMMON_DF * n_docs}
            slack = _summed_concepts({t: v for t, v in terms.items() if t not in rare})
            # A document's best window holds at most the concepts the whole document holds:
            # one that cannot reach the proximity ranking's first PROXIMITY_DEPTH is not read.
            ranked = sorted((s for s, _, _ in scored), reverse=True)
            bar = ranked[PROXIMITY_DEPTH - 1] if len(ranked) >= PROXIMITY_DEPTH else 0.0
            seen_ids = set(ids)
            more = [d for d, held in self._coverage(rare, allowed, n_docs)
                    if held + slack > bar and d not in seen_ids]
            scored += [(best_window(text, terms, folded=True), -len(ids) - i, d)
                       for i, (d, text) in enumerate(self._texts(more, COVERAGE_CHARS))]
        return {d: s / whole for s, _, d in sorted(scored, reverse=True) if s > 0}

    def _texts(self, ids: list[int], chars: int = PROXIMITY_CHARS) -> list[tuple[int, str]]:
        """(id, the part of its text that proximity scans, folded: `proximity.fold`) of each
        document, in order.  The folded texts are kept (FOLDED_CHARS in all, for the archive's
        content as it is: `Store.content_key`): lower-casing a text with a stray non-ASCII
        character takes Python's slow path, 5 ms of each search, and the candidates of one
        query are often those of the next."""
        key = self.store.content_key()
        kept = self._folded
        with self._kept_lock:
            if key is None or kept.key != key:
                kept.clear()
                kept.key = key
            found = {d: kept.get((d, chars)) for d in ids}
        missing = [d for d, text in found.items() if text is None]
        if missing:
            texts = self.store.texts(missing, chars)
            new = {d: fold(texts.get(d) or "") for d in missing}
            found.update(new)
            if key is not None:
                with self._kept_lock:
                    if kept.key == key:
                        kept.add({(d, chars): text for d, text in new.items()})
        return [(d, found[d]) for d in ids]

    def _coverage(self, terms: dict[str, tuple[int, float]], allowed: np.ndarray | None,
                  n: int) -> list[tuple[int, float]]:
        """(document, summed IDF of the query concepts it holds) of the COVERAGE_DEPTH
        documents holding the most (two at least), then of the SHORT_DEPTH short ones holding
        the most, from each term's postings in the index; `n`: the highest document id."""
        total = np.zeros(n + 1)
        count = np.zeros(n + 1, dtype=np.int32)
        for c in {c for c, _ in terms.values()}:
            best = np.zeros(n + 1)          # each document's rarest form of this concept
            for t, idf in sorted(((t, idf) for t, (cc, idf) in terms.items() if cc == c), key=lambda x: x[1]):
                match = '"' + t[:-1] + '"*' if t.endswith("*") else '"' + t.replace('"', "") + '"'
                found = self.form_rows(match)
                best[found[found <= n]] = idf
            total += best
            count += best > 0
        total[count < 2] = 0.0
        if allowed is not None:
            total[:len(allowed)] *= allowed[:n + 1]
        top = np.argsort(-total)[:COVERAGE_DEPTH]
        short = np.where(self._short(n), total, 0.0)
        short[top] = 0.0
        top = np.concatenate([top, np.argsort(-short)[:SHORT_DEPTH]])
        return [(int(d), float(total[d])) for d in top if total[d] > 0]

    def _short(self, n: int) -> np.ndarray:
        """Mask over documents.id (up to `n`) of the documents of at most SHORT_CHARS bytes of
        text, read once per archive size (a blob's length is in its header: 0.03 s for the full
        corpus, where counting characters reads every text, 0.25 s) and kept between processes
        (lexical._kept: the scan still pages the whole documents table in, 0.13 s and 200 MB
        of a cold search's resident memory)."""
        mask = self._short_docs
        if mask is None or len(mask) != n + 1:
            def build() -> np.ndarray:
                found = np.zeros(n + 1, dtype=bool)
                found[_ids(self.store.short_rows(SHORT_CHARS), n)] = True
                return found
            kept_n, mask = _kept(self.store, "short", lambda: (n, build()), __file__)
            if kept_n != n:          # documents added in this process, not yet in the file
                mask = build()
            self._short_docs = mask
        return mask

    def _allowed(self, q: Query, field_groups: list[list[Atom]], filters: list[Filter]) -> np.ndarray | None:
        """Boolean mask over documents.id of the documents the filters let through (None: all).
        Field terms and exclusions are applied to the mask with the ids their FTS match gives,
        never by walking every document."""
        if not (q.filters or field_groups or q.negatives or self.lexical.scope):
            return None
        n = self.store.max_doc_row()
        if filters:
            mask = np.zeros(n + 1, dtype=bool)
            mask[_ids(self.store.filter_rows(filters), n)] = True
        else:
            mask = np.ones(n + 1, dtype=bool)
        if field_groups:
            expr, _, _ = self.lexical.build(Query(text=q.text, groups=field_groups))
            inside = np.zeros(n + 1, dtype=bool)
            if expr:
                inside[_ids(self.store.match_rows(expr), n)] = True
            mask &= inside
        for atom in q.negatives:
            neg, _ = self.lexical.expand(atom, {})
            if neg:
                mask[_ids(self.store.match_rows(neg), n)] = False
        return mask

    # --- results ----------------------------------------------------------------
    def search(self, query: str, limit: int = 10, offset: int = 0, mode: str | None = None,
               lang: str | None = None, facets: bool = True, deadline: Deadline | None = None) -> SearchResult:
        """A page of results: documents ranked (see `rank`), each email once with its copies.
        Past `deadline`, the stages not begun are left out and the result says `partial`."""
        return self._search(query, limit, offset, mode, lang, facets, deadline)[0]

    def search_set(self, query: str, limit: int = 10, offset: int = 0, mode: str | None = None,
                   lang: str | None = None, facets: bool = True, deadline: Deadline | None = None) -> ResultSet:
        """A page of results with the documents the panels beside it count: the exact matches
        (the related documents when there is none), the same the facets are counted from."""
        result, rows = self._search(query, limit, offset, mode, lang, facets, deadline)
        doc_ids = list(self.store.doc_ids_of(rows).values()) if rows else []
        return ResultSet(result=result, rows=rows, matching=doc_ids if result.total else [])

    def _search(self, query: str, limit: int, offset: int, mode: str | None, lang: str | None,
                facets: bool, deadline: Deadline | None = None) -> tuple[SearchResult, list[int]]:
        """(result page, documents.id of the set its facets count)."""
        t0 = time.perf_counter()
        if (mode or self.default_mode()) == "lexical":
            # The foundation's search as it is: all terms must match, exact total, every copy shown.
            q = parse_query(query)
            lang = (lang or detect_lang(" ".join(
                a.value for a in q.positive_atoms() if a.field is None) or q.english)).lower()
            result, found = self.lexical.search_matches(q, limit=limit, offset=offset, facets=facets, lang=lang)
            result.mode = "lexical"
            result.lang = lang
            concepts = self.concepts(q, result.lang, None)
            self._mark_hits(result.hits, [], concepts)
            if not result.total:
                result.missing = self._missing(concepts)
            result.stages = ["lexical"] + (["facets"] if facets else [])
            result.took_ms = (time.perf_counter() - t0) * 1000
            return result, found.rows.tolist()
        stages: list[str] = []
        ranking = self.rank(query, mode, lang, deadline=deadline, stages=stages)

        q, fused = ranking.query, ranking.fused
        concepts = self.concepts(q, ranking.lang, ranking.bridged)
        expr = self._exact_expression(q, [g for g in q.groups if any(a.field for a in g)], concepts)
        filters = self.lexical.filters(q)
        rows = self.store.match_rows(expr, filters) if expr else self.store.filter_rows(filters)
        exact = set(rows)
        # The fused ranking's first EXACT_FIRST_K hits keep their places as a set (exact ones
        # first among them); then the other exact matches by the fused score, then those the
        # fusion did not reach (by BM25 as far as the page needs, the rest as the index lists
        # them); then the other documents the fusion ranked (similar in meaning only).
        head = [g[0] for g in self.collapse([d for d, _ in fused])[:EXACT_FIRST_K]]
        ranked = [d for d, _ in fused if d in exact]
        reached = set(ranked)
        stages.append("exact")
        if expr and len(exact) > len(reached) and len(self.collapse(ranked)) < offset + limit \
                and _in_time(deadline, stages, "exact_tail"):
            tail = [d for d in self.store.ranked_rows(expr, filters, len(reached) + 2 * (offset + limit))
                    if d not in reached]
            ranked += tail
            reached.update(tail)
        order = ([d for d in head if d in exact] + [d for d in head if d not in exact] + ranked
                 + [d for d in rows if d not in reached] + [d for d, _ in fused if d not in exact])
        groups = self.collapse(order)
        related_rows = [d for g in groups if g[0] not in exact for d in g]
        score = dict(fused)
        page = groups[offset:offset + limit]
        hits = self._hits(page, score, ranking.best_passage, ranking.marks)
        self._mark_hits(hits, exact, concepts)
        result = SearchResult(query=q.text, total=len(exact), hits=hits, lang=ranking.lang, mode=ranking.mode,
                              related_total=len(related_rows), people=self.lexical.person_filters(q))
        counted = list(exact) if exact else related_rows
        if facets and _in_time(deadline, stages, "facets"):
            cache, ids = self.lexical.facet_cache(), np.asarray(counted, dtype=np.int64)
            result.facets, result.person_facets = cache.count_with_people(ids)
        if not exact:
            result.missing = self._missing(concepts)
        result.stages = stages
        result.partial = any(s.startswith("skipped:") for s in stages)
        result.took_ms = (time.perf_counter() - t0) * 1000
        return result, counted

    def _mark_hits(self, hits: list[SearchHit], exact: set[int] | list, concepts: list[Concept]) -> None:
        """Each hit's match kind (`exact` unless `exact` is a set that lacks it; a lexical search's
        hits are all exact) and the forms of the query's concepts it holds."""
        rows = [h.row for h in hits if h.row is not None]
        held = self.matched_terms(concepts, rows) if concepts and rows else {}
        for h in hits:
            h.match = "exact" if not isinstance(exact, set) or h.row in exact else "related"
            h.matched_terms = held.get(h.row, [])

    def _missing(self, concepts: list[Concept]) -> list[str]:
        """The concepts no document holds in any of their forms (asked only when nothing holds
        them all)."""
        return [c.label for c in concepts if not self.store.ranked_rows(c.expression(), [], 1)]

    def collapse(self, ranked: list[int]) -> list[list[int]]:
        """Ranked documents → ranked groups [hit, duplicate, ...]; a duplicate never shows twice."""
        dup = self.dupes.duplicates_of(ranked)
        scope = self.lexical.in_scope()
        if scope is not None:       # a copy in a collection out of the user's scope is not shown
            dup = {d: [x for x in xs if x < len(scope) and scope[x]] for d, xs in dup.items()}
        seen: set[int] = set()
        out = []
        for d in ranked:
            if d in seen:
                continue
            group = [d] + [x for x in dup.get(d, []) if x not in seen and x != d]
            seen.update(group)
            out.append(group)
        return out

    def _hits(self, groups: list[list[int]], score: dict[int, float], best_passage: dict[int, int],
              marks: list[str]):
        if not groups:
            return []
        heads = [g[0] for g in groups]
        meta = self.store.hit_rows(heads)
        rows = [(*meta[d], -score.get(d, 0.0)) for d in heads]
        hits = self.lexical._hits(rows, marks)
        names = self.store.doc_ids_of([d for g in groups for d in g[1:]])
        for hit, group in zip(hits, groups):
            hit.duplicates = [names[d] for d in group[1:]]
            pid = best_passage.get(group[0])
            if hit.start is None and pid is not None:
                self._passage_snippet(hit, pid)
        return hits

    def _passage_snippet(self, hit, passage_id: int) -> None:
        row = self.store.passage_span(passage_id)
        if row:
            hit.page, hit.start = row[0], row[1]
            hit.byte_start, hit.byte_end = row[3], row[3] + len(row[2].encode("utf-8", "surrogatepass"))
            text = clean_passage(row[2])
            hit.snippet = text if len(text) <= 240 else text[:240].rsplit(" ", 1)[0] + "…"
            hit.highlights = []


FOLDED_CHARS = 8_000_000   # folded texts a process keeps for proximity (8-16 MB)
FORM_ROWS = 2_000_000      # ids of the documents matching query forms a process keeps (16 MB)


class _Kept(dict):
    """Values kept for the archive's content as it is (`key`), the oldest dropped once their
    summed length passes `budget`: (documents.id, characters read) → folded text, or a form's
    expression → the documents it matches."""

    def __init__(self, budget: int):
        super().__init__()
        self.budget = budget
        self.key: tuple[str, str] | None = None      # the archive's content key they were read for
        self.chars = 0

    def clear(self) -> None:
        super().clear()
        self.chars = 0

    def add(self, texts: dict) -> None:
        for k, text in texts.items():
            if k not in self:
                self[k] = text
                self.chars += len(text)
        while self.chars > self.budget and self:
            self.chars -= len(self.pop(next(iter(self))))


def _content(atom: Atom, lang: str) -> bool:
    """Whether a query word carries content: not a function word of the query's language, nor,
    in a query in another language, of English (the archive's): "In" of "otages In Amenas"."""
    if atom.kind == "phrase" or atom.prefix:
        return True
    return not function_word(atom.value, lang) and not (lang != "en" and function_word(atom.value, "en"))


def _cognate(word: str, lang: str) -> list[str]:
    """A long word of a Latin-script query language also matches its English cognate by its
    first letters (dalil.text.english.cognate_prefix, as the tracer's terms do).  Proximity
    only: the same prefixes in the BM25 bag lowered recall in every language (docs/search.md)."""
    terms = query_terms(word) if lang != "en" else []
    prefix = cognate_prefix(terms[0]) if len(terms) == 1 else None
    return [prefix] if prefix else []


def _summed_concepts(terms: dict[str, tuple[int, float]]) -> float:
    """The sum over concepts of each one's highest weight among `terms` (term → concept, IDF)."""
    best: dict[int, float] = {}
    for c, idf in terms.values():
        best[c] = max(idf, best.get(c, 0.0))
    return sum(best.values())


_ELISION = re.compile(r"^(?:[cdjlmnst]|qu|jusqu|lorsqu|puisqu)['’](?=\w)", re.I)


def _without_elision(atom: Atom) -> Atom:
    """A word without the elided article or pronoun glued to it (French, Italian): "qu'El-Obeidy"
    is the name El-Obeidy, and its "qu" would stand for it as its rarest index term."""
    if atom.kind != "word" or not _ELISION.match(atom.value):
        return atom
    return dataclasses.replace(atom, value=_ELISION.sub("", atom.value))


def _ids(rows: list[int], max_id: int) -> np.ndarray:
    """documents.id as an array (ids above max_id, added since, dropped)."""
    ids = np.asarray(rows, dtype=np.int64)
    return ids[ids <= max_id]


def rrf(rankings: list[list[int]], weights: list[float] | None = None,
        k: int = RRF_K) -> list[tuple[int, float]]:
    """Weighted reciprocal rank fusion (ranks from 1), best first."""
    scores = fuse_ranks(rankings, weights or [1.0] * len(rankings), k, first_rank=1)
    return sorted(scores.items(), key=lambda kv: -kv[1])


_NON_WORD = re.compile(r"\W+")


def body_hash(text: str) -> int:
    """Hash of a document's body with page stamps and spacing removed: exact copies of one
    email released under several DocNos hash alike."""
    body = _NON_WORD.sub(" ", STAMP_OR_RELEASE_LINE.sub(" ", text)).strip().lower()
    return int.from_bytes(hashlib.blake2b(body.encode(), digest_size=8).digest(), "little", signed=True)


class Duplicates:
    """Copies of the same email.  The archive's duplicate clusters (dalil.intel.dupes: exact and
    near-duplicate re-scans), then the documents that carry a document's text (damaged
    re-scans, replies and forwards quoting it), when they were built; else exact copies by
    normalized body hash."""

    def __init__(self, store: Store):
        self.store = store
        self.hash_of: dict[int, int] = {}
        self.members: dict[int, list[int]] = {}
        self.last = 0
        self._map: tuple | None = None          # (signature of the cluster tables, map)
        self._versions: dict = {}               # connection → its data stamp last seen
        self._lock = threading.Lock()

    def clusters_built(self) -> bool:
        return self.store.clusters_built()

    def duplicates_of(self, doc_rows: list[int]) -> dict[int, list[int]]:
        """documents.id → the other documents.id holding the same email (only non-empty lists)."""
        if not doc_rows:
            return {}
        if self.clusters_built():
            return self._clusters(doc_rows)
        self._refresh_hashes()
        out = {}
        for d in doc_rows:
            group = self.members.get(self.hash_of.get(d), [])
            if len(group) > 1:
                out[d] = [x for x in group if x != d]
        return out

    def _clusters(self, doc_rows: list[int]) -> dict[int, list[int]]:
        members = self._cluster_map()
        return {d: members[d] for d in doc_rows if d in members}

    def _cluster_map(self) -> dict[int, list[int]]:
        """documents.id → the other members of its cluster, most similar first (the order of
        dalil.intel.dupes.duplicates_of), held in memory; re-read when the clusters change."""
        version = self.store.data_stamp()
        seen = self._versions.get(version[0])
        if seen == version and self._map is not None:
            return self._map[1]
        with self._lock:
            signature = self.store.cluster_signature()
            if self._map is None or self._map[0] != signature:
                # Kept between processes (see lexical._kept): reading the links and building the
                # map took 0.3 s of every cold search on the full corpus.
                self._map = (signature, _kept(self.store, "clusters", self._build_map, __file__))
            self._versions[version[0]] = version
            return self._map[1]

    def _build_map(self) -> dict[int, list[int]]:
        found: dict[int, list[tuple[float, str, int]]] = {}
        for a, b, sim, b_row in self.store.cluster_links():
            found.setdefault(a, []).append((-sim, b, b_row))
        members = {a: [r for _, _, r in sorted(lst)] for a, lst in found.items()}
        for a, b in self.store.copy_links():    # then the documents that carry a's text, largest share first
            if b not in members.setdefault(a, []):
                members[a].append(b)
        return members

    def _refresh_hashes(self) -> None:
        for row_id, text in self.store.texts_after(self.last):
            h = body_hash(text)
            self.hash_of[row_id] = h
            self.members.setdefault(h, []).append(row_id)
            self.last = row_id

