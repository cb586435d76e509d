"""SQLite: collections, accounts, grants, tokens and the audit log (dalil/store/base/access.py)."""
from __future__ import annotations

import json
from typing import Any, Sequence


class SQLiteAccess:
    """Mixin of SQLiteStore; `self.db` is the thread's connection.  An archive of an older schema
    opened read-only has no accounts: the reads answer empty (everything in "default")."""

    def _has_access(self) -> bool:
        return self.db.execute("SELECT 1 FROM sqlite_master WHERE name = 'users'").fetchone() is not None

    def set_collection(self, doc_ids: Sequence[str], collection: str) -> None:
        self.db.execute("UPDATE documents SET collection = ? WHERE doc_id IN (SELECT value FROM json_each(?))",
                        (collection, json.dumps(list(doc_ids))))

    def collections(self) -> list[tuple[str, int]]:
        if not self._has_access():
            n = self.db.execute("SELECT count(*) FROM documents").fetchone()[0]
            return [("default", n)] if n else []
        return [(r[0], r[1]) for r in self.db.execute(
            "SELECT collection, count(*) FROM documents GROUP BY collection ORDER BY collection")]

    def collections_of(self, doc_ids: Sequence[str]) -> dict[str, str]:
        column = "collection" if self._has_access() else "'default'"
        return {r[0]: r[1] for r in self.db.execute(
            f"SELECT doc_id, {column} FROM documents WHERE doc_id IN (SELECT value FROM json_each(?))",
            (json.dumps(list(doc_ids)),))}

    def collection_doc_ids(self, collections: Sequence[str]) -> list[str]:
        return [r[0] for r in self.db.execute(
            "SELECT doc_id FROM documents WHERE collection IN (SELECT value FROM json_each(?))",
            (json.dumps(list(collections)),))]

    def collection_status(self, collections: Sequence[str]) -> dict[str, Any]:
        where, p = "collection IN (SELECT value FROM json_each(?))", (json.dumps(list(collections)),)
        db = self.db
        return {
            "documents": db.execute(f"SELECT count(*) FROM documents WHERE {where}", p).fetchone()[0],
            "messages": db.execute(f"SELECT count(*) FROM messages WHERE doc_id IN "
                                   f"(SELECT doc_id FROM documents WHERE {where})", p).fetchone()[0],
            "by_release": {r or "(none)": n for r, n in db.execute(
                f"SELECT release, count(*) FROM documents WHERE {where} GROUP BY release ORDER BY release", p)},
            "by_format": {f: n for f, n in db.execute(
                f"SELECT source_format, count(*) FROM documents WHERE {where} GROUP BY source_format "
                "ORDER BY 2 DESC", p)},
        }

    def set_saved_owner(self, name: str, owner: str) -> None:
        with self.db as db:
            db.execute("UPDATE saved_searches SET owner = ? WHERE name = ?", (owner, name))

    def saved_owners(self) -> dict[str, str | None]:
        if not self._has_access():
            return {}
        return {r[0]: r[1] for r in self.db.execute("SELECT name, owner FROM saved_searches")}

    def has_users(self) -> bool:
        return self._has_access() and self.db.execute("SELECT 1 FROM users LIMIT 1").fetchone() is not None

    def add_user(self, name: str, role: str, password_hash: str, at: str) -> bool:
        with self.db as db:
            return db.execute("INSERT OR IGNORE INTO users VALUES (?, ?, ?, ?)",
                              (name, role, password_hash, at)).rowcount > 0

    def _grants(self, name: str) -> list[str]:
        return [r[0] for r in self.db.execute(
            "SELECT collection FROM user_grants WHERE name = ? ORDER BY collection", (name,))]

    def users(self) -> list[dict[str, Any]]:
        if not self._has_access():
            return []
        return [{"name": n, "role": r, "created": c, "collections": self._grants(n)}
                for n, r, c in self.db.execute("SELECT name, role, created FROM users ORDER BY name").fetchall()]

    def user(self, name: str) -> dict[str, Any] | None:
        if not self._has_access():
            return None
        row = self.db.execute("SELECT name, role, created, password FROM users WHERE name = ?", (name,)).fetchone()
        if row is None:
            return None
        return {"name": row[0], "role": row[1], "created": row[2], "password": row[3],
                "collections": self._grants(row[0])}

    def set_password(self, name: str, password_hash: str) -> bool:
        with self.db as db:
            return db.execute("UPDATE users SET password = ? WHERE name = ?", (password_hash, name)).rowcount > 0

    def set_role(self, name: str, role: str) -> bool:
        with self.db as db:
            return db.execute("UPDATE users SET role = ? WHERE name = ?", (role, name)).rowcount > 0

    def set_grant(self, name: str, collection: str, on: bool, at: str) -> bool:
        with self.db as db:
            if on:
                return db.execute("INSERT OR IGNORE INTO user_grants VALUES (?, ?, ?)",
                                  (name, collection, at)).rowcount > 0
            return db.execute("DELETE FROM user_grants WHERE name = ? AND collection = ?",
                              (name, collection)).rowcount > 0

    def add_token(self, token_hash: str, name: str, label: str, created: str, expires: str) -> None:
        with self.db as db:
            db.execute("INSERT INTO user_tokens VALUES (?, ?, ?, ?, ?)", (token_hash, name, label, created, expires))

    def token_user(self, token_hash: str, now: str) -> str | None:
        if not self._has_access():
            return None
        row = self.db.execute("SELECT t.name FROM user_tokens t JOIN users u ON u.name = t.name "
                              "WHERE t.hash = ? AND t.expires > ?", (token_hash, now)).fetchone()
        return row[0] if row else None

    def tokens(self, name: str) -> list[dict[str, Any]]:
        return [{"label": r[0], "created": r[1], "expires": r[2]} for r in self.db.execute(
            "SELECT label, created, expires FROM user_tokens WHERE name = ? ORDER BY created, label", (name,))]

    def setting(self, key: str, make: str) -> str:
        with self.db as db:
            db.execute("INSERT OR IGNORE INTO meta VALUES (?, ?)", (f"setting:{key}", make))
            return db.execute("SELECT value FROM meta WHERE key = ?", (f"setting:{key}",)).fetchone()[0]

    def add_audit(self, at: str, user: str, action: str, target: str, detail: str) -> None:
        with self.db as db:
            db.execute("INSERT INTO audit (at, user, action, target, detail) VALUES (?, ?, ?, ?, ?)",
                       (at, user, action, target, detail))

    def audit(self, limit: int | None = None, user: str | None = None) -> list[dict[str, Any]]:
        if not self._has_access():
            return []
        where, params = ("WHERE user = ?", [user]) if user is not None else ("", [])
        rows = self.db.execute(f"SELECT at, user, action, target, detail FROM audit {where} "
                               "ORDER BY id DESC LIMIT ?", (*params, -1 if limit is None else limit)).fetchall()
        return [{"at": r[0], "user": r[1], "action": r[2], "target": r[3], "detail": r[4]} for r in reversed(rows)]
