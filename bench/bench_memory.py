"""Peak memory of `dalil ingest` against the size of one input.

Generates plain-text files (random words, 12 a line) and an mbox of generated messages, ingests
each into a fresh archive in a subprocess under `/usr/bin/time -v`, and prints and saves
(bench/results/memory.json) the peak RSS against the input size.  The text files run twice: at
the default document limit (large ones are recorded as skipped) and with the limit raised above
their size (read whole), which is the cost the limit avoids.

    python bench/bench_memory.py                      # 10, 50, 200 MB text, a 50 MB mbox
    python bench/bench_memory.py --sizes 10 50 200 500 --mbox-mb 200
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
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


def write_mbox(path: Path, size: int, seed: int = 11) -> int:
    """An mbox of about `size` bytes of generated messages; returns the message count."""
    rng = random.Random(seed)
    words = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(3, 9)))
             for _ in range(20000)]
    n = 0
    with open(path, "wb") as fh:
        written = 0
        while written < size:
            body = "".join(" ".join(rng.choice(words) for _ in range(12)) + "\n" for _ in range(rng.randint(5, 60)))
            msg = (f"From sender{n % 500}@example.org Mon Jan  5 10:00:00 2015\n"
                   f"From: sender{n % 500}@example.org\nTo: desk{n % 37}@example.org\n"
                   f"Subject: {' '.join(rng.choice(words) for _ in range(5))}\n"
                   f"Message-ID: <m{n}@example.org>\nDate: Mon, 5 Jan 2015 10:00:00 +0000\n\n{body}\n").encode()
            fh.write(msg)
            written += len(msg)
            n += 1
    return n


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
            "failed": report.get("failed")}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[10, 50, 200], help="text file sizes, MB")
    ap.add_argument("--read-whole-up-to", type=int, default=10,
                    help="also ingest text files up to this size (MB) with the limit raised (slow)")
    ap.add_argument("--mbox-mb", type=int, default=50, help="mbox size, MB (0: none)")
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
            messages = write_mbox(path, args.mbox_mb * MiB)
            row = {"input": "mbox", "mb": round(path.stat().st_size / MiB, 1), "messages": messages,
                   "mode": "default limit", **ingest_peak(path, None)}
            rows.append(row)
            print(json.dumps(row), flush=True)
    Path(args.out).write_text(json.dumps({"command": " ".join(sys.argv), "rows": rows}, indent=2) + "\n")
    print(f"saved {args.out}")


if __name__ == "__main__":
    main()
