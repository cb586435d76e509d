"""Page images (PNG, JPEG, TIFF) read by OCR; each frame of a multi-page TIFF is a page."""
from __future__ import annotations

import io
import re
import struct
import warnings
from typing import Iterator

from PIL import Image, ImageSequence, UnidentifiedImageError

from dalil.ingest import ocr
from dalil.ingest.base import Reader, register
from dalil.ingest.safety import check_size
from dalil.ingest.text import doc_id_for
from dalil.model import IngestError, ParsedDocument, Source

MAX_PIXELS = 200_000_000          # per frame; Pillow's bomb check fires at the same order
_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")


def _frames(img: Image.Image) -> Iterator[tuple[int, Image.Image]]:
    """Frames one at a time (a 500-page TIFF is never decoded all at once)."""
    for i, frame in enumerate(ImageSequence.Iterator(img)):
        if frame.width * frame.height > MAX_PIXELS:
            raise IngestError("too_large", f"frame {i + 1} is {frame.width}x{frame.height}")
        yield i, frame.copy()


@register
class ImageReader(Reader):
    name = "image"
    extensions = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".gif", ".bmp", ".webp")
    mime_types = ("image/png", "image/jpeg", "image/tiff")

    @classmethod
    def score(cls, source: Source) -> int:
        return super().score(source) or (9 if source.head(8).startswith(_MAGIC) else 0)

    def read(self, source: Source) -> Iterator[ParsedDocument]:
        check_size(source)
        mode = ocr.mode(source.hint)
        fh = open(source.path, "rb") if source.data is None and source.path else io.BytesIO(source.read())
        try:
            with fh, warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                img = Image.open(fh)
                pages = self._ocr(img, source, mode)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise IngestError("too_large", str(exc)) from None
        # Pillow's plugins also fail with TypeError ("Missing dimensions"), IndexError and struct.error
        # on damaged headers.
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, TypeError, IndexError,
                struct.error) as exc:
            detail = re.sub(r"\s*<[^>]* at 0x[0-9a-f]+>", "", str(exc))     # no object addresses
            raise IngestError("corrupt_image", f"{type(exc).__name__}: {detail}") from None
        yield self._document(source, pages)

    def _ocr(self, img: Image.Image, source: Source, mode: str) -> list[dict]:
        hint = source.hint
        pages = []
        if mode == "never":
            return [{"page": i + 1, "native_text": None, "ocr_text": None, "source": "ocr"}
                    for i in range(getattr(img, "n_frames", 1))]
        for i, res in ocr.ocr_stream(_frames(img), lang=hint.get("ocr_lang"), workers=hint.get("ocr_workers"),
                                     timeout=int(hint.get("ocr_timeout", 300))):
            p = {"page": i + 1, "native_text": None, "ocr_text": None, "source": "ocr",
                 "ocr_engine": None, "ocr_langs": None, "ocr_confidence": None}
            if isinstance(res, IngestError):
                p["ocr_error"] = res.code
            else:
                p.update(ocr_text=res.text, ocr_engine=res.engine, ocr_langs=res.lang,
                         ocr_confidence=res.confidence, ocr_rotation=res.rotation, ocr_skew=res.skew)
            pages.append(p)
        return pages

    def _document(self, source: Source, pages: list[dict]) -> ParsedDocument:
        text, page_objs = ocr.page_text((p["page"], p.get("ocr_text") or "") for p in pages)
        doc = ParsedDocument(doc_id=doc_id_for(source), text=text, source_format="image",
                             release=source.hint.get("release"), pages=page_objs, parent_id=source.parent_id,
                             parent_path=source.name if source.depth else None, meta={"pages": pages})
        failed = ocr.failed_pages_status(pages)
        if failed:
            doc.status, doc.reason = failed
        return doc
