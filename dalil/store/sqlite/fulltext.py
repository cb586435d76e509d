"""SQLite: full-text search over the FTS5 table `docs_fts` (rowid = documents.id), the `terms`
table of document frequencies and OCR skeletons, and facets over a set of documents."""
from __future__ import annotations

import json
from typing import Any, Iterable, Iterator, Sequence

from dalil.store.base.fulltext import FacetRow, Filter, HitRow, filter_clause

# Column weights for bm25(): body, subject, sender, recipients, cc.
BM25_WEIGHTS = (1.0, 3.0, 2.0, 1.0, 1.0)
_BM25 = "bm25(docs_fts, " + ", ".join(str(x) for x in BM25_WEIGHTS) + ")"
_HIT_COLUMNS = "d.id, d.doc_id, d.subject, d.sender, d.date, d.release, d.n_pages"


_FILTER_SQL = {"doc": "d.doc_id = ?", "doc_prefix": "d.doc_id LIKE ?", "release": "d.release LIKE ?",
               "exemption": "d.doc_id IN (SELECT doc_id FROM exemptions WHERE code = ?)",
               "after": "d.date >= ?", "before": "d.date < ?", "lang": "d.lang = ?",
               "tag": "d.doc_id IN (SELECT doc_id FROM doc_tags WHERE tag = ?)",
               "flag": "d.doc_id IN (SELECT doc_id FROM doc_flags WHERE flag = ?)",
               "noted": "d.doc_id IN (SELECT doc_id FROM doc_notes WHERE note != ?)",
               "mentions": "d.doc_id IN (SELECT doc_id FROM mention_keys WHERE key = ?)",
               "collection": "d.collection = ?",
               "collections": "d.collection IN (SELECT value FROM json_each(?))"}
# A person filter: the documents with a message whose correspondent in the role is printed in
# one of the forms of the persons (ids joined by commas).
_PERSON_SQL = ("d.doc_id IN (SELECT c.doc_id FROM correspondents c WHERE c.role IN ({roles}) AND c.raw IN "
               "(SELECT form FROM person_forms WHERE person IN (SELECT value FROM json_each('[' || ? || ']'))))")
_FILTER_SQL.update({f"{field}_person": _PERSON_SQL.format(roles=roles) for field, roles in
                    (("from", "'from'"), ("to", "'to'"), ("cc", "'cc', 'bcc'"))})


def where_clause(filters: Sequence[Filter]) -> tuple[str, list[Any]]:
    """SQL condition on `documents d` for the filters, and its parameters (see `filter_clause`)."""
    return filter_clause(filters, _FILTER_SQL, "1")


def _id_list(rows: Iterable[int]) -> str:
    """The ids as one JSON array parameter (`json_each`): one statement for any number of them."""
    return json.dumps([int(r) for r in rows])


class SQLiteFullText:
    """Mixin of SQLiteStore; `self.db` is the thread's connection."""

    # --- term statistics -------------------------------------------------------------------
    def max_doc_row(self) -> int:
        return self.db.execute("SELECT max(id) FROM documents").fetchone()[0] or 0

    def term_df(self, term: str) -> int:
        row = self.db.execute("SELECT df FROM terms WHERE term=?", (term,)).fetchone()
        return row[0] if row else 0

    def prefix_df(self, prefix: str) -> int:
        row = self.db.execute("SELECT max(df) FROM terms WHERE term >= ? AND term < ?",
                              (prefix, prefix + "\uffff")).fetchone()
        return row[0] or 0

    def spelling_candidates(self, skeleton_prefix: str, max_df: int) -> list[tuple[str, str, int]]:
        return [tuple(r) for r in self.db.execute(
            "SELECT term, skel, df FROM terms WHERE skel >= ? AND skel < ? AND df <= ?",
            (skeleton_prefix, skeleton_prefix + "\uffff", max_df))]

    def known_terms(self, terms: Iterable[str]) -> set[str]:
        words = list(terms)
        q = ",".join("?" * len(words))
        return {r[0] for r in self.db.execute(f"SELECT term FROM terms WHERE term IN ({q})", words)}

    def phrase_exists(self, phrase: str) -> bool:
        return self.db.execute("SELECT 1 FROM docs_fts WHERE docs_fts MATCH ? LIMIT 1",
                               ['"' + phrase + '"']).fetchone() is not None

    # --- matching and ranking --------------------------------------------------------------
    def match_rows(self, match: str, filters: Sequence[Filter] = ()) -> list[int]:
        where, params = where_clause(filters)
        if where == "1":
            return [r[0] for r in self.db.execute("SELECT rowid FROM docs_fts WHERE docs_fts MATCH ?", [match])]
        return [r[0] for r in self.db.execute(
            f"SELECT d.id FROM docs_fts JOIN documents d ON d.id = docs_fts.rowid "
            f"WHERE docs_fts MATCH ? AND {where}", [match, *params])]

    def match_scores(self, match: str, filters: Sequence[Filter] = ()) -> tuple[list[int], list[float]]:
        where, params = where_clause(filters)
        join = "" if where == "1" else " JOIN documents d ON d.id = docs_fts.rowid"
        scored = self.db.execute(f"SELECT docs_fts.rowid, {_BM25} FROM docs_fts{join} "
                                 f"WHERE docs_fts MATCH ? AND {where}", [match, *params]).fetchall()
        return [r[0] for r in scored], [r[1] for r in scored]

    def rows_matching_each(self, matches: Sequence[str], rows: Sequence[int]) -> list[set[int]]:
        out: list[set[int]] = [set() for _ in matches]
        if not matches or not rows:
            return out
        # One statement for all the expressions: each tagged by its position.
        one = "SELECT ? AS k, rowid FROM docs_fts WHERE docs_fts MATCH ? AND rowid IN (SELECT value FROM json_each(?))"
        ids = _id_list(rows)
        params: list[Any] = []
        for k, m in enumerate(matches):
            params += [k, m, ids]
        for k, row in self.db.execute(" UNION ALL ".join([one] * len(matches)), params):
            out[k].add(row)
        return out

    def ranked_rows(self, match: str, filters: Sequence[Filter], limit: int) -> list[int]:
        where, params = where_clause(filters)
        if where == "1":
            sql = f"SELECT rowid FROM docs_fts WHERE docs_fts MATCH ? ORDER BY {_BM25} LIMIT ?"
            return [r[0] for r in self.db.execute(sql, (match, limit))]
        sql = (f"SELECT d.id FROM docs_fts JOIN documents d ON d.id = docs_fts.rowid "
               f"WHERE docs_fts MATCH ? AND {where} ORDER BY {_BM25} LIMIT ?")
        return [r[0] for r in self.db.execute(sql, [match, *params, limit])]

    def filter_rows(self, filters: Sequence[Filter]) -> list[int]:
        where, params = where_clause(filters)
        return [r[0] for r in self.db.execute(f"SELECT d.id FROM documents d WHERE {where}", params)]

    def newest_rows(self, filters: Sequence[Filter], limit: int) -> list[int]:
        where, params = where_clause(filters)
        return [r[0] for r in self.db.execute(
            f"SELECT d.id FROM documents d WHERE {where} ORDER BY d.date DESC, d.id DESC LIMIT ?", [*params, limit])]

    def newest_hit_rows(self, filters: Sequence[Filter], limit: int, offset: int = 0) -> list[HitRow]:
        where, params = where_clause(filters)
        return [tuple(r) for r in self.db.execute(
            f"SELECT {_HIT_COLUMNS} FROM documents d WHERE {where} "
            f"ORDER BY d.date DESC, d.id DESC LIMIT ? OFFSET ?", [*params, limit, offset])]

    # --- reading documents by their index row -----------------------------------------------
    def hit_rows(self, rows: Sequence[int]) -> dict[int, HitRow]:
        if not rows:
            return {}
        return {r[0]: tuple(r) for r in self.db.execute(
            f"SELECT {_HIT_COLUMNS} FROM documents d WHERE d.id IN ({','.join('?' * len(rows))})", list(rows))}

    def texts(self, rows: Sequence[int], chars: int | None = None) -> dict[int, str]:
        if not rows:
            return {}
        text = "text" if chars is None else f"substr(text, 1, {int(chars)})"
        return dict(self.db.execute(f"SELECT id, {text} FROM documents WHERE id IN ({','.join('?' * len(rows))})",
                                    list(rows)).fetchall())

    def texts_after(self, row: int) -> Iterator[tuple[int, str]]:
        for r in self.db.execute("SELECT id, text FROM documents WHERE id > ? ORDER BY id", (row,)):
            yield r[0], r[1]

    def rows_of_doc_ids(self, doc_ids: Sequence[str]) -> dict[str, int]:
        if not doc_ids:
            return {}
        return {r[1]: r[0] for r in self.db.execute(
            "SELECT id, doc_id FROM documents WHERE doc_id IN (SELECT value FROM json_each(?))",
            [json.dumps(list(doc_ids))])}

    def export_fields(self, rows: Sequence[int]) -> dict[int, dict[str, Any]]:
        if not len(rows):
            return {}
        out = {}
        for r in self.db.execute(
                "SELECT d.id, d.doc_id, d.release, d.case_no, d.date, d.sender, d.subject, "
                "(SELECT m.recipients FROM messages m WHERE m.doc_id = d.doc_id ORDER BY m.idx LIMIT 1) "
                "FROM documents d WHERE d.id IN (SELECT value FROM json_each(?))", [_id_list(rows)]):
            out[r[0]] = {"doc_id": r[1], "release": r[2], "case": r[3], "date": r[4], "sender": r[5],
                         "subject": r[6], "recipients": json.loads(r[7]) if r[7] else []}
        return out

    def short_rows(self, max_bytes: int) -> list[int]:
        return [r[0] for r in self.db.execute("SELECT id FROM documents WHERE length(CAST(text AS BLOB)) <= ?",
                                              [max_bytes])]

    # --- facets over a set of documents ------------------------------------------------------
    def facet_rows(self) -> tuple[list[FacetRow], list[tuple[int, str]]]:
        rows = [tuple(r) for r in self.db.execute(
            "SELECT id, release, substr(date, 1, 4), sender, lang FROM documents")]
        ex = [tuple(r) for r in self.db.execute(
            "SELECT d.id, e.code FROM exemptions e JOIN documents d ON d.doc_id = e.doc_id")]
        return rows, ex

    def months_of(self, rows: Sequence[int]) -> dict[str, int]:
        found = self.db.execute(
            "SELECT substr(date, 1, 7) AS m, count(*) FROM documents WHERE id IN (SELECT value FROM json_each(?)) "
            "AND date IS NOT NULL AND date >= '1990' GROUP BY m ORDER BY m", [_id_list(rows)]).fetchall()
        return {m: n for m, n in found if m and len(m) == 7}

    def correspondents_of(self, rows: Sequence[int], limit: int) -> list[tuple[str, int, int]]:
        return [tuple(r) for r in self.db.execute(
            "SELECT coalesce(c.name, c.address, c.raw) AS who, count(DISTINCT c.doc_id) AS n, "
            "sum(c.role = 'from') AS sent FROM correspondents c JOIN documents d ON d.doc_id = c.doc_id "
            "WHERE d.id IN (SELECT value FROM json_each(?)) GROUP BY lower(who) ORDER BY n DESC LIMIT ?",
            [_id_list(rows), limit])]

    # --- BM25 reads for claim tracing ------------------------------------------------------------
    def documents_matching(self, phrases: list[str], limit: int,
                           weights: tuple[float, ...] | None = None) -> list[str]:
        rank = f"bm25(docs_fts, {', '.join(str(w) for w in weights)})" if weights else "bm25(docs_fts)"
        return [r[0] for r in self.db.execute(
            "SELECT d.doc_id FROM docs_fts JOIN documents d ON d.id = docs_fts.rowid WHERE docs_fts MATCH ? "
            f"ORDER BY {rank} LIMIT ?", (_any_phrase(phrases), limit))]

    def texts_matching(self, phrases: list[str], limit: int) -> list[tuple[str, str]]:
        return [(r[0], r[1]) for r in self.db.execute(
            "SELECT d.doc_id, d.text FROM docs_fts JOIN documents d ON d.id = docs_fts.rowid "
            "WHERE docs_fts MATCH ? ORDER BY bm25(docs_fts) LIMIT ?", (_any_phrase(phrases), limit))]


def _any_phrase(phrases: list[str]) -> str:
    """An FTS5 query for any of `phrases` (index terms hold no double quote)."""
    return " OR ".join('"' + p + '"' for p in phrases)
