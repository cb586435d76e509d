"""The people index: correspondent forms, persons, aliases, roles, message keys."""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Iterable, Sequence


class PeopleStore(ABC):
    """Typed methods of this concern; every backend implements all of them."""

    # --- build --------------------------------------------------------------------------------
    @abstractmethod
    def correspondent_form_stats(self) -> list[tuple[str, int, int, int, str | None, str | None]]:
        """(raw form, messages, sent, received, first date, last date) of each distinct form, counted
        in the database, in the order of the form's first appearance (by message, then place)."""

    @abstractmethod
    def withheld_senders(self) -> tuple[int, str | None, str | None]:
        """(count, first date, last date) of the messages whose sender the release withheld."""

    @abstractmethod
    def replace_people(self, persons: list[tuple[int, str, int, int, str | None, str | None, int]],
                       forms: list[tuple[str, int, str, float, int]], keys: list[tuple[str, int]]) -> None:
        """Replace the people index in one transaction: persons (id, name, sent, received, first,
        last, withheld), forms (form, person, method, confidence, n) and keys (key, person; the
        first row of a key wins)."""

    # --- read ---------------------------------------------------------------------------------
    @abstractmethod
    def has_people(self) -> bool:
        """True when the people index has been built (any person stored)."""

    @abstractmethod
    def person_record(self, pid: int) -> dict[str, Any] | None:
        """The stored person {id, name, sent, received, first, last, withheld}, or None."""

    @abstractmethod
    def person_forms(self, pid: int, limit: int) -> list[str]:
        """A person's printed forms, the most frequent first, at most `limit`."""

    @abstractmethod
    def person_names(self) -> dict[int, str]:
        """Person id → display name, for every person."""

    @abstractmethod
    def persons_except(self, excluded: Iterable[int]) -> list[tuple[int, str, int]]:
        """(id, name, sent + received) of every person but the excluded ids, by id."""

    @abstractmethod
    def people_state(self) -> tuple[int, int | None, int | None]:
        """(count, highest id, total activity) of the persons: changes whenever the index does."""

    @abstractmethod
    def activity_at_rank(self, rank: int, excluded: int) -> int | None:
        """sent + received of the `rank`-th most active person (1-based) but `excluded`; None
        when fewer persons exist."""

    @abstractmethod
    def form_person(self, form: str) -> tuple[int, str, float] | None:
        """(person, method, confidence) stored for this exact printed form, or None."""

    @abstractmethod
    def key_person(self, key: str) -> int | None:
        """The person holding this identifying key (`a:`, `n:`, `x:`), or None."""

    @abstractmethod
    def person_counts(self, doc_ids: Iterable[str] | None,
                      limit: int | None = None) -> list[tuple[int, int, int, str | None, str | None]]:
        """(person, messages sent, received, first date, last date) counted over the correspondents
        of the given documents (all documents when None), the most frequent person first; dates
        (YYYY-MM-DD) only from 1990 to 2039."""

    @abstractmethod
    def person_doc_ids(self, pid: int) -> list[str]:
        """doc_id of every document with a message the person sent or received, oldest first."""

    @abstractmethod
    def people_named(self, text: str, limit: int = 20) -> list[tuple[int, str, int, int]]:
        """(person, display name, sent + received, forms) of the persons, the withheld record
        aside, whose display name or one printed form is `text` (case-blind), or whose display
        name holds every word of `text`; the most active first, at most `limit`."""

    @abstractmethod
    def person_form_counts(self, pids: Iterable[int]) -> dict[int, int]:
        """Person → how many printed forms the people index links to them, for these ids."""

    @abstractmethod
    def person_document_rows(self, roles: Sequence[str]) -> list[tuple[int, int]]:
        """(documents.id, person) of every document with a message whose correspondent in one of
        `roles` (from, to, cc, bcc) is printed in a form of that person, each pair once, by
        documents.id then person: what a person facet counts and a person filter matches."""
