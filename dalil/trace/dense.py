"""Passage-level dense retrieval for claims, over the archive's stored passage vectors.

The archive's hybrid search ranks documents by their single best passage; a claim needs more:
the similarity of *every* passage of a candidate document (to pick the one the claim rests on)
and candidates taken straight from the best passages of the whole archive.  Both come from one
inner product of the claim vector with the stored matrix, no passage is re-encoded.
"""
from __future__ import annotations

import threading

import numpy as np

from dalil.search.dense import DIM, VectorIndex


class PassageVectors:
    """The archive's passage vectors in memory, addressable by passage id."""

    def __init__(self, vectors: VectorIndex):
        self.index = vectors
        self._lock = threading.Lock()
        self._stamp = None          # the loaded matrix this copy was made from
        self.matrix = np.zeros((0, DIM), np.float32)
        self.ids = np.zeros(0, np.int64)
        self.doc_rows = np.zeros(0, np.int32)

    def available(self) -> bool:
        try:
            return self.index.exists()
        except (OSError, ValueError):
            return False

    def refresh(self) -> bool:
        """Load (or reload after a build) the vectors; False when the archive has none."""
        if not self.available():
            return False
        with self._lock:
            matrix, ids, docs = self.index.load()
            if matrix is not self._stamp:
                self._stamp = matrix
                if len(ids) > 1 and np.any(ids[1:] < ids[:-1]):     # shards are built in id order
                    order = np.argsort(ids, kind="stable")
                    matrix, ids, docs = matrix[order], ids[order], docs[order]
                self.matrix, self.ids, self.doc_rows = matrix, ids, docs
        return len(self.ids) > 0

    def encode(self, texts: list[str]) -> np.ndarray:
        """Texts → L2-normalized vectors with the same model the passages were embedded with."""
        vecs = np.asarray(self.index.embedder.encode(list(texts)), dtype=np.float32)
        return vecs / (np.linalg.norm(vecs, axis=1, keepdims=True) + 1e-9)

    def scores(self, qv: np.ndarray) -> np.ndarray:
        """Similarity of `qv` to every passage (aligned with `ids` and `doc_rows`)."""
        return self.matrix @ qv if len(self.ids) else np.zeros(0, np.float32)

    def best_docs(self, scores: np.ndarray, doc_rows: list[int], k: int) -> list[int]:
        """Of the given documents (documents.id), the k whose best passage scores highest."""
        if not len(scores) or not doc_rows:
            return []
        idx = np.nonzero(np.isin(self.doc_rows, np.asarray(doc_rows, dtype=self.doc_rows.dtype)))[0]
        idx = idx[np.argsort(-scores[idx], kind="stable")]
        return list(dict.fromkeys(int(r) for r in self.doc_rows[idx]))[:k]

    def top_passages(self, qv: np.ndarray, k: int, scores: np.ndarray | None = None) -> list[tuple[int, int, float]]:
        """(passage id, documents.id, similarity) of the k passages closest to `qv`, best first."""
        if not len(self.ids):
            return []
        scores = self.scores(qv) if scores is None else scores
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(int(self.ids[i]), int(self.doc_rows[i]), float(scores[i])) for i in top]

    def similarities(self, qv: np.ndarray, passage_ids: list[int]) -> dict[int, float]:
        """Similarity of `qv` to each given passage that has a vector (its best one: a passage
        may have a second vector, of its body without header lines)."""
        if not len(self.ids) or not passage_ids:
            return {}
        pids = np.asarray(passage_ids, dtype=np.int64)
        out: dict[int, float] = {}
        pos = np.clip(np.searchsorted(self.ids, pids), 0, len(self.ids) - 1)
        for step in (0, 1):
            at = np.clip(pos + step, 0, len(self.ids) - 1)
            ok = self.ids[at] == pids
            for p, sim in zip(pids[ok], self.matrix[at[ok]] @ qv):
                out[int(p)] = max(out.get(int(p), -1.0), float(sim))
        return out
