"""BM25 full-text search over the store's full-text index, with OCR-tolerant expansion,
filters, facets and highlighted snippets located in the original text."""
from __future__ import annotations

import re
import time
from typing import Any, Iterable

import numpy as np

from dalil.model import byte_offsets
from dalil.search.persons import PersonFilter, resolve_filter
from dalil.search.query import Atom, Query, parse_query
from dalil.search.results import Matches, SearchHit, SearchResult
from dalil.search.snippets import MarkPattern, make_snippet
from dalil.search.spelling import SpellingIndex
from dalil.store.base import Store
from dalil.store.base.fulltext import Filter
from dalil.text.correspondents import PERSON, correspondent_kind
from dalil.text.normalize import index_terms, is_arabic
from dalil.text.stopwords import function_word

WITHHELD_PERSON = 0      # the people index's record of withheld senders (dalil.intel.people.WITHHELD)

_WORD = re.compile(r"\w+")


def query_terms(value: str) -> list[str]:
    """The index's terms for a piece of query text (same folding and stemming as at ingest)."""
    return [t for t in index_terms(value) if _WORD.fullmatch(t)]


class LexicalSearcher:
    def __init__(self, store: Store):
        self.store = store
        self.spelling = SpellingIndex(store)
        self._facets: FacetCache | None = None
        # A user's access scope ("collections", JSON list): added to every query's filters, so
        # that every match, count and facet of this searcher sees only those collections.
        self.scope: Filter | None = None
        self._scope_mask: tuple[int, np.ndarray] | None = None

    # --- query building -----------------------------------------------------------
    def person(self, atom: Atom) -> PersonFilter | None:
        """The person filter a from:/to:/cc: term stands for (None: a text match), resolved once
        per parsed term."""
        if atom.field is None or atom.field == "subject":
            return None
        if atom.person is None:
            atom.person = resolve_filter(self.store, atom) or False
        return atom.person or None

    def person_filters(self, q: Query) -> list[PersonFilter]:
        """The query's terms that name persons, as they were resolved."""
        return [pf for a in [*q.positive_atoms(), *q.negatives] if (pf := self.person(a)) is not None]

    def expand(self, atom: Atom, expansions: dict[str, list[str]]) -> tuple[str | None, list[str]]:
        """FTS5 expression for one atom, and the regex alternatives that highlight it (None for
        a term naming a person: it is a filter, see `filters`)."""
        if self.person(atom) is not None:
            return None, []
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

    def build(self, q: Query, lang: str | None = None) -> tuple[str | None, list[str], dict[str, list[str]]]:
        """(full-text expression, highlight patterns, OCR spellings added) of a query.  With the
        query's language `lang`, its function words (and, in another language, English ones)
        are not highlighted ("in" of "hostages in Amenas", "In" of "otages In Amenas"): a
        document must hold them, but they are not what was looked for, nor among the hit's
        matched terms (the same rule as hybrid search's `_content`)."""
        expansions: dict[str, list[str]] = {}
        marks: list[str] = []
        groups = []
        atoms = [a for g in q.groups for a in g if a.field in (None, "subject")]
        quiet = {id(a) for a in atoms if lang and a.kind == "word" and not a.prefix
                 and (function_word(a.value, lang) or (lang != "en" and function_word(a.value, "en")))}
        if len(quiet) == len(atoms):
            quiet = set()          # a query of function words alone: they are what was looked for
        for group in q.groups:
            alts = []
            for atom in group:
                expr, m = self.expand(atom, expansions)
                if expr:
                    alts.append(expr)
                    if atom.field in (None, "subject") and id(atom) not in quiet:
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

    def filters(self, q: Query) -> list[Filter]:
        """The query's filters as the store takes them, its person terms among them."""
        return [(f.field, f.value, f.negated) for f in q.filters] + [pf.filter for pf in self.person_filters(q)] \
            + ([self.scope] if self.scope else [])

    def in_scope(self) -> np.ndarray | None:
        """Boolean mask over documents.id of the documents in the scope (None: no scope, all)."""
        if self.scope is None:
            return None
        n = self.store.max_doc_row()
        if self._scope_mask is None or self._scope_mask[0] != n:
            mask = np.zeros(n + 1, dtype=bool)
            mask[np.asarray(self.store.filter_rows([self.scope]), dtype=np.int64)] = True
            self._scope_mask = (n, mask)
        return self._scope_mask[1]

    # --- execution -------------------------------------------------------------------
    def matches(self, q: Query, scored: bool = False, lang: str | None = None) -> Matches:
        """Every document matching the query: all its terms (with their OCR spellings), none of
        its exclusions, and its filters; a query of filters alone matches what they let through.
        `scored`: also each one's BM25 score; `lang`: the query's language (see `build`)."""
        match, marks, expansions = self.build(q, lang)
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
                       facets: bool = True, lang: str | None = None) -> tuple[SearchResult, Matches]:
        """The result page of `search` and every match it was ranked from (`lang`: the query's
        language, for the highlights: see `build`)."""
        t0 = time.perf_counter()
        q = parse_query(query) if isinstance(query, str) else query
        found = self.matches(q, scored=True, lang=lang)
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
        result = SearchResult(query=q.text, total=int(len(ids)), hits=hits, expansions=found.expansions,
                              people=self.person_filters(q))
        if facets:
            cache = self.facet_cache()
            result.facets, result.person_facets = cache.count_with_people(ids)
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
            at = byte_offsets(text, list(snip.span)) if snip.span else {}
            hits.append(SearchHit(doc_id=r[1], score=-float(r[7]), subject=r[2], sender=r[3],
                                  date=r[4][:10] if r[4] else None, page=page, snippet=snip.text,
                                  highlights=snip.highlights, release=r[5], start=snip.start, row=r[0],
                                  byte_start=at.get(snip.span[0]) if snip.span else None,
                                  byte_end=at.get(snip.span[1]) if snip.span else None))
        return hits

    def facet_cache(self) -> "FacetCache":
        n, people = self.store.max_doc_row(), self.store.people_state()
        # `dalil mentions` may run in another process while a server answers: its progress too
        # makes the cache stale.
        mentions = self.store.mentions_state()
        if (self._facets is None or self._facets.max_id != n or self._facets.people_state != people
                or self._facets.mentions != mentions):
            def build() -> FacetCache:
                facets = FacetCache(self.store, n)
                facets.mentions = mentions
                return facets
            self._facets = _kept(self.store, "facets", build)
            self._facets.store = self.store      # not kept: a connection is no part of the arrays
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
    """Per-document facet values held as arrays, so facets of any result set cost one bincount.
    Senders and recipients are counted by person once the people index is built: every
    document with a message from (to) any form of the person, the documents `from:#id`
    (`to:#id`) opens; lists, feeds and system senders apart from the people."""

    FIELDS = ("release", "year", "sender", "lang")
    # The mentioned entities (dalil/intel/mentions.py), one facet per kind.
    MENTIONS = {"person": "mentions_person", "org": "mentions_org", "place": "mentions_place"}
    PERSON_FACETS = {"sender": ("from",), "recipient": ("to",)}     # facet → correspondent roles
    FORMS_SHOWN = 12

    def __getstate__(self) -> dict:
        # Kept between processes (lexical._kept): the arrays, not the store they came from.
        return {k: v for k, v in self.__dict__.items() if k != "store"}

    def __init__(self, store: Store, max_id: int):
        self.max_id = max_id
        self.mentions = 0         # the store's mentions_state when the cache was built
        self.store = store
        self.people_state = store.people_state()
        self._pairs: dict[str, np.ndarray] | None = None    # facet → (documents.id, person) rows
        self._names: dict[int, str] = {}
        self._kinds: dict[int, str] = {}
        self._forms: dict[int, list[str]] = {}
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
        # Many mentions per document: (document, label code) pairs per kind, like the exemptions.
        self.mention_doc: dict[str, np.ndarray] = {}
        self.mention_code: dict[str, np.ndarray] = {}
        pairs: dict[str, tuple[list[int], list[int], dict[str, int]]] = {
            f: ([], [], {}) for f in self.MENTIONS.values()}
        for row, kind, label in store.mention_facet_rows():
            field = self.MENTIONS.get(kind)
            if field is not None and row <= max_id:
                docs, codes, labels = pairs[field]
                docs.append(row)
                codes.append(labels.setdefault(label, len(labels)))
        for field, (docs, codes, labels) in pairs.items():
            self.mention_doc[field] = np.array(docs, dtype=np.int64)
            self.mention_code[field] = np.array(codes, dtype=np.int32)
            self.labels[field] = list(labels)

    def count(self, ids: np.ndarray, top: int = 15) -> dict[str, dict[str, int]]:
        return self.count_with_people(ids, top)[0]

    def count_with_people(self, ids: np.ndarray, top: int = 15
                          ) -> tuple[dict[str, dict[str, int]], dict[str, list[dict[str, Any]]]]:
        """(`count`, `people`) of one set: the person facets counted once for both (a search
        shows them by name and by person; counting them twice cost 1.5 ms of each search)."""
        out: dict[str, dict[str, int]] = {}
        for name in self.FIELDS:
            codes = self.codes[name][ids]
            out[name] = self._top(codes[codes >= 0], self.labels[name], top if name != "year" else 100)
        if len(self.ex_doc):
            mask = np.isin(self.ex_doc, ids)
            out["exemption"] = self._top(self.ex_code[mask], self.labels["exemption"], top)
        else:
            out["exemption"] = {}
        if any(len(d) for d in self.mention_doc.values()):
            chosen = np.zeros(self.max_id + 1, dtype=bool)
            chosen[ids[ids <= self.max_id]] = True
            for field in self.MENTIONS.values():
                docs = self.mention_doc[field]
                out[field] = self._top(self.mention_code[field][chosen[docs]], self.labels[field], top)
        if out.get("year"):
            out["year"] = dict(sorted(out["year"].items()))
        people = self.people(ids, top)
        for facet, entries in people.items():
            out[facet] = _by_name(e for e in entries if e["kind"] == PERSON)
        return out, people

    def people(self, ids: np.ndarray, top: int = 15) -> dict[str, list[dict[str, Any]]]:
        """facet (sender, recipient) → the `top` persons and the `top` lists, feeds and system
        senders in most of these documents: {id, name, kind, count, forms}, most first ({}: no
        people index)."""
        if not self.pairs():
            return {}
        mask = np.zeros(self.max_id + 1, dtype=bool)
        mask[np.asarray(ids, dtype=np.int64)] = True
        out: dict[str, list[dict[str, Any]]] = {}
        for facet, pairs in self.pairs().items():
            persons = pairs[mask[pairs[:, 0]], 1]
            ranked: list[dict[str, Any]] = []
            if len(persons):
                pids, counts = np.unique(persons, return_counts=True)
                shown = {PERSON: 0, "other": 0}
                for i in np.lexsort((pids, -counts)):
                    pid = int(pids[i])
                    kind = self.kind(pid)
                    group = PERSON if kind == PERSON else "other"
                    if shown[group] >= top:
                        if all(v >= top for v in shown.values()):
                            break
                        continue
                    shown[group] += 1
                    ranked.append({"id": pid, "name": self._names.get(pid, str(pid)), "kind": kind,
                                   "count": int(counts[i]), "forms": self.forms(pid)})
            out[facet] = ranked
        return out

    def pairs(self) -> dict[str, np.ndarray]:
        """facet → (documents.id, person) of its role, read on the first person facet asked for
        (a second of reading the correspondents that a search without facets need not pay)."""
        if self._pairs is None:
            self._pairs = {}
            if self.store.has_people():
                self._names = self.store.person_names()
                for facet, roles in self.PERSON_FACETS.items():
                    pairs = np.asarray(self.store.person_document_rows(roles), dtype=np.int64).reshape(-1, 2)
                    self._pairs[facet] = pairs[pairs[:, 1] != WITHHELD_PERSON]   # withheld names nobody
        return self._pairs

    def kind(self, pid: int) -> str:
        """person, list, feed or system (dalil.text.correspondents), read from the display name."""
        if pid not in self._kinds:
            self._kinds[pid] = correspondent_kind(self._names.get(pid))
        return self._kinds[pid]

    def forms(self, pid: int) -> list[str]:
        """A person's most frequent printed forms (what a facet lists on demand), read once."""
        if pid not in self._forms:
            self._forms[pid] = self.store.person_forms(pid, self.FORMS_SHOWN)
        return self._forms[pid]

    @staticmethod
    def _top(codes: np.ndarray, labels: list[str], top: int) -> dict[str, int]:
        if not len(codes):
            return {}
        counts = np.bincount(codes, minlength=len(labels))
        order = np.argsort(-counts, kind="stable")[:top]
        return {labels[i]: int(counts[i]) for i in order if counts[i] > 0}


def _by_name(entries: Iterable[dict[str, Any]]) -> dict[str, int]:
    """Person facet entries as {display name: count}; a name two persons bear gets its id."""
    out: dict[str, int] = {}
    for e in entries:
        out[e["name"] if e["name"] not in out else f"{e['name']} (#{e['id']})"] = e["count"]
    return out


_ANGLE = re.compile(r"\s*[<\[].*$")


def sender_label(sender: str | None) -> str | None:
    """A readable facet label for a raw sender line ('Mills, Cheryl D <MillsCD@...>' → 'Mills, Cheryl D')."""
    if not sender:
        return None
    label = _ANGLE.sub("", sender).strip(" '\"")
    return label or sender.strip("<>[] ")[:60] or None
