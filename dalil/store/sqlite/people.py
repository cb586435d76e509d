"""SQLite: the people index: correspondent forms, persons, aliases, roles, message keys."""
from __future__ import annotations

import json
import re
from typing import Any, Iterable, Sequence

from dalil.store.sqlite.threads import scope


class SQLitePeople:
    """Mixin of SQLiteStore; `self.db` is the thread's connection."""

    # --- build --------------------------------------------------------------------------------
    def correspondent_form_stats(self) -> list[tuple[str, int, int, int, str | None, str | None]]:
        # A date counts, to the day, when it starts with a plausible year (1980-2039) and a dash.
        return [tuple(r) for r in self.db.execute(
            "SELECT raw, count(*), sum(sent), count(*) - sum(sent), min(day), max(day) FROM ("
            " SELECT c.raw AS raw, CASE WHEN c.role = 'from' THEN 1 ELSE 0 END AS sent,"
            " CASE WHEN m.date GLOB '19[89][0-9]-*' OR m.date GLOB '20[0-3][0-9]-*'"
            " THEN substr(m.date, 1, 10) END AS day,"
            " row_number() OVER (ORDER BY c.message, c.pos) AS seq"
            " FROM correspondents c JOIN messages m ON m.id = c.message)"
            " GROUP BY raw ORDER BY min(seq)")]

    def withheld_senders(self) -> tuple[int, str | None, str | None]:
        return tuple(self.db.execute("SELECT count(*), min(date), max(date) FROM messages WHERE sender IS NULL "
                                     "AND json_extract(extra, '$.sender_withheld')").fetchone())

    def replace_people(self, persons: list[tuple[int, str, int, int, str | None, str | None, int]],
                       forms: list[tuple[str, int, str, float, int]], keys: list[tuple[str, int]]) -> None:
        db = self.db
        with db:
            for table in ("persons", "person_forms", "person_keys"):
                db.execute(f"DELETE FROM {table}")
            db.executemany("INSERT INTO persons VALUES (?,?,?,?,?,?,?)", persons)
            db.executemany("INSERT INTO person_forms VALUES (?,?,?,?,?)", forms)
            db.executemany("INSERT OR IGNORE INTO person_keys VALUES (?,?)", keys)

    # --- read ---------------------------------------------------------------------------------
    def has_people(self) -> bool:
        return self.db.execute("SELECT 1 FROM persons LIMIT 1").fetchone() is not None

    def person_record(self, pid: int) -> dict[str, Any] | None:
        row = self.db.execute("SELECT * FROM persons WHERE id=?", (pid,)).fetchone()
        return dict(row) if row is not None else None

    def person_forms(self, pid: int, limit: int) -> list[str]:
        return [r[0] for r in self.db.execute(
            "SELECT form FROM person_forms WHERE person=? ORDER BY n DESC, form LIMIT ?", (pid, limit))]

    def person_names(self) -> dict[int, str]:
        return dict(self.db.execute("SELECT id, name FROM persons"))

    def persons_except(self, excluded: Iterable[int]) -> list[tuple[int, str, int]]:
        ids = list(excluded)
        q = ",".join("?" * len(ids))
        return [tuple(r) for r in self.db.execute(
            f"SELECT id, name, sent + received FROM persons WHERE id NOT IN ({q})", ids)]

    def people_state(self) -> tuple[int, int | None, int | None]:
        return tuple(self.db.execute("SELECT count(*), max(id), sum(sent + received) FROM persons").fetchone())

    def activity_at_rank(self, rank: int, excluded: int) -> int | None:
        row = self.db.execute("SELECT sent + received FROM persons WHERE id != ? ORDER BY sent + received DESC "
                              "LIMIT 1 OFFSET ?", (excluded, rank - 1)).fetchone()
        return row[0] if row is not None else None

    def form_person(self, form: str) -> tuple[int, str, float] | None:
        row = self.db.execute("SELECT person, method, confidence FROM person_forms WHERE form=?", (form,)).fetchone()
        return tuple(row) if row is not None else None

    def key_person(self, key: str) -> int | None:
        row = self.db.execute("SELECT person FROM person_keys WHERE key=?", (key,)).fetchone()
        return row[0] if row is not None else None

    def person_counts(self, doc_ids: Iterable[str] | None,
                      limit: int | None = None) -> list[tuple[int, int, int, str | None, str | None]]:
        where = scope(self.db, doc_ids, "c.doc_id")
        # Ties in activity in person order: the same list on every run and every backend.
        return [tuple(r) for r in self.db.execute(
            f"SELECT pf.person, sum(c.role = 'from'), sum(c.role != 'from'), "
            f"min(CASE WHEN m.date >= '1990' AND m.date < '2040' THEN substr(m.date, 1, 10) END), "
            f"max(CASE WHEN m.date >= '1990' AND m.date < '2040' THEN substr(m.date, 1, 10) END) "
            f"FROM correspondents c JOIN person_forms pf ON pf.form = c.raw JOIN messages m ON m.id = c.message "
            f"WHERE {where} GROUP BY pf.person ORDER BY count(*) DESC, pf.person" + (f" LIMIT {int(limit)}" if limit else ""))]

    def person_doc_ids(self, pid: int) -> list[str]:
        return [r[0] for r in self.db.execute(
            "SELECT c.doc_id FROM correspondents c JOIN person_forms pf ON pf.form = c.raw "
            "JOIN messages m ON m.id = c.message WHERE pf.person = ? "
            "GROUP BY c.doc_id ORDER BY min(m.date), c.doc_id", (pid,))]

    def people_named(self, text: str, limit: int = 20) -> list[tuple[int, str, int, int]]:
        low = " ".join(text.lower().split())
        words = [w for w in re.split(r"[\s,]+", low) if w]
        if not words:
            return []
        # Words of the display name: padded with spaces, so 'sid' is not found in 'Sidney'.
        each = " AND ".join("(' ' || lower(replace(replace(p.name, ',', ' '), '-', ' ')) || ' ') LIKE ?"
                            for _ in words)
        return [tuple(r) for r in self.db.execute(
            f"SELECT p.id, p.name, p.sent + p.received, (SELECT count(*) FROM person_forms f WHERE f.person = p.id) "
            f"FROM persons p WHERE p.id != 0 AND (lower(p.name) = ? OR ({each}) OR p.id IN "
            f"(SELECT person FROM person_forms WHERE lower(form) = ?)) "
            f"ORDER BY p.sent + p.received DESC, p.id LIMIT ?",
            [low, *(f"% {_like(w)} %" for w in words), low, limit])]

    def person_form_counts(self, pids: Iterable[int]) -> dict[int, int]:
        ids = json.dumps([int(p) for p in pids])
        return dict(self.db.execute("SELECT person, count(*) FROM person_forms WHERE person IN "
                                    "(SELECT value FROM json_each(?)) GROUP BY person", (ids,)))

    def person_document_rows(self, roles: Sequence[str]) -> list[tuple[int, int]]:
        # Pairs made unique and sorted here: DISTINCT over a join of every correspondent cost
        # the statement a third of its time.
        rows = self.db.execute(
            "SELECT d.id, pf.person FROM correspondents c JOIN documents d ON d.doc_id = c.doc_id "
            "JOIN person_forms pf ON pf.form = c.raw WHERE c.role IN (SELECT value FROM json_each(?))", (json.dumps(list(roles)),))
        return sorted(set(map(tuple, rows)))


def _like(word: str) -> str:
    """A word as a LIKE pattern of itself: LIKE has no escape here, so its wildcards become '_'."""
    return word.replace("%", "_")
