"""Email intelligence: people, threads, duplicates, timelines and the correspondence graph.

`build_intel(store)` (re)builds the persisted tables after an ingest: duplicate
clusters, then people (threads and graphs key messages by person), then message
keys, last: a message without its key means the pass did not finish (killed),
and the next ingest runs it again (`Store.intel_stale`).
"""
from __future__ import annotations

import time
from typing import Any

from dalil.store.base import Store


def build_intel(store: Store) -> dict[str, Any]:
    """Rebuild people, message keys and duplicate clusters; returns counts and seconds."""
    from dalil.intel.dupes import build_dupes
    from dalil.intel.people import build_people
    from dalil.intel.threads import build_message_keys
    report: dict[str, Any] = {}
    t0 = time.perf_counter()
    report["duplicates"] = build_dupes(store)
    t1 = time.perf_counter()
    report["people"] = build_people(store)
    report["message_keys"] = build_message_keys(store)
    t2 = time.perf_counter()
    report["seconds"] = {"people": round(t2 - t1, 2), "duplicates": round(t1 - t0, 2)}
    return report
