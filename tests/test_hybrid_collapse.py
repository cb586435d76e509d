"""Duplicate collapse in hybrid search reads the archive's duplicate clusters from memory: the
same members in the same order as dalil.intel.dupes.duplicates_of, re-read when they change."""
from __future__ import annotations

import random
import sqlite3

import pytest

from dalil import Archive
from dalil.intel.dupes import duplicates_of
from dalil.search.hybrid import Duplicates

TARGET = "C05778768"


@pytest.fixture(scope="module")
def archive(corpus_dir, tmp_path_factory):
    paths = sorted(corpus_dir.glob("*/*.txt"))
    target = next(p for p in paths if p.stem == TARGET)
    picked = [target] + random.Random(5).sample([p for p in paths if p.stem != TARGET], 30)
    folder = tmp_path_factory.mktemp("collapse")
    for n, src in enumerate(picked[:3]):     # three emails released twice: exact-copy clusters
        (folder / f"C9999990{n}.txt").write_text(
            src.read_text(encoding="utf-8").replace(src.stem, f"C9999990{n}"), encoding="utf-8")
    archive = Archive(str(folder / "c.db"))
    archive.ingest([str(p) for p in picked] + [str(p) for p in sorted(folder.glob("C9999990*.txt"))], workers=1)
    return archive


def rows_of(archive, doc_ids):
    return [archive.store.db.execute("SELECT id FROM documents WHERE doc_id=?", (d,)).fetchone()[0] for d in doc_ids]


def cluster_of(db, doc_id):
    return db.execute("SELECT cluster FROM dupe_clusters WHERE doc_id=?", (doc_id,)).fetchone()[0]


def test_map_matches_the_intel_reader_and_follows_changes(archive):
    dupes = Duplicates(archive.store)
    name = dict(archive.store.db.execute("SELECT id, doc_id FROM documents"))
    all_docs = list(name.values())
    all_rows = rows_of(archive, all_docs)

    def as_names(found):
        return {name[a]: [name[b] for b in lst] for a, lst in found.items()}
    want = duplicates_of(archive.store, all_docs)
    assert dupes.clusters_built() and len(want) >= 6 and {"C99999900", "C99999901"} <= set(want)
    assert as_names(dupes.duplicates_of(all_rows)) == want

    # A change on the same connection (its own commits: total_changes) ...
    db = archive.store.db
    db.execute("DELETE FROM dupe_clusters WHERE cluster=?", (cluster_of(db, "C99999900"),))
    db.commit()
    assert "C99999900" not in as_names(dupes.duplicates_of(all_rows))
    # ... and on another connection (PRAGMA data_version) are both seen.
    other = sqlite3.connect(archive.store.path)
    other.execute("DELETE FROM dupe_clusters WHERE cluster=?", (cluster_of(other, "C99999901"),))
    other.commit()
    other.close()
    assert "C99999901" not in as_names(dupes.duplicates_of(all_rows))

    archive.build_intel()
    assert as_names(dupes.duplicates_of(all_rows)) == duplicates_of(archive.store, all_docs) == want


def test_collapse_groups_the_copies(archive):
    target, copy = rows_of(archive, [TARGET, "C99999900"])
    lone = next(r for (r,) in archive.store.db.execute("SELECT id FROM documents ORDER BY id DESC")
                if r not in (target, copy) and not archive.hybrid.dupes.duplicates_of([r]))
    assert archive.hybrid.collapse([target, lone, copy]) == [[target, copy], [lone]]
    assert archive.hybrid.collapse([copy, lone, target]) == [[copy, target], [lone]]
