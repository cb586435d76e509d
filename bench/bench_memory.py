"""Peak memory of `dalil ingest` against the size of one input and the size of the archive.

Generates plain-text files (random words, 12 a line), an mbox of generated messages and a PDF
(a text line over a noise image on each page), ingests each into a fresh archive in a subprocess
under `/usr/bin/time -v`, and prints and saves (bench/results/memory.json) the peak RSS (of the
process tree's largest process) against the input size.  The text files run twice: at the
default document limit (large ones are recorded as skipped) and with the limit raised above
their size (read whole), which is the cost the limit avoids.  `--release` adds the curve against
the archive: the release ingested as it is, and resampled ×2 and ×4 (each copy's members renamed
and given one more line, so each is a new document), post-ingest passes included.

    python bench/bench_memory.py                      # 10, 50, 200 MB text, a 50 MB mbox
    python bench/bench_memory.py --sizes 10 50 200 500 --mbox-mb 200 --pdf-mb 100 \
        --release ../shared/data/clinton-foia-text.tar.gz --copies 1 2 4
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

MiB = 1 << 20
ROOT = Path(__file__).resolve().parent.parent


def write_words(path: Path, size: int, seed: int = 7) -> None:
    """A plain-text file of about `size` bytes: random words, 12 a line."""
    rng = random.Random(seed)
    words = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(3, 9)))
             for _ in range(20000)]
    with open(path, "wb") as fh:
        written = 0
        while written < size:
            block = "".join(" ".join(rng.choice(words) for _ in range(12)) + "\n" for _ in range(5000)).encode()
            fh.write(block)
            written += len(block)


def write_mbox(path: Path, size: int, seed: int = 11, messages: int = 0) -> int:
    """An mbox of about `size` bytes of generated messages (`messages` of them when given, their
    bodies sized to fit); returns the message count."""
    rng = random.Random(seed)
    words = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(3, 9)))
             for _ in range(20000)]
    n = 0
    with open(path, "wb") as fh:
        written = 0
        while written < size:
            lines = rng.randint(5, 60) if not messages else max(1, size // messages // 80 + rng.randint(-3, 3))
            body = "".join(" ".join(rng.choice(words) for _ in range(12)) + "\n" for _ in range(lines))
            msg = (f"From sender{n % 500}@example.org Mon Jan  5 10:00:00 2015\n"
                   f"From: sender{n % 500}@example.org\nTo: desk{n % 37}@example.org\n"
                   f"Subject: {' '.join(rng.choice(words) for _ in range(5))}\n"
                   f"Message-ID: <m{n}@example.org>\nDate: Mon, 5 Jan 2015 10:00:00 +0000\n\n{body}\n").encode()
            fh.write(msg)
            written += len(msg)
            n += 1
    return n


def write_pdf(path: Path, size: int, seed: int = 5) -> int:
    """A PDF of about `size` bytes: on each page a line of words over an uncompressed noise image
    (so the file is large and its text small, as with scans); returns the page count."""
    import pikepdf
    rng = random.Random(seed)
    pdf = pikepdf.new()
    font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                                BaseFont=pikepdf.Name.Helvetica))
    side = 700
    pages = max(1, size // (side * side))
    for i in range(pages):
        img = pikepdf.Stream(pdf, os.urandom(side * side))
        img.Type, img.Subtype, img.Width, img.Height = pikepdf.Name.XObject, pikepdf.Name.Image, side, side
        img.ColorSpace, img.BitsPerComponent = pikepdf.Name.DeviceGray, 8
        line = " ".join(rng.choice(["harbour", "contract", "minister", "budget", "meeting", "report"])
                        for _ in range(12))
        content = f"q 400 0 0 400 100 300 cm /Im0 Do Q BT /F1 12 Tf 72 720 Td (Page {i + 1}: {line}) Tj ET"
        pdf.pages.append(pikepdf.Page(pikepdf.Dictionary(
            Type=pikepdf.Name.Page, MediaBox=[0, 0, 612, 792], Contents=pdf.make_stream(content.encode()),
            Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font), XObject=pikepdf.Dictionary(Im0=img)))))
    pdf.save(path, compress_streams=False)
    return pages


def resample_release(release: Path, copies: int, out: Path) -> None:
    """The release `copies` times over in one .tar.gz: copy k > 0 has its members under `copyk/`
    and one more line at the end of each text, so each is a new document, not a duplicate input."""
    with tarfile.open(out, "w:gz", compresslevel=1) as dst:
        for k in range(copies):
            with tarfile.open(release, "r:*") as src:
                for member in src:
                    if not member.isfile():
                        continue
                    data = src.extractfile(member).read()
                    if k:
                        data += f"\n[resampled copy {k}]\n".encode()
                        member.name = f"copy{k}/{member.name}"
                    member.size = len(data)
                    dst.addfile(member, __import__("io").BytesIO(data))


def ingest_peak(path: Path, limit: int | None) -> dict:
    """Ingest one input into a fresh archive; peak RSS (MB) of the process tree and seconds."""
    with tempfile.TemporaryDirectory(prefix="dalil-bench-mem-") as tmp:
        cmd = ["/usr/bin/time", "-v", sys.executable, "-m", "dalil", "ingest", str(path),
               "--db", os.path.join(tmp, "a.db"), "--json"]
        if limit:
            cmd += ["--max-document-bytes", str(limit)]
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
        seconds = time.perf_counter() - t0
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
    report = json.loads(proc.stdout) if proc.returncode == 0 else {}
    return {"peak_mb": round(int(peak.group(1)) / 1024) if peak else None, "seconds": round(seconds, 1),
            "exit": proc.returncode, "added": report.get("added"), "skipped": report.get("skipped"),
            "failed": report.get("failed"), "intel_seconds": (report.get("intel") or {}).get("seconds"),
            "ingest_seconds": round(report["seconds"], 1) if report.get("seconds") else None,
            "load_average": [round(x, 2) for x in os.getloadavg()]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="*", default=[10, 50, 200], help="text file sizes, MB")
    ap.add_argument("--read-whole-up-to", type=int, default=10,
                    help="also ingest text files up to this size (MB) with the limit raised (slow)")
    ap.add_argument("--mbox-mb", type=int, default=50, help="mbox size, MB (0: none)")
    ap.add_argument("--mbox-messages", type=int, default=0,
                    help="messages in the mbox (default: as many as its size gives, about 4 KB each)")
    ap.add_argument("--pdf-mb", type=int, default=0, help="PDF size, MB (0: none)")
    ap.add_argument("--release", help="a release (.tar.gz) for the curve against the archive's size")
    ap.add_argument("--copies", type=int, nargs="+", default=[1, 2, 4], help="release copies for that curve")
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "memory.json"))
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="dalil-bench-inputs-") as tmp:
        for mb in args.sizes:
            path = Path(tmp) / f"words-{mb}mb.txt"
            write_words(path, mb * MiB)
            size = path.stat().st_size
            runs = [("default limit", None)]
            if mb <= args.read_whole_up_to:
                runs.append(("read whole", size + 1))
            for label, limit in runs:
                row = {"input": "text", "mb": round(size / MiB, 1), "mode": label, **ingest_peak(path, limit)}
                rows.append(row)
                print(json.dumps(row), flush=True)
            path.unlink()
        if args.mbox_mb:
            path = Path(tmp) / f"mail-{args.mbox_mb}mb.mbox"
            messages = write_mbox(path, args.mbox_mb * MiB, messages=args.mbox_messages)
            row = {"input": "mbox", "mb": round(path.stat().st_size / MiB, 1), "messages": messages,
                   "mode": "default limit", **ingest_peak(path, None)}
            rows.append(row)
            print(json.dumps(row), flush=True)
            path.unlink()
        if args.pdf_mb:
            path = Path(tmp) / f"scan-{args.pdf_mb}mb.pdf"
            pages = write_pdf(path, args.pdf_mb * MiB)
            row = {"input": "pdf", "mb": round(path.stat().st_size / MiB, 1), "pages": pages,
                   "mode": "default limit", **ingest_peak(path, None)}
            rows.append(row)
            print(json.dumps(row), flush=True)
            path.unlink()
        for copies in (args.copies if args.release else []):
            path = Path(tmp) / f"release-x{copies}.tar.gz"
            resample_release(Path(args.release), copies, path)
            row = {"input": "release", "copies": copies, "mb": round(path.stat().st_size / MiB, 1),
                   "mode": "default limit", **ingest_peak(path, None)}
            rows.append(row)
            print(json.dumps(row), flush=True)
            path.unlink()
    Path(args.out).write_text(json.dumps({"command": " ".join(sys.argv), "rows": rows}, indent=2) + "\n")
    print(f"saved {args.out}")


if __name__ == "__main__":
    main()
