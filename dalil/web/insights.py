"""Aggregates of a whole result set for the search page (timeline by month, top
correspondents) and the duplicates of a document.  Each prefers the Archive's own
method when this installation has it and falls back to SQL over the store."""
from __future__ import annotations

import json
import re
from typing import Any

from dalil.search.query import parse_query
from dalil.search.snippets import find_matches


def result_set(archive, query: str, mode: str | None = None, lang: str | None = None) -> tuple[str, list[Any]]:
    """SQL selecting `documents.id` of every document of the result set of `query`: the fused
    ranking of the searcher in use (so that cross-lingual results count), else the lexical match."""
    if hasattr(archive, "hybrid"):
        fused = archive.hybrid.rank(query, mode, lang)[3]
        return "SELECT value FROM json_each(?)", [json.dumps([int(d) for d, _ in fused])]
    lexical = archive.lexical
    q = parse_query(query)
    match, _, _ = lexical.build(q)
    where, params = lexical.sql_filters(q)
    if match:
        return (f"SELECT d.id FROM docs_fts JOIN documents d ON d.id = docs_fts.rowid "
                f"WHERE docs_fts MATCH ? AND {where}", [match, *params])
    return f"SELECT d.id FROM documents d WHERE {where}", list(params)


def months(archive, query: str, mode: str | None = None, lang: str | None = None) -> dict[str, int]:
    """Messages (or, without the people index, documents) per month ('YYYY-MM' → count)."""
    if hasattr(archive, "timeline"):
        found = _as_month_counts(archive.timeline(query))
        if found:
            return found
    ids_sql, params = result_set(archive, query, mode, lang)
    rows = archive.store.db.execute(
        f"SELECT substr(date, 1, 7) AS m, count(*) FROM documents WHERE id IN ({ids_sql}) "
        f"AND date IS NOT NULL AND date >= '1990' GROUP BY m ORDER BY m", params).fetchall()
    return {m: n for m, n in rows if m and len(m) == 7}


def _as_month_counts(value: Any) -> dict[str, int]:
    if hasattr(value, "to_dict"):
        value = value.to_dict()
    if isinstance(value, dict):
        value = value.get("months", value.get("buckets", value))
    if isinstance(value, dict):
        items = value.items()
    else:
        items = [(r.get("month") or r.get("period") or r.get("date"),
                  next((r[k] for k in ("count", "messages", "documents", "n") if k in r), 0))
                 if isinstance(r, dict) else tuple(r) for r in value]
    return {str(k)[:7]: int(n) for k, n in items if k and int(n)}


def top_correspondents(archive, query: str, mode: str | None = None, lang: str | None = None,
                       limit: int = 10) -> list[dict[str, Any]]:
    """The people who wrote or received the most messages of the result set: resolved persons
    (all their spellings and addresses together) when the archive has them, else forms as written."""
    if hasattr(archive, "people"):
        found = archive.people(query, limit=limit).get("people", [])
        if found:
            return [{"name": p["name"], "documents": (p.get("sent") or 0) + (p.get("received") or 0),
                     "sent": p.get("sent") or 0, "form": _plain_form((p.get("forms") or [p["name"]])[0])}
                    for p in found if p.get("name")]
    ids_sql, params = result_set(archive, query, mode, lang)
    rows = archive.store.db.execute(
        f"SELECT coalesce(c.name, c.address, c.raw) AS who, count(DISTINCT c.doc_id) AS n, "
        f"sum(c.role = 'from') AS sent FROM correspondents c JOIN documents d ON d.doc_id = c.doc_id "
        f"WHERE d.id IN ({ids_sql}) GROUP BY lower(who) ORDER BY n DESC LIMIT ?",
        [*params, limit]).fetchall()
    return [{"name": who.strip(" '\""), "documents": n, "sent": sent, "form": _plain_form(who)}
            for who, n, sent in rows if who and who.strip(" '\"")]


def _plain_form(form: str) -> str:
    """A form as a `from:` filter can match it: the name part, without address or quotes."""
    name = re.split(r"[<\[]", form, maxsplit=1)[0].strip(" '\"")
    return (name or form).replace('"', "")


def highlight_spans(archive, query: str, text: str) -> list[tuple[int, int]]:
    """Where the words of `query` occur in a document's text (the search's own highlighting)."""
    _, marks, _ = archive.lexical.build(parse_query(query))
    if not marks:
        return []
    return find_matches(text, re.compile("|".join(f"(?:{m})" for m in marks), re.I))


def duplicates(archive, doc_id: str) -> dict[str, Any]:
    """Other documents carrying the same email: the archive's near-duplicate finder, and where
    it has found none (or its index is not built), exact duplicates: same top headers and the
    same text once the page stamps that differ between releases are removed."""
    if hasattr(archive, "dupes"):
        found = archive.dupes(doc_id)
        if hasattr(found, "to_dict"):
            found = found.to_dict()
        if isinstance(found, dict):
            found = found.get("duplicates", found.get("groups", []))
        items = [{"doc_id": d} if isinstance(d, str) else dict(d) for d in found or []]
        items = [d for d in items if d.get("doc_id") != doc_id]
        if items:
            return {"doc_id": doc_id, "method": "near", "duplicates": items}
    return exact_duplicates(archive, doc_id)


def exact_duplicates(archive, doc_id: str) -> dict[str, Any]:
    db = archive.store.db
    row = db.execute("SELECT doc_id, date, subject, sender, text FROM documents WHERE doc_id=?",
                     (doc_id,)).fetchone()
    if row is None:
        return {"doc_id": doc_id, "method": "exact", "duplicates": []}
    own = _comparable(row["text"])
    out = []
    if row["subject"] is not None:
        for other in db.execute(
                "SELECT doc_id, release, text FROM documents WHERE doc_id != ? AND subject = ? "
                "AND date IS ? AND sender IS ?", (doc_id, row["subject"], row["date"], row["sender"])):
            if _comparable(other["text"]) == own:
                out.append({"doc_id": other["doc_id"], "release": other["release"], "similarity": 1.0})
    return {"doc_id": doc_id, "method": "exact", "duplicates": out}


# Lines that differ between two releases of the same email: page stamps and release markers.
_STAMP = re.compile(r"^.*(?:UNCLASSIFIED|Department of State|Case No|Doc No|Date:? ?\d\d/|STATE DEPT|"
                    r"SUBJECT TO AGREEMENT|RELEASE IN|STATE-SCB|B\d|1\.4\().*$", re.I | re.M)
_SPACE = re.compile(r"\s+")


def _comparable(text: str) -> str:
    return _SPACE.sub(" ", _STAMP.sub("", text)).strip().lower()
