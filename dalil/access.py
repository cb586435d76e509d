"""Accounts, sessions, tokens and the audit log: the part of `Archive` a team server needs.

A user has a role and the collections granted to them:
  reader — searches, reads, traces and exports the granted collections; changes nothing;
  editor — a reader who also tags, stars, notes and saves searches (and may ingest from the CLI);
  admin  — sees every collection, manages accounts and reads the audit log.
`Archive.for_user(user)` (dalil/scoped.py) is the one place where access is enforced: the faces
never filter anything themselves.

Secrets: passwords are argon2id hashes (argon2-cffi's defaults), an API token is stored as its
SHA-256 only, a session cookie is `<name>|<expiry>|<nonce>` signed with HMAC-SHA256 under a key
kept in the archive (so every server process of one archive accepts the same sessions), and a
form's CSRF token is an HMAC of its session under the same key.
"""
from __future__ import annotations

import base64
import csv
import hashlib
import hmac
import io
import json
import re
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Iterator

from dalil.store import Store
from dalil.store.base.access import ROLES

DEFAULT_COLLECTION = "default"
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")
COLLECTION = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
MIN_PASSWORD = 10
TOKEN_DAYS = 90
SESSION_SECONDS = 12 * 3600
TOKEN_PREFIX = "dalil_"


@dataclass(frozen=True)
class User:
    """An account as the archive scopes it: name, role and the collections granted."""
    name: str
    role: str
    collections: tuple[str, ...] = ()

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def can_edit(self) -> bool:
        """Whether this user may change kept work (tags, stars, notes, saved searches)."""
        return self.role in ("admin", "editor")

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "role": self.role, "collections": list(self.collections)}


def check_collection(name: str) -> str:
    """The collection name, or ValueError: letters, digits, . _ - (up to 64), starting with a letter or digit."""
    if not COLLECTION.fullmatch(name or ""):
        raise ValueError(f"bad collection name {name!r}: letters, digits, . _ - (up to 64 characters)")
    return name


def now_iso(seconds: float | None = None) -> str:
    """UTC, ISO 8601 to the second: the form every time of this concern is stored in."""
    t = datetime.now(timezone.utc) if seconds is None else datetime.fromtimestamp(seconds, timezone.utc)
    return t.replace(microsecond=0).isoformat()


def _hasher():
    from argon2 import PasswordHasher
    return PasswordHasher()


class AccessMixin:
    """The account methods of `Archive` (needs `self.store` and a writable `self.kept_store`)."""

    store: Store
    kept_store: Store
    SESSION_SECONDS = SESSION_SECONDS

    # --- accounts -------------------------------------------------------------------------------
    def has_users(self) -> bool:
        """Whether the archive has accounts (then the web server asks everyone to log in)."""
        return self.store.has_users()

    def collections(self) -> list[tuple[str, int]]:
        """(collection, documents) of every collection."""
        return self.store.collections()

    def add_user(self, name: str, role: str, password: str) -> User:
        """Create an account; ValueError for a bad name, role or short password, or a name taken."""
        if not NAME.fullmatch(name or ""):
            raise ValueError(f"bad user name {name!r}: letters, digits, . _ @ - (up to 64 characters)")
        if role not in ROLES:
            raise ValueError(f"bad role {role!r}: one of {', '.join(ROLES)}")
        _check_password(password)
        if not self.kept_store.add_user(name, role, _hasher().hash(password), now_iso()):
            raise ValueError(f"a user named {name!r} exists")
        return self.user(name)

    def users(self) -> list[dict[str, Any]]:
        """Every account: {name, role, created, collections}."""
        return self.store.users()

    def user(self, name: str) -> User:
        """The account `name`; LookupError when there is none."""
        row = self.kept_store.user(name)
        if row is None:
            raise LookupError(f"no user {name!r} (`dalil user list` shows them)")
        return User(row["name"], row["role"], tuple(row["collections"]))

    def set_password(self, name: str, password: str) -> None:
        _check_password(password)
        if not self.kept_store.set_password(name, _hasher().hash(password)):
            raise LookupError(f"no user {name!r}")

    def set_role(self, name: str, role: str) -> None:
        if role not in ROLES:
            raise ValueError(f"bad role {role!r}: one of {', '.join(ROLES)}")
        if not self.kept_store.set_role(name, role):
            raise LookupError(f"no user {name!r}")

    def grant(self, name: str, collection: str, on: bool = True) -> bool:
        """Grant a collection to a user (`on`=False: revoke it); True when that changed something."""
        self.user(name)
        return self.kept_store.set_grant(name, check_collection(collection), on, now_iso())

    def new_token(self, name: str, days: int = TOKEN_DAYS, label: str = "") -> dict[str, Any]:
        """A new API token of a user, valid `days` days: {token, expires}; the token is shown once
        (only its SHA-256 is kept)."""
        self.user(name)
        if not 0 < days <= 3650:
            raise ValueError("a token lives 1 to 3650 days")
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        created = now_iso()
        expires = now_iso(time.time() + days * 86400)
        self.kept_store.add_token(_sha256(token), name, label or created, created, expires)
        return {"user": name, "token": token, "expires": expires}

    def tokens(self, name: str) -> list[dict[str, Any]]:
        return self.store.tokens(name)

    # --- authentication -----------------------------------------------------------------------
    def authenticate(self, name: str, password: str) -> User | None:
        """The user whose password this is, or None (a wrong name costs the same hash time)."""
        from argon2.exceptions import InvalidHashError, VerificationError
        row = self.kept_store.user(name) if NAME.fullmatch(name or "") else None
        hasher = _hasher()
        try:
            hasher.verify(row["password"] if row else _DUMMY_HASH, password or "")
        except (VerificationError, InvalidHashError):
            return None
        return User(row["name"], row["role"], tuple(row["collections"])) if row else None

    def user_for_token(self, token: str) -> User | None:
        """The user of a valid, unexpired API token, or None."""
        if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
            return None
        name = self.kept_store.token_user(_sha256(token), now_iso())
        return self.user(name) if name else None

    def _session_key(self) -> bytes:
        return bytes.fromhex(self.kept_store.setting("session_key", secrets.token_hex(32)))

    def new_session(self, user: User, seconds: int = SESSION_SECONDS) -> str:
        """A signed session value for a cookie, valid `seconds`."""
        payload = f"{user.name}|{int(time.time()) + seconds}|{secrets.token_hex(8)}"
        raw = base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")
        return f"{raw}.{_mac(self._session_key(), raw)}"

    def user_for_session(self, value: str) -> User | None:
        """The user of a session value whose signature holds and that has not expired, or None.
        The account is read again: a revoked grant or a deleted role takes effect at once."""
        if not value or len(value) > 400 or "." not in value:
            return None
        raw, mac = value.rsplit(".", 1)
        if not hmac.compare_digest(mac, _mac(self._session_key(), raw)):
            return None
        try:
            name, expiry, _ = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode().split("|")
        except (ValueError, UnicodeDecodeError):
            return None
        if int(expiry) < time.time():
            return None
        try:
            return self.user(name)
        except LookupError:
            return None

    def csrf_token(self, session: str) -> str:
        """The CSRF token of a session: what every state-changing form and request must carry."""
        return _mac(self._session_key(), "csrf:" + session)

    def check_csrf(self, session: str, token: str) -> bool:
        return bool(token) and hmac.compare_digest(token, self.csrf_token(session))

    # --- audit log ----------------------------------------------------------------------------
    def record(self, user: str, action: str, target: str = "", detail: str = "") -> None:
        """Add one line to the audit log (who, what, on what)."""
        self.kept_store.add_audit(now_iso(), user, action, target[:500], detail[:2000])

    def audit(self, limit: int | None = None, user: str | None = None) -> list[dict[str, Any]]:
        """The audit log, oldest first: {at, user, action, target, detail}."""
        return self.kept_store.audit(limit, user)

    @staticmethod
    def audit_csv(entries: list[dict[str, Any]]) -> Iterator[str]:
        """Audit entries as CSV lines, the header first."""
        buf = io.StringIO()
        writer = csv.writer(buf)
        for row in [["at", "user", "action", "target", "detail"]] + \
                [[e["at"], e["user"], e["action"], e["target"], e["detail"]] for e in entries]:
            writer.writerow(row)
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()

    @staticmethod
    def audit_json(entries: list[dict[str, Any]]) -> str:
        return json.dumps(entries, ensure_ascii=False, indent=2)


def _check_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD:
        raise ValueError(f"a password needs at least {MIN_PASSWORD} characters")


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _mac(key: bytes, text: str) -> str:
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


# Verified against when the name is unknown, so that a wrong name and a wrong password take as long.
_DUMMY_HASH = "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$" \
              "2Xk3mZ2vM0b0u0b8mH0Yt1j8m0hX9sQmJ2s8Yb7o8nE"
