"""Integrity of an archive: the engine's own checks, counts that must agree, rows whose document is
gone, and the repairs that follow from them (`dalil check`)."""
from __future__ import annotations

import hashlib
import json
from abc import ABC, abstractmethod
from typing import Any, Iterable, Iterator, Sequence

# Tables whose rows belong to one document (by doc_id); a row of them without its document is an orphan.
CHILD_TABLES = ("messages", "correspondents", "pages", "passages", "exemptions", "ledger")


class IntegrityStore(ABC):
    @abstractmethod
    def storage_problems(self, full: bool = False) -> list[str]:
        """What the database engine finds wrong in its own file (pages, b-trees, indexes; `full`
        also compares every index with its table); [] when the file is sound."""

    @abstractmethod
    def fulltext_problems(self) -> list[str]:
        """What the full-text index finds wrong in its own structure; [] when sound."""

    @abstractmethod
    def integrity_counts(self) -> dict[str, int]:
        """Counts that must agree: documents, fulltext_rows, passages, ledger (rows naming a
        document), fulltext_missing (documents without a full-text row), fulltext_orphans
        (full-text rows without a document) and `<table>_orphans` for each of CHILD_TABLES."""

    @abstractmethod
    def unindexed_documents(self) -> list[str]:
        """Doc ids of the documents that have no full-text row."""

    @abstractmethod
    def passages_up_to(self, passage_id: int) -> int:
        """How many passages have an id at most `passage_id` (what a vector index built up to it holds)."""

    @abstractmethod
    def clear_fulltext(self) -> None:
        """Empty the full-text index, before it is rebuilt from the documents."""

    @abstractmethod
    def index_fulltext(self, doc_id: str, fields: tuple[str, str, str, str, str]) -> None:
        """Index one stored document: fields are (body, subject, sender, recipients, cc) as prepared."""

    @abstractmethod
    def all_doc_ids(self) -> list[str]:
        """Every stored doc id, in storage order."""

    @abstractmethod
    def drop_orphans(self) -> dict[str, int]:
        """Delete the rows of CHILD_TABLES whose document is gone; rows deleted per table."""

    @abstractmethod
    def intel_stale(self) -> bool:
        """Whether a message has no message key: the intel pass (which writes the keys last) has
        not finished since it was added."""

    @abstractmethod
    def content_digest(self) -> dict[str, str]:
        """A canonical SHA-256 of each content table (rows without their surrogate ids, in any
        order; see `digest_rows`) and of them all (`"all"`): equal digests, equal archives."""

    @abstractmethod
    def passage_keys(self) -> Iterator[tuple[int, str, int]]:
        """(passage id, doc_id, seq) of every passage: what a vector index's passage ids denote."""


def digest_rows(rows: Iterable[Sequence[Any]]) -> tuple[int, str]:
    """(rows, hex digest) of a table's rows, whatever order they come in: each row is written as
    canonical JSON (bytes as hex, JSON objects with sorted keys) and hashed, and the sorted row
    hashes are hashed.  32 bytes a row are kept, never the rows."""
    hashes = []
    for row in rows:
        line = json.dumps([_canonical(v) for v in row], sort_keys=True, ensure_ascii=False)
        hashes.append(hashlib.sha256(line.encode("utf-8", "surrogatepass")).digest())
    hashes.sort()
    h = hashlib.sha256()
    for d in hashes:
        h.update(d)
    return len(hashes), h.hexdigest()


def combine_digests(tables: dict[str, tuple[int, str]]) -> dict[str, str]:
    """{table: "<rows>:<digest>"} and "all", the digest of every table's entry in name order."""
    out = {t: f"{n}:{d}" for t, (n, d) in sorted(tables.items())}
    out["all"] = hashlib.sha256(json.dumps(out, sort_keys=True).encode()).hexdigest()
    return out


def _canonical(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"hex": bytes(value).hex()}
    return value
