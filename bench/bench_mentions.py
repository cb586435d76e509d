"""Speed of the mentioned-entity pass (dalil/intel/mentions.py) on corpus documents, one core.

    OMP_NUM_THREADS=1 nice python3 bench/bench_mentions.py --source /work/full/dalil.db --docs 500

Reads `--docs` documents spread over the archive (read only: the SQLite file is opened with
mode=ro), gives the recognizer what the pass gives it (message bodies without page stamps, at
most MAX_DOC_CHARS a document), and times recognition and linking on one process (spaCy's
`pipe` with n_process=1; BLAS held to one thread).  Reports documents/s, passages/s (the
archive's search passages of those documents) and characters/s, the model's load time, and
the projection for the whole archive.  Prints and saves bench/results/mentions.json.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from dalil.intel.mentions import Linker, Recognizer, _nlp, document_inputs, document_mentions  # noqa: E402
from dalil.store.sqlite import SQLiteStore  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def sample(db: sqlite3.Connection, n: int) -> list[tuple[str, str | None, str, list, list, int]]:
    """(doc_id, lang, text, bodies, drop spans, passages) of n documents at a fixed stride."""
    ids = [r[0] for r in db.execute("SELECT doc_id FROM documents ORDER BY id")]
    out = []
    for doc_id in ids[:: max(1, len(ids) // n)][:n]:
        lang, text, drops = db.execute("SELECT lang, text, json_extract(meta, '$.drop_spans') FROM documents "
                                       "WHERE doc_id = ?", (doc_id,)).fetchone()
        bodies = db.execute("SELECT body_start, end FROM messages WHERE doc_id = ? AND body_start IS NOT NULL "
                            "AND end > body_start ORDER BY idx", (doc_id,)).fetchall()
        passages = db.execute("SELECT count(*) FROM passages WHERE doc_id = ?", (doc_id,)).fetchone()[0]
        out.append((doc_id, lang, text, bodies, [tuple(x) for x in json.loads(drops or "[]")], passages))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--source", default=os.environ.get("DALIL_TEST_FULL_DB", "/work/full/dalil.db"))
    ap.add_argument("--docs", type=int, default=500)
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "mentions.json"))
    args = ap.parse_args()
    db = sqlite3.connect(f"file:{args.source}?mode=ro", uri=True)
    total_docs, total_passages = db.execute("SELECT (SELECT count(*) FROM documents), "
                                            "(SELECT count(*) FROM passages)").fetchone()
    docs = sample(db, args.docs)
    t0 = time.perf_counter()
    _nlp()
    load_s = time.perf_counter() - t0
    store = SQLiteStore(args.source, readonly=True)
    linker = Linker(store)
    inputs = [(document_inputs(text, bodies, drops), lang) for _, lang, text, bodies, drops, _ in docs]
    t0, cpu0 = time.perf_counter(), time.process_time()
    found = Recognizer().entities_many(inputs)
    rows = sum(len(document_mentions(linker, d[0], ents)[0]) for d, ents in zip(docs, found))
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    chars = sum(len(t) for t, _ in inputs)
    passages = sum(d[5] for d in docs)
    result = {
        "documents": len(docs), "passages": passages, "characters": chars, "mentions": rows,
        "entities": sum(len(f) for f in found), "model_load_s": round(load_s, 2),
        "wall_s": round(wall, 2), "cpu_s": round(cpu, 2),
        "documents_per_s": round(len(docs) / wall, 1), "passages_per_s": round(passages / wall, 1),
        "characters_per_s": round(chars / wall), "cpu_documents_per_s": round(len(docs) / cpu, 1),
        "cpu_passages_per_s": round(passages / cpu, 1),
        "projected_full_archive_cpu_min": round(total_docs / (len(docs) / cpu) / 60, 1),
        "archive": {"documents": total_docs, "passages": total_passages},
        "machine": {"cpu": platform.processor() or platform.machine(), "cores": os.cpu_count(),
                    "load_1min": round(os.getloadavg()[0], 2)},
    }
    print(json.dumps(result, indent=2))
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
