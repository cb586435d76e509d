"""The passage vectors in PostgreSQL (pgvector): write speed, dense query time and recall against
the exact product, beside the SQLite archive's vector files.

    python bench/bench_pg_vectors.py --archive /work/full/dalil.db --db postgresql://... [--queries 50]

The vectors of a SQLite archive (its `<archive>.vectors/` folder) are written into an empty
PostgreSQL database through the store (`add_vectors`: binary COPY, one transaction per 4,096);
then passage vectors of the archive itself, drawn with a fixed seed, are the queries (no encoder
in the timing).  For each query: the exact top 400 passages (float32 product over every vector,
as the SQLite backend computes it without a graph) is the truth; measured are the PostgreSQL
answer through `nearest_passages` (a sequential scan, or the HNSW graph when $DALIL_PG_HNSW is
set and the server's pgvector can build it), its recall of the true top 400 and top 10, and the
document ranking of the dense search (the first 100 documents) against the exact one.  The SQLite
archive's own dense search (its usearch graph) is timed beside it.  Results: bench/results/pg_vectors.json.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

K = 400          # passages a dense search asks for (VectorIndex.search `passages`)
DOCS = 100


def _docs(found: list[tuple[int, int, float]], n: int) -> list[int]:
    return list(dict.fromkeys(d for _, d, _ in found))[:n]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--archive", required=True, help="a SQLite archive with vectors (read only)")
    ap.add_argument("--db", required=True, help="an empty PostgreSQL database (postgresql://...)")
    ap.add_argument("--queries", type=int, default=50)
    args = ap.parse_args()

    from dalil.search.dense import ANN_EXPANSION_SEARCH, VectorIndex
    from dalil.store import open_store

    files = VectorIndex(args.archive)
    matrix, ids, docs = files.load()
    signature = files.manifest()["signature"]
    store = open_store(args.db)
    meta = store.vector_meta()
    t0 = time.perf_counter()
    if meta is None or meta["count"] != len(ids):
        store.reset_vectors(signature)
        half = matrix.astype(np.float16)
        # Whole passages per step: a passage's texts are written together.
        starts = [0]
        while starts[-1] < len(ids):
            end = min(len(ids), starts[-1] + 4096)
            while end < len(ids) and ids[end] == ids[end - 1]:
                end += 1
            starts.append(end)
        for s, e in zip(starts, starts[1:]):
            store.add_vectors(ids[s:e].tolist(), docs[s:e].tolist(), half[s:e], 0.0)
    write_s = time.perf_counter() - t0
    graph = store.ensure_vector_graph()
    graph_s = time.perf_counter() - t0 - write_s

    rng = np.random.default_rng(27)
    picks = rng.choice(len(ids), size=args.queries, replace=False)
    pg_ms, files_ms, rec_k, rec_10, doc_agree, doc_first10 = [], [], [], [], [], []
    for i in picks:
        qv = matrix[i].copy()
        scores = matrix @ qv
        order = np.lexsort((np.arange(len(scores)), -scores))[:K]
        truth = [(int(ids[j]), int(docs[j]), float(scores[j])) for j in order]
        t = time.perf_counter()
        found = store.nearest_passages(qv, K, ef_search=ANN_EXPANSION_SEARCH)
        pg_ms.append((time.perf_counter() - t) * 1000)
        keys = lambda rows: {(p, round(s, 5)) for p, _, s in rows}      # noqa: E731  (a passage's variants)
        rec_k.append(len(keys(found) & keys(truth)) / len(truth))
        rec_10.append(len(keys(found[:10]) & keys(truth[:10])) / 10)
        a, b = _docs(found, DOCS), _docs(truth, DOCS)
        doc_agree.append(len(set(a) & set(b)) / len(b))
        doc_first10.append(float(a[:10] == b[:10]))
        t = time.perf_counter()
        files.search(qv, limit=DOCS)
        files_ms.append((time.perf_counter() - t) * 1000)

    def summary(xs: list[float]) -> dict:
        return {"p50": round(statistics.median(xs), 2), "p95": round(float(np.percentile(xs, 95)), 2),
                "mean": round(statistics.fmean(xs), 4)}

    size = store.db.execute("SELECT pg_total_relation_size('passage_vectors')").fetchone()[0]
    out = {
        "archive": args.archive, "vectors": int(len(ids)), "passages": int(len(np.unique(ids))),
        "queries": args.queries, "k_passages": K,
        "pg_write_seconds": round(write_s, 1), "pg_graph": graph, "pg_graph_seconds": round(graph_s, 1),
        "pg_table_mb": round(size / 2**20, 1),
        "pg_query_ms": summary(pg_ms), "files_query_ms": summary(files_ms),
        "pg_recall_at_400": summary(rec_k), "pg_recall_at_10": summary(rec_10),
        "pg_docs_top100_overlap": summary(doc_agree), "pg_docs_first10_same_order": round(statistics.fmean(doc_first10), 3),
        "method": "scan" if not graph else f"hnsw ef_search={ANN_EXPANSION_SEARCH}",
    }
    store.close()
    print(json.dumps(out, indent=1))
    dest = ROOT / "bench" / "results" / "pg_vectors.json"
    dest.write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
