"""Result sets that leave the tool: every hit of a search (or the documents of a list) as export
rows, written as CSV, JSONL or a ZIP of the documents' text with a manifest; citations.

Rows are produced in chunks of `CHUNK` documents and the writers yield bytes as they go, so an
export of the whole archive holds one chunk of texts in memory, never the result set's texts.
"""
from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator
from urllib.parse import quote

import numpy as np

from dalil.search.query import parse_query
from dalil.search.snippets import make_snippet
from dalil.store.base import Store
from dalil.text.foia_patterns import DOC_NO, released_doc_no

if TYPE_CHECKING:
    from dalil.search.hybrid import HybridSearcher

CHUNK = 500
COLUMNS = ["doc_id", "release", "case", "date", "sender", "recipients", "subject", "page", "snippet",
           "match", "score", "tags", "starred", "note"]
FORMATS = ("csv", "jsonl", "zip")
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson", "zip": "application/zip"}
# The State Department's FOIA reading room: a search by DocNo finds the released PDF.
FOIA_SEARCH = "https://foia.state.gov/Search/Results.aspx?searchText="


@dataclass
class Export:
    """A result set ready to write: how many rows it has and the rows, produced on demand."""
    total: int
    chunks: Callable[[bool], Iterator[list[dict[str, Any]]]]   # with_text → lists of rows
    label: str = ""
    notes: list[str] = field(default_factory=list)

    def rows(self, with_text: bool = False) -> Iterator[dict[str, Any]]:
        """Every row in order (with the document's `text` when asked)."""
        for chunk in self.chunks(with_text):
            yield from chunk


def search_export(hybrid: "HybridSearcher", query: str, mode: str | None = None,
                  lang: str | None = None) -> Export:
    """Every hit of a search, in the order `search` ranks them (no page, no cap).  Lexical mode:
    every document matching all the query's terms (match "exact"); hybrid and dense: each email of
    the fused ranking once, "exact" when it matches all the terms, else "related"."""
    store, lexical = hybrid.store, hybrid.lexical
    if (mode or hybrid.default_mode()) == "lexical":
        q = parse_query(query)
        found = lexical.matches(q, scored=True)
        if found.scores is not None:
            # The page's order: best BM25 first, ties in index order (as `_top` picks them).
            order = np.lexsort((np.arange(len(found.rows)), found.scores))
            ranked = found.rows[order].tolist()
            scores = dict(zip(ranked, (-found.scores[order]).tolist()))
        else:
            ranked = store.newest_rows(lexical.filters(q), len(found.rows)) if len(found.rows) else []
            scores = {}
        marks, kinds = found.marks, None
        best: dict[int, int] = {}
    else:
        ranking = hybrid.rank(query, mode, lang)
        groups = hybrid.collapse([d for d, _ in ranking.fused])
        ranked = [g[0] for g in groups]
        scores = dict(ranking.fused)
        exact = set(lexical.matches(ranking.query).rows.tolist())
        kinds = {d: ("exact" if d in exact else "related") for d in ranked}
        marks, best = ranking.marks, ranking.best_passage

    def chunks(with_text: bool) -> Iterator[list[dict[str, Any]]]:
        for i in range(0, len(ranked), CHUNK):
            part = ranked[i:i + CHUNK]
            hits = hybrid._hits([[d] for d in part], scores, best, marks)
            fields = store.export_fields(part)
            texts = store.texts(part) if with_text else {}
            rows = []
            for d, hit in zip(part, hits):
                row = _row(fields.get(d) or {"doc_id": hit.doc_id}, hit.page, hit.snippet,
                           (kinds or {}).get(d, "exact"), round(hit.score, 6) if scores else None)
                if with_text:
                    row["text"] = texts.get(d, "")
                rows.append(row)
            yield _kept(store, rows)

    return Export(total=len(ranked), chunks=chunks, label=query)


def documents_export(store: Store, doc_ids: list[str], label: str = "",
                     passages: dict[str, dict[str, Any]] | None = None) -> Export:
    """The documents of a list (a person's messages, a thread, a trace report's sources), in its
    order.  `passages`: doc_id → {page, snippet, match, score} to show instead of the document's start."""
    row_of = store.rows_of_doc_ids(doc_ids)
    ordered = [d for d in dict.fromkeys(doc_ids) if d in row_of]

    def chunks(with_text: bool) -> Iterator[list[dict[str, Any]]]:
        for i in range(0, len(ordered), CHUNK):
            part = ordered[i:i + CHUNK]
            ids = [row_of[d] for d in part]
            fields = store.export_fields(ids)
            texts = store.texts(ids)
            rows = []
            for d, r in zip(part, ids):
                text = texts.get(r, "")
                given = (passages or {}).get(d)
                if given:
                    row = _row(fields[r], given.get("page"), given.get("snippet") or "", given.get("match"),
                               given.get("score"))
                else:
                    row = _row(fields[r], None, make_snippet(text, None).text, None, None)
                if with_text:
                    row["text"] = text
                rows.append(row)
            yield _kept(store, rows)

    return Export(total=len(ordered), chunks=chunks, label=label)


def _kept(store: Store, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows with the reader's kept work on each document: its tags, star and note."""
    kept = store.annotations_of([r["doc_id"] for r in rows])
    for row in rows:
        k = kept.get(row["doc_id"]) or {}
        row.update(tags=k.get("tags") or [], starred=bool(k.get("starred")), note=k.get("note"))
    return rows


def _row(f: dict[str, Any], page: int | None, snippet: str, match: str | None,
         score: float | None) -> dict[str, Any]:
    return {"doc_id": f["doc_id"], "release": f.get("release"), "case": f.get("case"),
            "date": (f.get("date") or "")[:10] or None, "sender": f.get("sender"),
            "recipients": f.get("recipients") or [], "subject": f.get("subject"), "page": page,
            "snippet": snippet, "match": match, "score": score}


# --- writers ------------------------------------------------------------------------------
def write(export: Export, fmt: str, progress: Callable[[int, int], None] | None = None) -> Iterator[bytes]:
    """The export as `fmt` ("csv", "jsonl" or "zip"), as a stream of byte chunks.  `progress(done,
    total)` after each chunk of rows."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}")
    return {"csv": _csv, "jsonl": _jsonl, "zip": _zip}[fmt](export, progress or (lambda done, total: None))


def _csv(export: Export, progress: Callable[[int, int], None]) -> Iterator[bytes]:
    buf = io.StringIO()
    out = csv.writer(buf)
    out.writerow(COLUMNS)
    done = 0
    for chunk in export.chunks(False):
        for row in chunk:
            out.writerow(["; ".join(v) if isinstance(v, list) else ("" if v is None else v)
                          for v in (row[c] for c in COLUMNS)])
        done += len(chunk)
        yield _drain(buf).encode("utf-8")
        progress(done, export.total)
    yield _drain(buf).encode("utf-8")


def _jsonl(export: Export, progress: Callable[[int, int], None]) -> Iterator[bytes]:
    done = 0
    for chunk in export.chunks(False):
        yield "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in chunk).encode("utf-8")
        done += len(chunk)
        progress(done, export.total)


class _Sink:
    """A write-only file for zipfile: what was written since the last `take()`.  Without `tell`
    and `seek` zipfile writes data descriptors, so an archive can stream out as it is made."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data, self.parts = b"".join(self.parts), []
        return data


def _zip(export: Export, progress: Callable[[int, int], None]) -> Iterator[bytes]:
    sink = _Sink()
    manifest = []
    done = 0
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as zf:   # type: ignore[arg-type]
        for chunk in export.chunks(True):
            for row in chunk:
                name = f"documents/{_file_name(row['doc_id'])}.txt"
                zf.writestr(name, row.pop("text"))
                manifest.append(row | {"file": name})
            done += len(chunk)
            yield sink.take()
            progress(done, export.total)
        zf.writestr("manifest.json", json.dumps({"query": export.label, "total": export.total,
                                                 "columns": COLUMNS, "documents": manifest},
                                                ensure_ascii=False, indent=1))
    yield sink.take()


def _drain(buf: io.StringIO) -> str:
    data = buf.getvalue()
    buf.seek(0)
    buf.truncate()
    return data


def _file_name(doc_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", doc_id).strip("._") or "document"


# --- batch search -------------------------------------------------------------------------
BATCH_COLUMNS = ["query", "total", "related", "top"]


def read_queries(text: str) -> list[str]:
    """The queries of a CSV text: its `query` column when the header has one, else the first
    column of every row (a first row that is a header named query/name/names is skipped)."""
    rows = [r for r in csv.reader(io.StringIO(text)) if r and any(c.strip() for c in r)]
    if not rows:
        return []
    header = [c.strip().lower() for c in rows[0]]
    col = header.index("query") if "query" in header else 0
    if header[col] in ("query", "name", "names"):
        rows = rows[1:]
    return [r[col].strip() for r in rows if len(r) > col and r[col].strip()]


def batch_csv(answers: Iterable[dict[str, Any]]) -> Iterator[str]:
    """The header, then one CSV line per answer of `Archive.batch`, each as soon as it comes."""
    buf = io.StringIO()
    out = csv.writer(buf)
    out.writerow(BATCH_COLUMNS)
    yield _drain(buf)
    for a in answers:
        out.writerow([a["query"], a["total"], "" if a["related"] is None else a["related"], " ".join(a["top"])])
        yield _drain(buf)


# --- citations ----------------------------------------------------------------------------
def citation(doc: dict[str, Any], page: int | None = None, start: int | None = None,
             end: int | None = None) -> dict[str, Any]:
    """A citation of a stored document (`Store.document`) or a passage of it: {plain, markdown,
    url, fields}.  `url`: the FOIA reading room's search for the DocNo, when the document has one."""
    text = doc.get("text") or ""
    if page is None and start is not None:
        page = text.count("\f", 0, max(0, min(start, len(text)))) + 1
    first = (doc.get("messages") or [{}])[0]
    doc_no = _doc_no(doc)
    date = (first.get("date") or doc.get("date") or "")[:10] or None
    sender = first.get("sender") or doc.get("sender")
    subject = first.get("subject") or doc.get("subject") or doc.get("title")
    url = FOIA_SEARCH + quote(doc_no) if doc_no and doc.get("case_no") else None
    fields = {"doc_id": doc["doc_id"], "doc_no": doc_no, "release": doc.get("release"),
              "case": doc.get("case_no"), "date": date, "page": page, "pages": doc.get("n_pages"),
              "sender": sender, "subject": subject, "start": start, "end": end}
    parts = [f"{sender}" if sender else None, f'"{subject}"' if subject else None, date,
             f"DocNo {doc_no}" if doc_no else f"document {doc['doc_id']}",
             f"case {doc['case_no']}" if doc.get("case_no") else None,
             (doc.get("release") or "").replace("_", " ") or None,
             f"p. {page}" if page else None]
    plain = ", ".join(p for p in parts if p) + "."
    if url:
        plain += f" U.S. Department of State FOIA reading room: {url}"
    md_parts = [p for p in parts if p]
    if url and doc_no:
        md_parts = [f"[DocNo {doc_no}]({url})" if p == f"DocNo {doc_no}" else p for p in md_parts]
    markdown = ", ".join(_md_escape(p) if not p.startswith("[DocNo") else p for p in md_parts) + "."
    return {"plain": plain, "markdown": markdown, "url": url, "fields": fields}


def _doc_no(doc: dict[str, Any]) -> str | None:
    """The document's State Department DocNo (C05765907), from its id or its page stamp."""
    for candidate in (doc.get("doc_id"), (doc.get("meta") or {}).get("stamp_doc_no")):
        m = DOC_NO.fullmatch(candidate or "")
        if m:
            return released_doc_no(m.group(0))
    return None


def _md_escape(text: str) -> str:
    return re.sub(r"([\\`*_\[\]<>])", r"\\\1", text)

