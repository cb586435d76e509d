"""Bounded memory of ingest: an input larger than the document limit is recorded, not read."""
from __future__ import annotations

import json
import os
import random
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

MiB = 1 << 20
# Measured: an ingest that skips a 60 MB file and reads a small one peaks near 100 MB (the
# interpreter, dalil's imports and one worker); reading the 60 MB file would take several GB.
PEAK_BOUND_KB = 400 * 1024

_RUNNER = """
import resource, subprocess, sys
proc = subprocess.run(sys.argv[1:], capture_output=True, text=True)
sys.stdout.write(proc.stdout)
sys.stderr.write(proc.stderr)
print("MAXRSS", resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(proc.returncode)
"""


def _ingest(args: list[str], env: dict[str, str] | None = None) -> tuple[subprocess.CompletedProcess, int]:
    """Run `dalil ingest` in a fresh process; returns it and the peak RSS (KB) of its process tree."""
    cmd = [sys.executable, "-c", _RUNNER, sys.executable, "-m", "dalil", "ingest", *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900,   # a shared, busy machine
                          env={**os.environ, **(env or {})})
    lines = proc.stdout.splitlines()
    peak = int(lines[-1].split()[1])
    proc.stdout = "\n".join(lines[:-1])
    return proc, peak


def _words_file(path: Path, size: int) -> None:
    rng = random.Random(7)
    words = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(3, 9)))
             for _ in range(5000)]
    block = "".join(" ".join(rng.choice(words) for _ in range(12)) + "\n" for _ in range(20000)).encode()
    with open(path, "wb") as fh:
        written = 0
        while written < size:
            fh.write(block)
            written += len(block)


def _ledger(db: Path) -> dict[str, tuple[int, str, str | None]]:
    con = sqlite3.connect(db)
    try:
        return {Path(p).name: (size, status, reason)
                for p, size, status, reason in con.execute("SELECT path, size, status, reason FROM ledger")}
    finally:
        con.close()


def test_oversized_text_is_recorded_as_skipped_without_reading_it(tmp_path):
    big = tmp_path / "inputs" / "big.txt"
    big.parent.mkdir()
    _words_file(big, 60 * MiB)
    (tmp_path / "inputs" / "note.txt").write_text("a short note about the budget meeting\n")
    db = tmp_path / "a.db"
    proc, peak = _ingest([str(big.parent), "--db", str(db), "--json"],
                         env={"DALIL_MAX_DOCUMENT_BYTES": str(20 * MiB)})
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert (report["added"], report["ok"], report["skipped"], report["failed"]) == (1, 1, 1, 0)
    ledger = _ledger(db)
    size = big.stat().st_size
    assert ledger["big.txt"] == (size, "skipped", f"too large ({size} bytes > limit {20 * MiB})")
    assert ledger["note.txt"][1] == "ok"
    assert peak < PEAK_BOUND_KB, f"peak RSS {peak} KB"


def test_limit_option_overrides_the_environment(tmp_path):
    doc = tmp_path / "memo.txt"
    doc.write_text("word " * 1000)
    db = tmp_path / "a.db"
    proc, _ = _ingest([str(doc), "--db", str(db), "--max-document-bytes", "1000", "--json"],
                      env={"DALIL_MAX_DOCUMENT_BYTES": str(20 * MiB)})
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["skipped"] == 1
    assert _ledger(db)["memo.txt"][1:] == ("skipped", "too large (5000 bytes > limit 1000)")
    # Again with the same limit: still one row; with a higher one the file is read and its row replaced.
    proc, _ = _ingest([str(doc), "--db", str(db), "--max-document-bytes", "1000", "--json"])
    assert json.loads(proc.stdout)["skipped"] == 1
    proc, _ = _ingest([str(doc), "--db", str(db), "--max-document-bytes", "10000", "--json"])
    assert json.loads(proc.stdout)["added"] == 1
    con = sqlite3.connect(db)
    assert con.execute("SELECT status FROM ledger").fetchall() == [("ok",)]
    con.close()


def test_mbox_larger_than_the_limit_is_read_message_by_message(tmp_path):
    box = tmp_path / "big.mbox"
    n = 3000
    with open(box, "w") as fh:
        for i in range(n):
            fh.write(f"From sender{i}@example.org Mon Jan  5 10:00:00 2015\n"
                     f"From: sender{i}@example.org\nTo: desk@example.org\n"
                     f"Subject: report {i}\nMessage-ID: <m{i}@example.org>\n"
                     f"Date: Mon, 5 Jan 2015 10:00:00 +0000\n\n"
                     + f"Body of message {i} about the harbour contract.\n" * 20 + "\n")
    db = tmp_path / "a.db"
    proc, peak = _ingest([str(box), "--db", str(db), "--max-document-bytes", str(MiB), "--json"])
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert box.stat().st_size > MiB
    assert (report["added"], report["skipped"], report["failed"]) == (n, 0, 0)
    assert peak < PEAK_BOUND_KB + 200 * 1024, f"peak RSS {peak} KB"


def test_mbox_read_in_chunks_cuts_where_the_whole_file_does(samples_dir, monkeypatch):
    import io
    from dalil.ingest import mbox
    boxes = sorted((samples_dir / "mbox").glob("*.mbox"))
    assert len(boxes) >= 3
    for chunk in (7, 300, 4096):      # chunks far smaller than a message: every boundary case
        monkeypatch.setattr(mbox, "CHUNK", chunk)
        monkeypatch.setattr(mbox, "MARGIN", 16)
        for box in boxes:
            data = box.read_bytes()
            assert list(mbox.split_mbox_file(io.BytesIO(data))) == list(mbox.split_mbox(data)), (box.name, chunk)


# --- one large input of each kind: the peak of the whole `dalil ingest` stays under 1 GB ----------
ONE_GB_KB = 1024 * 1024
LARGE_TIMEOUT = 3600          # a shared 2-core machine: 50,000 messages take minutes


def _ingest_large(args: list[str]) -> tuple[subprocess.CompletedProcess, int]:
    cmd = [sys.executable, "-c", _RUNNER, sys.executable, "-m", "dalil", "ingest", *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=LARGE_TIMEOUT, env=dict(os.environ))
    lines = proc.stdout.splitlines()
    peak = int(lines[-1].split()[1])
    proc.stdout = "\n".join(lines[:-1])
    return proc, peak


def test_a_200_mb_text_file_is_recorded_with_its_size_under_1_gb(tmp_path):
    big = tmp_path / "dump.txt"
    _words_file(big, 200 * MiB)
    db = tmp_path / "a.db"
    proc, peak = _ingest_large([str(big), "--db", str(db), "--json"])
    assert proc.returncode == 0, proc.stderr
    size = big.stat().st_size
    assert json.loads(proc.stdout)["skipped"] == 1
    assert _ledger(db)["dump.txt"] == (size, "skipped", f"too large ({size} bytes > limit {20 * MiB})")
    assert peak < ONE_GB_KB, f"peak RSS {peak} KB"


def _pdf(path: Path, pages: int, side: int = 700) -> None:
    """`pages` pages, each a line of words over an uncompressed noise image (a large file, little text)."""
    import pikepdf
    pdf = pikepdf.new()
    font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                                BaseFont=pikepdf.Name.Helvetica))
    for i in range(pages):
        img = pikepdf.Stream(pdf, os.urandom(side * side))
        img.Type, img.Subtype, img.Width, img.Height = pikepdf.Name.XObject, pikepdf.Name.Image, side, side
        img.ColorSpace, img.BitsPerComponent = pikepdf.Name.DeviceGray, 8
        text = f"Page {i + 1}: the harbour contract was signed by the minister after the budget meeting"
        pdf.pages.append(pikepdf.Page(pikepdf.Dictionary(
            Type=pikepdf.Name.Page, MediaBox=[0, 0, 612, 792],
            Contents=pdf.make_stream(f"q 400 0 0 400 100 300 cm /Im0 Do Q BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()),
            Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font), XObject=pikepdf.Dictionary(Im0=img)))))
    pdf.save(path, compress_streams=False)


def test_a_100_mb_pdf_is_read_page_by_page_under_1_gb(tmp_path):
    scan = tmp_path / "scan.pdf"
    _pdf(scan, 215)
    assert scan.stat().st_size > 100 * MiB
    db = tmp_path / "a.db"
    proc, peak = _ingest_large([str(scan), "--db", str(db), "--json"])
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["added"] == 1
    con = sqlite3.connect(db)
    text, status = con.execute("SELECT text, status FROM documents").fetchone()
    con.close()
    assert status == "ok" and "Page 1:" in text and "Page 215:" in text
    assert peak < ONE_GB_KB, f"peak RSS {peak} KB"


def test_a_pdf_whose_text_passes_the_limit_keeps_its_first_pages(tmp_path):
    scan = tmp_path / "scan.pdf"
    _pdf(scan, 12, side=100)
    db = tmp_path / "a.db"
    proc, _ = _ingest([str(scan), "--db", str(db), "--max-document-bytes", "300", "--json"])
    assert proc.returncode == 0, proc.stderr
    con = sqlite3.connect(db)
    text, status, reason = con.execute("SELECT text, status, reason FROM documents").fetchone()
    con.close()
    assert status == "partial" and reason.startswith("too large: text of the first 4 of 12 pages kept")
    assert "Page 4:" in text and "Page 5:" not in text
