"""The full-text row of a document already stored, computed as the ingest computed it: what
`dalil check --repair` writes back when the full-text index lost rows or holds stray ones."""
from __future__ import annotations

from typing import Any

from dalil.ingest.prepare import prepare
from dalil.model import Message, ParsedDocument


def fulltext_fields(stored: dict[str, Any]) -> tuple[str, str, str, str, str]:
    """(body, subject, sender, recipients, cc) of a stored document (a `Store.document` dict)."""
    meta = dict(stored["meta"])
    if "drop_spans" in meta:            # JSON gave lists; the cleaning compares tuples
        meta["drop_spans"] = [tuple(d) for d in meta["drop_spans"]]
    doc = ParsedDocument(
        doc_id=stored["doc_id"], text=stored["text"], source_format=stored["source_format"],
        title=stored["title"], lang=stored["lang"] or "und", meta=meta,
        messages=[Message(index=m["idx"], sender=m["sender"], to=m["recipients"], cc=m["cc"], bcc=m["bcc"],
                          subject=m["subject"]) for m in stored["messages"]])
    return prepare(doc).fts
