"""Search results, serialised to the JSON contract of `dalil search --json`; the ranking and the
matching set they are made from."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from dalil.search.bridge import Bridged
    from dalil.search.persons import PersonFilter
    from dalil.search.query import Query


@dataclass
class SearchHit:
    doc_id: str
    score: float
    subject: str | None
    sender: str | None
    date: str | None                 # YYYY-MM-DD
    page: int | None
    snippet: str
    highlights: list[tuple[int, int]] = field(default_factory=list)   # spans inside `snippet`
    release: str | None = None
    start: int | None = None         # char offset of the first match in the document text
    duplicates: list[str] = field(default_factory=list)
    match: str = "exact"             # exact: holds every concept of the query; related: similar only
    matched_terms: list[str] = field(default_factory=list)   # the query's forms the document holds
    row: int | None = None           # documents.id (not in the JSON)
    # The UTF-8 byte range of the stored text the snippet is cut from (what a link to it marks).
    byte_start: int | None = None
    byte_end: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"doc_id": self.doc_id, "score": round(self.score, 6), "subject": self.subject,
                "from": self.sender, "date": self.date, "page": self.page, "snippet": self.snippet,
                "highlights": [list(h) for h in self.highlights], "release": self.release,
                "duplicates": self.duplicates, "match": self.match, "matched_terms": self.matched_terms,
                "byte_start": self.byte_start, "byte_end": self.byte_end}


@dataclass
class SearchResult:
    query: str
    total: int
    hits: list[SearchHit]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    lang: str | None = None
    mode: str = "lexical"
    took_ms: float = 0.0
    expansions: dict[str, list[str]] = field(default_factory=dict)
    related_total: int = 0           # documents similar in meaning only, listed after the exact ones
    missing: list[str] = field(default_factory=list)   # the query's concepts no document holds
    people: list["PersonFilter"] = field(default_factory=list)   # from:/to:/cc: terms read as persons
    # sender / recipient → [{id, name, kind, count, forms}]: the facets by person, with the forms
    person_facets: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    stages: list[str] = field(default_factory=list)    # the pipeline's stages that ran, in order
    partial: bool = False            # the time budget ran out: later stages were left out

    @property
    def no_exact(self) -> bool:
        """No document holds every concept of the query (its words, or their bridged forms)."""
        return self.total == 0

    def to_dict(self) -> dict[str, Any]:
        return {"query": self.query, "lang": self.lang, "mode": self.mode, "total": self.total,
                "related_total": self.related_total, "no_exact": self.no_exact, "missing": self.missing,
                "hits": [h.to_dict() for h in self.hits], "facets": self.facets,
                "expansions": self.expansions, "people": [p.as_dict() for p in self.people],
                "person_facets": self.person_facets,
                "took_ms": round(self.took_ms, 2), "partial": self.partial, "stages": self.stages}


@dataclass
class Matches:
    """Every document matching a query's terms and filters, unranked."""
    rows: np.ndarray                 # documents.id (int64), in the index's order
    scores: np.ndarray | None        # BM25 of each (lower is better); None unless asked, or for filters alone
    marks: list[str]                 # highlight patterns of the query's words
    expansions: dict[str, list[str]]  # OCR spellings added to each query term


@dataclass
class Concept:
    """One content concept of a query (a word, a phrase, or words joined by OR) and the forms
    through which a document holds it: the words themselves, their OCR spellings, their bridged
    translations and transliterations."""
    label: str                         # the query's words
    forms: list[tuple[str, str]]       # (form as shown, full-text expression)

    def expression(self) -> str:
        return "(" + " OR ".join(expr for _, expr in self.forms) + ")"


@dataclass
class Ranking:
    """The fused ranking of a query (`HybridSearcher.rank`)."""
    query: Query                     # the parsed query
    lang: str                        # the query's language (given or detected)
    mode: str                        # lexical, dense or hybrid
    fused: list[tuple[int, float]]   # (documents.id, fused score), best first
    best_passage: dict[int, int]     # documents.id → id of its best passage (dense)
    marks: list[str]                 # highlight patterns
    bridged: Bridged | None = None   # what the bridge made of the query's words


@dataclass
class ResultSet:
    """A page of search results with the documents the whole result covers, so that the panels
    beside it (timeline, correspondents) are counted from the same ranking."""
    result: SearchResult
    rows: list[int]                  # documents.id the panels count: the exact matches (the related
                                     # ones when there is none)
    matching: list[str]              # doc_id of the exact matches
