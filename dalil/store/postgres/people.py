"""PostgreSQL: the people index: correspondent forms, persons, aliases, roles, message keys."""
from __future__ import annotations

import re
from typing import Any, Iterable, Sequence

from psycopg.rows import dict_row

from dalil.store.postgres.threads import scope

# Dates compare by code point, as SQLite compares text.
_DAY = ('CASE WHEN m.date >= \'1990\' COLLATE "C" AND m.date < \'2040\' COLLATE "C" '
        'THEN substr(m.date, 1, 10) END COLLATE "C"')


class PostgresPeople:
    """Mixin of PostgresStore; `self.db` is the thread's psycopg connection."""

    # --- build --------------------------------------------------------------------------------
    def correspondent_form_stats(self) -> list[tuple[str, int, int, int, str | None, str | None]]:
        # A date counts, to the day, when it starts with a plausible year (1980-2039) and a dash;
        # compared byte by byte (COLLATE "C") as Python compares them.
        return [tuple(r) for r in self.db.execute(
            'SELECT raw, count(*), sum(sent), count(*) - sum(sent), min(day COLLATE "C"), max(day COLLATE "C") FROM ('
            " SELECT c.raw AS raw, CASE WHEN c.role = 'from' THEN 1 ELSE 0 END AS sent,"
            " CASE WHEN m.date ~ '^(19[89][0-9]|20[0-3][0-9])-' THEN substr(m.date, 1, 10) END AS day,"
            " row_number() OVER (ORDER BY c.message, c.pos) AS seq"
            " FROM correspondents c JOIN messages m ON m.id = c.message) f"
            " GROUP BY raw ORDER BY min(seq)").fetchall()]

    def withheld_senders(self) -> tuple[int, str | None, str | None]:
        # SQLite's json_extract(...) is true for any value but false, 0 and null.
        return tuple(self.db.execute(
            'SELECT count(*), min(date COLLATE "C"), max(date COLLATE "C") FROM messages WHERE sender IS NULL '
            "AND extra->'sender_withheld' IS NOT NULL "
            "AND extra->'sender_withheld' NOT IN ('false'::jsonb, '0'::jsonb, 'null'::jsonb)").fetchone())

    def replace_people(self, persons: list[tuple[int, str, int, int, str | None, str | None, int]],
                       forms: list[tuple[str, int, str, float, int]], keys: list[tuple[str, int]]) -> None:
        db = self.db
        with db.transaction(), db.cursor() as cur:
            for table in ("persons", "person_forms", "person_keys"):
                cur.execute(f"DELETE FROM {table}")
            cur.executemany("INSERT INTO persons VALUES (%s,%s,%s,%s,%s,%s,%s)", persons)
            cur.executemany("INSERT INTO person_forms VALUES (%s,%s,%s,%s,%s)", forms)
            cur.executemany("INSERT INTO person_keys VALUES (%s,%s) ON CONFLICT DO NOTHING", keys)
        if not db.autocommit:
            db.commit()

    # --- read ---------------------------------------------------------------------------------
    def has_people(self) -> bool:
        return self.db.execute("SELECT 1 FROM persons LIMIT 1").fetchone() is not None

    def person_record(self, pid: int) -> dict[str, Any] | None:
        with self.db.cursor(row_factory=dict_row) as cur:
            return cur.execute("SELECT * FROM persons WHERE id=%s", (pid,)).fetchone()

    def person_forms(self, pid: int, limit: int) -> list[str]:
        return [r[0] for r in self.db.execute(
            'SELECT form FROM person_forms WHERE person=%s ORDER BY n DESC, form COLLATE "C" LIMIT %s',
            (pid, limit))]

    def person_names(self) -> dict[int, str]:
        return dict(self.db.execute("SELECT id, name FROM persons ORDER BY id").fetchall())

    def persons_except(self, excluded: Iterable[int]) -> list[tuple[int, str, int]]:
        return [tuple(r) for r in self.db.execute(
            "SELECT id, name, sent + received FROM persons WHERE NOT (id = ANY(%s)) ORDER BY id",
            ([int(i) for i in excluded],))]

    def people_state(self) -> tuple[int, int | None, int | None]:
        return tuple(self.db.execute(
            "SELECT count(*), max(id), sum(sent + received)::bigint FROM persons").fetchone())

    def activity_at_rank(self, rank: int, excluded: int) -> int | None:
        row = self.db.execute("SELECT sent + received FROM persons WHERE id != %s ORDER BY sent + received DESC "
                              "LIMIT 1 OFFSET %s", (excluded, rank - 1)).fetchone()
        return row[0] if row is not None else None

    def form_person(self, form: str) -> tuple[int, str, float] | None:
        row = self.db.execute("SELECT person, method, confidence FROM person_forms WHERE form=%s",
                              (form,)).fetchone()
        return tuple(row) if row is not None else None

    def key_person(self, key: str) -> int | None:
        row = self.db.execute("SELECT person FROM person_keys WHERE key=%s", (key,)).fetchone()
        return row[0] if row is not None else None

    def person_counts(self, doc_ids: Iterable[str] | None,
                      limit: int | None = None) -> list[tuple[int, int, int, str | None, str | None]]:
        where, params = scope(doc_ids, "c.doc_id")
        # Ties in count keep person order, as SQLite's sorter leaves the grouped rows.
        return [tuple(r) for r in self.db.execute(
            f"SELECT pf.person, sum((c.role = 'from')::int)::int, sum((c.role != 'from')::int)::int, "
            f"min({_DAY}), max({_DAY}) "
            f"FROM correspondents c JOIN person_forms pf ON pf.form = c.raw JOIN messages m ON m.id = c.message "
            f"WHERE {where} GROUP BY pf.person ORDER BY count(*) DESC, pf.person"
            + (f" LIMIT {int(limit)}" if limit else ""), params)]

    def person_doc_ids(self, pid: int) -> list[str]:
        return [r[0] for r in self.db.execute(
            "SELECT c.doc_id FROM correspondents c JOIN person_forms pf ON pf.form = c.raw "
            "JOIN messages m ON m.id = c.message WHERE pf.person = %s "
            "GROUP BY c.doc_id ORDER BY min(m.date), c.doc_id", (pid,))]

    def people_named(self, text: str, limit: int = 20) -> list[tuple[int, str, int, int]]:
        low = " ".join(text.lower().split())
        words = [w for w in re.split(r"[\s,]+", low) if w]
        if not words:
            return []
        # Words of the display name: padded with spaces, so 'sid' is not found in 'Sidney'.
        each = " AND ".join("(' ' || lower(replace(replace(p.name, ',', ' '), '-', ' ')) || ' ') LIKE %s ESCAPE ''"
                            for _ in words)
        return [tuple(r) for r in self.db.execute(
            f"SELECT p.id, p.name, p.sent + p.received, "
            f"(SELECT count(*) FROM person_forms f WHERE f.person = p.id)::int "
            f"FROM persons p WHERE p.id != 0 AND (lower(p.name) = %s OR ({each}) OR p.id IN "
            f"(SELECT person FROM person_forms WHERE lower(form) = %s)) "
            f"ORDER BY p.sent + p.received DESC, p.id LIMIT %s",
            [low, *(f"% {w.replace('%', '_')} %" for w in words), low, limit]).fetchall()]

    def person_form_counts(self, pids: Iterable[int]) -> dict[int, int]:
        return dict(self.db.execute("SELECT person, count(*)::int FROM person_forms WHERE person = ANY(%s) "
                                    "GROUP BY person", ([int(p) for p in pids],)).fetchall())

    def person_document_rows(self, roles: Sequence[str]) -> list[tuple[int, int]]:
        rows = self.db.execute(
            "SELECT d.id, pf.person FROM correspondents c JOIN documents d ON d.doc_id = c.doc_id "
            "JOIN person_forms pf ON pf.form = c.raw WHERE c.role = ANY(%s)", (list(roles),)).fetchall()
        return sorted(set(map(tuple, rows)))
