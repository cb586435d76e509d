"""A small real archive for the intel tests: the Benghazi release plus chosen later copies."""
from __future__ import annotations

import shutil
from pathlib import Path

from dalil.archive import Archive

# Later releases of the same e-mails, H/Mills/Abedin forms with OCR damage, one "Schedule" thread.
EXTRA = ["C05794214", "C05794215", "C05766290", "C05766054", "C05766051", "C05759045", "C05759668",
         "C05758724", "C05758458", "C05758459", "C05761165", "C05761166", "C05761167", "C05761168",
         "C05758455", "C05793860", "C05796791", "C05796779"]


def build(tmp: Path, corpus_dir: Path) -> Archive:
    src = tmp / "in"
    src.mkdir()
    for path in (corpus_dir / "HRC_Email_296").glob("*.txt"):
        shutil.copy(path, src / path.name)
    for doc_id in EXTRA:
        shutil.copy(next(corpus_dir.glob(f"*/{doc_id}.txt")), src / f"{doc_id}.txt")
    archive = Archive(str(tmp / "dalil.db"))
    report = archive.ingest([str(src)], workers=1)
    assert report.added == 296 + len(EXTRA)
    return archive
