"""Inverted-file dense search (dalil.search.dense.ClusteredVectors): the same neighbours as the
exact product, filters honoured, exact over the passages of a narrow filter."""
from __future__ import annotations

import numpy as np
import pytest

from dalil.search import dense
from dalil.search.dense import ClusteredVectors, VectorIndex


@pytest.fixture(scope="module")
def vectors():
    """12,000 unit vectors around 60 topics (passage embeddings cluster by subject too)."""
    rng = np.random.default_rng(3)
    topics = rng.standard_normal((60, 64)).astype(np.float32)
    x = topics[rng.integers(0, 60, 12000)] + 0.6 * rng.standard_normal((12000, 64)).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    ids = np.arange(12000, dtype=np.int64) * 3 + 7          # passage ids, not positions
    docs = (np.arange(12000) // 4 + 1).astype(np.int32)      # four passages per document
    return x, ids, docs


def exact_top(x, ids, q, k, keep=None):
    s = x @ q
    if keep is not None:
        s = np.where(keep, s, -np.inf)
    order = np.argsort(-s, kind="stable")[:k]
    return [int(ids[i]) for i in order if np.isfinite(s[i])]


def scan_top(ivf, q, k, allowed=None):
    s, pids, _ = ivf.scan(q, allowed)
    order = np.argsort(-s, kind="stable")[:k]
    return [int(pids[i]) for i in order if np.isfinite(s[i])]


def test_every_passage_lands_in_exactly_one_list(vectors):
    x, ids, docs = vectors
    ivf = ClusteredVectors(x, ids, docs)
    assert len(ivf.centroids) == round(np.sqrt(len(x)))
    assert ivf.starts[0] == 0 and ivf.starts[-1] == len(x) and np.all(np.diff(ivf.starts) >= 0)
    assert sorted(ivf.ids.tolist()) == ids.tolist()
    # Rows moved with their ids and documents.
    pos = {int(p): i for i, p in enumerate(ids)}
    for j in (0, 17, 5000, 11999):
        i = pos[int(ivf.ids[j])]
        assert np.array_equal(ivf.matrix[j], x[i]) and ivf.docs[j] == docs[i]


def test_scanning_a_tenth_finds_the_exact_neighbours(vectors):
    x, ids, docs = vectors
    ivf = ClusteredVectors(x, ids, docs, scan=0.1)
    s, _, _ = ivf.scan(x[0])
    assert len(s) < 0.2 * len(x)                              # it did not scan everything
    recalls = []
    for q in x[:40]:
        got, want = scan_top(ivf, q, 20), exact_top(x, ids, q, 20)
        assert got[0] == want[0]                              # the passage itself comes first
        recalls.append(len(set(got) & set(want)) / 20)
    assert np.mean(recalls) >= 0.95


def test_scanning_everything_is_the_exact_search(vectors):
    x, ids, docs = vectors
    ivf = ClusteredVectors(x, ids, docs, scan=1.0)
    for q in x[100:110]:
        assert scan_top(ivf, q, 50) == exact_top(x, ids, q, 50)


def test_filters_broad_and_narrow(vectors):
    x, ids, docs = vectors
    ivf = ClusteredVectors(x, ids, docs)
    allowed = np.zeros(docs.max() + 1, dtype=bool)
    allowed[::2] = True                                        # half the documents: scanned lists
    s, _, d = ivf.scan(x[1], allowed)
    assert np.all(allowed[d[np.isfinite(s)]]) and np.isfinite(s).sum() > 0
    narrow = np.zeros(docs.max() + 1, dtype=bool)
    narrow[[5, 900, 2000]] = True                              # 12 passages: answered exactly
    keep = narrow[docs]
    assert scan_top(ivf, x[3], 12, narrow) == exact_top(x, ids, x[3], 12, keep)


def test_vector_index_uses_the_lists_above_the_threshold(tmp_path, vectors, monkeypatch):
    x, ids, docs = vectors
    folder = tmp_path / "a.db.vectors"
    folder.mkdir()
    np.save(folder / "vec-00001.npy", x.astype(np.float16))
    np.save(folder / "ids-00001.npy", ids)
    np.save(folder / "doc-00001.npy", docs)
    (folder / "manifest.json").write_text('{"signature": {}, "shards": ["00001"], "count": 12000, '
                                          '"last_passage_id": 36004}')
    index = VectorIndex(str(tmp_path / "a.db"))
    q = x[42].astype(np.float16).astype(np.float32)
    exact = [(h.doc_row, h.passage_id) for h in index.search(q, limit=30)]
    assert index.clustered() is None                           # 12,000 < IVF_MIN: exact product
    monkeypatch.setattr(dense, "IVF_MIN", 1000)
    assert index.clustered() is index.clustered() is not None  # built once per load
    approx = [(h.doc_row, h.passage_id) for h in index.search(q, limit=30)]
    assert approx[0] == exact[0] == (int(docs[42]), int(ids[42]))
    assert len(set(approx) & set(exact)) >= 27
