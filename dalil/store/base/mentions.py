"""Mentioned entities: the people, organisations and places a document's bodies name.

A mention row is (doc_id, kind, label, form, n, person, place): kind is person | org | place,
`label` the name it is counted under (the people index's display name or the gazetteer's English
name when it links to one, else the form as written), `form` its most frequent written form in
the document, `n` how often it occurs there, `person` the people index id it links to (or None),
`place` the gazetteer's English name (or None).  `mention_keys` holds every folded name a
`mentions:` filter finds the document under; `mentions_done` the documents read, and by which
recognizer, so that the pass is incremental."""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Sequence

# (doc_id, kind, label, form, n, person, place)
MentionRow = tuple[str, str, str, str, int, int | None, str | None]
# (doc_id, language, text, [(start, end) of each message body], [(start, end) of each drop span:
# page stamps and release markers the reader cut out of the text, sorted])
MentionSource = tuple[str, str | None, str, list[tuple[int, int]], list[tuple[int, int]]]


class MentionStore(ABC):
    """Typed methods of this concern; every backend implements all of them."""

    @abstractmethod
    def mentions_pending(self, model: str) -> int:
        """How many documents `model` has not read yet."""

    @abstractmethod
    def mention_sources(self, model: str, limit: int) -> list[MentionSource]:
        """The next `limit` documents (by documents.id) that `model` has not read yet."""

    @abstractmethod
    def save_mentions(self, model: str, doc_ids: Sequence[str], rows: Sequence[MentionRow],
                      keys: Sequence[tuple[str, str]]) -> None:
        """Replace the mentions of `doc_ids` by `rows` and (doc_id, key) `keys`, and record them
        as read by `model`, in one transaction."""

    @abstractmethod
    def clear_mentions(self) -> None:
        """Forget every mention and every document read (the next pass reads all)."""

    @abstractmethod
    def document_mentions(self, doc_id: str) -> list[tuple[str, str, str, int, int | None, str | None]]:
        """(kind, label, form, n, person, place) of one document, the most frequent first."""

    @abstractmethod
    def mention_facet_rows(self) -> list[tuple[int, str, str]]:
        """(documents.id, kind, label) of every mention: what the search facet counts."""

    @abstractmethod
    def mentions_state(self) -> int:
        """A number that changes whenever documents are read or mentions cleared (cheap: the
        search facets ask it on every query); 0 when no document has been read."""
