"""Conversations reconstructed from parsed message blocks, within and across documents.

A document prints a chain newest first; the same message is printed again in
every later reply and in every re-release.  Each message block gets a key
(sender person, sent time to the minute, subject without Re:/Fw:) in
`message_keys`.  `thread(store, doc_id)` starts from the document's blocks,
follows blocks with the same sender and minute and an agreeing subject into
other documents (confidence 0.95, 0.8 when a subject is missing), then adds
documents with the same normalized subject, a shared participant and a date
within a week (0.6).  Each message appears once, oldest first.
"""
from __future__ import annotations

import re
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from rapidfuzz import fuzz

from dalil.intel.people import WITHHELD_NAME
from dalil.store.base import Store

_PREFIX = re.compile(r"^\s*(?:(?:re|fw|fwd|aw|tr|rv)\s*[:;.]\s*|\[[^\]]*\]\s*)+", re.I)
_NONWORD = re.compile(r"[^a-z0-9]+")
MAX_DOCS = 40
SUBJECT_WINDOW = timedelta(days=3)
GENERIC_SUBJECT = 30          # a subject on more blocks than this ("schedule", "thanks") links nothing


def normalize_subject(subject: str | None) -> str:
    s = _PREFIX.sub("", subject or "")
    return _NONWORD.sub(" ", s.lower()).strip()


def build_message_keys(store: Store) -> int:
    """Rebuild the key (sender person, minute, subject) of every message; returns how many."""
    out = {}
    for mid, doc_id, idx, date, subject, person in store.message_senders():
        minute = _minute(date)
        out[mid] = (mid, doc_id, idx, person, minute, normalize_subject(subject))
    store.replace_message_keys(out.values())
    return len(out)


def _minute(date: str | None) -> str | None:
    """Sent time rounded to the minute: quoted BlackBerry headers print 09:40:58 for Outlook's 09:41."""
    if not date or len(date) < 16 or not date[:1].isdigit():
        return None
    if len(date) >= 19 and date[17:19] >= "30":
        try:
            return (datetime.fromisoformat(date[:16]) + timedelta(minutes=1)).isoformat()[:16]
        except ValueError:
            return date[:16]
    return date[:16]


def _subjects_agree(a: str, b: str) -> bool:
    return bool(a) and bool(b) and (a == b or fuzz.ratio(a, b) >= 80 or a in b or b in a)


def thread(store: Store, doc_id: str) -> dict[str, Any] | None:
    """The conversation of a document, each message once and oldest first; None for no such document."""
    if not store.has_document(doc_id):
        return None
    msgs: dict[int, dict] = {}          # message id -> row with confidence
    docs = {doc_id: 1.0}
    frontier = [doc_id]
    while frontier and len(docs) < MAX_DOCS:
        current, frontier = frontier, []
        for d in current:
            for row in store.document_keys(d):
                row["confidence"] = min(docs[d], row.get("confidence", 1.0))
                msgs.setdefault(row["message"], row)
                for other_doc, conf in _same_message(store, row):
                    if other_doc not in docs and len(docs) < MAX_DOCS:
                        docs[other_doc] = round(min(docs[d], conf), 2)
                        frontier.append(other_doc)
    for other_doc in _same_subject(store, list(msgs.values()), docs):
        if len(docs) >= MAX_DOCS:
            break
        docs[other_doc] = 0.6
        for row in store.document_keys(other_doc):
            row["confidence"] = 0.6
            msgs.setdefault(row["message"], row)
    return {"doc_id": doc_id, "messages": _ordered(store, msgs, doc_id)}


def _same_message(store: Store, row: dict) -> list[tuple[str, float]]:
    if row["person"] is None or row["minute"] is None:
        return []
    out = []
    for other_doc, norm in store.same_minute(row["person"], row["minute"], row["doc_id"]):
        if _subjects_agree(row["norm"], norm):
            out.append((other_doc, 0.95))
        elif not row["norm"] or not norm:
            out.append((other_doc, 0.8))
    return out


def _same_subject(store: Store, rows: list[dict], docs: dict[str, float]) -> list[str]:
    """Documents continuing the conversation under the same subject, by a participant, that week."""
    dates = [datetime.fromisoformat(r["date"][:10]) for r in rows if r["date"] and r["date"][:1].isdigit()]
    subjects = {r["norm"] for r in rows if len(r["norm"]) >= 6}
    people = {r["person"] for r in rows if r["person"] is not None}
    if not dates or not subjects or not people:
        return []
    lo, hi = (min(dates) - SUBJECT_WINDOW).isoformat()[:10], (max(dates) + SUBJECT_WINDOW).isoformat()[:10]
    found = []
    for subject in subjects:
        rows = store.subject_keys(subject, GENERIC_SUBJECT + 1)
        if len(rows) > GENERIC_SUBJECT:
            continue
        for other_doc, person, minute in rows:
            if other_doc in docs or other_doc in found or person not in people or not minute:
                continue
            if lo <= minute[:10] <= hi:
                found.append(other_doc)
    return sorted(found)


def _ordered(store: Store, msgs: dict[int, dict], doc_id: str) -> list[dict]:
    names = store.person_names()
    # One entry per distinct message: the copy in the asked document, else a top block, else any.
    best: dict[tuple, dict] = {}
    also: dict[tuple, list[str]] = defaultdict(list)
    for row in msgs.values():
        key = (row["person"], row["minute"], row["norm"][:40]) if row["minute"] else ("doc", row["message"])
        also[key].append(row["doc_id"])
        cur = best.get(key)
        rank = (row["doc_id"] != doc_id, row["idx"] != 0, -row["confidence"], row["doc_id"])
        if cur is None or rank < cur["_rank"]:
            best[key] = row | {"_rank": rank}
    # Undated blocks sit where their document prints them: just after the older block below them.
    by_doc: dict[str, list[dict]] = defaultdict(list)
    for row in best.values():
        by_doc[row["doc_id"]].append(row)
    for rows in by_doc.values():
        rows.sort(key=lambda r: -r["idx"])
        last = ""
        for r in rows:
            last = r["date"] if r["date"] and r["date"][:1].isdigit() else last
            r["_when"] = last
    out = []
    for key, row in sorted(best.items(), key=lambda kv: (kv[1]["_when"], kv[1]["doc_id"], -kv[1]["idx"])):
        person = row["person"]
        sender = names.get(person) if person is not None else None
        out.append({"doc_id": row["doc_id"], "idx": row["idx"],
                    "from": sender or row["sender"] or WITHHELD_NAME,
                    "date": row["date"], "subject": row["subject"], "confidence": row["confidence"],
                    "also_in": sorted(set(also[key]) - {row["doc_id"]})})
    return out
