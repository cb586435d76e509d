"""Near-duplicate clusters on real releases: the same e-mail released twice with different redactions."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from dalil.cli import main
from dalil.intel.dupes import clean_body, duplicates_of, jaccard, shingles, words


@pytest.fixture(scope="module")
def archive(intel_archive):
    return intel_archive


def test_release_pair_is_clustered_with_its_differences(archive):
    result = archive.dupes("C05794214")
    other = {d["doc_id"]: d for d in result["duplicates"]}
    assert "C05794215" in other
    d = other["C05794215"]
    assert 0.8 <= d["similarity"] < 1.0
    text = "\n".join(d["differences"])
    assert "RELEASE IN PART" in text and "RELEASE IN FULL" in text
    assert "B6 only in C05794214" in text
    assert "only in C05794214" in text and "syria" in text.lower()      # H's cover note


def test_duplicates_of_is_symmetric_and_skips_singletons(archive):
    found = duplicates_of(archive.store, ["C05794214", "C05794215", "C05739545"])
    assert found["C05794214"][0] == "C05794215" and "C05794214" in found["C05794215"]
    singles = archive.store.db.execute(
        "SELECT doc_id FROM documents WHERE doc_id NOT IN (SELECT doc_id FROM dupe_clusters) LIMIT 1").fetchone()[0]
    assert singles not in duplicates_of(archive.store, [singles])


def test_benghazi_copies_cluster_across_releases(archive):
    # Sid's Gaza memo: in the Benghazi set? no - two Jan7th/Feb forwards of one memo.
    found = duplicates_of(archive.store, ["C05793860"])
    assert {"C05796791", "C05796779"} <= set(found["C05793860"])


def test_stamps_and_codes_do_not_count(archive):
    row = archive.store.db.execute("SELECT text, meta FROM documents WHERE doc_id='C05794214'").fetchone()
    body = clean_body(row[0], json.loads(row[1]))
    assert "Doc No. C05794214" not in body
    assert "b6" not in words(body)
    a = shingles(words(body))
    assert jaccard(a, a) == 1.0


def test_every_stored_pair_is_verified(archive):
    rows = archive.store.db.execute("SELECT a, b, similarity FROM dupe_pairs").fetchall()
    assert rows and all(0.8 <= s <= 1.0 and a < b for a, b, s in rows)


def test_dupes_cli(archive):
    runner = CliRunner()
    out = runner.invoke(main, ["dupes", "C05794215", "--json", "--db", archive.path])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["doc_id"] == "C05794215"
    assert data["duplicates"][0]["doc_id"] == "C05794214"
    assert set(data["duplicates"][0]) >= {"doc_id", "similarity", "differences"}
    bad = runner.invoke(main, ["dupes", "C00000000", "--db", archive.path])
    assert bad.exit_code != 0 and "no document C00000000" in bad.output


def test_copies_beyond_the_near_duplicate_threshold(corpus_subset, tmp_path):
    """C05762897 and C05758799 hold the same email (the dev set's gold for one query), but OCR
    damage leaves their 5-gram Jaccard at 0.47, under the clusters' 0.8: they are copy pairs,
    listed as each other's duplicates.  Two other emails of the archive are no copies of them."""
    from dalil import Archive
    group = ["C05762897", "C05758799", "C05758800", "C05762898"]
    others = ["C05773646", "C05760438", "C05794214", "C05739545"]
    archive = Archive(str(tmp_path / "copies.db"))
    archive.ingest([str(corpus_subset(group + others))])
    archive.build_intel()
    db = archive.store.db
    clustered = {d for d, in db.execute("SELECT doc_id FROM dupe_clusters")}
    assert not {"C05762897", "C05758799"} <= clustered
    found = duplicates_of(archive.store, group + others)
    assert set(group) - {"C05762897"} <= set(found["C05762897"])
    assert "C05762897" in found["C05758799"]  # each carries the other
    assert all(not set(found.get(d, [])) & set(group) for d in others)
    rows = db.execute("SELECT a, b, share FROM copy_pairs").fetchall()
    assert rows and all(0.7 <= s <= 1.0 for _, _, s in rows)
    archive.close()


def test_a_one_line_email_is_found_in_the_reply_that_quotes_it(corpus_subset, tmp_path):
    """"Can you pls send me a copy for today?" (C05760403, 15 distinctive 3-grams with its
    headers) is quoted whole in the thread that follows it (C05760408): the thread is listed
    with it, not the other way round, and another one-line email of the archive with neither."""
    from dalil import Archive
    emails = ["C05760403", "C05760408", "C05777211", "C05793944"]
    archive = Archive(str(tmp_path / "short.db"))
    archive.ingest([str(corpus_subset(emails))])
    archive.build_intel()
    found = duplicates_of(archive.store, emails)
    assert found.get("C05760403") == ["C05760408"]
    assert "C05760408" not in found and "C05777211" not in found and "C05793944" not in found
    archive.close()


def test_signature_is_datasketchs_minhash(archive):
    """`signature` computes in numpy what datasketch's MinHash.update_batch gives, value for value,
    on real documents (long and short) and on a single shingle."""
    from dalil.intel import dupes as d
    bodies = [archive.store.comparable_document(doc_id)["text"] for doc_id in ("C05794214", "C05739545", "C05793860")]
    arrays = [shingles(words(b)).astype("uint32") for b in bodies] + [shingles(["one"]).astype("uint32")]
    assert len(arrays[0]) > 50
    for values in arrays:
        m = d._template().copy()
        m.update_batch(values.tolist())
        assert (d.signature(values) == m.digest()).all()


def test_the_pass_in_small_slices_finds_the_same(archive, tmp_path, monkeypatch):
    """The pass spills its arrays and reads the 3-gram hashes back a slice of their range at a time:
    with runs and slices a thousand times smaller (hundreds of each) the pairs, clusters and copies
    are the same as with the default sizes."""
    import sqlite3

    from dalil import Archive
    from dalil.intel import dupes as d

    def tables(a):
        return {t: sorted(tuple(r) for r in a.store.db.execute(f"SELECT * FROM {t}"))
                for t in ("dupe_pairs", "dupe_clusters", "copy_pairs")}
    before = tables(archive)
    assert before["dupe_pairs"] and before["copy_pairs"]
    copy = tmp_path / "copy.db"
    src, dst = sqlite3.connect(archive.path), sqlite3.connect(copy)
    src.backup(dst)
    src.close(), dst.close()
    small = Archive(str(copy))
    monkeypatch.setattr(d._Spill, "RUN", 4000)
    monkeypatch.setattr(d, "GRAM_SLICE", 3000)
    report = d.build_dupes(small.store)
    assert tables(small) == before
    assert report["pairs"] == len(before["dupe_pairs"])
    small.close()
