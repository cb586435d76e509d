"""Writing an ingest: documents with their rows, and the ledger of inputs."""
from __future__ import annotations

import json
from abc import ABC, abstractmethod
from typing import Any, Callable

from dalil.model import PreparedDocument

META_COLUMN = 11                    # position of `meta` in a prepared document row (store.sqlite.serialize)


def free_doc_id(doc_id: str, taken: Callable[[str], bool]) -> str:
    """`doc_id`, or `doc_id~2`, `~3` … the first one not `taken`: two contents read under one id
    (a re-scan of a DocNo) are both kept, the second as a variant."""
    candidate, n = doc_id, 1
    while taken(candidate):
        n += 1
        candidate = f"{doc_id}~{n}"
    return candidate


def variant_row(doc: PreparedDocument, doc_id: str) -> tuple:
    """The document row to store under `doc_id`: a variant's meta names the id it was read under."""
    row = doc.document_row
    if doc_id == doc.doc_id:
        return row
    meta = json.loads(row[META_COLUMN]) | {"variant_of": doc.doc_id}
    return (*row[:META_COLUMN], json.dumps(meta, ensure_ascii=False), *row[META_COLUMN + 1:])


class IngestStore(ABC):
    @abstractmethod
    def seen_input(self, path: str, member: str, content_hash: str) -> bool:
        """True when this exact input (path, member, content) is already in the ledger."""

    @abstractmethod
    def doc_with_hash(self, doc_id: str, content_hash: str) -> str | None:
        """The stored document read from this content under this id, if any (a duplicate input)."""

    @abstractmethod
    def add_document(self, doc: PreparedDocument, content_hash: str | None, path: str | None,
                     raw: bytes | None) -> str:
        """Store a prepared document (its rows, made in a reader process); returns the doc_id
        actually used (`ID~2` when another content already holds the id)."""

    @abstractmethod
    def add_ledger(self, row: dict[str, Any]) -> None: ...

    @abstractmethod
    def complete_container(self, path: str, content_hash: str) -> None:
        """Give the row of the container file `path` (written when it was opened) its content hash,
        unless one of its members failed or was skipped: every member is then in the ledger."""

    @abstractmethod
    def container_inputs(self, path: str, content_hash: str) -> int | None:
        """How many members the container file `path` had when it was completed with this
        content (`complete_container`), or None when it was not: an unchanged one is skipped whole."""

    @abstractmethod
    def commit(self) -> None: ...

    @abstractmethod
    def finish_ingest(self) -> None:
        """Rebuild derived structures (spelling index, statistics) after an ingest."""
