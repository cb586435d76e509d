"""Duplicate clusters: MinHash signatures, clusters and their members."""
from __future__ import annotations

from abc import ABC, abstractmethod   # noqa: F401  (abstract methods are added with their callers)
from typing import Any                  # noqa: F401


class DuplicateStore(ABC):
    """Typed methods of this concern; every backend implements all of them."""

    # --- what search reads to show each email once (dalil.search.hybrid.Duplicates) ------------
    @abstractmethod
    def clusters_built(self) -> bool:
        """True when duplicate clusters or copy pairs have been built."""

    @abstractmethod
    def data_stamp(self) -> tuple[Any, ...]:
        """A value that changes whenever the archive's data changes (by this caller or another)."""

    @abstractmethod
    def cluster_signature(self) -> tuple[Any, ...]:
        """A value that changes whenever the clusters, near-duplicate pairs or copy pairs change."""

    @abstractmethod
    def cluster_links(self) -> list[tuple[int, str, float, int]]:
        """(documents.id of a, doc_id of b, similarity, documents.id of b) for each two members of a cluster."""

    @abstractmethod
    def copy_links(self) -> list[tuple[int, int]]:
        """(documents.id of a, documents.id of a document carrying a's text), largest share first."""

    @abstractmethod
    def same_header_documents(self, doc_id: str) -> tuple[str, list[tuple[str, str | None, str]]] | None:
        """The document's text and (doc_id, release, text) of the other documents with its subject,
        date and sender; None when it does not exist or has no subject."""
