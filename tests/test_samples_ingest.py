"""Every real sample in ../shared/data/samples goes through `dalil ingest`: read, or failed with the
reason it deserves (the broken fixtures are truncated PDFs, truncated/fake images and empty parts)."""
from __future__ import annotations

import re

import pytest

from dalil import Archive

BROKEN_REASONS = re.compile(r"^(truncated_pdf|corrupt_image|empty_file)\b")


@pytest.fixture(scope="module")
def samples_archive(samples_dir, tmp_path_factory):
    archive = Archive(str(tmp_path_factory.mktemp("samples") / "s.db"))
    report = archive.ingest([str(samples_dir)], ocr="never")
    return archive, report


def test_every_sample_is_accounted_for(samples_archive, samples_dir):
    archive, report = samples_archive
    top_level = {str(p) for p in samples_dir.rglob("*") if p.is_file() and p.name != "README.md"
                 and "maildir" not in p.parts}
    ledger_paths = {r[0] for r in archive.store.db.execute("SELECT DISTINCT path FROM ledger")}
    assert top_level - ledger_paths == set()


def test_only_broken_parts_fail_and_each_says_why(samples_archive):
    archive, report = samples_archive
    failures = archive.status()["failures"]
    assert failures, "the samples include broken attachments"
    for f in failures:
        assert BROKEN_REASONS.match(f["reason"]), f
        assert "0x" not in f["reason"]


def test_formats_and_attachments_arrive(samples_archive):
    archive, _ = samples_archive
    by_format = archive.status()["by_format"]
    for fmt in ("eml", "mbox", "maildir", "msg", "pst", "pdf", "image", "foia"):
        assert by_format.get(fmt, 0) > 0, fmt
    children = archive.store.db.execute("SELECT count(*) FROM documents WHERE parent_id IS NOT NULL").fetchone()[0]
    assert children > 20
    # A signature or an audio attachment is kept as a metadata-only document, never dropped.
    binary = archive.store.db.execute(
        "SELECT title, status, reason FROM documents WHERE source_format='binary'").fetchall()
    assert any(r["title"].endswith(".p7s") for r in binary)
    assert all(r["status"] == "partial" and r["reason"].startswith("metadata_only") for r in binary)


def test_state_pdf_is_parsed_as_the_foia_document(samples_archive, corpus_doc):
    archive, _ = samples_archive
    doc = archive.document("C05739545")
    assert doc is not None and doc.source_format == "pdf"
    assert doc.text == corpus_doc("C05739545").read_text(encoding="utf-8")
    assert doc.to_dict()["disposition"] == "RELEASE IN FULL"
