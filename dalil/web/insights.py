"""Aggregates of a whole result set for the search page (timeline by month, top
correspondents) and the duplicates of a document, read through the Archive.  The panels of a
search page count the documents its hits and facets come from: the exact matches
(`Archive.search_set`)."""
from __future__ import annotations

import re
from typing import Any

from dalil import Archive, ResultSet


def months(archive: Archive, found: ResultSet) -> dict[str, int]:
    """Messages per month ('YYYY-MM' → count) of the exact matches, or, where the people index
    has none of theirs, documents per month of the result set's documents."""
    timeline = archive.timeline(found.result.query, doc_ids=found.matching)
    counted = {m["month"][:7]: m["messages"] for m in timeline["months"] if m["month"] and m["messages"]}
    return counted or archive.months_of(found.rows)


def top_correspondents(archive: Archive, found: ResultSet, limit: int = 10) -> list[dict[str, Any]]:
    """The people who wrote or received the most messages of the result set: resolved persons
    (all their spellings and addresses together) of the exact matches, else correspondents as
    written in the result set's documents."""
    people = archive.people(found.result.query, limit=limit, doc_ids=found.matching)["people"]
    if people:
        # `id`: the person filter (from:#id) opens the messages of every form of theirs; `kind`:
        # lists, feeds and system senders go under their own heading.
        return [{"name": p["name"], "documents": (p["sent"] or 0) + (p["received"] or 0),
                 "sent": p["sent"] or 0, "form": _plain_form((p["forms"] or [p["name"]])[0]),
                 "id": p["id"], "kind": p["kind"]}
                for p in people if p["name"] and p["id"]]
    return [{"name": who.strip(" '\""), "documents": n, "sent": sent, "form": _plain_form(who), "id": None,
             "kind": "person"}
            for who, n, sent in archive.correspondents_of(found.rows, limit) if who and who.strip(" '\"")]


def _plain_form(form: str) -> str:
    """A form as a `from:` filter can match it: the name part, without address or quotes."""
    name = re.split(r"[<\[]", form, maxsplit=1)[0].strip(" '\"")
    return (name or form).replace('"', "")


def highlight_spans(archive: Archive, query: str, text: str) -> list[tuple[int, int]]:
    """Where the words of `query` occur in a document's text (the search's own highlighting)."""
    return archive.highlight_spans(query, text)


def duplicates(archive: Archive, doc_id: str) -> dict[str, Any]:
    """Other documents carrying the same email: the archive's near-duplicate finder, and where
    it has found none (or its index is not built), exact duplicates: same top headers and the
    same text once the page stamps that differ between releases are removed."""
    found = archive.dupes(doc_id)
    items = [d for d in (found["duplicates"] if found else []) if d["doc_id"] != doc_id]
    if items:
        return {"doc_id": doc_id, "method": "near", "duplicates": items}
    return exact_duplicates(archive, doc_id)


def exact_duplicates(archive: Archive, doc_id: str) -> dict[str, Any]:
    """Documents with the same subject, date and sender whose text is the same but for page stamps."""
    out = []
    found = archive.same_header_documents(doc_id)
    if found is not None:
        text, others = found
        own = _comparable(text)
        for other_id, release, other_text in others:
            if _comparable(other_text) == own:
                out.append({"doc_id": other_id, "release": release, "similarity": 1.0})
    return {"doc_id": doc_id, "method": "exact", "duplicates": out}


# Lines that differ between two releases of the same email: page stamps and release markers.
_STAMP = re.compile(r"^.*(?:UNCLASSIFIED|Department of State|Case No|Doc No|Date:? ?\d\d/|STATE DEPT|"
                    r"SUBJECT TO AGREEMENT|RELEASE IN|STATE-SCB|B\d|1\.4\().*$", re.I | re.M)
_SPACE = re.compile(r"\s+")


def _comparable(text: str) -> str:
    return _SPACE.sub(" ", _STAMP.sub("", text)).strip().lower()
