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
import re
import zlib
from collections import defaultdict
from functools import lru_cache
from itertools import accumulate, islice
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
COPY_MIN = 8               # distinctive 3-grams a document needs to have copies (a one-line email has ~10)
_WORD = re.compile(r"[a-z0-9]+")
_CODE = re.compile(r"^(?:b\d|b7[a-f]?|14[a-h])$")


def clean_body(text: str, meta: dict) -> str:
    """The document text without stamps, markers and margin codes."""
    spans = [tuple(s) for s in meta.get("drop_spans", [])]
    return clean_text(text, spans) if spans else text


def words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.lower()) if not _CODE.match(w)]


def shingles(ws: list[str]) -> np.ndarray:
    """Sorted unique 32-bit hashes of the word 5-grams."""
    # Hashed as they are made, deduplicated as numbers: no set of n-gram strings held (a
    # 20 MB text has millions).
    if len(ws) < SHINGLE:
        return np.array([zlib.crc32(" ".join(ws).encode())], dtype=np.uint64)
    return np.unique(_ngram_crcs(ws, SHINGLE, np.uint64))


def _ngram_crcs(ws: list[str], k: int, dtype) -> np.ndarray:
    """crc32 of `" ".join(ws[i:i + k])` for each i, as slices of one encoded string: the words
    are ASCII ([a-z0-9]), so a slice of the joined bytes is the joined n-gram, hashed in C
    without building n-gram strings one by one in Python."""
    n = len(ws) - k + 1
    if n <= 0:
        return np.zeros(0, dtype=dtype)
    data = " ".join(ws).encode()
    ends = list(accumulate(len(w) + 1 for w in ws))        # one past each word's trailing space
    starts = [0] + ends[:-1]
    stops = [e - 1 for e in ends[k - 1:]]
    return np.fromiter(map(zlib.crc32, map(data.__getitem__, map(slice, starts[:n], stops))), dtype=dtype, count=n)


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
        sig = arr = None
        if len(ws) >= MIN_WORDS:
            arr = shingles(ws)
            m = template.copy()
            # In slices: one update makes a (hashes × permutations) array, 1 KB per shingle, so a
            # long document would cost GBs; the signature (a running minimum) is the same.
            for start in range(0, len(arr), MINHASH_SLICE):
                m.update_batch(arr[start:start + MINHASH_SLICE].tolist())
            sig = m.digest().astype(np.uint32)   # values below 2**32 (the Mersenne-prime hashes, masked)
            arr = arr.astype(np.uint32)        # crc32 values: half the memory, the same Jaccard
        out.append((doc_id, arr, sig, _gram_hashes(ws)))
    return out


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
    """Rebuild the near-duplicate clusters and the copies; returns their counts."""
    sh: dict[str, np.ndarray] = {}
    doc_ids, grams = [], []
    signatures: dict[str, np.ndarray] = {}
    for doc_id, shingled, sig, grammed in _features(store):
        if shingled is not None:
            sh[doc_id] = shingled
            signatures[doc_id] = sig
        doc_ids.append(doc_id)
        grams.append(grammed)
    copies = copy_pairs(doc_ids, grams)
    del grams                                  # before the signatures: a lower memory peak
    pairs: dict[tuple[str, str], float] = {}
    for a, b in sorted(_band_candidates(list(signatures), signatures)):
        j = jaccard(sh[a], sh[b])
        if j >= THRESHOLD:
            pairs[(a, b)] = round(j, 4)
    del signatures
    clusters = _components(pairs)
    cluster_of = {d: c for c, members in enumerate(clusters, 1) for d in members}
    copies = [(a, b, share) for a, b, share in copies
              if cluster_of.get(a) is None or cluster_of.get(a) != cluster_of.get(b)]
    store.replace_duplicates([(a, b, j) for (a, b), j in pairs.items()], list(cluster_of.items()), copies)
    return {"documents": len(sh), "pairs": len(pairs), "clusters": len(clusters),
            "clustered_documents": sum(len(c) for c in clusters),
            "exact_pairs": sum(1 for j in pairs.values() if j >= 1.0), "copy_pairs": len(copies)}


def _band_candidates(doc_ids: list[str], signatures: dict[str, np.ndarray]) -> set[tuple[str, str]]:
    """(a, b) with a < b: the documents whose signatures are equal on all the rows of at least one
    band, which is what MinHash LSH proposes (datasketch's MinHashLSH with LSH_BANDS gives the
    same set), found by sorting each band's rows in one array: 4 bytes per signature value
    instead of a hash table of every band of every document."""
    if len(doc_ids) < 2:
        return set()
    bands, rows = LSH_BANDS
    sig = np.stack([signatures[d] for d in doc_ids])
    out: set[tuple[str, str]] = set()
    for band in range(bands):
        _, label = np.unique(sig[:, band * rows:(band + 1) * rows], axis=0, return_inverse=True)
        label = label.ravel()
        order = np.argsort(label, kind="stable")
        sizes = np.bincount(label)
        for group in np.split(order, np.cumsum(sizes)[:-1]):
            if len(group) < 2:
                continue
            names = sorted(doc_ids[i] for i in group)
            out.update((x, y) for k, x in enumerate(names) for y in names[k + 1:])
    return out


def copy_pairs(doc_ids: list[str], grams: list[np.ndarray]) -> list[tuple[str, str, float]]:
    """(a, b, share): document b holds `share` of document a's distinctive 3-grams (rows for
    shares of at least COPY_SHARE); `grams`: each document's 3-gram hashes (`_gram_hashes`).

    Candidates come from a quarter of the distinctive 3-grams (those whose hash is 0 mod 4):
    the documents of each such 3-gram give its pairs, grouped by how many documents share it so
    that each group is one array operation, and a pair sharing at least half the sampled
    3-grams a copy would share is a candidate.  Candidates are then checked exactly.
    Sampling keeps the pair array, the memory peak, a quarter of its size."""
    if len(doc_ids) < 2:
        return []
    n = len(grams)
    hashes = np.concatenate(grams)
    docs = np.repeat(np.arange(n, dtype=np.int32), [len(g) for g in grams])
    order = np.argsort(hashes, kind="stable")
    hashes, docs = hashes[order], docs[order]
    del order
    starts = np.flatnonzero(np.r_[True, hashes[1:] != hashes[:-1]])
    df = np.diff(np.r_[starts, len(hashes)])
    keep = np.repeat(df <= COPY_MAX_DF, df)
    hashes, docs = hashes[keep], docs[keep]          # the distinctive 3-grams only
    distinctive = np.bincount(docs, minlength=n)
    by_doc = np.argsort(docs, kind="stable")
    own = np.split(hashes[by_doc], np.cumsum(distinctive)[:-1])   # each document's, sorted
    sampled = hashes % 4 == 0
    hashes, docs = hashes[sampled], docs[sampled]
    starts = np.flatnonzero(np.r_[True, hashes[1:] != hashes[:-1]])
    df = np.diff(np.r_[starts, len(hashes)])
    codes = []
    for k in range(2, COPY_MAX_DF + 1):
        first = starts[df == k]
        if not len(first):
            continue
        members = docs[first[:, None] + np.arange(k)].astype(np.int64)   # (3-grams shared by k docs, k)
        i, j = np.triu_indices(k, 1)
        lo, hi = np.minimum(members[:, i], members[:, j]), np.maximum(members[:, i], members[:, j])
        codes.append((lo * n + hi).ravel())
    if not codes:
        return []
    pair, hits = np.unique(np.concatenate(codes), return_counts=True)
    a, b = pair // n, pair % n
    small = np.minimum(distinctive[a], distinctive[b])
    # A copy's sampled 3-grams number about COPY_SHARE/4 of the smaller's: half of that is kept.
    plausible = (small >= COPY_MIN) & (hits >= np.maximum(2, COPY_SHARE / 8 * small))
    out = []
    for x, y in zip(a[plausible], b[plausible]):
        shared = len(np.intersect1d(own[x], own[y], assume_unique=True))
        for held, holder in ((x, y), (y, x)):
            if shared >= COPY_SHARE * distinctive[held]:
                out.append((doc_ids[held], doc_ids[holder], round(shared / float(distinctive[held]), 4)))
    return out


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
