"""Users and access: the collection each document belongs to, accounts with a role (admin,
editor, reader), the collections granted to each, API tokens and the audit log.

Passwords arrive already hashed (argon2, dalil/access.py) and tokens as their SHA-256: the store
never sees a secret it could leak.  Times are ISO strings given by the caller, so both backends
store the same rows; an expiry compares as text (ISO UTC, to the second)."""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Sequence

ROLES = ("admin", "editor", "reader")


class AccessStore(ABC):
    """Typed methods of this concern; every backend implements all of them."""

    # --- collections -------------------------------------------------------------------------
    @abstractmethod
    def set_collection(self, doc_ids: Sequence[str], collection: str) -> None:
        """Put these documents in `collection` (in the caller's transaction: ingest commits it)."""

    @abstractmethod
    def collections(self) -> list[tuple[str, int]]:
        """(collection, documents) of every collection, by name."""

    @abstractmethod
    def collections_of(self, doc_ids: Sequence[str]) -> dict[str, str]:
        """doc_id → its collection, for those of `doc_ids` that exist."""

    @abstractmethod
    def collection_doc_ids(self, collections: Sequence[str]) -> list[str]:
        """The doc_ids of every document in these collections."""

    @abstractmethod
    def collection_status(self, collections: Sequence[str]) -> dict[str, Any]:
        """`status()` of the documents of these collections: {documents, messages, by_release, by_format}."""

    @abstractmethod
    def set_saved_owner(self, name: str, owner: str) -> None:
        """Record who saved the saved search `name`."""

    @abstractmethod
    def saved_owners(self) -> dict[str, str | None]:
        """saved search name → who saved it (None: saved without an account)."""

    # --- users, grants, tokens ---------------------------------------------------------------
    @abstractmethod
    def has_users(self) -> bool:
        """Whether any account exists (False too for an archive that predates accounts)."""

    @abstractmethod
    def add_user(self, name: str, role: str, password_hash: str, at: str) -> bool:
        """Create an account; False when the name is taken."""

    @abstractmethod
    def users(self) -> list[dict[str, Any]]:
        """Every account by name: {name, role, created, collections}, no password."""

    @abstractmethod
    def user(self, name: str) -> dict[str, Any] | None:
        """{name, role, created, collections, password} of one account, or None."""

    @abstractmethod
    def set_password(self, name: str, password_hash: str) -> bool:
        """Replace an account's password hash; False when there is no such account."""

    @abstractmethod
    def set_role(self, name: str, role: str) -> bool:
        """Change an account's role; False when there is no such account."""

    @abstractmethod
    def set_grant(self, name: str, collection: str, on: bool, at: str) -> bool:
        """Grant (`on`) or revoke a collection to an account; True when that changed something."""

    @abstractmethod
    def add_token(self, token_hash: str, name: str, label: str, created: str, expires: str) -> None:
        """Record an API token (its SHA-256) of an account, valid until `expires`."""

    @abstractmethod
    def token_user(self, token_hash: str, now: str) -> str | None:
        """The account a token belongs to, if it exists and has not expired by `now`."""

    @abstractmethod
    def tokens(self, name: str) -> list[dict[str, Any]]:
        """{label, created, expires} of an account's tokens, oldest first (never the token)."""

    @abstractmethod
    def setting(self, key: str, make: str) -> str:
        """The archive's setting `key` (the web session key); stored as `make` when it has none yet."""

    # --- audit log --------------------------------------------------------------------------------
    @abstractmethod
    def add_audit(self, at: str, user: str, action: str, target: str, detail: str) -> None:
        """Record one action of a user (committed at once: a crash after it keeps the trace)."""

    @abstractmethod
    def audit(self, limit: int | None = None, user: str | None = None) -> list[dict[str, Any]]:
        """The audit log, oldest first (the last `limit` entries): {at, user, action, target, detail}."""
