"""SQLite: duplicate clusters: MinHash signatures, clusters and their members."""
from __future__ import annotations

import json
import os
import sqlite3
from typing import Any, Iterable, Iterator

_CHUNK = 500                            # ids per `IN (...)`: well under SQLite's variable limit


class SQLiteDuplicate:
    """Mixin of SQLiteStore; `self.db` is the thread's connection."""

    def document_texts(self) -> Iterator[tuple[str, str, dict[str, Any]]]:
        # Every text read through the connection's memory map (up to 1 GB) would leave each page in
        # the process's resident size: this one scan of the whole table reads with plain reads.
        db = self.db
        mapped = db.execute("PRAGMA mmap_size").fetchone()[0]
        db.execute("PRAGMA mmap_size=0")
        try:
            for doc_id, text, meta in db.execute("SELECT doc_id, text, meta FROM documents"):
                yield doc_id, text, json.loads(meta) if meta else {}
        finally:
            db.execute(f"PRAGMA mmap_size={int(mapped)}")

    def comparable_document(self, doc_id: str) -> dict[str, Any] | None:
        row = self.db.execute("SELECT doc_id, text, meta, disposition, exemptions, release FROM documents "
                              "WHERE doc_id=?", (doc_id,)).fetchone()
        if row is None:
            return None
        return {"doc_id": row[0], "text": row[1], "meta": json.loads(row[2]) if row[2] else {},
                "disposition": row[3], "exemptions": json.loads(row[4] or "[]"), "release": row[5]}

    def replace_duplicates(self, pairs: list[tuple[str, str, float]], clusters: list[tuple[str, int]],
                           copies: list[tuple[str, str, float]]) -> None:
        db = self.db
        with db:
            db.execute("DELETE FROM dupe_pairs")
            db.execute("DELETE FROM dupe_clusters")
            db.execute("DELETE FROM copy_pairs")
            db.executemany("INSERT INTO dupe_pairs VALUES (?,?,?)", pairs)
            db.executemany("INSERT INTO dupe_clusters VALUES (?,?)", clusters)
            db.executemany("INSERT INTO copy_pairs VALUES (?,?,?)", copies)

    def cluster_mates(self, doc_ids: Iterable[str]) -> list[tuple[str, str, float]]:
        ids = list(doc_ids)
        out: list[tuple[str, str, float]] = []
        for i in range(0, len(ids), _CHUNK):
            chunk = ids[i:i + _CHUNK]
            q = ",".join("?" * len(chunk))
            out += [tuple(r) for r in self.db.execute(
                f"SELECT a.doc_id, b.doc_id, coalesce(p.similarity, q.similarity, 0) FROM dupe_clusters a "
                f"JOIN dupe_clusters b ON b.cluster = a.cluster AND b.doc_id != a.doc_id "
                f"LEFT JOIN dupe_pairs p ON p.a = a.doc_id AND p.b = b.doc_id "
                f"LEFT JOIN dupe_pairs q ON q.a = b.doc_id AND q.b = a.doc_id "
                f"WHERE a.doc_id IN ({q})", chunk)]
        return out

    def copies_of(self, doc_ids: Iterable[str]) -> list[tuple[str, str, float]]:
        ids = list(doc_ids)
        out: list[tuple[str, str, float]] = []
        for i in range(0, len(ids), _CHUNK):
            chunk = ids[i:i + _CHUNK]
            q = ",".join("?" * len(chunk))
            out += [tuple(r) for r in self.db.execute(f"SELECT a, b, share FROM copy_pairs WHERE a IN ({q})", chunk)]
        return out

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

    def content_key(self) -> tuple[str, str] | None:
        # The file and its write-ahead log as they are now: every commit changes one of them.  An
        # empty log holds nothing: each read-write open creates one anew (a new mtime per process).
        parts = []
        for name in (self.path, self.path + "-wal"):
            try:
                st = os.stat(name)
                parts.append(f"{st.st_size}:{st.st_mtime_ns}" if st.st_size else "-")
            except OSError:
                parts.append("-")
        return os.path.abspath(self.path), "|".join(parts)

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
