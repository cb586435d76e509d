"""Dense passage vectors: incremental build, model mismatch, cross-lingual retrieval."""
from __future__ import annotations

import json
import random

import numpy as np
import pytest

from dalil import Archive
from dalil.search.dense import VectorIndex, clean_passage

TARGET = "C05778768"      # Sid memo, 21 Feb 2011: Qaddafi orders the air force to bomb barracks


@pytest.fixture(scope="module")
def small_docs(corpus_dir):
    paths = sorted(corpus_dir.glob("*/*.txt"))
    target = next(p for p in paths if p.stem == TARGET)
    others = random.Random(4).sample([p for p in paths if p.stem != TARGET], 24)
    return [target] + others


def test_clean_passage_drops_stamps_and_codes():
    text = ("UNCLASSIFIED U.S. Department of State Case No. F-2014-20439 Doc No. C05778768 Date: 01/07/2016\n"
            "RELEASE IN PART B6\nPlease call Mills B6 at 5pm 1.4(D) today.")
    assert clean_passage(text) == "Please call Mills at 5pm today."


def test_incremental_build_and_model_mismatch(tmp_path, small_docs):
    archive = Archive(str(tmp_path / "a.db"))
    archive.ingest([str(p) for p in small_docs[:12]])
    n_first = archive.store.db.execute("SELECT count(*) FROM passages").fetchone()[0]
    seen = []
    report = archive.build_vectors(progress=lambda done, total: seen.append((done, total)), workers=1)
    assert report["added"] == report["total"] == n_first and report["name_documents"] == 12
    assert report["rebuilt"] is False and report["vocabulary_added"] > 0
    assert seen[0] == (0, n_first) and seen[-1] == (n_first, n_first)

    archive.ingest([str(p) for p in small_docs[12:]])
    n_all = archive.store.db.execute("SELECT count(*) FROM passages").fetchone()[0]
    report = archive.build_vectors(workers=1)
    assert report["added"] == n_all - n_first and report["total"] == n_all
    assert report["name_documents"] == len(small_docs) - 12
    again = archive.build_vectors(workers=1)
    assert again["added"] == 0 and again["vocabulary_added"] == 0

    index = VectorIndex(archive.path)
    matrix, ids, docs = index.load()
    assert matrix.shape == (n_all, 512) and len(set(ids.tolist())) == n_all
    expected = archive.store.db.execute("SELECT p.id, d.id FROM passages p JOIN documents d "
                                        "ON d.doc_id = p.doc_id ORDER BY p.id").fetchall()
    assert ids.tolist() == [r[0] for r in expected] and docs.tolist() == [r[1] for r in expected]
    assert np.allclose(np.linalg.norm(matrix, axis=1), 1.0, atol=1e-2)

    # Vectors made by another model version are never mixed with new ones.
    manifest_path = index.dir / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["signature"]["version"] = "0.0.1"
    manifest_path.write_text(json.dumps(manifest))
    report = archive.build_vectors(workers=1)
    assert report["rebuilt"] is True and report["added"] == n_all and report["total"] == n_all
    assert json.loads(manifest_path.read_text())["signature"]["version"] != "0.0.1"


def test_arabic_query_finds_english_document(tmp_path, small_docs):
    archive = Archive(str(tmp_path / "b.db"))
    archive.ingest([str(p) for p in small_docs])
    archive.build_vectors(workers=2)
    # "The Libyan leader ordered the air force to bomb the barracks of soldiers who joined the protesters"
    query = "الزعيم الليبي أمر سلاح الجو بقصف ثكنات الجنود الذين انضموا إلى المتظاهرين"
    result = archive.search(query, mode="dense", limit=3)
    assert result.lang == "ar" and result.mode == "dense"
    # The distractors hold one other Sid memo on Libya; no other document is about it.
    assert TARGET in [h.doc_id for h in result.hits[:2]]
    hit = result.hits[0]
    assert hit.page >= 1 and 0 < len(hit.snippet) <= 241
