"""PDF reader: the text layer where it is usable, OCR where it is not.

Each page is judged on its own (`layer_quality`): a scan has no text, and a
PDF without a usable ToUnicode map yields letters from a jumble of scripts
(pdfjs ThuluthFeatures).  Both variants are kept in `meta["pages"]`.
State Department FOIA printouts go to the FOIA parser with the
`pdftotext -layout` text, which is what the released corpus files are.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from typing import Iterator

from dalil.ingest import ocr
from dalil.ingest.base import Reader, register
from dalil.ingest.safety import check_size
from dalil.ingest.text import doc_id_for
from dalil.model import IngestError, ParsedDocument, Source
from dalil.text.foia_patterns import PRINTED_STAMP

USABLE = 0.75          # share of "good" characters a text layer needs
MIN_LETTERS = 3        # fewer letters than this: the page has no text layer
MAX_PIXELS = 60_000_000  # cap on a rendered page (a 300-dpi A4 page is ~8.7 Mpx)
_OK_CONTROLS = set("\t\n\r\f")


def _script(ch: str) -> str:
    name = unicodedata.name(ch, "")
    first = name.split(" ", 1)[0]
    return "CJK" if first in ("CJK", "HIRAGANA", "KATAKANA", "HANGUL") else first


def layer_quality(text: str) -> float:
    """Share of non-space characters that look like real text (0..1).

    Bad: control characters, U+FFFD, private-use characters, and every
    character of a word whose letters mix scripts (Latin+Greek+Sinhala...),
    which is what a font without a usable ToUnicode map produces.
    """
    bad = total = 0
    for word in text.split():
        total += len(word)
        scripts = set()
        for ch in word:
            cat = unicodedata.category(ch)
            if (cat == "Cc" and ch not in _OK_CONTROLS) or ch == "\ufffd" or cat == "Co":
                bad += 1
            elif cat.startswith("L"):
                scripts.add(_script(ch))
        if len(scripts) > 1:
            bad += len(word)
    return 1.0 - min(1.0, bad / total) if total else 0.0


def usable(text: str) -> bool:
    return sum(c.isalpha() for c in text) >= MIN_LETTERS and layer_quality(text) >= USABLE


def _open(source: Source):
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(source.path if source.data is None and source.path else source.read())
    except pdfium.PdfiumError as exc:
        msg = str(exc).lower()
        if "password" in msg:
            raise IngestError("encrypted_pdf", "a password is required") from None
        tail = _tail(source)
        if b"%%EOF" not in tail:
            raise IngestError("truncated_pdf", "no %%EOF trailer") from None
        raise IngestError("corrupt_pdf", str(exc)) from None


def _pdfium_error() -> type[Exception]:
    import pypdfium2 as pdfium
    return pdfium.PdfiumError


def _tail(source: Source, n: int = 2048) -> bytes:
    if source.data is not None or not source.path:
        return source.read()[-n:]
    with open(source.path, "rb") as fh:
        fh.seek(0, 2)
        fh.seek(max(0, fh.tell() - n))
        return fh.read()


def _layout_text(source: Source) -> str | None:
    """`pdftotext -layout`: byte-identical to the State Department corpus text files."""
    exe = shutil.which("pdftotext")
    if not exe:
        return None
    args = [exe, "-q", "-layout", "-enc", "UTF-8"]
    try:
        if source.data is None and source.path:
            out = subprocess.run([*args, source.path, "-"], capture_output=True, timeout=300, check=True)
        else:
            out = subprocess.run([*args, "-", "-"], input=source.read(), capture_output=True, timeout=300, check=True)
    except (subprocess.SubprocessError, OSError):
        return None
    return out.stdout.decode("utf-8", "replace")


def _text_limit(hint: dict) -> int:
    from dalil.ingest.pipeline import max_document_bytes
    return max_document_bytes(hint)


def _render(page, dpi: int = 300):
    w, h = page.get_size()
    scale = min(dpi / 72, (MAX_PIXELS / max(1.0, w * h)) ** 0.5)
    bitmap = page.render(scale=scale, grayscale=True)
    try:
        return bitmap.to_pil().copy()      # copy: the PIL view dies with the pdfium bitmap
    finally:
        bitmap.close()


@register
class PdfReader(Reader):
    name = "pdf"
    extensions = (".pdf",)
    mime_types = ("application/pdf",)

    @classmethod
    def score(cls, source: Source) -> int:
        return super().score(source) or (9 if b"%PDF-" in source.head(1024) else 0)

    def read(self, source: Source) -> Iterator[ParsedDocument]:
        check_size(source, limit=1 << 62)       # pdfium reads a path lazily; only refuse empty files
        mode = ocr.mode(source.hint)
        pdf = _open(source)
        try:
            pages, title = self._pages(pdf, source, mode)
        except _pdfium_error() as exc:          # a page object pdfium cannot load ("Failed to load page.")
            raise IngestError("corrupt_pdf", str(exc)) from None
        finally:
            pdf.close()
        doc_id = doc_id_for(source)
        native = "".join((p["native_text"] or "") for p in pages)
        if PRINTED_STAMP.search(native):
            foia = self._foia(source, doc_id, pages)
            if foia is not None:
                yield foia
                return
        yield self._document(doc_id, source, pages, title)

    def _pages(self, pdf, source: Source, mode: str) -> tuple[list[dict], str | None]:
        pages: list[dict] = []
        limit, kept = _text_limit(source.hint), 0
        self.cut = None

        def needing_ocr():
            nonlocal kept
            for i in range(len(pdf)):
                if kept > limit:
                    # Pages are read one at a time: past the document limit the rest stay unread.
                    self.cut = f"too large: text of the first {i} of {len(pdf)} pages kept " \
                               f"({kept} characters > limit {limit})"
                    break
                page = pdf[i]
                try:
                    tp = page.get_textpage()
                    text = ocr.clean_text(tp.get_text_bounded().replace("\r\n", "\n"))
                    tp.close()
                    q = layer_quality(text)
                    kept += len(text)
                    pages.append({"page": i + 1, "native_text": text, "ocr_text": None, "source": "native",
                                  "text_quality": round(q, 3), "ocr_engine": None, "ocr_langs": None,
                                  "ocr_confidence": None})
                    if mode == "always" or (mode == "auto" and not usable(text)):
                        yield i, _render(page)
                finally:
                    page.close()

        hint = source.hint
        for i, res in ocr.ocr_stream(needing_ocr(), lang=hint.get("ocr_lang"), workers=hint.get("ocr_workers"),
                                     timeout=int(hint.get("ocr_timeout", 300))):
            p = pages[i]
            if isinstance(res, IngestError):
                p["ocr_error"] = res.code
                continue
            p.update(ocr_text=res.text, ocr_engine=res.engine, ocr_langs=res.lang, ocr_confidence=res.confidence)
            if res.rotation or res.skew:
                p.update(ocr_rotation=res.rotation, ocr_skew=res.skew)
            if mode == "always" or not usable(p["native_text"]) and res.text.strip():
                p["source"] = "ocr"
        title = (pdf.get_metadata_dict().get("Title") or "").strip() or None
        return pages, title

    def _document(self, doc_id: str, source: Source, pages: list[dict], title: str | None) -> ParsedDocument:
        text, page_objs = ocr.page_text(
            (p["page"], (p["ocr_text"] if p["source"] == "ocr" else p["native_text"]) or "") for p in pages)
        doc = ParsedDocument(doc_id=doc_id, text=text, source_format="pdf", title=title,
                             release=source.hint.get("release"), pages=page_objs,
                             parent_id=source.parent_id, parent_path=source.name if source.depth else None,
                             meta={"pages": pages})
        failed = ocr.failed_pages_status(pages)
        if failed:
            doc.status, doc.reason = failed
        if self.cut:
            doc.status, doc.reason = "partial", self.cut
        return doc

    def _foia(self, source: Source, doc_id: str, pages: list[dict]) -> ParsedDocument | None:
        text = _layout_text(source)
        if not text:
            return None
        for p, layout in zip(pages, text.split("\f")):
            p["layout_text"] = layout
        try:
            from dalil.ingest.foia_parse import parse_foia
        except ImportError:
            return None
        m = re.search(r"Doc No\. (C\d{8})", text)
        if m and not source.hint.get("doc_id"):
            doc_id = m.group(1)           # the released DocNo, as in the corpus file names
        doc = parse_foia(text, doc_id, source.hint.get("release"))
        doc.source_format = "pdf"
        doc.meta["pages"] = pages
        doc.parent_id = doc.parent_id or source.parent_id
        return doc
