"""Turn a parsed document into the rows the index needs (runs in the ingest workers).

Passages are ~700-character chunks cut at paragraph and sentence boundaries,
page by page, with character offsets into the document text: every search hit
and every traced claim can cite (page, start, end) in the original.
"""
from __future__ import annotations

import re

from dalil.model import ParsedDocument, PreparedDocument, byte_offsets
from dalil.store.addresses import split_address
from dalil.store.sqlite import serialize
from dalil.text.cleaning import clean_text
from dalil.text.foia_patterns import NOISE_HINT, NOISE_LINE
from dalil.text.lang import document_languages, has_arabic_script
from dalil.text.normalize import index_terms, normalize_for_index

PASSAGE_CHARS = 700
_PARA = re.compile(r"\n[ \t]*\n")
_SENTENCE_END = re.compile(r"(?<=[.!?؟])\s+")


def index_text(text: str) -> str:
    """What the full-text index stores for a text: folded, Arabic tokens light-stemmed."""
    if has_arabic_script(text):
        return " ".join(index_terms(text))
    return normalize_for_index(text)


def strip_noise(text: str) -> str:
    return NOISE_LINE.sub("", text)


def prepare(doc: ParsedDocument) -> PreparedDocument:
    """Everything the store inserts for a document, computed in the worker."""
    msgs = doc.messages
    if not doc.lang:
        spans = [(p.start, p.end) for p in doc.pages if p.status == "text"] if doc.pages else []
        doc.lang, page_langs = document_languages(strip_noise(doc.text) if not spans else doc.text, spans)
        if len(set(page_langs.values())) > 1:
            doc.meta["page_langs"] = page_langs
    chunks = passages(doc)
    offsets = [o for p in doc.pages for o in (p.start, p.end)] + [o for _, s, e in chunks for o in (s, e)]
    to_byte = byte_offsets(doc.text, offsets)
    index = {
        "page_bytes": {p.number: (to_byte[p.start], to_byte[p.end]) for p in doc.pages},
        "date": next((m.date for m in msgs if m.date), None) or doc.meta.get("date"),
    }
    rows = serialize(doc, index)
    return PreparedDocument(
        doc_id=doc.doc_id, release=doc.release, status=doc.status, reason=doc.reason, text=doc.text,
        html=doc.html, exemptions=doc.exemptions, document_row=rows["document"],
        messages=rows["messages"], pages=rows["pages"],
        passages=[(page, s, e, to_byte[s], to_byte[e]) for page, s, e in chunks],
        correspondents=[(m.index, role, raw, *split_address(raw))
                        for m in msgs
                        for role, names in (("from", [m.sender] if m.sender else []), ("to", m.to),
                                            ("cc", m.cc), ("bcc", m.bcc))
                        for raw in names if raw],
        fts=(index_text(_content(doc)),
             index_text(" \n".join(m.subject for m in msgs if m.subject) or (doc.title or "")),
             index_text(" \n".join(m.sender for m in msgs if m.sender)),
             index_text(" \n".join(r for m in msgs for r in m.to)),
             index_text(" \n".join(r for m in msgs for r in m.cc + m.bcc))))


def _content(doc: ParsedDocument) -> str:
    """The text without page stamps, release markers and margin codes: a reader that marked them
    (drop spans) is trusted, else noise lines are found by pattern."""
    drops = doc.meta.get("drop_spans")
    return clean_text(doc.text, drops) if drops else strip_noise(doc.text)


def passages(doc: ParsedDocument) -> list[tuple[int | None, int, int]]:
    """(page, start, end) chunks covering the content of the document."""
    text = doc.text
    spans = [(p.number, p.start, p.end) for p in doc.pages if p.status == "text"] if doc.pages \
        else [(None, 0, len(text))]
    drops = sorted(tuple(d) for d in doc.meta.get("drop_spans", []))
    out: list[tuple[int | None, int, int]] = []
    for page, start, end in spans:
        pieces = [p for s, e in _minus(start, end, drops) for p in _paragraphs(text, s, e)]
        cur_s = cur_e = None
        for s, e in pieces:
            if cur_s is not None and e - cur_s > PASSAGE_CHARS:
                out.append((page, cur_s, cur_e))
                cur_s = None
            if cur_s is None:
                cur_s = s
            cur_e = e
        if cur_s is not None:
            out.append((page, cur_s, cur_e))
    return out


def _minus(start: int, end: int, drops: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """[start, end) without the dropped spans (stamps, markers, margin codes)."""
    out, pos = [], start
    for s, e in drops:
        if e <= pos or s >= end:
            continue
        if s > pos:
            out.append((pos, s))
        pos = max(pos, e)
    if pos < end:
        out.append((pos, end))
    return out


def _paragraphs(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Content paragraphs of text[start:end], long ones cut at sentence ends."""
    out = []
    pos = start
    for m in list(_PARA.finditer(text, start, end)) + [None]:
        stop = m.start() if m else end
        chunk = text[pos:stop]
        if _has_content(chunk):
            s = pos + (len(chunk) - len(chunk.lstrip()))
            e = pos + len(chunk.rstrip())
            out.extend(_cut_long(text, s, e))
        pos = m.end() if m else end
    return out


_TWELVE_LETTERS = re.compile(r"[^\W\d_](?:[\W\d_]*[^\W\d_]){11}")


def _has_content(chunk: str) -> bool:
    head = chunk[:400]
    if not _TWELVE_LETTERS.search(head):
        return False
    return not NOISE_HINT.search(head) or bool(_TWELVE_LETTERS.search(strip_noise(head)))


def _cut_long(text: str, s: int, e: int) -> list[tuple[int, int]]:
    if e - s <= PASSAGE_CHARS:
        return [(s, e)]
    out, cur = [], s
    for m in _SENTENCE_END.finditer(text, s, e):
        if m.start() - cur >= PASSAGE_CHARS * 0.6:
            out.append((cur, m.start()))
            cur = m.end()
    while e - cur > PASSAGE_CHARS * 1.5:       # no sentence ends (tables, OCR soup): hard cut at a space
        cut = text.rfind(" ", cur, cur + PASSAGE_CHARS)
        cut = cut if cut > cur else cur + PASSAGE_CHARS
        out.append((cur, cut))
        cur = cut + 1
    if e > cur:
        out.append((cur, e))
    return out
