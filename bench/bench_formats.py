"""Reader throughput per format over the sample files, and OCR speed/accuracy per language.

    python bench/bench_formats.py [--samples ../shared/data/samples] [--workers 1] [--pages 2]

Prints a table and writes bench/results/formats.json.  OCR is measured on
generated 300-dpi full-page renders of known English, French and Arabic text
(character error rate against the rendered text).
"""
from __future__ import annotations

import argparse
import io
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from dalil.ingest import ocr                                       # noqa: E402
from dalil.ingest.base import pick                                 # noqa: E402
from dalil.ingest.safety import Budget, is_rejected                # noqa: E402
from dalil.model import IngestError, Source                        # noqa: E402
from ocr_samples import TEXTS, cer, render                         # noqa: E402


def sample_sources(samples: Path) -> dict[str, list[Source]]:
    groups: dict[str, list[Source]] = {}
    for sub, pattern in (("pdf", "*.pdf"), ("images", "*.png"), ("images", "*.tif"), ("zip", "*.zip"),
                         ("images", "*.txt")):
        for p in sorted((samples / sub).glob(pattern)):
            src = Source(name=str(p), path=str(p))
            groups.setdefault(pick(src).name, []).append(src)
    groups["html"] = [Source(name=f"page{i}.html", data=_html(i)) for i in range(20)]
    groups["docx"] = [Source(name=f"memo{i}.docx", data=_docx(i)) for i in range(20)]
    return groups


def _html(i: int) -> bytes:
    paras = "".join(f"<p>Paragraph {j} of page {i}: the delegation met the minister in Cairo.</p>" for j in range(30))
    return f"<html><head><title>Page {i}</title></head><body><nav>Home</nav><article>{paras}</article></body></html>".encode()


def _docx(i: int) -> bytes:
    import docx

    d = docx.Document()
    for j in range(30):
        d.add_paragraph(f"Paragraph {j} of memo {i}: the delegation met the minister in Cairo.")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def consume(source: Source) -> int:
    """Read a source fully (containers recursively); the number of documents produced."""
    reader = pick(source)
    n = 0
    try:
        for out in reader().read(source):
            if isinstance(out, Source):
                if not is_rejected(out):
                    try:
                        n += consume(out)
                    except IngestError:
                        pass
            else:
                n += 1
    except IngestError:
        pass
    return n


def bench_formats(samples: Path, workers: int) -> list[dict]:
    rows = []
    for fmt, sources in sorted(sample_sources(samples).items()):
        for s in sources:
            s.hint["ocr_workers"] = workers
        t0 = time.perf_counter()
        with Budget() as budget:
            docs = 0
            for s in sources:
                s.hint["budget"] = budget
                docs += consume(s)
        dt = time.perf_counter() - t0
        rows.append({"format": fmt, "inputs": len(sources), "docs": docs, "seconds": round(dt, 3),
                     "docs_per_s": round(docs / dt, 2) if dt else None})
    return rows


def bench_ocr(pages: int, workers: int) -> list[dict]:
    rows = []
    for lang in ("eng", "fra", "ara"):
        lines = TEXTS[lang] * 7                      # ~30 lines: a full 300-dpi page
        imgs = [render(lang, lines=lines, skew=1.0, seed=s) for s in range(pages)]
        t0 = time.perf_counter()
        results = [r for _, r in ocr.ocr_stream(enumerate(imgs), workers=workers)]
        dt = time.perf_counter() - t0
        ref = "\n".join(lines)
        cers = [cer(r.text, ref) for r in results]
        rows.append({"lang": lang, "pages": pages, "workers": workers, "seconds": round(dt, 2),
                     "pages_per_min": round(60 * pages / dt, 1), "detected": sorted({r.lang for r in results}),
                     "cer": round(sum(cers) / len(cers), 4), "confidence": round(sum(r.confidence for r in results) / len(results), 1)})
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--samples", type=Path, default=ROOT.parent / "shared" / "data" / "samples")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--pages", type=int, default=2, help="generated pages per OCR language")
    args = ap.parse_args()
    fmt_rows = bench_formats(args.samples, args.workers)
    ocr_rows = bench_ocr(args.pages, args.workers)
    print(f"{'format':8} {'inputs':>6} {'docs':>5} {'seconds':>8} {'docs/s':>8}")
    for r in fmt_rows:
        print(f"{r['format']:8} {r['inputs']:>6} {r['docs']:>5} {r['seconds']:>8.2f} {r['docs_per_s']:>8}")
    print(f"\n{'lang':5} {'pages':>5} {'workers':>7} {'pages/min':>9} {'CER':>7} {'conf':>5}  detected")
    for r in ocr_rows:
        print(f"{r['lang']:5} {r['pages']:>5} {r['workers']:>7} {r['pages_per_min']:>9} {r['cer']:>7.2%} "
              f"{r['confidence']:>5}  {','.join(r['detected'])}")
    out = ROOT / "bench" / "results" / "formats.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"tesseract": ocr.engine_version(), "formats": fmt_rows, "ocr": ocr_rows}, indent=2))
    print(f"\nwrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
