"""PostgreSQL: collections, accounts, grants, tokens and the audit log (dalil/store/base/access.py)."""
from __future__ import annotations

import json
from typing import Any, Sequence


class PostgresAccess:
    """Mixin of PostgresStore; `self.db` is the thread's psycopg connection.  Each write is its
    own transaction (`_write`, shared with the kept work), except `set_collection`, which runs in
    the ingest's transaction."""

    def set_collection(self, doc_ids: Sequence[str], collection: str) -> None:
        self.db.execute("UPDATE documents SET collection = %s WHERE doc_id = ANY(%s)", (collection, list(doc_ids)))

    def collections(self) -> list[tuple[str, int]]:
        return [(r[0], r[1]) for r in self.db.execute(
            'SELECT collection, count(*) FROM documents GROUP BY collection ORDER BY collection COLLATE "C"')]

    def collections_of(self, doc_ids: Sequence[str]) -> dict[str, str]:
        return {r[0]: r[1] for r in self.db.execute(
            "SELECT doc_id, collection FROM documents WHERE doc_id = ANY(%s)", (list(doc_ids),))}

    def collection_doc_ids(self, collections: Sequence[str]) -> list[str]:
        return [r[0] for r in self.db.execute(
            "SELECT doc_id FROM documents WHERE collection = ANY(%s)", (list(collections),))]

    def collection_status(self, collections: Sequence[str]) -> dict[str, Any]:
        where, p = "collection = ANY(%s)", (list(collections),)
        db = self.db
        return {
            "documents": db.execute(f"SELECT count(*) FROM documents WHERE {where}", p).fetchone()[0],
            "messages": db.execute(f"SELECT count(*) FROM messages WHERE doc_id IN "
                                   f"(SELECT doc_id FROM documents WHERE {where})", p).fetchone()[0],
            "by_release": {r or "(none)": n for r, n in db.execute(
                f'SELECT release, count(*) FROM documents WHERE {where} GROUP BY release '
                'ORDER BY release COLLATE "C"', p)},
            "by_format": {f: n for f, n in db.execute(
                f"SELECT source_format, count(*) FROM documents WHERE {where} GROUP BY source_format "
                'ORDER BY 2 DESC, source_format COLLATE "C"', p)},
        }

    def set_saved_owner(self, name: str, owner: str) -> None:
        self._write("UPDATE saved_searches SET owner = %s WHERE name = %s", (owner, name))

    def saved_owners(self) -> dict[str, str | None]:
        return {r[0]: r[1] for r in self.db.execute("SELECT name, owner FROM saved_searches")}

    def has_users(self) -> bool:
        return self.db.execute("SELECT 1 FROM users LIMIT 1").fetchone() is not None

    def add_user(self, name: str, role: str, password_hash: str, at: str) -> bool:
        return self._write("INSERT INTO users VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING",
                           (name, role, password_hash, at)) > 0

    def _grants(self, name: str) -> list[str]:
        return [r[0] for r in self.db.execute(
            'SELECT collection FROM user_grants WHERE name = %s ORDER BY collection COLLATE "C"', (name,))]

    def users(self) -> list[dict[str, Any]]:
        rows = self.db.execute('SELECT name, role, created FROM users ORDER BY name COLLATE "C"').fetchall()
        return [{"name": n, "role": r, "created": c, "collections": self._grants(n)} for n, r, c in rows]

    def user(self, name: str) -> dict[str, Any] | None:
        row = self.db.execute("SELECT name, role, created, password FROM users WHERE name = %s", (name,)).fetchone()
        if row is None:
            return None
        return {"name": row[0], "role": row[1], "created": row[2], "password": row[3],
                "collections": self._grants(row[0])}

    def set_password(self, name: str, password_hash: str) -> bool:
        return self._write("UPDATE users SET password = %s WHERE name = %s", (password_hash, name)) > 0

    def set_role(self, name: str, role: str) -> bool:
        return self._write("UPDATE users SET role = %s WHERE name = %s", (role, name)) > 0

    def set_grant(self, name: str, collection: str, on: bool, at: str) -> bool:
        if on:
            return self._write("INSERT INTO user_grants VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
                               (name, collection, at)) > 0
        return self._write("DELETE FROM user_grants WHERE name = %s AND collection = %s", (name, collection)) > 0

    def add_token(self, token_hash: str, name: str, label: str, created: str, expires: str) -> None:
        self._write("INSERT INTO user_tokens VALUES (%s, %s, %s, %s, %s)", (token_hash, name, label, created, expires))

    def token_user(self, token_hash: str, now: str) -> str | None:
        row = self.db.execute('SELECT t.name FROM user_tokens t JOIN users u ON u.name = t.name '
                              'WHERE t.hash = %s AND t.expires > %s COLLATE "C"', (token_hash, now)).fetchone()
        return row[0] if row else None

    def tokens(self, name: str) -> list[dict[str, Any]]:
        return [{"label": r[0], "created": r[1], "expires": r[2]} for r in self.db.execute(
            'SELECT label, created, expires FROM user_tokens WHERE name = %s ORDER BY created COLLATE "C", '
            'label COLLATE "C"', (name,))]

    def setting(self, key: str, make: str) -> str:
        self._write("INSERT INTO settings VALUES (%s, %s) ON CONFLICT DO NOTHING", (key, make))
        return self.db.execute("SELECT value FROM settings WHERE key = %s", (key,)).fetchone()[0]

    def add_audit(self, at: str, user: str, action: str, target: str, detail: str) -> None:
        self._write('INSERT INTO audit (at, "user", action, target, detail) VALUES (%s, %s, %s, %s, %s)',
                    (at, user, action, target, detail))

    def audit(self, limit: int | None = None, user: str | None = None) -> list[dict[str, Any]]:
        where, params = ('WHERE "user" = %s', [user]) if user is not None else ("", [])
        rows = self.db.execute(f'SELECT at, "user", action, target, detail FROM audit {where} '
                               "ORDER BY id DESC LIMIT %s", (*params, limit)).fetchall()
        return [{"at": r[0], "user": r[1], "action": r[2], "target": r[3], "detail": r[4]} for r in reversed(rows)]
