"""Word .docx: paragraphs and tables in document order."""
from __future__ import annotations

import io
import zipfile
from typing import Iterator

from dalil.ingest.base import Reader, register
from dalil.ingest.safety import read_all
from dalil.ingest.text import doc_id_for
from dalil.model import IngestError, ParsedDocument, Source


def _blocks(document) -> Iterator[str]:
    """Body paragraphs and table rows (cells joined by tabs), in reading order."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            yield block.text
        elif isinstance(block, Table):
            for row in block.rows:
                cells, seen = [], set()
                for cell in row.cells:
                    if id(cell._tc) not in seen:       # merged cells repeat the same element
                        seen.add(id(cell._tc))
                        cells.append(cell.text.replace("\n", " "))
                yield "\t".join(cells)


@register
class DocxReader(Reader):
    name = "docx"
    extensions = (".docx",)
    mime_types = ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",)

    @classmethod
    def score(cls, source: Source) -> int:
        s = super().score(source)
        if s or not source.head(4).startswith(b"PK\x03\x04"):
            return s
        return 9 if b"word/" in source.head(4096) else 0     # member names sit in the local headers

    def read(self, source: Source) -> Iterator[ParsedDocument]:
        import docx
        from docx.opc.exceptions import PackageNotFoundError

        data = read_all(source)
        try:
            document = docx.Document(io.BytesIO(data))
        except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
            raise IngestError("corrupt_docx", f"{type(exc).__name__}: {exc}") from None
        except Exception as exc:   # lxml/OPC errors on a damaged package
            raise IngestError("corrupt_docx", f"{type(exc).__name__}: {exc}") from None
        text = "\n".join(_blocks(document))
        props = document.core_properties
        yield ParsedDocument(doc_id=doc_id_for(source), text=text, source_format="docx",
                             title=(props.title or None), release=source.hint.get("release"),
                             parent_id=source.parent_id, parent_path=source.name if source.depth else None,
                             meta={"author": props.author or None,
                                   "created": props.created.isoformat() if props.created else None})
