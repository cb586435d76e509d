"""PostgreSQL: mentioned entities (tables `mentions`, `mention_keys`, `mentions_done`)."""
from __future__ import annotations

from typing import Sequence

from dalil.store.base.mentions import MentionRow, MentionSource

_UNREAD = "NOT EXISTS (SELECT 1 FROM mentions_done r WHERE r.doc_id = d.doc_id AND r.model = %s)"


class PostgresMention:
    """Mixin of PostgresStore; `self.db` is the thread's psycopg connection."""

    def mentions_pending(self, model: str) -> int:
        return self.db.execute(f"SELECT count(*) FROM documents d WHERE {_UNREAD}", (model,)).fetchone()[0]

    def mention_sources(self, model: str, limit: int) -> list[MentionSource]:
        docs = self.db.execute(f"SELECT d.doc_id, d.lang, d.text, d.meta->'drop_spans' FROM documents d WHERE {_UNREAD} "
                               "ORDER BY d.id LIMIT %s", (model, limit)).fetchall()
        bodies: dict[str, list[tuple[int, int]]] = {}
        for doc_id, start, end in self.db.execute(
                'SELECT doc_id, body_start, "end" FROM messages WHERE doc_id = ANY(%s) '
                'AND body_start IS NOT NULL AND "end" > body_start ORDER BY doc_id, idx', ([d[0] for d in docs],)):
            bodies.setdefault(doc_id, []).append((start, end))
        return [(d[0], d[1], d[2], bodies.get(d[0], []), [tuple(x) for x in d[3] or []]) for d in docs]

    def save_mentions(self, model: str, doc_ids: Sequence[str], rows: Sequence[MentionRow],
                      keys: Sequence[tuple[str, str]]) -> None:
        db, ids = self.db, list(doc_ids)
        with db.transaction(), db.cursor() as cur:
            cur.execute("DELETE FROM mentions WHERE doc_id = ANY(%s)", (ids,))
            cur.execute("DELETE FROM mention_keys WHERE doc_id = ANY(%s)", (ids,))
            cur.executemany("INSERT INTO mentions VALUES (%s,%s,%s,%s,%s,%s,%s)", list(rows))
            cur.executemany("INSERT INTO mention_keys (key, doc_id) VALUES (%s,%s) ON CONFLICT DO NOTHING",
                            [(k, d) for d, k in keys])
            cur.executemany("INSERT INTO mentions_done VALUES (%s,%s) ON CONFLICT (doc_id) DO UPDATE "
                            "SET model = EXCLUDED.model", [(d, model) for d in ids])
        if not db.autocommit:       # a read before opened the transaction: the block above was a savepoint
            db.commit()

    def clear_mentions(self) -> None:
        db = self.db
        with db.transaction(), db.cursor() as cur:
            for table in ("mentions", "mention_keys", "mentions_done"):
                cur.execute(f"DELETE FROM {table}")
        if not db.autocommit:
            db.commit()

    def document_mentions(self, doc_id: str) -> list[tuple[str, str, str, int, int | None, str | None]]:
        return [tuple(r) for r in self.db.execute(
            'SELECT kind, label, form, n, person, place FROM mentions WHERE doc_id = %s '
            'ORDER BY n DESC, label COLLATE "C"', (doc_id,))]

    def mention_facet_rows(self) -> list[tuple[int, str, str]]:
        return [tuple(r) for r in self.db.execute(
            "SELECT d.id, m.kind, m.label FROM mentions m JOIN documents d ON d.doc_id = m.doc_id")]

    def mentions_state(self) -> int:
        # Documents read: grows with every save, falls with a clear (an index-only count).
        return self.db.execute("SELECT count(*) FROM mentions_done").fetchone()[0]
