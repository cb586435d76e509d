"""Exact and near-duplicate documents: the same e-mail released several times.

Each copy was scanned and OCR'd on its own, so exact hashing misses almost all
of them (corpus notes §7).  Bodies lose page stamps, release markers and
exemption codes, then become word 5-gram shingles; MinHash (128 permutations)
with LSH proposes candidate pairs, each verified by exact shingle Jaccard
>= 0.8; connected components are the clusters, stored in `dupe_pairs` and
`dupe_clusters`.

Copies (`copy_pairs`): a document whose distinctive text another one carries, short of that
Jaccard: a re-scan whose OCR broke one word in five, a forward or a reply that quotes the
whole email.  Each document's word 3-grams found in at most `COPY_MAX_DF` documents are its
distinctive ones (boilerplate such as "original message from" is everywhere); a row (a, b,
share) says that b holds `share` >= `COPY_SHARE` of a's.  The relation is directed and never
chained: the long reply is listed with the short email it quotes, not the other way round,
and a digest that quotes two emails does not make them copies of each other.

Stable API used by search and trace to collapse duplicates:

    duplicates_of(store, doc_ids) -> dict[doc_id, list[doc_id]]

It maps each given doc id that belongs to a cluster to the other members of
that cluster (most similar first), then the documents that carry its text
(`copy_pairs`, largest share first); doc ids without duplicates are absent.
One indexed query per 500 ids.
"""
from __future__ import annotations

import difflib
import os
import re
import tempfile
import zlib
from collections import defaultdict
from functools import lru_cache
from itertools import accumulate, islice
from pathlib import Path
from typing import Any, Iterable

import numpy as np
from datasketch import MinHash

from dalil.store.base import Store
from dalil.text.cleaning import clean_text

SHINGLE = 5
MINHASH_SLICE = 20_000
NUM_PERM = 128
THRESHOLD = 0.8
LSH_BANDS = (20, 6)        # bands x rows: ~99.8% chance to propose a pair at Jaccard 0.8
MIN_WORDS = 20
COPY_GRAM = 3
COPY_MAX_DF = 50           # a 3-gram in more documents than this is boilerplate
COPY_SHARE = 0.7
GRAM_SLICE = 1 << 20       # (3-gram, document) entries worked on at once by the copy search
COPY_MIN = 8               # distinctive 3-grams a document needs to have copies (a one-line email has ~10)
_WORD = re.compile(r"[a-z0-9]+")
# Margin exemption codes (b1 … b9, b7a … b7f, 14a … 14h): a set, not a pattern matched word by word.
_CODES = frozenset([f"b{d}" for d in "0123456789"] + [f"b7{c}" for c in "abcdef"] + [f"14{c}" for c in "abcdefgh"])


def clean_body(text: str, meta: dict) -> str:
    """The document text without stamps, markers and margin codes."""
    spans = [tuple(s) for s in meta.get("drop_spans", [])]
    return clean_text(text, spans) if spans else text


def words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.lower()) if w not in _CODES]


def shingles(ws: list[str]) -> np.ndarray:
    """Sorted unique 32-bit hashes of the word 5-grams."""
    # Hashed as they are made, deduplicated as numbers: no set of n-gram strings held (a
    # 20 MB text has millions).
    if len(ws) < SHINGLE:
        return np.array([zlib.crc32(" ".join(ws).encode())], dtype=np.uint64)
    return np.unique(_ngram_crcs(ws, SHINGLE, np.uint64))


def _ngram_crcs(ws: list[str], k: int, dtype, joined: tuple | None = None) -> np.ndarray:
    """crc32 of `" ".join(ws[i:i + k])` for each i, as slices of one encoded string: the words
    are ASCII ([a-z0-9]), so a slice of the joined bytes is the joined n-gram, hashed in C
    without building n-gram strings one by one in Python.  `joined`: `_joined(ws)`, when the
    caller hashes n-grams of two sizes."""
    n = len(ws) - k + 1
    if n <= 0:
        return np.zeros(0, dtype=dtype)
    data, starts, ends = joined or _joined(ws)
    stops = [e - 1 for e in ends[k - 1:]]
    return np.fromiter(map(zlib.crc32, map(data.__getitem__, map(slice, starts[:n], stops))), dtype=dtype, count=n)


def _joined(ws: list[str]) -> tuple[bytes, list[int], list[int]]:
    """The words joined by spaces, encoded, with each word's start and one past its trailing space."""
    ends = list(accumulate(len(w) + 1 for w in ws))
    return " ".join(ws).encode(), [0] + ends[:-1], ends


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    inter = len(np.intersect1d(a, b, assume_unique=True))
    union = len(a) + len(b) - inter
    return inter / union if union else 0.0


def _gram_hashes(ws: list[str]) -> np.ndarray:
    """Sorted unique 32-bit hashes of the word 3-grams (for copies)."""
    return np.unique(_ngram_crcs(ws, COPY_GRAM, np.uint32))


def features(rows: list[tuple[str, str, dict]]) -> list[tuple[str, np.ndarray | None, np.ndarray | None,
                                                             np.ndarray]]:
    """(doc_id, shingles as uint32, MinHash signature — both None when too short —, 3-gram hashes)
    of each document: the per-document work of the pass, run in worker processes."""
    template = _template()
    out = []
    for doc_id, text, meta in rows:
        ws = words(clean_body(text, meta))
        joined = _joined(ws)
        sig = arr = None
        if len(ws) >= MIN_WORDS:
            # `shingles`, as uint32 (crc32 values: half the memory, the same order and Jaccard)
            arr = np.unique(_ngram_crcs(ws, SHINGLE, np.uint32, joined))
            sig = signature(arr, template)
        out.append((doc_id, arr, sig, np.unique(_ngram_crcs(ws, COPY_GRAM, np.uint32, joined))))
    return out


# MurmurHash3's 32-bit finalizer, which datasketch's "affine32" MinHash applies to each value
# before its permutations (tests/test_dupes.py checks `signature` against MinHash.update_batch).
_FMIX32 = (np.uint32(16), np.uint32(0x85EBCA6B), np.uint32(13), np.uint32(0xC2B2AE35), np.uint32(16))


def signature(values: np.ndarray, template: MinHash | None = None) -> np.ndarray:
    """The MinHash signature (uint32, NUM_PERM values) of 32-bit hash values: what
    `template.update_batch(values.tolist())` gives, computed on the array (datasketch converts
    each value in a Python loop, about a third of the pass's time)."""
    template = template or _template()
    a, b = template.permutations
    sig = template.hashvalues.astype(np.uint32)
    s1, m1, s2, m2, s3 = _FMIX32
    # In slices: each makes a (values x permutations) array, 512 bytes a value; the minimum runs on.
    for start in range(0, len(values), MINHASH_SLICE):
        hv = values[start:start + MINHASH_SLICE].astype(np.uint32)
        hv ^= hv >> s1
        hv *= m1
        hv ^= hv >> s2
        hv *= m2
        hv ^= hv >> s3
        sig = np.minimum(sig, (hv[:, None] * a + b).min(axis=0))
    return sig


@lru_cache(maxsize=1)
def _template() -> MinHash:
    return MinHash(num_perm=NUM_PERM, seed=1, hashfunc=int)


def _features(store: Store, workers: int = 2, chunk: int = 200):
    """`features` of every document in store order, computed by `workers` processes with a
    bounded number of chunks in flight (the texts are streamed, never all held)."""
    from concurrent.futures import ProcessPoolExecutor
    rows = store.document_texts()
    chunks = iter(lambda: list(islice(rows, chunk)), [])
    if workers <= 1:
        for part in chunks:
            yield from features(part)
        return
    with ProcessPoolExecutor(workers) as pool:
        inflight = []
        for part in chunks:
            inflight.append(pool.submit(features, part))
            if len(inflight) >= workers * 2:
                yield from inflight.pop(0).result()
        for fut in inflight:
            yield from fut.result()


def build_dupes(store: Store) -> dict[str, Any]:
    """Rebuild the near-duplicate clusters and the copies; returns their counts.

    Memory is bounded whatever the archive's size: each document's shingles, signature and 3-gram
    hashes are written to files in a scratch folder as they are computed (`_Spill`) and read back
    through memory maps, the 3-gram hashes in slices of their value range; what stays in memory is
    a few numbers per document and the pairs found."""
    with tempfile.TemporaryDirectory(prefix="dalil-dupes-") as tmp:
        spill = _Spill(Path(tmp))
        doc_ids: list[str] = []
        for doc_id, shingled, sig, grammed in _features(store):
            spill.add(len(doc_ids), shingled, sig, grammed)
            doc_ids.append(doc_id)
        spill.close()
        copies = _spilled_copy_pairs(doc_ids, spill)
        with_sig = spill.signed()
        names = [doc_ids[i] for i in with_sig]
        pairs: dict[tuple[str, str], float] = {}
        for a, b in _band_candidates(names, spill.band):
            j = jaccard(spill.shingles(a), spill.shingles(b))
            if j >= THRESHOLD:
                pairs[(names[a], names[b])] = round(j, 4)
        documents = len(with_sig)
        spill.discard()
    clusters = _components(pairs)
    cluster_of = {d: c for c, members in enumerate(clusters, 1) for d in members}
    copies = [(a, b, share) for a, b, share in copies
              if cluster_of.get(a) is None or cluster_of.get(a) != cluster_of.get(b)]
    store.replace_duplicates([(a, b, j) for (a, b), j in pairs.items()], list(cluster_of.items()), copies)
    return {"documents": documents, "pairs": len(pairs), "clusters": len(clusters),
            "clustered_documents": sum(len(c) for c in clusters),
            "exact_pairs": sum(1 for j in pairs.values() if j >= 1.0), "copy_pairs": len(copies)}


class _Spill:
    """The pass's per-document arrays in files: shingles one after another (with their offsets),
    each LSH band of the signatures in a file of its own, and the (3-gram hash, document) entries
    in runs, each run sorted by hash with the offsets of its 256 slices of the hash range (by the
    hash's top byte), so that one slice of the range can be read back from every run and worked on
    alone.  They are read back with plain reads, not memory maps: mapped pages would count in the
    process's resident size."""

    RUN = 1 << 20                 # entries buffered before a run is written (8 MB)
    SLICES = 256

    def __init__(self, folder: Path):
        self.folder = folder
        self._sh = open(folder / "shingles", "w+b")
        self._bands = [open(folder / f"band-{k}", "w+b") for k in range(LSH_BANDS[0])]
        self._gh = open(folder / "gram-hashes", "w+b")
        self._gd = open(folder / "gram-docs", "w+b")
        self.sh_offsets = [0]
        self.sig_docs: list[int] = []
        self.runs: list[np.ndarray] = []         # per run: SLICES + 1 offsets into the gram files
        self._buf_h: list[np.ndarray] = []
        self._buf_d: list[np.ndarray] = []
        self._buffered = self._written = 0

    def add(self, idx: int, shingled: np.ndarray | None, sig: np.ndarray | None, grammed: np.ndarray) -> None:
        if shingled is not None:
            self._sh.write(shingled.astype(np.uint32).tobytes())
            self.sh_offsets.append(self.sh_offsets[-1] + len(shingled))
            rows = LSH_BANDS[1]
            sig = sig.astype(np.uint32)
            for k, fh in enumerate(self._bands):
                fh.write(sig[k * rows:(k + 1) * rows].tobytes())
            self.sig_docs.append(idx)
        if len(grammed):
            self._buf_h.append(grammed.astype(np.uint32))
            self._buf_d.append(np.full(len(grammed), idx, dtype=np.int32))
            self._buffered += len(grammed)
            if self._buffered >= self.RUN:
                self._flush()

    def _flush(self) -> None:
        if not self._buffered:
            return
        h, d = np.concatenate(self._buf_h), np.concatenate(self._buf_d)
        self._buf_h, self._buf_d, self._buffered = [], [], 0
        order = np.argsort(h, kind="stable")     # within a hash, documents stay in store order
        h, d = h[order], d[order]
        del order
        bounds = np.searchsorted(h >> np.uint32(24), np.arange(self.SLICES + 1, dtype=np.uint32))
        self.runs.append(self._written + bounds.astype(np.int64))
        self._gh.write(h.tobytes())
        self._gd.write(d.tobytes())
        self._written += len(h)

    def close(self) -> None:
        self._flush()
        for fh in (self._sh, self._gh, self._gd, *self._bands):
            fh.flush()
        self.offsets = np.array(self.sh_offsets, dtype=np.int64)
        del self.sh_offsets

    def signed(self) -> list[int]:
        """Indexes of the documents with a signature (long enough), in store order."""
        return self.sig_docs

    def band(self, k: int) -> np.ndarray:
        """Band k of every signature: (documents with a signature) x rows."""
        return _read(self._bands[k], np.uint32, 0, len(self.sig_docs) * LSH_BANDS[1]).reshape(-1, LSH_BANDS[1])

    def shingles(self, k: int) -> np.ndarray:
        """The shingles of the k-th document with a signature."""
        return _read(self._sh, np.uint32, int(self.offsets[k]), int(self.offsets[k + 1] - self.offsets[k]))

    def gram_slices(self):
        """(hashes, documents) of consecutive slices of the hash range, about GRAM_SLICE entries at a
        time (one slice may hold more), sorted by hash and, within a hash, by document."""
        if not self.runs:
            return
        sizes = sum(np.diff(r) for r in self.runs)
        lo = 0
        while lo < self.SLICES:
            hi, total = lo + 1, int(sizes[lo])
            while hi < self.SLICES and total + int(sizes[hi]) <= GRAM_SLICE:
                total += int(sizes[hi])
                hi += 1
            h = np.concatenate([_read(self._gh, np.uint32, int(r[lo]), int(r[hi] - r[lo])) for r in self.runs])
            d = np.concatenate([_read(self._gd, np.int32, int(r[lo]), int(r[hi] - r[lo])) for r in self.runs])
            order = np.argsort(h, kind="stable")    # runs are in store order: so are a hash's documents
            yield h[order], d[order]
            lo = hi

    def discard(self) -> None:
        for fh in (self._sh, self._gh, self._gd, *self._bands):
            fh.close()


def _read(fh, dtype, start: int, count: int) -> np.ndarray:
    """`count` items of `dtype` from item `start` of an open file."""
    size = np.dtype(dtype).itemsize
    return np.frombuffer(os.pread(fh.fileno(), count * size, start * size), dtype=dtype)


def _band_candidates(doc_ids: list[str], band) -> list[tuple[int, int]]:
    """(i, j), sorted by (doc_ids[i], doc_ids[j]) with doc_ids[i] < doc_ids[j]: the documents whose
    signatures (`band(k)`: band k of each, a row per document) are equal on all the rows of at least one band, which is what MinHash
    LSH proposes (datasketch's MinHashLSH with LSH_BANDS gives the same set), found by sorting each
    band's rows, read one band at a time: 4 bytes per signature value instead of a hash table of
    every band of every document."""
    n = len(doc_ids)
    if n < 2:
        return []
    bands = LSH_BANDS[0]
    found = []
    for k in range(bands):
        _, label = np.unique(band(k), axis=0, return_inverse=True)
        label = label.ravel()
        order = np.argsort(label, kind="stable")
        sizes = np.bincount(label)
        for group in np.split(order, np.cumsum(sizes)[:-1]):
            if len(group) < 2:
                continue
            i, j = np.triu_indices(len(group), 1)
            a, b = group[i].astype(np.int64), group[j].astype(np.int64)
            found.append(np.minimum(a, b) * n + np.maximum(a, b))
    if not found:
        return []
    codes = np.unique(np.concatenate(found))
    out = []
    for i, j in zip((codes // n).tolist(), (codes % n).tolist()):
        x, y = doc_ids[i], doc_ids[j]
        out.append((x, y, i, j) if x < y else (y, x, j, i))
    out.sort()
    return [(i, j) for _, _, i, j in out]


def _spilled_copy_pairs(doc_ids: list[str], spill: _Spill) -> list[tuple[str, str, float]]:
    """`copy_pairs` over the spilled 3-gram hashes, one slice of the hash range at a time: a 3-gram's
    documents all fall in its slice, so its document frequency, the pairs it gives and what it adds
    to each document's distinctive count are found there.  Two passes: the first counts each
    document's distinctive 3-grams and the sampled ones each pair shares (the candidates), the
    second counts, for the candidates only, the distinctive 3-grams they share."""
    n = len(doc_ids)
    if n < 2:
        return []
    distinctive = np.zeros(n, dtype=np.int64)
    found_hits: list[np.ndarray] = []
    pending: list[np.ndarray] = []

    def merge() -> None:
        # Counted as they come, a few million codes at a time: a cluster of k copies gives
        # k(k-1)/2 codes for each 3-gram they share.
        nonlocal pending, found_hits
        code, hits = np.unique(np.concatenate(pending), return_counts=True)
        found_hits = list(_merge_counts(code, hits, *found_hits)) if found_hits else [code, hits]
        pending = []
    for hashes, docs in spill.gram_slices():
        hashes, docs = _distinctive(hashes, docs)
        distinctive += np.bincount(docs, minlength=n)
        sampled = hashes % 4 == 0
        for codes in _group_pairs(hashes[sampled], docs[sampled], n):
            pending.append(codes)
            if sum(map(len, pending)) >= GRAM_SLICE:
                merge()
    if pending:
        merge()
    if not found_hits:
        return []
    pair, hits = found_hits
    a, b = pair // n, pair % n
    small = np.minimum(distinctive[a], distinctive[b])
    # A copy's sampled 3-grams number about COPY_SHARE/4 of the smaller's: half of that is kept.
    plausible = (small >= COPY_MIN) & (hits >= np.maximum(2, COPY_SHARE / 8 * small))
    candidates = pair[plausible]
    del pair, hits, a, b, small, plausible
    shared = np.zeros(len(candidates), dtype=np.int64)
    if len(candidates):
        for hashes, docs in spill.gram_slices():
            hashes, docs = _distinctive(hashes, docs)
            for codes in _group_pairs(hashes, docs, n):
                at = np.searchsorted(candidates, codes)
                hit = at < len(candidates)
                hit[hit] = candidates[at[hit]] == codes[hit]
                shared += np.bincount(at[hit], minlength=len(candidates))
    out = []
    for code, common in zip(candidates.tolist(), shared.tolist()):
        x, y = divmod(code, n)
        for held, holder in ((x, y), (y, x)):
            if common >= COPY_SHARE * distinctive[held]:
                out.append((doc_ids[held], doc_ids[holder], round(common / float(distinctive[held]), 4)))
    return out


def _distinctive(hashes: np.ndarray, docs: np.ndarray):
    """The entries of 3-grams in at most COPY_MAX_DF documents (sorted input, sorted output)."""
    starts = np.flatnonzero(np.r_[True, hashes[1:] != hashes[:-1]])
    df = np.diff(np.r_[starts, len(hashes)])
    keep = np.repeat(df <= COPY_MAX_DF, df)
    return hashes[keep], docs[keep]


def _group_pairs(hashes: np.ndarray, docs: np.ndarray, n: int, most: int = 1 << 20):
    """Arrays of pair codes (lo * n + hi) of the documents sharing each 3-gram (sorted `hashes`,
    each 3-gram in at most COPY_MAX_DF documents), at most about `most` codes an array."""
    if not len(hashes):
        return
    starts = np.flatnonzero(np.r_[True, hashes[1:] != hashes[:-1]])
    df = np.diff(np.r_[starts, len(hashes)])
    for k in range(2, COPY_MAX_DF + 1):
        first = starts[df == k]
        if not len(first):
            continue
        i, j = np.triu_indices(k, 1)
        step = max(1, most // len(i))
        for s in range(0, len(first), step):
            members = docs[first[s:s + step, None] + np.arange(k)].astype(np.int64)   # (3-grams, k)
            lo, hi = np.minimum(members[:, i], members[:, j]), np.maximum(members[:, i], members[:, j])
            yield (lo * n + hi).ravel()


def _merge_counts(code_a: np.ndarray, hits_a: np.ndarray, code_b: np.ndarray, hits_b: np.ndarray):
    code, inverse = np.unique(np.concatenate([code_a, code_b]), return_inverse=True)
    return code, np.bincount(inverse.ravel(), weights=np.concatenate([hits_a, hits_b])).astype(np.int64)


def _components(pairs: Iterable[tuple[str, str]]) -> list[list[str]]:
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x
    for a, b in pairs:
        parent[find(a)] = find(b)
    groups: dict[str, list[str]] = defaultdict(list)
    for x in parent:
        groups[find(x)].append(x)
    return sorted((sorted(g) for g in groups.values()), key=lambda g: (-len(g), g[0]))


# --- read -----------------------------------------------------------------------------------
def duplicates_of(store: Store, doc_ids: Iterable[str]) -> dict[str, list[str]]:
    """Other members of each given document's duplicate cluster, most similar first, then the
    documents that carry its text."""
    ids = list(dict.fromkeys(doc_ids))
    out: dict[str, list[str]] = {}
    found: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for a, b, sim in store.cluster_mates(ids):
        found[a].append((-sim, b))
    for a, lst in found.items():
        out[a] = [b for _, b in sorted(lst)]
    for a, b, share in sorted(store.copies_of(ids), key=lambda r: -r[2]):     # after the cluster, best first
        if b not in out.setdefault(a, []):
            out[a].append(b)
    return out


def dupes(store: Store, doc_id: str, max_differences: int = 8) -> dict[str, Any] | None:
    """`dalil dupes DOCID`: each duplicate with its similarity and what differs from DOCID."""
    doc = _doc(store, doc_id)
    if doc is None:
        return None
    others = duplicates_of(store, [doc_id]).get(doc_id, [])
    base_sh = shingles(words(doc["body"])) if others else None
    out = []
    for other_id in others:
        other = _doc(store, other_id)
        sim = jaccard(base_sh, shingles(words(other["body"])))
        out.append({"doc_id": other_id, "similarity": round(sim, 4), "release": other["release"],
                    "differences": differences(doc, other, max_differences)})
    out.sort(key=lambda d: -d["similarity"])
    return {"doc_id": doc_id, "duplicates": out}


def _doc(store: Store, doc_id: str) -> dict[str, Any] | None:
    row = store.comparable_document(doc_id)
    if row is None:
        return None
    return {"doc_id": row["doc_id"], "body": clean_body(row["text"], row["meta"]),
            "disposition": row["disposition"], "exemptions": row["exemptions"], "release": row["release"]}


def differences(a: dict, b: dict, limit: int = 8) -> list[str]:
    """Human-readable differences: disposition, exemption codes, lines present in only one copy."""
    diffs = []
    if (a["disposition"] or "") != (b["disposition"] or ""):
        diffs.append(f"disposition: {a['disposition'] or 'none'} in {a['doc_id']}, "
                     f"{b['disposition'] or 'none'} in {b['doc_id']}")
    ea, eb = set(a["exemptions"]), set(b["exemptions"])
    if ea != eb:
        only_a, only_b = sorted(ea - eb), sorted(eb - ea)
        parts = ([f"{', '.join(only_a)} only in {a['doc_id']}"] if only_a else []) + \
                ([f"{', '.join(only_b)} only in {b['doc_id']}"] if only_b else [])
        diffs.append("exemptions: " + "; ".join(parts))
    # Word-level diff: line breaks differ between scans; one- or two-word changes are OCR noise.
    la, lb = words(a["body"]), words(b["body"])
    sm = difflib.SequenceMatcher(None, la, lb, autojunk=False)
    text_diffs = []
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == "equal" or max(i2 - i1, j2 - j1) < 3:
            continue
        left = " ".join(la[i1:i2]) if i2 - i1 >= 3 else ""      # a stray page number is not a difference
        right = " ".join(lb[j1:j2]) if j2 - j1 >= 3 else ""
        if _similar(left, right):
            continue
        if left and not right:
            text_diffs.append(f"only in {a['doc_id']}: {_clip(left)}")
        elif right and not left:
            text_diffs.append(f"only in {b['doc_id']}: {_clip(right)}")
        else:
            text_diffs.append(f"{a['doc_id']}: {_clip(left)} | {b['doc_id']}: {_clip(right)}")
    diffs += text_diffs[:limit]
    if len(text_diffs) > limit:
        diffs.append(f"… {len(text_diffs) - limit} more differing passages")
    return diffs


def _similar(a: str, b: str) -> bool:
    if not a or not b:
        return False
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() >= 0.85


def _clip(s: str, n: int = 160) -> str:
    return s if len(s) <= n else s[:n - 1] + "…"
