"""SQLite: duplicate clusters: MinHash signatures, clusters and their members."""
from __future__ import annotations

import sqlite3
from typing import Any


class SQLiteDuplicate:
    """Mixin of SQLiteStore; `self.db` is the thread's connection."""

    def clusters_built(self) -> bool:
        try:
            return self.db.execute("SELECT 1 FROM dupe_clusters UNION ALL SELECT 1 FROM copy_pairs "
                                   "LIMIT 1").fetchone() is not None
        except sqlite3.OperationalError:
            return False

    def data_stamp(self) -> tuple[Any, ...]:
        # Another connection's commit changes data_version, this one's own changes total_changes;
        # both count per connection, so the connection is part of the stamp.
        db = self.db
        return id(db), db.execute("PRAGMA data_version").fetchone()[0], db.total_changes

    def cluster_signature(self) -> tuple[Any, ...]:
        return tuple(self.db.execute(
            "SELECT (SELECT count(*) FROM dupe_clusters), (SELECT max(cluster) FROM dupe_clusters), "
            "(SELECT count(*) FROM dupe_pairs), (SELECT count(*) FROM copy_pairs)").fetchone())

    def cluster_links(self) -> list[tuple[int, str, float, int]]:
        return [tuple(r) for r in self.db.execute(
            "SELECT da.id, b.doc_id, coalesce(p.similarity, q.similarity, 0), db.id "
            "FROM dupe_clusters a JOIN dupe_clusters b ON b.cluster = a.cluster AND b.doc_id != a.doc_id "
            "JOIN documents da ON da.doc_id = a.doc_id JOIN documents db ON db.doc_id = b.doc_id "
            "LEFT JOIN dupe_pairs p ON p.a = a.doc_id AND p.b = b.doc_id "
            "LEFT JOIN dupe_pairs q ON q.a = b.doc_id AND q.b = a.doc_id")]

    def copy_links(self) -> list[tuple[int, int]]:
        return [tuple(r) for r in self.db.execute(
            "SELECT da.id, db.id FROM copy_pairs c JOIN documents da ON da.doc_id = c.a "
            "JOIN documents db ON db.doc_id = c.b ORDER BY c.share DESC")]

    def same_header_documents(self, doc_id: str) -> tuple[str, list[tuple[str, str | None, str]]] | None:
        row = self.db.execute("SELECT date, subject, sender, text FROM documents WHERE doc_id=?",
                              (doc_id,)).fetchone()
        if row is None or row["subject"] is None:
            return None
        return row["text"], [tuple(r) for r in self.db.execute(
            "SELECT doc_id, release, text FROM documents WHERE doc_id != ? AND subject = ? "
            "AND date IS ? AND sender IS ?", (doc_id, row["subject"], row["date"], row["sender"]))]
