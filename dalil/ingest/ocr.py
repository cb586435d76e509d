"""Tesseract OCR shared by the PDF and image readers.

Pages are OCRed in a bounded pool: the caller hands an *iterator* of page
images (rendered lazily, one at a time), at most `workers` tesseract
processes run at once and at most `2 * workers` rendered pages are alive,
so memory stays flat on a 10,000-page input.  The pool uses threads because
the heavy work is the tesseract child process (the GIL is released while a
thread waits on it); rendering stays in the caller's thread, which matters
for pdfium (not thread-safe).

Options (from `source.hint`): `ocr` = never | auto | always, `ocr_lang`
(e.g. "ara+eng", overrides detection), `ocr_workers`, `ocr_timeout` (s/page).
"""
from __future__ import annotations

import csv
import functools
import io
import os
import re
import unicodedata
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Iterable, Iterator

import numpy as np
import pytesseract
from PIL import Image, ImageOps

from dalil.model import IngestError, Page

# Tesseract's own OpenMP threads would multiply with our pool and oversubscribe the CPUs.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

MODES = ("never", "auto", "always")
_BIDI = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c]")
_FRENCH = re.compile(r"\b(le|la|les|des|est|une|du|et|pour|dans|qui|que|avec|sur|pas)\b", re.I)


@dataclass
class OcrResult:
    text: str
    confidence: float               # mean word confidence, 0-100
    lang: str
    engine: str
    rotation: int = 0               # degrees the page was turned (OSD)
    skew: float = 0.0               # degrees of small-angle deskew applied


@functools.lru_cache(maxsize=1)
def page_text(page_texts: Iterable[tuple[int, str]]) -> tuple[str, list[Page]]:
    """The text of a document read page by page, and its pages: each page's text (form feeds in
    it made line breaks) ends with a form feed; a page without text is blank."""
    parts, pages, pos = [], [], 0
    for number, t in page_texts:
        t = t.replace("\f", "\n")
        pages.append(Page(number, pos, pos + len(t), "text" if t.strip() else "blank"))
        parts.append(t + "\f")
        pos += len(t) + 1
    return "".join(parts), pages


def failed_pages_status(pages: list[dict]) -> tuple[str, str] | None:
    """(status, reason) of a document the OCR failed on for some pages, else None."""
    return ("partial", "ocr_failed_on_some_pages") if any("ocr_error" in p for p in pages) else None


def engine_version() -> str:
    try:
        v = pytesseract.get_tesseract_version()
    except (pytesseract.TesseractNotFoundError, OSError) as exc:
        raise IngestError("ocr_unavailable", str(exc)) from None
    return f"tesseract {v}"


def mode(hint: dict) -> str:
    m = str(hint.get("ocr", "auto")).lower()
    if m not in MODES:
        raise IngestError("bad_option", f"ocr={m!r}, expected one of {MODES}")
    return m


def clean_text(text: str) -> str:
    """NFKC (folds Arabic presentation forms to base letters) and drop bidi controls."""
    return _BIDI.sub("", unicodedata.normalize("NFKC", text))


def script_counts(text: str) -> tuple[int, int]:
    """(Arabic letters, Latin letters) in text."""
    ar = sum(1 for c in text if "\u0600" <= c <= "\u06ff" or "\u0750" <= c <= "\u077f"
             or "\ufb50" <= c <= "\ufeff")
    la = sum(1 for c in text if c.isalpha() and c < "\u0250")
    return ar, la


def lang_for_text(text: str) -> str:
    """Tesseract language(s) for a page from the script mix of a first-pass text."""
    ar, la = script_counts(text)
    if ar and la and min(ar, la) / (ar + la) > 0.15:
        return "ara+eng"
    if ar > la:
        return "ara"
    return "fra" if len(_FRENCH.findall(text)) >= 3 and _french_share(text) > 0.05 else "eng"


def _french_share(text: str) -> float:
    words = re.findall(r"\w+", text)
    return len(_FRENCH.findall(text)) / max(1, len(words))


def osd(img: Image.Image) -> dict | None:
    """Tesseract orientation/script detection, or None when the page has too little text."""
    if img.width > 1600:              # 150 dpi is plenty for OSD and 4x cheaper than 300
        img = img.resize((img.width // 2, img.height // 2))
    try:
        return pytesseract.image_to_osd(img, output_type=pytesseract.Output.DICT, timeout=60)
    except (pytesseract.TesseractError, RuntimeError):
        return None


def deskew_angle(img: Image.Image, limit: float = 15.0) -> float:
    """Small skew angle (degrees, counter-clockwise) by maximising row-projection variance."""
    g = ImageOps.grayscale(img)
    g.thumbnail((1000, 1000))
    ink = np.asarray(g) < 128
    if ink.mean() < 0.001:
        return 0.0
    small = Image.fromarray((ink * 255).astype(np.uint8))

    def score(angle: float) -> float:
        rows = np.asarray(small.rotate(angle, resample=Image.NEAREST, expand=True)).sum(axis=1)
        return float(np.var(rows.astype(np.float64)))

    best = max(np.arange(-limit, limit + 0.1, 1.0), key=score)
    best = max(np.arange(best - 1, best + 1.01, 0.2), key=score)
    return round(float(best), 1)


def prepare(img: Image.Image, rotate: bool = True, deskew: bool = True) -> tuple[Image.Image, int, float, dict | None]:
    """Upright the page: OSD for 90/180/270 turns, projection profile for small skew."""
    img = img.convert("L") if img.mode not in ("L", "1") else img
    # Deskew first: OSD misreads the orientation of a page skewed by ~10 degrees.
    skew = deskew_angle(img) if deskew else 0.0
    if abs(skew) >= 0.5:
        img = img.rotate(skew, expand=True, fillcolor=255, resample=Image.BICUBIC)
    info = osd(img) if rotate else None
    turn = 0
    if info and info.get("orientation_conf", 0) > 1.5 and info.get("rotate"):
        turn = int(info["rotate"])
        img = img.rotate(-turn, expand=True, fillcolor=255)   # OSD "rotate" is clockwise
    return img, turn, skew, info


def _tesseract(img: Image.Image, lang: str, timeout: int) -> tuple[str, float]:
    try:
        txt, tsv = pytesseract.run_and_get_multiple_output(img, ["txt", "tsv"], lang=lang, timeout=timeout)
    except RuntimeError as exc:                     # pytesseract raises this on timeout
        raise IngestError("ocr_timeout", str(exc)) from None
    except pytesseract.TesseractError as exc:
        raise IngestError("ocr_failed", str(exc)[:200]) from None
    confs = [float(r["conf"]) for r in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE)
             if r.get("text", "").strip() and float(r.get("conf", -1)) >= 0]
    return txt, (sum(confs) / len(confs) if confs else 0.0)


def ocr_image(img: Image.Image, lang: str | None = None, timeout: int = 300,
              rotate: bool = True, deskew: bool = True) -> OcrResult:
    """OCR one page.  Without `lang`, pick it from OSD script, else from a quick first pass."""
    img, turn, skew, info = prepare(img, rotate, deskew)
    if lang is None:
        lang = _detect_lang(img, info, timeout)
    text, conf = _tesseract(img, lang, timeout)
    if lang == "eng" and lang_for_text(text) == "fra":  # the eng model drops accents: redo in French
        lang = "fra"
        text, conf = _tesseract(img, lang, timeout)
    return OcrResult(clean_text(text).strip("\f"), round(conf, 2), lang, engine_version(), turn, skew)


def _detect_lang(img: Image.Image, info: dict | None, timeout: int) -> str:
    script = (info or {}).get("script")
    if script == "Latin" and (info or {}).get("script_conf", 0) > 2:
        return "eng"                    # French is caught after the pass (see ocr_image)
    # Arabic pages: `ara` alone reads pure Arabic best (CER 3% vs 7% with ara+eng), but pages
    # quoting Latin addresses need both.  OSD cannot tell, nor can it judge pages with little
    # text, so a cheap pass on a half-size copy counts the scripts.
    half = img.resize((max(1, img.width // 2), max(1, img.height // 2)))
    text, _ = _tesseract(half, "ara+eng", timeout)
    return lang_for_text(text) if text.strip() else "eng"


def ocr_stream(pages: Iterable[tuple[int, Image.Image]], lang: str | None = None,
               workers: int | None = None, timeout: int = 300,
               rotate: bool = True, deskew: bool = True) -> Iterator[tuple[int, OcrResult | IngestError]]:
    """OCR (key, image) pairs in order with at most `workers` pages in flight (x2 queued).

    A page that fails yields its IngestError instead of a result, so one bad
    page does not lose the document.
    """
    workers = max(1, int(workers or min(2, os.cpu_count() or 1)))
    engine_version()                                 # fail fast when tesseract is missing
    with ThreadPoolExecutor(max_workers=workers) as pool:
        pending: deque = deque()
        for key, img in pages:
            pending.append((key, pool.submit(ocr_image, img, lang, timeout, rotate, deskew)))
            del img
            if len(pending) >= 2 * workers:
                yield _settle(*pending.popleft())
        while pending:
            yield _settle(*pending.popleft())


def _settle(key, fut) -> tuple[int, OcrResult | IngestError]:
    try:
        return key, fut.result()
    except IngestError as exc:
        return key, exc
