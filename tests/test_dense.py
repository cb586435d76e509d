"""Dense passage vectors: incremental build, model mismatch, cross-lingual retrieval."""
from __future__ import annotations

import json
import random

import numpy as np
import pytest

from dalil import Archive
from dalil.search.dense import DIM, VectorIndex, clean_passage, passage_texts

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
    # One vector per passage, a second one of its body where header lines take part of it.
    assert report["added"] == n_first and report["total"] == len(_expected_rows(archive))
    assert n_first < report["total"] < 2 * n_first and report["name_documents"] == 12
    assert report["rebuilt"] is False and report["vocabulary_added"] > 0
    assert seen[0] == (0, n_first) and seen[-1] == (n_first, n_first)

    archive.ingest([str(p) for p in small_docs[12:]])
    n_all = archive.store.db.execute("SELECT count(*) FROM passages").fetchone()[0]
    report = archive.build_vectors(workers=1)
    assert report["added"] == n_all - n_first and report["total"] == len(_expected_rows(archive))
    assert report["name_documents"] == len(small_docs) - 12
    again = archive.build_vectors(workers=1)
    assert again["added"] == 0 and again["vocabulary_added"] == 0

    index = VectorIndex(archive.path)
    matrix, ids, docs = index.load()
    expected = _expected_rows(archive)
    assert matrix.shape == (len(expected), DIM) and len(set(ids.tolist())) == n_all
    assert ids.tolist() == [r[0] for r in expected] and docs.tolist() == [r[1] for r in expected]
    assert np.allclose(np.linalg.norm(matrix, axis=1), 1.0, atol=1e-2)

    # Vectors made by another model version are never mixed with new ones.
    manifest_path = index.dir / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["signature"]["version"] = "0.0.1"
    manifest_path.write_text(json.dumps(manifest))
    report = archive.build_vectors(workers=1)
    assert report["rebuilt"] is True and report["added"] == n_all and report["total"] == len(expected)
    assert json.loads(manifest_path.read_text())["signature"]["version"] != "0.0.1"


def _expected_rows(archive) -> list[tuple[int, int]]:
    """(passage id, documents.id) of each vector the build should make, in passage order."""
    rows = archive.store.db.execute(
        "SELECT p.id, d.id, substr(d.text, p.start + 1, p.end - p.start) FROM passages p "
        "JOIN documents d ON d.doc_id = p.doc_id ORDER BY p.id").fetchall()
    return [(pid, doc) for pid, doc, text in rows for _ in passage_texts(text)]


def test_passage_body_without_headers():
    """A short email's passage is mostly headers: its body gets a vector of its own."""
    email = ("From: Abedin, Huma <AbedinH@state.gov>\nSent: Monday, May 10, 2010 7:02 AM\nTo: H\n"
             "Subject: Re: Gates\n\nI need to talk to Gates tomorrow secure if possible btw 8-10. "
             "Can you pls see if we can schedule?")
    whole, body = passage_texts(email)
    assert whole.startswith("From: Abedin") and body.startswith("I need to talk to Gates")
    assert "Subject" not in body and "B6" not in passage_texts(email + " B6")[1]
    memo = "The Libyan leader ordered the air force to bomb the barracks of the soldiers."
    assert passage_texts(memo) == [memo]                    # no header lines: one vector
    assert len(passage_texts("From: H\nTo: Huma\nSubject: Fw:\n\nok")) == 1   # no body to speak of


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
