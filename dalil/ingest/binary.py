"""The last resort: a file no other reader understands (a signature, an audio file, an old
binary Word document) is kept as a metadata-only document, visible and downloadable, never dropped."""
from __future__ import annotations

import mimetypes
import os
from typing import Iterator

from dalil.ingest.base import Reader, register
from dalil.ingest.text import doc_id_for
from dalil.model import IngestError, ParsedDocument, Source


@register
class BinaryReader(Reader):
    name = "binary"
    priority = -100

    @classmethod
    def score(cls, source: Source) -> int:
        """1 for any file (never a folder), so every real reader wins over this one."""
        return 0 if source.path and os.path.isdir(source.path) else 1

    def read(self, source: Source) -> Iterator[ParsedDocument]:
        # Only the size is needed: a huge (or sparse) file is never read into memory here.
        size = len(source.data) if source.data is not None else os.path.getsize(source.path)
        if not size:
            raise IngestError("empty_file", f"{source.basename!r} has no content")
        kind = source.content_type or mimetypes.guess_type(source.basename)[0] or "application/octet-stream"
        yield ParsedDocument(
            doc_id=doc_id_for(source), text="", source_format="binary", title=source.basename,
            parent_id=source.parent_id, meta={"content_type": kind, "size": size, "filename": source.basename},
            status="partial", reason=f"metadata_only: no reader extracts text from {kind}")
