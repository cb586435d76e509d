"""Reader for the State Department FOIA release text files (`text/<release>/<DocNo>.txt`)."""
from __future__ import annotations

from typing import Iterator

from dalil.ingest.base import Reader, register
from dalil.ingest.foia_parse import parse_foia
from dalil.model import ParsedDocument, Source
from dalil.text.foia_patterns import DOC_NO, STAMP_SNIFF, released_doc_no


@register
class FoiaReader(Reader):
    name = "foia"
    extensions = (".txt",)
    mime_types = ("text/plain",)

    @classmethod
    def score(cls, source: Source) -> int:
        """50 when a .txt head carries the State Department stamp (beats a generic text reader);
        40 for a DocNo-named .txt whose stamp the OCR destroyed or that has no text layer at all."""
        if source.suffix != ".txt":
            return 0
        if STAMP_SNIFF.search(source.head(2048)):
            return 50
        return 40 if DOC_NO.fullmatch(source.basename.rsplit(".", 1)[0]) else 0

    def read(self, source: Source) -> Iterator[ParsedDocument]:
        data = source.read()
        meta = {}
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            # cp1252 keeps typographic quotes; latin-1 maps every byte, so nothing is lost
            try:
                text, meta["decoding"] = data.decode("cp1252"), "cp1252"
            except UnicodeDecodeError:
                text, meta["decoding"] = data.decode("latin-1"), "latin-1"
        stem = source.basename.rsplit(".", 1)[0]
        doc_id = released_doc_no(stem) if DOC_NO.fullmatch(stem) else stem
        parts = source.name.rsplit("!", 1)[-1].replace("\\", "/").split("/")
        release = source.hint.get("release") or (parts[-2] if len(parts) > 1 else None)
        doc = parse_foia(text, doc_id, release)
        doc.meta.update(meta)
        yield doc
