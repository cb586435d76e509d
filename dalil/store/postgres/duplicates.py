"""PostgreSQL: duplicate clusters: MinHash signatures, clusters and their members."""
from __future__ import annotations

from typing import Any, Iterable, Iterator


class PostgresDuplicate:
    """Mixin of PostgresStore; `self.db` is the thread's psycopg connection."""

    def document_texts(self) -> Iterator[tuple[str, str, dict[str, Any]]]:
        # Pages of ids: a stream without a server-side cursor (jsonb reads back as a dict).
        last = 0
        while True:
            page = self.db.execute("SELECT id, doc_id, text, meta FROM documents WHERE id > %s ORDER BY id "
                                   "LIMIT 500", (last,)).fetchall()
            if not page:
                return
            for _, doc_id, text, meta in page:
                yield doc_id, text, meta or {}
            last = page[-1][0]

    def comparable_document(self, doc_id: str) -> dict[str, Any] | None:
        row = self.db.execute("SELECT doc_id, text, meta, disposition, exemptions, release FROM documents "
                              "WHERE doc_id=%s", (doc_id,)).fetchone()
        if row is None:
            return None
        return {"doc_id": row[0], "text": row[1], "meta": row[2] or {}, "disposition": row[3],
                "exemptions": row[4] or [], "release": row[5]}

    def replace_duplicates(self, pairs: list[tuple[str, str, float]], clusters: list[tuple[str, int]],
                           copies: list[tuple[str, str, float]]) -> None:
        db = self.db
        with db.transaction(), db.cursor() as cur:
            for table in ("dupe_pairs", "dupe_clusters", "copy_pairs"):
                cur.execute(f"DELETE FROM {table}")
            cur.executemany("INSERT INTO dupe_pairs VALUES (%s,%s,%s)", pairs)
            cur.executemany("INSERT INTO dupe_clusters VALUES (%s,%s)", clusters)
            cur.executemany("INSERT INTO copy_pairs VALUES (%s,%s,%s)", copies)
        if not db.autocommit:
            db.commit()

    def cluster_mates(self, doc_ids: Iterable[str]) -> list[tuple[str, str, float]]:
        return [tuple(r) for r in self.db.execute(
            "SELECT a.doc_id, b.doc_id, coalesce(p.similarity, q.similarity, 0) FROM dupe_clusters a "
            "JOIN dupe_clusters b ON b.cluster = a.cluster AND b.doc_id != a.doc_id "
            "LEFT JOIN dupe_pairs p ON p.a = a.doc_id AND p.b = b.doc_id "
            "LEFT JOIN dupe_pairs q ON q.a = b.doc_id AND q.b = a.doc_id "
            'WHERE a.doc_id = ANY(%s) ORDER BY a.doc_id COLLATE "C", b.doc_id COLLATE "C"', (list(doc_ids),))]

    def copies_of(self, doc_ids: Iterable[str]) -> list[tuple[str, str, float]]:
        return [tuple(r) for r in self.db.execute(
            'SELECT a, b, share FROM copy_pairs WHERE a = ANY(%s) ORDER BY a COLLATE "C", b COLLATE "C"',
            (list(doc_ids),))]

    def clusters_built(self) -> bool:
        return self.db.execute("SELECT 1 FROM dupe_clusters UNION ALL SELECT 1 FROM copy_pairs "
                               "LIMIT 1").fetchone() is not None

    def data_stamp(self) -> tuple[Any, ...]:
        # Commits anywhere in the database (this connection's or another's) and this
        # connection's open changes: together they move whenever the data may have.
        db = self.db
        return id(db), db.execute(
            "SELECT xact_commit, tup_inserted + tup_updated + tup_deleted FROM pg_stat_database "
            "WHERE datname = current_database()").fetchone(), db.info.transaction_status

    def content_key(self) -> tuple[str, str] | None:
        return None       # no file to stat; a server process keeps what it derives in memory

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
            "LEFT JOIN dupe_pairs q ON q.a = b.doc_id AND q.b = a.doc_id ORDER BY da.id, db.id")]

    def copy_links(self) -> list[tuple[int, int]]:
        return [tuple(r) for r in self.db.execute(
            "SELECT da.id, db.id FROM copy_pairs c JOIN documents da ON da.doc_id = c.a "
            "JOIN documents db ON db.doc_id = c.b ORDER BY c.share DESC, da.id, db.id")]

    def same_header_documents(self, doc_id: str) -> tuple[str, list[tuple[str, str | None, str]]] | None:
        row = self.db.execute("SELECT date, subject, sender, text FROM documents WHERE doc_id=%s",
                              (doc_id,)).fetchone()
        if row is None or row[1] is None:
            return None
        date, subject, sender, text = row
        return text, [tuple(r) for r in self.db.execute(
            "SELECT doc_id, release, text FROM documents WHERE doc_id != %s AND subject = %s "
            "AND date IS NOT DISTINCT FROM %s AND sender IS NOT DISTINCT FROM %s ORDER BY id",
            (doc_id, subject, date, sender))]
