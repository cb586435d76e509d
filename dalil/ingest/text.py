"""Generic plain text (.txt, .md, .csv, or anything that sniffs as text).

Scores low (5 for a known extension) so a format-specific reader, such as
the FOIA reader for released State Department text, wins on the same file.
"""
from __future__ import annotations

import hashlib
from typing import Iterator

from charset_normalizer import from_bytes

from dalil.ingest.base import Reader, register
from dalil.ingest.safety import read_all
from dalil.model import IngestError, ParsedDocument, Source

PRINTABLE_SHARE = 0.95


def doc_id_for(source: Source) -> str:
    """The id the pipeline assigned, else the file stem (the DocNo of a released file)."""
    if source.hint.get("doc_id"):
        return str(source.hint["doc_id"])
    stem = source.basename.rsplit(".", 1)[0] if "." in source.basename else source.basename
    digest = hashlib.sha1(source.name.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    # Archive members may share a stem: qualify with a digest of the full member path.
    return f"{stem}-{digest}" if source.depth else stem


def looks_like_text(head: bytes) -> bool:
    """Mostly printable once decoded: no NULs (UTF-16 is left to charset detection by BOM)."""
    if not head:
        return False
    if head.startswith((b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf")):
        return True
    if b"\x00" in head:
        return False
    text = head.decode("utf-8", "replace")
    ok = sum(1 for c in text if c.isprintable() or c in "\t\r\n\f")
    return ok / len(text) >= PRINTABLE_SHARE


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding) with the charset detected by charset-normalizer."""
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    if best is None:
        raise IngestError("undecodable_text", "no plausible character set")
    return str(best), best.encoding


@register
class TextReader(Reader):
    name = "text"
    extensions = (".txt", ".md", ".csv", ".tsv", ".text", ".log")
    mime_types = ("text/plain", "text/markdown", "text/csv")

    @classmethod
    def score(cls, source: Source) -> int:
        if source.suffix in cls.extensions:
            return 5
        if source.content_type and source.content_type.split(";")[0].strip().lower() in cls.mime_types:
            return 4
        return 2 if looks_like_text(source.head(4096)) else 0

    def read(self, source: Source) -> Iterator[ParsedDocument]:
        data = read_all(source)
        text, encoding = decode(data)
        if text.startswith("\ufeff"):
            text = text[1:]
        yield ParsedDocument(doc_id=doc_id_for(source), text=text, source_format="text",
                             release=source.hint.get("release"), parent_id=source.parent_id,
                             parent_path=source.name if source.depth else None,
                             meta={"encoding": encoding, "bytes": len(data)})
