"""Passages for the dense index: which are embedded, their text spans, name tables."""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Iterator, Sequence

import numpy as np


class VectorStore(ABC):
    @abstractmethod
    def passages_after(self, passage_id: int) -> int:
        """How many passages have an id above `passage_id` (those not embedded yet)."""

    @abstractmethod
    def passage_batches(self, passage_id: int, size: int) -> Iterator[list[tuple[int, int, str]]]:
        """(passage id, documents.id, passage text) of the passages above `passage_id`, in id
        order, `size` at a time (read as a stream)."""

    @abstractmethod
    def passage_span(self, passage_id: int) -> tuple[int | None, int, str, int] | None:
        """(page, start offset in its document's text, text, UTF-8 byte offset of its start) of a passage, or None."""

    # --- the vectors themselves, where the database holds them (PostgreSQL: pgvector) ----------
    # SQLite keeps them in the archive's vector files beside the database (dalil.search.dense
    # VectorIndex: float16 shards and a usearch graph); there `holds_vectors` is False, the
    # reads below find nothing and the writes refuse.

    @abstractmethod
    def holds_vectors(self) -> bool:
        """Whether the passage vectors live in this database (else in the vector files beside it)."""

    @abstractmethod
    def vector_meta(self) -> dict | None:
        """{signature, last_passage_id, count, build_seconds} of the vectors held, or None when none are."""

    @abstractmethod
    def vector_passages(self) -> int:
        """How many distinct passages the vectors held embed (a passage may have two vectors)."""

    @abstractmethod
    def reset_vectors(self, signature: dict) -> None:
        """Drop every vector held and start again for the model `signature`."""

    @abstractmethod
    def add_vectors(self, passage_ids: Sequence[int], doc_rows: Sequence[int], vectors: np.ndarray,
                    seconds: float) -> None:
        """Store one build step's vectors (float16, one row per embedded text, a passage's texts in
        order) and move the meta past them, in one transaction: each step is a resume point."""

    @abstractmethod
    def vector_graph(self) -> bool:
        """Whether the database holds an approximate-search graph (HNSW) over its vectors."""

    @abstractmethod
    def ensure_vector_graph(self) -> bool:
        """Build the HNSW graph over the vectors held, where this database is set to (see the
        backend); whether the graph exists afterwards."""

    @abstractmethod
    def nearest_passages(self, vector: np.ndarray, k: int, doc_rows: Sequence[int] | None = None,
                         exact: bool = False, ef_search: int = 600) -> list[tuple[int, int, float]]:
        """(passage id, documents.id, inner product) of the k vectors nearest `vector`, best first
        (ties by passage id): over those of `doc_rows` only when given; by a full scan when
        `exact` or there is no graph, else through the HNSW graph searching `ef_search` candidates."""

    @abstractmethod
    def vector_batches(self, size: int) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """(passage ids, documents.id, float16 vectors) of every vector held, in passage order, `size` at a time."""
