"""Duplicate clusters: MinHash signatures, clusters and their members."""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Iterable, Iterator


class DuplicateStore(ABC):
    """Typed methods of this concern; every backend implements all of them."""

    @abstractmethod
    def document_texts(self) -> Iterator[tuple[str, str, dict[str, Any]]]:
        """(doc_id, text, meta) of every document, streamed (the corpus does not fit in a list)."""

    @abstractmethod
    def comparable_document(self, doc_id: str) -> dict[str, Any] | None:
        """What a comparison of copies reads of one document: {doc_id, text, meta, disposition,
        exemptions, release}, or None."""

    @abstractmethod
    def replace_duplicates(self, pairs: list[tuple[str, str, float]], clusters: list[tuple[str, int]],
                           copies: list[tuple[str, str, float]]) -> None:
        """Replace the near-duplicate pairs (a, b, similarity), cluster members (doc_id, cluster)
        and copies (a, b, share) in one transaction."""

    @abstractmethod
    def cluster_mates(self, doc_ids: Iterable[str]) -> list[tuple[str, str, float]]:
        """(doc, other member of its cluster, their similarity or 0) for the given documents."""

    @abstractmethod
    def copies_of(self, doc_ids: Iterable[str]) -> list[tuple[str, str, float]]:
        """(doc, a document carrying its text, share) for the given documents."""

    # --- what search reads to show each email once (dalil.search.hybrid.Duplicates) ------------
    @abstractmethod
    def clusters_built(self) -> bool:
        """True when duplicate clusters or copy pairs have been built."""

    @abstractmethod
    def data_stamp(self) -> tuple[Any, ...]:
        """A value that changes whenever the archive's data changes (by this caller or another)."""

    @abstractmethod
    def content_key(self) -> tuple[str, str] | None:
        """(which archive, a text that changes whenever its data changes), the same in every
        process reading it (a key for what search derives from the whole archive and keeps
        between processes), or None when there is no cheap one."""

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
