"""SQLite: duplicate clusters: MinHash signatures, clusters and their members."""
from __future__ import annotations

import json
from typing import Any, Iterable, Iterator

_CHUNK = 500                            # ids per `IN (...)`: well under SQLite's variable limit


class SQLiteDuplicate:
    """Mixin of SQLiteStore; `self.db` is the thread's connection."""

    def document_texts(self) -> Iterator[tuple[str, str, dict[str, Any]]]:
        for doc_id, text, meta in self.db.execute("SELECT doc_id, text, meta FROM documents"):
            yield doc_id, text, json.loads(meta) if meta else {}

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
