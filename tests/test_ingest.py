"""Ingest: ledger, idempotence, resume, archives streamed, failures recorded (real corpus files)."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import tarfile
import time
import zipfile

from dalil import Archive

DOCS = ["C05739545", "C05739624", "C05758398", "C05760371", "C05764217", "C05764219",
        "C05765907", "C05777468", "C05772122", "C05794214", "C05794215"]


def test_folder_ingest_ledger_and_status(corpus_subset, tmp_path):
    root = corpus_subset(DOCS)
    archive = Archive(str(tmp_path / "a.db"))
    report = archive.ingest([str(root)])
    assert report.added == len(DOCS) and report.failed == 0
    status = archive.status()
    assert status["documents"] == len(DOCS)
    assert status["by_status"]["ok"] == len(DOCS)
    assert status["by_release"]["HRC_Email_296"] == 2
    assert status["messages"] > len(DOCS)           # chains give several messages per document
    rows = archive.store.db.execute("SELECT path, member, content_hash, reader, status FROM ledger").fetchall()
    assert len(rows) == len(DOCS)
    assert all(r["reader"] == "foia" and len(r["content_hash"]) == 64 for r in rows)


def test_reingest_adds_nothing(corpus_subset, tmp_path):
    root = corpus_subset(DOCS)
    archive = Archive(str(tmp_path / "a.db"))
    archive.ingest([str(root)])
    again = archive.ingest([str(root)])
    assert again.added == 0 and again.unchanged == len(DOCS)
    assert archive.status()["documents"] == len(DOCS)
    assert archive.store.db.execute("SELECT count(*) FROM ledger").fetchone()[0] == len(DOCS)


def test_same_content_elsewhere_is_a_duplicate(corpus_subset, corpus_doc, tmp_path):
    root = corpus_subset(DOCS)
    archive = Archive(str(tmp_path / "a.db"))
    archive.ingest([str(root)])
    copy_dir = tmp_path / "copy" / "HRC_Email_296"
    copy_dir.mkdir(parents=True)
    (copy_dir / "C05739545.txt").write_bytes(corpus_doc("C05739545").read_bytes())
    report = archive.ingest([str(tmp_path / "copy")])
    assert report.duplicate == 1 and report.added == 0
    assert archive.status()["by_status"]["duplicate"] == 1


def test_tar_gz_is_streamed_not_extracted(corpus_doc, tmp_path):
    tgz = tmp_path / "release.tar.gz"
    with tarfile.open(tgz, "w:gz") as tf:
        for d in DOCS:
            p = corpus_doc(d)
            tf.add(p, arcname=f"text/{p.parent.name}/{p.name}")
    before = set(os.listdir(tmp_path))
    archive = Archive(str(tmp_path / "a.db"))
    report = archive.ingest([str(tgz)])
    assert report.added == len(DOCS) and report.failed == 0
    assert set(os.listdir(tmp_path)) - before <= {"a.db", "a.db-wal", "a.db-shm"}
    doc = archive.document("C05758398")
    assert doc.release == "HRCEmail_JuneWeb"
    assert doc.path.endswith("release.tar.gz!text/HRCEmail_JuneWeb/C05758398.txt")


def test_bad_inputs_are_recorded_and_ingest_goes_on(corpus_subset, tmp_path):
    root = corpus_subset(DOCS[:3])
    (root / "broken.zip").write_bytes(b"PK\x03\x04 this is not really a zip")
    (root / "empty.eml").write_bytes(b"")
    (root / "blob.bin").write_bytes(bytes(range(256)) * 40)
    archive = Archive(str(tmp_path / "a.db"))
    report = archive.ingest([str(root), str(tmp_path / "missing-folder")])
    assert report.added == 4                        # blob.bin is kept as a metadata-only document
    blob = archive.store.db.execute("SELECT status, reason FROM documents WHERE source_format='binary'").fetchone()
    assert blob["status"] == "partial" and blob["reason"].startswith("metadata_only")
    failures = {os.path.basename(f["path"].split("!")[0]): f["reason"] for f in archive.status()["failures"]}
    assert set(failures) == {"broken.zip", "empty.eml", "missing-folder"}
    assert failures["missing-folder"].startswith("not_found")
    assert all(reason and "Traceback" not in reason for reason in failures.values())


def test_interrupted_ingest_resumes_without_loss_or_doubles(corpus_dir, tmp_path):
    # The whole corpus: one release (1,925 files) is ingested before the first commit is seen
    # on an idle machine, and nothing is left to interrupt.
    release = corpus_dir
    n_files = len(list(release.glob("*/*.txt")))
    db = tmp_path / "a.db"
    proc = subprocess.Popen([sys.executable, "-m", "dalil", "ingest", str(release), "--db", str(db)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 60
    while time.time() < deadline:          # kill it once some batches are committed
        time.sleep(0.3)
        if db.exists() and _count(db) > 0:
            break
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    partial = _count(db)
    assert 0 < partial < n_files, "the ingest should have been cut off mid-way"
    archive = Archive(str(db))
    report = archive.ingest([str(release)])
    assert report.unchanged >= partial
    assert archive.status()["documents"] == n_files
    dupes = archive.store.db.execute(
        "SELECT count(*) FROM (SELECT path, member FROM ledger GROUP BY 1, 2 HAVING count(*) > 1)").fetchone()[0]
    assert dupes == 0


def _count(db) -> int:
    import sqlite3
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as c:
            return c.execute("SELECT count(*) FROM documents").fetchone()[0]
    except sqlite3.Error:
        return 0


def test_zip_members_are_read_in_place(corpus_doc, tmp_path):
    z = tmp_path / "docs.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for d in DOCS[:4]:
            p = corpus_doc(d)
            zf.write(p, arcname=f"{p.parent.name}/{p.name}")
    archive = Archive(str(tmp_path / "a.db"))
    report = archive.ingest([str(z)])
    assert report.added == 4
    assert archive.document("C05739545").release == "HRC_Email_296"


def test_raw_text_kept_byte_for_byte(corpus_subset, corpus_doc, tmp_path):
    root = corpus_subset(DOCS)
    archive = Archive(str(tmp_path / "a.db"))
    archive.ingest([str(root)])
    for d in DOCS:
        assert archive.document(d).raw_bytes() == corpus_doc(d).read_bytes()


def test_passages_cite_byte_offsets_into_raw_text(corpus_subset, corpus_doc, tmp_path):
    root = corpus_subset(DOCS)
    archive = Archive(str(tmp_path / "a.db"))
    archive.ingest([str(root)])
    rows = archive.store.db.execute("SELECT * FROM passages").fetchall()
    assert len(rows) > len(DOCS)
    for r in rows:
        raw = corpus_doc(r["doc_id"]).read_bytes()
        text = raw.decode("utf-8")
        assert raw[r["byte_start"]:r["byte_end"]].decode("utf-8") == text[r["start"]:r["end"]]
        assert "UNCLASSIFIED U.S. Department of State Case No" not in text[r["start"]:r["end"]]


def test_language_is_detected_from_the_text(corpus_subset, tmp_path):
    # English e-mail, Arias' Spanish declaration, the French and Haitian Creole Haiti communiqués.
    root = corpus_subset(["C05758398", "C05762757", "C05767099", "C05767504"])
    archive = Archive(str(tmp_path / "a.db"))
    archive.ingest([str(root)])
    langs = dict(archive.store.db.execute("SELECT doc_id, lang FROM documents").fetchall())
    assert langs == {"C05758398": "en", "C05762757": "es", "C05767099": "fr", "C05767504": "ht"}
    assert [h.doc_id for h in archive.lexical.search("lang:fr").hits] == ["C05767099"]


def test_message_bodies_read_across_page_breaks(corpus_subset, tmp_path):
    root = corpus_subset(DOCS)
    archive = Archive(str(tmp_path / "a.db"))
    archive.ingest([str(root)])
    bodies = [m["body"] for d in DOCS for m in archive.document(d).to_dict()["messages"]]
    assert len(bodies) > len(DOCS) and any(len(b) > 2000 for b in bodies)
    for body in bodies:
        assert not re.search(r"UNCLASSIFIED U\.S\. Department of State|STATE-[5S]CB\d", body)


def test_same_doc_id_other_content_is_kept_as_variant(tmp_path):
    """Two releases carrying different texts under one DocNo: both kept, the second as `ID~2`
    (its meta says which id it varies), and a re-run adds neither again."""
    from dalil import Archive
    for release, body in (("ReleaseA", "Pls print the Libya memo."), ("ReleaseB", "Call me about Haiti.")):
        folder = tmp_path / "in" / release
        folder.mkdir(parents=True)
        (folder / "C01234567.txt").write_text(
            "UNCLASSIFIED U.S. Department of State Case No. F-2014-20439 Doc No. C01234567 Date: 07/31/2015\n"
            f"RELEASE IN FULL\n\nFrom: Mills, Cheryl D\nSent: Monday, April 13, 2009 11:09 AM\nTo: H\n"
            f"Subject: Note\n\n{body}\n\f")
    archive = Archive(str(tmp_path / "a.db"))
    report = archive.ingest([str(tmp_path / "in")], build_intel=False)
    assert report.added == 2 and report.failed == 0
    variant = archive.document("C01234567~2")
    assert variant is not None and variant.meta["variant_of"] == "C01234567"
    texts = {archive.document(d).text.split("\n\n")[-1].strip() for d in ("C01234567", "C01234567~2")}
    assert texts == {"Pls print the Libya memo.", "Call me about Haiti."}
    assert archive.ingest([str(tmp_path / "in")], build_intel=False).added == 0
