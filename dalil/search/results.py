"""Search results, serialised to the JSON contract of `dalil search --json`; the ranking and the
matching set they are made from."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
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

    def to_dict(self) -> dict[str, Any]:
        return {"doc_id": self.doc_id, "score": round(self.score, 6), "subject": self.subject,
                "from": self.sender, "date": self.date, "page": self.page, "snippet": self.snippet,
                "highlights": [list(h) for h in self.highlights], "release": self.release,
                "duplicates": self.duplicates}


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

    def to_dict(self) -> dict[str, Any]:
        return {"query": self.query, "lang": self.lang, "mode": self.mode, "total": self.total,
                "hits": [h.to_dict() for h in self.hits], "facets": self.facets,
                "expansions": self.expansions, "took_ms": round(self.took_ms, 2)}


@dataclass
class Matches:
    """Every document matching a query's terms and filters, unranked."""
    rows: np.ndarray                 # documents.id (int64), in the index's order
    scores: np.ndarray | None        # BM25 of each (lower is better); None unless asked, or for filters alone
    marks: list[str]                 # highlight patterns of the query's words
    expansions: dict[str, list[str]]  # OCR spellings added to each query term


@dataclass
class Ranking:
    """The fused ranking of a query (`HybridSearcher.rank`)."""
    query: Query                     # the parsed query
    lang: str                        # the query's language (given or detected)
    mode: str                        # lexical, dense or hybrid
    fused: list[tuple[int, float]]   # (documents.id, fused score), best first
    best_passage: dict[int, int]     # documents.id → id of its best passage (dense)
    marks: list[str]                 # highlight patterns


@dataclass
class ResultSet:
    """A page of search results with the documents the whole result covers, so that the panels
    beside it (timeline, correspondents) are counted from the same ranking."""
    result: SearchResult
    rows: list[int]                  # documents.id of the result set: the fused ranking, or every lexical match
    matching: list[int]              # documents.id of the documents matching all the query's terms and filters
