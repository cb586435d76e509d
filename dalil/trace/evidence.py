"""Evidence for a claim: candidate documents, then passage- and sentence-level alignment.

1. Candidates, fused by reciprocal rank: the archive's best passages by dense similarity to the
   claim and to its reported content (stored passage vectors, so Arabic and French claims reach
   English sources), the archive's hybrid ranking of the claim (its words, their translations
   and bridged names, and dense neighbours), a lexical OR query over the claim's own bridged
   terms, and by dense similarity the claimed sender's messages (on the claimed date), those
   addressed to the claimed recipient, and the messages of a full date the claim states.
2. Each candidate document is scored by its best passage similarity and by the share of the
   claim's terms it holds; the best documents' best passages are split into sentence windows,
   ranked by term coverage and passage similarity, and the leading windows are embedded and
   compared with the claim: the best window per document is the cited quote.
3. Every document that carries the cited passage (copies, re-scans, quoting replies) is listed
   with it (`copies.py`).
"""
from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from dalil.intel.dupes import duplicates_of
from dalil.intel.people import Person
from dalil.model import char_to_byte
from dalil.search.bridge import Bridged
from dalil.search.dense import DIM, VectorIndex
from dalil.search.fusion import fuse_ranks
from dalil.search.hybrid import HybridSearcher
from dalil.search.lexical import query_terms
from dalil.search.query import QueryError
from dalil.store.base import Store
from dalil.text.foia_patterns import HEADER_LABEL
from dalil.text.lexicon import NameLexicon
from dalil.trace.copies import body_text, passage_copies
from dalil.trace.dense import PassageVectors
from dalil.trace.terms import Term

CANDIDATE_DOCS = 40
LEADERS = 5                   # top documents of each ranking always examined
DENSE_PASSAGES = 150
RERANKED_DOCS = 8
PASSAGES_PER_DOC = 3
WINDOWS_PER_DOC = 4
WINDOW_CHARS = 300
EVIDENCE_ITEMS = 5
FUSION_K = 30                 # reciprocal rank fusion of the candidate rankings (ranks from 0)
FUSION_WEIGHT = {"bag": 1.0, "lex": 1.0, "rare": 1.0, "dense": 1.5, "content": 1.5, "sender": 1.5, "pair": 1.5,
                 "dated": 1.5}
COPIES_FOR = 3                # evidence items whose passage copies are looked up
_WEIGHT = {"name": 2.0, "number": 2.0, "date": 2.0, "word": 1.0}
# A sentence runs over single line breaks (OCR wraps every line) and ends at . ! ? before a
# space or at a blank line; a period inside a token ("state.gov", "3.5") ends nothing.
_SOURCE_SENTENCE = re.compile(r"(?:[^.!?\n]|[.!?](?=[^\s.!?\"'”’»)\]])|\n(?![ \t]*\n))+"
                              r"(?:[.!?]+[\"'”’»)\]]*|(?=\n[ \t]*\n)|$)")


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
    similarity: float                  # claim ↔ quote (sentence window)
    coverage: float                    # weighted share of the claim's terms in the window
    passage_similarity: float = 0.0    # claim ↔ the stored passage holding the quote
    doc_coverage: float = 0.0          # weighted share of the claim's terms anywhere in the document
    # claim ↔ quote with the names, numbers and dates both share taken out of each: what is left
    # is the predicate (who did what), so that shared names alone do not make a passage close
    predicate_similarity: float = 0.0
    doc_text: str = field(repr=False, default="")
    duplicates: list[str] = field(default_factory=list)
    matched: list[tuple[Term, tuple[int, int]]] = field(default_factory=list, repr=False)
    messages: list[dict] = field(default_factory=list, repr=False)   # parsed headers, for metadata checks
    # The claim's terms found in the whole document (by index into `hit_terms`), as retrieval
    # found them: the verdict reuses them when it reads the same terms.
    hit_terms: list[Term] = field(default_factory=list, repr=False)
    hits: dict[int, list[tuple[int, int]]] = field(default_factory=dict, repr=False)

    def to_dict(self) -> dict:
        return {"doc_id": self.doc_id, "duplicates": self.duplicates, "release": self.release,
                "page": self.page, "start": self.byte_start, "end": self.byte_end, "quote": self.quote,
                "score": round(float(self.score), 4)}


class Encoder:
    """Claim and sentence vectors from the passages' own model, cached across an article's claims."""

    def __init__(self, vectors: PassageVectors):
        self.vectors = vectors
        self.cache: dict[str, np.ndarray] = {}

    def encode(self, texts: list[str]) -> np.ndarray:
        if len(self.cache) > 5000:
            self.cache.clear()
        todo = [t for t in dict.fromkeys(texts) if t not in self.cache]
        if todo:
            for t, v in zip(todo, self.vectors.encode(todo)):
                self.cache[t] = v
        return np.stack([self.cache[t] for t in texts]) if texts else np.zeros((0, DIM), np.float32)


def query_text(text: str) -> str:
    """A claim as a plain search query: no quotes, operators or field syntax."""
    words = re.findall(r"[^\W_]+", text)
    return " ".join(w.lower() if w in ("OR", "AND", "NOT", "NEAR") else w for w in words)


_REPORTED = re.compile(
    r"\b(?:that|whether|que|si)\s+|\bqu['’]"
    r"|(?:^|\s)(?:بأن|بأنه|بأنها|أن|أنه|أنها|إن|إنه|إنها|ان|انه|انها)(?=\s)"
    r"|[:«\"“]", re.I)


def reported_content(text: str) -> str:
    """The reported content of an attributed claim ('X told Y on D that …' → '…'); the claim
    itself when it has no such clause or the rest is too short to stand alone."""
    m = _REPORTED.search(text)
    if m and m.start() > 10:
        rest = text[m.end():].strip(" \"'«»“”")
        if len(rest.split()) >= 4:
            return rest
    return text


class Retriever:
    """What tracing asks of search: the archive's hybrid ranking of a claim, the bridge's English
    reading of its words, the names the archive's name table holds, and whether passage vectors
    are built."""

    def __init__(self, hybrid: HybridSearcher, vectors: VectorIndex):
        self._hybrid = hybrid
        self._vectors = vectors

    def dense(self) -> bool:
        """Whether the archive's passage vectors (and with them the bridge's vocabulary) are built."""
        return self._vectors.exists()

    def names(self) -> NameLexicon | None:
        """The names learnt from the archive's documents, when its name table is built."""
        folder = self._vectors.dir
        return self._hybrid.bridge.lexicon if folder.exists() and (folder / "names.json").exists() else None

    def bridge(self, text: str, lang: str) -> Bridged:
        """The bridge's English terms for a claim's words (`lang`: the claim's language)."""
        return self._hybrid.bridge.bridge(query_text(text), lang)

    def rank(self, text: str, lang: str | None, depth: int, bridged: Bridged | None = None) -> list[int]:
        """documents.id of the hybrid ranking of a claim (its words, their bridged English forms
        by BM25, and its dense neighbours, fused), best first; `lang` None: detected by search;
        `bridged`: `bridge(text, lang)` when the caller has it.  Raises what search raises
        (QueryError, ValueError, RuntimeError)."""
        mode = "hybrid" if self.dense() else "lexical"
        # Dense counted once: the tracer fuses its own dense rankings beside this one (twice
        # here cost source recall@5 0.864 → 0.837, docs/trace.md).
        fused = self._hybrid.rank(query_text(text), mode=mode, lang=lang, depth=depth,
                                  dense_weight=1.0, bridged=bridged).fused
        return [d for d, _ in fused[:depth]]


def _hybrid(retriever: Retriever, store: Store, text: str, lang: str | None, bridged: Bridged | None,
            k: int) -> list[str]:
    """The archive's hybrid ranking of the claim, as doc_ids."""
    try:
        rows = retriever.rank(text, lang, k, bridged)
    except (QueryError, ValueError, RuntimeError):
        return []
    return _doc_ids(store, rows)


def _doc_ids(store: Store, rows: list[int]) -> list[str]:
    if not rows:
        return []
    name = store.doc_ids_of(rows)
    return [name[r] for r in rows if r in name]


RARE_DF = 150                 # a name in at most this many documents identifies its sources


def _rare_names(store: Store, df: Callable[[str], int], terms: list[Term], k: int) -> list[str]:
    """Documents holding the claim's rare names (a senator, a place, a bill): one ranking per
    name, fused with more weight for the rarer and for names not reached by a transliteration
    guess; common words and frequent names would drown them in one BM25 query."""
    weights: dict[str, float] = {}
    for t in terms:
        if t.kind != "name":
            continue
        for a in t.alts[:3]:
            words = query_terms(a)
            n = df(words[0]) if len(words) == 1 else 0
            if 0 < n <= RARE_DF:
                weights[words[0]] = max(weights.get(words[0], 0.0), (0.5 if t.guess else 1.0) / math.log2(2 + n))
    chosen = sorted(weights.items(), key=lambda kv: -kv[1])[:6]
    fused = fuse_ranks([store.documents_matching([word], k) for word, _ in chosen], [w for _, w in chosen], k=5)
    return sorted(fused, key=lambda d: -fused[d])[:k]


LEXICAL_FIELD_WEIGHTS = (1.0, 3.0, 2.0, 1.0, 1.0)     # body, subject, sender, recipients, cc


def _lexical(store: Store, terms: list[Term], k: int) -> list[str]:
    """BM25 over an OR of the claim's bridged forms (no spelling expansion: fast, and the
    coverage and dense stages that follow absorb OCR variants)."""
    alts: list[str] = []
    for t in sorted(terms, key=lambda t: -_WEIGHT[t.kind]):
        for a in t.alts[:3]:
            if a.endswith("*"):
                continue
            phrase = " ".join(query_terms(a))
            if phrase and phrase not in alts:
                alts.append(phrase)
    if not alts:
        return []
    return store.documents_matching(alts[:40], k, LEXICAL_FIELD_WEIGHTS)


_PATTERNS: dict[str, re.Pattern] = {}


def _term_pattern(alt: str) -> re.Pattern:
    rx = _PATTERNS.get(alt)
    if rx is None:
        if alt.endswith("*"):          # a stem: any word that starts with it
            rx = _PATTERNS[alt] = re.compile(r"(?<![\w])" + re.escape(alt[:-1]) + r"\w*", re.I)
            return rx
        body = r"\W+".join(re.escape(p) for p in alt.split())
        if alt.isdigit() and len(alt) >= 4:
            body = "[,.]?".join(re.escape(c) for c in alt) if len(alt) <= 7 else body
        # An inflection may follow a word ("Republicans", "agreed"), but a form of three letters
        # takes only a plural or possessive: "Sid" is not "side".
        suffix = r"(?![\w])" if alt.isdigit() else r"(?:['’]?s)?(?!\w)" if len(alt) <= 3 else r"\w{0,3}(?!\w)"
        rx = _PATTERNS[alt] = re.compile(r"(?<![\w])" + body + suffix, re.I)
    return rx


def term_hits(terms: list[Term], text: str) -> dict[int, list[tuple[int, int]]]:
    """For each claim term (by index), the spans in `text` where one of its forms occurs."""
    out: dict[int, list[tuple[int, int]]] = {}
    lower = text.lower()
    for i, t in enumerate(terms):
        spans = []
        full = next((a.split() for a in t.alts if a.count(" ") == 1), None) if t.kind == "name" else None
        for alt in t.alts:
            # A plain substring test first: most forms are absent from most documents.
            if alt and (alt[0].isdigit() or not alt.isascii() or alt[:4] in lower):
                found = [m.span() for m in _term_pattern(alt).finditer(text)]
                if full and alt == full[1]:          # the bare surname of a full name
                    found = [sp for sp in found if not _other_first_name(text, sp[0], full[0])]
                spans.extend(found)
        if spans:
            out[i] = sorted(spans)
    return out


_BEFORE_NAME = re.compile(r"([A-Z][a-z]{2,})[ \t]+$")
_TITLES = frozenset("mr mrs ms dr amb ambassador sen senator secretary president minister general gen rep "
                    "gov governor envoy dear hi from to cc sir madam prime deputy assistant under special "
                    "the and with".split())


def _other_first_name(text: str, at: int, first: str) -> bool:
    """Whether the surname at `at` follows another first name: "Alec Ross" is not the claim's
    Dennis Ross, though the bare surname stands for him in "Ross called"."""
    m = _BEFORE_NAME.search(text, max(0, at - 30), at)
    if not m:
        return False
    word = m.group(1).lower()
    return word not in _TITLES and not first.startswith(word) and not word.startswith(first)


def weighted_share(terms: list[Term], found) -> float:
    total = sum(_WEIGHT[t.kind] for t in terms) or 1.0
    return sum(_WEIGHT[terms[i].kind] for i in found) / total


class EvidenceFinder:
    """Finds and ranks the passages a claim may rest on (see the module's docstring).

    `person(name)`: the archive's person a name denotes (None: no people index); `df(term)`:
    how many documents hold an index term."""

    def __init__(self, store: Store, retriever: Retriever, vectors: VectorIndex,
                 person: Callable[[str], Person | None] | None, df: Callable[[str], int]):
        self.store = store
        self.retriever = retriever
        self.person = person
        self.df = df
        self.vectors = PassageVectors(vectors)
        self.encoder = Encoder(self.vectors)

    def candidates(self, text: str, terms: list[Term], meta: dict[str, str] | None = None,
                   lang: str | None = None, bridged: Bridged | None = None) -> "Candidates":
        """Candidate documents of a claim, each with the signals its rank rests on; `lang`: the
        claim's language (None: detected by search), `bridged`: its words bridged, when known."""
        dense = self.vectors.refresh()
        content = reported_content(text)
        claim_vec, content_vec = self.encoder.encode([text, content])
        named = {"bag": _hybrid(self.retriever, self.store, text, lang, bridged, CANDIDATE_DOCS),
                 "lex": _lexical(self.store, terms, CANDIDATE_DOCS),
                 "rare": _rare_names(self.store, self.df, terms, CANDIDATE_DOCS)}
        correspondents = self._correspondent_docs(meta or {})
        pair = self._correspondent_docs(meta or {}, to=True) if correspondents else {}
        day = next((t.value for t in terms if t.kind == "date" and t.value and len(t.value) == 10
                    and not t.value.startswith("-")), None)
        # A content claim's own full date ("the schedule of 12 July 2010"): the messages of that
        # day (and of the claimed sender, when there is one), when the claim gives no message date.
        dated = self._correspondent_docs({**(meta or {}), "date": day}) if day and not (meta or {}).get("date") else {}
        content_psim: dict[int, float] = {}
        if dense:
            scores = self.vectors.scores(claim_vec)
            top = self.vectors.top_passages(claim_vec, DENSE_PASSAGES, scores)
            named["dense"] = _doc_ids(self.store, list(dict.fromkeys(r for _, r, _ in top)))
            if content != text:
                # What the message said, without who said it to whom: the content alone finds
                # the body that an attribution-heavy claim vector misses.
                top = self.vectors.top_passages(content_vec, DENSE_PASSAGES)
                named["content"] = _doc_ids(self.store, list(dict.fromkeys(r for _, r, _ in top)))
            if correspondents:
                # The claimed sender's (and date's) messages, by dense similarity.
                rows = self.vectors.best_docs(scores, list(correspondents.values()), CANDIDATE_DOCS // 2)
                named["sender"] = _doc_ids(self.store, rows)
                if pair:
                    # ... and those of them addressed to the claimed recipient: a narrower set.
                    rows = self.vectors.best_docs(scores, list(pair.values()), CANDIDATE_DOCS // 2)
                    named["pair"] = _doc_ids(self.store, rows)
            if dated:
                rows = self.vectors.best_docs(scores, list(dated.values()), CANDIDATE_DOCS // 2)
                named["dated"] = _doc_ids(self.store, rows)
        fused = fuse_ranks(list(named.values()), [FUSION_WEIGHT[k] for k in named], FUSION_K)
        # Every ranking's own leaders are examined, whatever the fusion makes of them.
        leaders = [d for r in named.values() for d in r[:LEADERS]]
        doc_ids = list(dict.fromkeys(sorted(fused, key=lambda d: -fused[d])[:CANDIDATE_DOCS] + leaders))
        docs = self.store.documents_by_ids(doc_ids)
        doc_ids = [d for d in doc_ids if d in docs]
        passages = self.store.passages_of(doc_ids)
        pids = [p[0] for ps in passages.values() for p in ps]
        psim = self.vectors.similarities(claim_vec, pids) if dense else {}
        if dense and content != text:
            content_psim = self.vectors.similarities(content_vec, pids)
        hits = {d: term_hits(terms, docs[d]["text"]) for d in doc_ids}
        ranks = {k: {d: r for r, d in enumerate(v)} for k, v in named.items()}
        signals = {}
        for d in doc_ids:
            signals[d] = {
                "psim": max((psim.get(p[0], 0.0) for p in passages.get(d, [])), default=0.0),
                "csim": max((content_psim.get(p[0], 0.0) for p in passages.get(d, [])), default=0.0),
                "dcov": weighted_share(terms, hits[d]),
                "sender": float(d in correspondents),
                "pair": float(d in pair),
                "dated": float(d in dated),
                **{f"rank_{k}": 30.0 / (30 + ranks.get(k, {}).get(d, 99)) for k in ("bag", "lex", "rare", "dense", "content")},
            }
        return Candidates(claim_vec, dense, doc_ids, docs, passages, psim, hits, signals)

    def find(self, text: str, terms: list[Term], meta: dict[str, str] | None = None,
             lang: str | None = None, bridged: Bridged | None = None) -> list[Evidence]:
        """The claim's best evidence, one item per document (its copies listed with it), best
        first; the first item carries its document's messages for the metadata checks."""
        c = self.candidates(text, terms, meta, lang, bridged)
        if not c.doc_ids:
            return []
        claim_vec, dense, docs, passages, psim, hits = c.claim_vec, c.dense, c.docs, c.passages, c.psim, c.hits
        doc_score = {d: doc_score_of(sig) for d, sig in c.signals.items()}
        top_docs = sorted(doc_score, key=lambda d: -doc_score[d])[:RERANKED_DOCS]
        windows = []       # (doc_id, page, start, end, window coverage, passage similarity)
        for doc_id in top_docs:
            doc_text = docs[doc_id]["text"]
            spans = passages.get(doc_id) or [(None, None, 0, len(doc_text))]
            ranked = sorted(spans, key=lambda p: -(psim.get(p[0], 0.0)
                                                   + 0.5 * _span_share(terms, hits[doc_id], p[2], p[3])))
            cands = []
            for pid, page, ps, pe in ranked[:PASSAGES_PER_DOC]:
                sim_p = psim.get(pid, 0.0)
                for x, y in _windows(doc_text, ps, pe):
                    cov = _span_share(terms, hits[doc_id], x, y)
                    # Header lines repeat names and dates; the claim rests on a body (metadata
                    # claims are checked against the parsed headers apart).
                    body = not HEADER_LABEL.search(doc_text, x, y)
                    cands.append((body, cov + 0.3 * sim_p, doc_id, page, x, y, cov, sim_p))
            cands.sort(key=lambda w: (-w[0], -w[1]))
            cands = [c[1:] for c in cands]
            windows += [w[1:] for w in cands[:WINDOWS_PER_DOC]]
        if not windows:
            return []
        sims = (self.encoder.encode([_clean(docs[d]["text"][x:y]) for d, _, x, y, _, _ in windows])
                @ claim_vec).tolist()
        best: dict[str, tuple[float, Evidence]] = {}
        for (doc_id, page, x, y, cov, sim_p), sim in zip(windows, sims):
            rank_score = doc_score[doc_id] + SENTENCE_WEIGHT * sim
            if doc_id not in best or rank_score > best[doc_id][0]:
                ev = self._evidence(docs[doc_id], page, x, y, evidence_score(sim, sim_p if dense else sim, cov),
                                    sim, cov, terms, hits[doc_id])
                ev.passage_similarity = sim_p
                ev.doc_coverage = weighted_share(terms, hits[doc_id])
                best[doc_id] = (rank_score, ev)
        items = [ev for _, ev in sorted(best.values(), key=lambda x: -x[0])]
        out = self._group(items)[:EVIDENCE_ITEMS]
        if out:
            out[0].messages = self.store.messages_of(out[0].doc_id)
            self._predicate_similarities(text, terms, out)
        return out

    def _predicate_similarities(self, text: str, terms: list[Term], items: list[Evidence]) -> None:
        """Set each item's `predicate_similarity`: the claim and its quote, each without the
        names, numbers and dates of the claim (the quote: where it holds them), compared by the
        encoder.  A claim of nothing but names keeps its plain similarity."""
        claim = _clean(without_spans(text, [(t.start, t.end) for t in terms if t.kind in FACT_KINDS]))
        if len(claim.split()) < 2:
            for ev in items:
                ev.predicate_similarity = ev.similarity
            return
        quotes = [_clean(without_spans(ev.quote, [(s - ev.char_start, e - ev.char_start) for t, (s, e) in ev.matched
                                                  if t.kind in FACT_KINDS])) or ev.quote for ev in items]
        vecs = self.encoder.encode([claim, *quotes])
        for ev, v in zip(items, vecs[1:]):
            ev.predicate_similarity = float(v @ vecs[0])

    def _correspondent_docs(self, meta: dict[str, str], to: bool = False) -> dict[str, int]:
        """doc_id → documents.id of the documents holding a message from the claimed sender
        (people resolution, any script), on the claimed date within a day when one is given;
        with `to`, only messages addressed (To or Cc) to the claimed recipient, when sender and
        recipient both resolve (otherwise none)."""
        name, day = meta.get("sender"), meta.get("date")
        person = _person(self.person, name) if name else None
        if person is None and not day:
            return {}
        recipients = None
        if to:
            recipient = _person(self.person, meta["recipient"]) if person and meta.get("recipient") else None
            if recipient is None or recipient.id == person.id:
                return {}
            recipients = list(recipient.forms)[:400]
        days = None
        if day:
            try:
                d0 = date.fromisoformat(day)
            except ValueError:
                return {}
            days = ((d0 - timedelta(days=1)).isoformat(), (d0 + timedelta(days=1)).isoformat())
        senders = list(person.forms)[:400] if person is not None else None
        return self.store.message_documents(senders, recipients, days, limit=20000)

    def _group(self, items: list[Evidence]) -> list[Evidence]:
        """Collapse documents carrying the same passage: the best-scored one cites, the others
        are listed as its duplicates (copies by passage first, then whole-document clusters)."""
        out: list[Evidence] = []
        taken: set[str] = set()
        known = _archive_duplicates(self.store, [i.doc_id for i in items])
        for item in items:
            if item.doc_id in taken:
                continue
            if len(out) < COPIES_FOR:
                passage = body_text(item.quote)
                if len(passage.split()) < 12:      # too short to tell a copy from a coincidence
                    passage = body_text(item.doc_text[max(0, item.char_start - 200):item.char_end + 200])
                item.duplicates = [d for d, _ in passage_copies(self.store, passage, taken | {item.doc_id})]
            for d in known.get(item.doc_id, ()):
                if d not in item.duplicates and d not in taken and d != item.doc_id:
                    item.duplicates.append(d)
            taken.add(item.doc_id)
            taken.update(item.duplicates)
            out.append(item)
        return out

    @staticmethod
    def _evidence(doc, page, a, b, score, sim, cov, terms, hits) -> Evidence:
        """An evidence item for the span a:b of `doc`; `hits`: the claim's terms in the whole document."""
        doc_text = doc["text"]
        matched = [(terms[i], span) for i, spans in hits.items() for span in spans if a <= span[0] < b]
        page_no = page if page is not None else doc_text.count("\f", 0, a) + 1
        return Evidence(doc_id=doc["doc_id"], release=doc.get("release"), page=page_no,
                        char_start=a, char_end=b, byte_start=char_to_byte(doc_text, a),
                        byte_end=char_to_byte(doc_text, b), quote=doc_text[a:b], score=score,
                        similarity=sim, coverage=cov, doc_text=doc_text, matched=matched,
                        hit_terms=terms, hits=hits)


@dataclass
class Candidates:
    claim_vec: np.ndarray
    dense: bool
    doc_ids: list[str]
    docs: dict[str, dict]
    passages: dict[str, list]
    psim: dict[int, float]
    hits: dict[str, dict]
    signals: dict[str, dict[str, float]]


# Document rank: dense similarity of the best passage leads; the claim's terms found anywhere in
# the document, the lexical rank of its words, the dense rank of its reported content and a
# message from the claimed sender back it up (weights chosen on the development claims; the
# hybrid rank counts double since hybrid search gained proximity and dictionaries: full-corpus
# source recall@5 0.798 → 0.821, docs/trace.md).
DOC_WEIGHTS = {"psim": 2.0, "dcov": 1.0, "rank_bag": 2.0, "rank_content": 0.6, "rank_rare": 0.5, "sender": 0.8,
               "pair": 0.5, "dated": 0.8}
SENTENCE_WEIGHT = 1.0         # the best aligned sentence's similarity, added to the document's score


def doc_score_of(signals: dict[str, float]) -> float:
    return sum(w * signals.get(k, 0.0) for k, w in DOC_WEIGHTS.items())


def _person(lookup: Callable[[str], Person | None] | None, name: str) -> Person | None:
    """The person a claimed name denotes, trying the whole name, then each word of it (the
    extracted name can carry a neighbouring word)."""
    if lookup is None:
        return None
    words = name.split()
    for candidate in [name] + ([" ".join(words[:2])] if len(words) > 2 else []) + words:
        if len(candidate) < 3:
            continue
        try:
            person = lookup(candidate)
        except Exception:       # people resolution is optional (an archive without intel tables)
            return None
        if person is not None and person.forms:
            return person
    return None


def _span_share(terms, hits, a: int, b: int) -> float:
    return weighted_share(terms, [i for i, spans in hits.items() if any(a <= s < b for s, _ in spans)])


def evidence_score(sentence_sim: float, passage_sim: float, cov: float) -> float:
    """Sentence and passage similarity and term coverage, each in [0, 1]."""
    return 0.4 * max(sentence_sim, 0.0) + 0.25 * max(passage_sim, 0.0) + 0.35 * cov


FACT_KINDS = ("name", "number", "date")


def without_spans(text: str, spans: list[tuple[int, int]]) -> str:
    """`text` with the given character spans cut out (overlapping spans allowed)."""
    out, at = [], 0
    for a, b in sorted(spans):
        if b <= at:
            continue
        out.append(text[at:max(a, at)])
        at = max(at, b)
    out.append(text[at:])
    return " ".join("".join(out).split())


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()[:WINDOW_CHARS * 2]


def _windows(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """One- and two-sentence windows of a passage, capped in length."""
    sents = source_sentences(text, start, end)
    out = []
    for x, y in sents + [(u[0], v[1]) for u, v in zip(sents, sents[1:])]:
        out.append((x, min(y, x + WINDOW_CHARS * 2)))
    return out


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


def _archive_duplicates(store: Store, doc_ids: list[str]) -> dict[str, list[str]]:
    """Duplicate clusters from the archive's duplicate detection, when it is available."""
    try:
        found = duplicates_of(store, doc_ids)
    except Exception:       # an archive built before duplicate detection has no clusters
        return {}
    return {k: list(v) for k, v in (found or {}).items()}
