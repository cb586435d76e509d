"""Full-text search: term statistics, BM25 ranking, the OCR spelling vocabulary, facets over a set of documents.

Documents are named here by their index row (`documents.id`, an int: what rankings, masks and
facet arrays are indexed by).  A full-text expression `match` is in the FTS5 query language
(quoted terms, `"prefix"*`, `{column} : expr`, AND, OR, NOT, parentheses), the one that
dalil.search.lexical builds.  A filter is (field, value, negated) with field one of doc, release,
exemption, after, before, lang, tag, is, mentions, collection (the query syntax's filters,
dalil.search.query.SQL_FIELDS), collections (a user's access scope: the value is a JSON list of
the collections granted, dalil/store/base/access.py), or from_person, to_person, cc_person (a person filter resolved by
dalil.search.persons: the value is person ids joined by commas; a document passes when one of its
messages has a correspondent in that role printed in a form the people index links to one of
those persons)."""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Iterable, Iterator, Mapping, Sequence

from dalil.text.normalize import mention_key

Filter = tuple[str, str, bool]


def filter_clause(filters: Sequence[Filter], sql: Mapping[str, str], true: str) -> tuple[str, list[Any]]:
    """SQL condition on `documents d` for the query's filters, and its parameters (`true` for none).
    What each filter means lives here; `sql` is the backend's statement for each kind ("doc",
    "doc_prefix", "release", "exemption", "after", "before", "lang", "mentions", "from_person",
    "to_person", "cc_person", "collection", "collections", and the kept work's "tag", "flag", "noted"), with its own placeholder.
    A negated filter is NOT(...): a document whose field is NULL passes neither it nor its negation."""
    clauses, params = [], []
    for field, value, negated in filters:
        if field == "doc":
            kind, p = ("doc_prefix", value.rstrip("*").upper() + "%") if value.endswith("*") else ("doc", value.upper())
        elif field == "release":
            kind, p = "release", f"%{value}%"
        elif field in ("exemption", "after", "before", "tag", "from_person", "to_person", "cc_person", "collection",
                       "collections"):
            kind, p = field, value
        elif field == "mentions":     # any name the document's mentions are keyed under (store/base/mentions.py)
            kind, p = "mentions", mention_key(value)
        elif field == "is":         # is:starred, is:read (a flag), is:noted (a note is written)
            kind, p = ("noted", "") if value == "noted" else ("flag", value)
        else:   # lang
            kind, p = "lang", value.lower()
        clauses.append(f"NOT ({sql[kind]})" if negated else sql[kind])
        params.append(p)
    return (" AND ".join(clauses) or true), params
# (documents.id, doc_id, subject, sender, date, release, n_pages): what a search hit shows.
HitRow = tuple[int, str, str | None, str | None, str | None, str | None, int | None]
# (documents.id, release, year, sender, lang): a document's facet values.
FacetRow = tuple[int, str | None, str | None, str | None, str | None]


class FullTextStore(ABC):
    # --- term statistics -------------------------------------------------------------------
    @abstractmethod
    def max_doc_row(self) -> int:
        """The highest documents.id (0 for an empty archive)."""

    @abstractmethod
    def term_df(self, term: str) -> int:
        """How many documents hold the index term (0 when it is not indexed)."""

    @abstractmethod
    def prefix_df(self, prefix: str) -> int:
        """The document frequency of the most frequent indexed term starting with `prefix` (0: none)."""

    @abstractmethod
    def spelling_candidates(self, skeleton_prefix: str, max_df: int) -> list[tuple[str, str, int]]:
        """(term, skeleton, df) of the indexed terms whose skeleton starts with `skeleton_prefix`
        and that are in at most `max_df` documents."""

    @abstractmethod
    def known_terms(self, terms: Iterable[str]) -> set[str]:
        """Those of `terms` that are indexed."""

    @abstractmethod
    def phrase_exists(self, phrase: str) -> bool:
        """True when some document holds the phrase (index terms, space-separated, in order)."""

    # --- matching and ranking --------------------------------------------------------------
    @abstractmethod
    def match_rows(self, match: str, filters: Sequence[Filter] = ()) -> list[int]:
        """documents.id of every document matching the expression and the filters (index order)."""

    @abstractmethod
    def match_scores(self, match: str, filters: Sequence[Filter] = ()) -> tuple[list[int], list[float]]:
        """documents.id and BM25 score (lower is better) of every document matching the
        expression and the filters, in index order."""

    @abstractmethod
    def rows_matching_each(self, matches: Sequence[str], rows: Sequence[int]) -> list[set[int]]:
        """For each expression, those of the documents.id `rows` that match it (one set each)."""

    @abstractmethod
    def ranked_rows(self, match: str, filters: Sequence[Filter], limit: int) -> list[int]:
        """documents.id of the `limit` best documents matching the expression and the filters, by BM25."""

    @abstractmethod
    def filter_rows(self, filters: Sequence[Filter]) -> list[int]:
        """documents.id of every document the filters let through (all when there are none)."""

    @abstractmethod
    def newest_rows(self, filters: Sequence[Filter], limit: int) -> list[int]:
        """documents.id of the `limit` newest documents the filters let through."""

    @abstractmethod
    def newest_hit_rows(self, filters: Sequence[Filter], limit: int, offset: int = 0) -> list[HitRow]:
        """Hit rows of the documents the filters let through, newest first, from `offset`."""

    # --- reading documents by their index row -----------------------------------------------
    @abstractmethod
    def hit_rows(self, rows: Sequence[int]) -> dict[int, HitRow]:
        """documents.id → its hit row, for those of `rows` that exist."""

    @abstractmethod
    def texts(self, rows: Sequence[int], chars: int | None = None) -> dict[int, str]:
        """documents.id → its text (its first `chars` characters when given)."""

    @abstractmethod
    def texts_after(self, row: int) -> Iterator[tuple[int, str]]:
        """(documents.id, text) of every document above `row`, in id order (read as a stream)."""

    @abstractmethod
    def rows_of_doc_ids(self, doc_ids: Sequence[str]) -> dict[str, int]:
        """doc_id → documents.id, for those of `doc_ids` that exist."""

    @abstractmethod
    def export_fields(self, rows: Sequence[int]) -> dict[int, dict[str, Any]]:
        """documents.id → {doc_id, release, case, date, sender, subject, recipients (of the first
        message, a list)}: the columns of an export row, for those of `rows` that exist."""

    @abstractmethod
    def short_rows(self, max_bytes: int) -> list[int]:
        """documents.id of the documents whose text is at most `max_bytes` bytes of UTF-8."""

    # --- facets over a set of documents ------------------------------------------------------
    @abstractmethod
    def facet_rows(self) -> tuple[list[FacetRow], list[tuple[int, str]]]:
        """Every document's facet values, and (documents.id, exemption code) of every exemption."""

    @abstractmethod
    def months_of(self, rows: Sequence[int]) -> dict[str, int]:
        """'YYYY-MM' → how many of these documents are dated in that month (from 1990 on)."""

    @abstractmethod
    def correspondents_of(self, rows: Sequence[int], limit: int) -> list[tuple[str, int, int]]:
        """(correspondent as written, documents, documents sent) of the `limit` correspondents in
        most of these documents (name, else address, else the raw form; grouped case-blind)."""

    # --- BM25 reads for claim tracing ------------------------------------------------------------
    @abstractmethod
    def documents_matching(self, phrases: list[str], limit: int,
                           weights: tuple[float, ...] | None = None) -> list[str]:
        """doc_ids of the `limit` documents holding any of `phrases` (each a space-separated
        sequence of index terms, matched as a phrase), best BM25 first; `weights`: one per
        indexed field (body, subject, sender, recipients, cc), all 1 when None."""

    @abstractmethod
    def texts_matching(self, phrases: list[str], limit: int) -> list[tuple[str, str]]:
        """(doc_id, text) of the `limit` documents holding any of `phrases` (as in
        `documents_matching`), best BM25 first."""
