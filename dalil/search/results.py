"""Search results, serialised to the JSON contract of `dalil search --json`."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


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
