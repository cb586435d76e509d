"""PostgreSQL: full-text search over the `documents.fts` tsvector, the `terms` table of document
frequencies and OCR skeletons, and facets over a set of documents.

Match expressions arrive in FTS5's language and are translated by `fts_query`; the same documents
match on both backends.  Scores are FTS5's bm25() computed the way SQLite computes it (`_bm25`:
each phrase's weighted hits from the tsvector positions, its document frequency, the document's
length in words, the average length), so results rank alike on both.  Where they can differ:
a tsvector keeps at most 256 positions of a word and none past word 16383, so in very long
documents a frequent word counts fewer hits (and a body over 200,000 characters is indexed
without positions: found, but scored as if the word were absent); and `cc:`/`to:` share a weight.
"""
from __future__ import annotations

from typing import Any, Iterable, Iterator, Sequence

import json
import math

from dalil.store.base.fulltext import FacetRow, Filter, HitRow, filter_clause

from dalil.store.postgres.fts_query import Phrase, parse, phrase, to_tsquery

# bm25() column weights of the SQLite index (body 1, subject 3, sender 2, recipients 1, cc 1) by
# the tsvector weight each field carries; FTS5's constants.
_WEIGHT = {"D": 1.0, "A": 3.0, "B": 2.0, "C": 1.0}
_K1, _B = 1.2, 0.75
_HIT_COLUMNS = "d.id, d.doc_id, d.subject, d.sender, d.date, d.release, d.n_pages"
_ASCII_LOWER = ("'ABCDEFGHIJKLMNOPQRSTUVWXYZ'", "'abcdefghijklmnopqrstuvwxyz'")


# SQLite's comparisons: LIKE ignores ASCII case and has no escape character, text compares by code point.
_FILTER_SQL = {"doc": "d.doc_id = %s", "doc_prefix": "d.doc_id ILIKE %s ESCAPE ''",
               "release": "d.release ILIKE %s ESCAPE ''",
               "exemption": "d.doc_id IN (SELECT doc_id FROM exemptions WHERE code = %s)",
               "after": 'd.date >= %s COLLATE "C"', "before": 'd.date < %s COLLATE "C"', "lang": "d.lang = %s",
               "tag": "d.doc_id IN (SELECT doc_id FROM doc_tags WHERE tag = %s)",
               "flag": "d.doc_id IN (SELECT doc_id FROM doc_flags WHERE flag = %s)",
               "noted": "d.doc_id IN (SELECT doc_id FROM doc_notes WHERE note != %s)",
               "mentions": "d.doc_id IN (SELECT doc_id FROM mention_keys WHERE key = %s)",
               "collection": "d.collection = %s",
               "collections": "d.collection IN (SELECT jsonb_array_elements_text(%s::jsonb))"}
# A person filter: the documents with a message whose correspondent in the role is printed in
# one of the forms of the persons (ids joined by commas).
_PERSON_SQL = ("d.doc_id IN (SELECT c.doc_id FROM correspondents c WHERE c.role IN ({roles}) AND c.raw IN "
               "(SELECT form FROM person_forms WHERE person = ANY(string_to_array(%s, ',')::int[])))")
_FILTER_SQL.update({f"{field}_person": _PERSON_SQL.format(roles=roles) for field, roles in
                    (("from", "'from'"), ("to", "'to'"), ("cc", "'cc', 'bcc'"))})


def where_clause(filters: Sequence[Filter]) -> tuple[str, list[Any]]:
    """SQL condition on `documents d` for the filters, and its parameters (see `filter_clause`)."""
    return filter_clause(filters, _FILTER_SQL, "true")


class PostgresFullText:
    """Mixin of PostgresStore; `self.db` is the thread's psycopg connection."""

    # --- term statistics -------------------------------------------------------------------
    def max_doc_row(self) -> int:
        return self.db.execute("SELECT max(id) FROM documents").fetchone()[0] or 0

    def term_df(self, term: str) -> int:
        row = self.db.execute("SELECT df FROM terms WHERE term=%s", (term,)).fetchone()
        return row[0] if row else 0

    def prefix_df(self, prefix: str) -> int:
        row = self.db.execute('SELECT max(df) FROM terms WHERE term COLLATE "C" >= %s AND term COLLATE "C" < %s',
                              (prefix, prefix + "\uffff")).fetchone()
        return row[0] or 0

    def spelling_candidates(self, skeleton_prefix: str, max_df: int) -> list[tuple[str, str, int]]:
        return [tuple(r) for r in self.db.execute(
            'SELECT term, skel, df FROM terms WHERE skel COLLATE "C" >= %s AND skel COLLATE "C" < %s '
            'AND df <= %s ORDER BY term COLLATE "C"', (skeleton_prefix, skeleton_prefix + "\uffff", max_df))]

    def known_terms(self, terms: Iterable[str]) -> set[str]:
        return {r[0] for r in self.db.execute("SELECT term FROM terms WHERE term = ANY(%s)", (list(terms),))}

    def phrase_exists(self, phrase_text: str) -> bool:
        return self.db.execute("SELECT 1 FROM documents WHERE fts @@ %s::tsquery LIMIT 1",
                               (phrase(phrase_text),)).fetchone() is not None

    # --- matching and ranking --------------------------------------------------------------
    def match_rows(self, match: str, filters: Sequence[Filter] = ()) -> list[int]:
        where, params = where_clause(filters)
        return [r[0] for r in self.db.execute(
            f"SELECT d.id FROM documents d WHERE d.fts @@ %s::tsquery AND {where} ORDER BY d.id",
            [to_tsquery(match), *params])]

    def rows_matching_each(self, matches: Sequence[str], rows: Sequence[int]) -> list[set[int]]:
        out: list[set[int]] = [set() for _ in matches]
        if not matches or not len(rows):
            return out
        ids = _ints(rows)
        for k, m in enumerate(matches):
            out[k] = {r[0] for r in self.db.execute(
                "SELECT id FROM documents WHERE id = ANY(%s) AND fts @@ %s::tsquery", (ids, to_tsquery(m)))}
        return out

    def match_scores(self, match: str, filters: Sequence[Filter] = ()) -> tuple[list[int], list[float]]:
        where, params = where_clause(filters)
        q, phrases = parse(match)
        return self._bm25(q, phrases, where, params)

    def ranked_rows(self, match: str, filters: Sequence[Filter], limit: int) -> list[int]:
        ids, scores = self.match_scores(match, filters)
        return [ids[i] for i in sorted(range(len(ids)), key=lambda i: (scores[i], ids[i]))[:limit]]

    def _bm25(self, q: str, phrases: list[Phrase], where: str, params: list[Any]) -> tuple[list[int], list[float]]:
        """(documents.id, bm25 score) of the matches, in id order, as FTS5's bm25() gives them:
        score = -sum over phrases of idf * f * (k1 + 1) / (f + k1 * (1 - b + b * D / avgdl)),
        f the phrase's hits weighted by column, D the document's words."""
        db = self.db
        n_rows, n_tokens = db.execute("SELECT count(*), coalesce(sum(fts_len), 0) FROM documents").fetchone()
        counts = ", ".join("count(*) FILTER (WHERE fts @@ %s::tsquery)" for _ in phrases)
        n_hits = db.execute(f"SELECT {counts} FROM documents WHERE fts @@ %s::tsquery",
                            [*(p.tsquery for p in phrases), " | ".join(p.tsquery for p in phrases)]).fetchone()
        idf = []
        for n in n_hits:
            value = math.log((n_rows - n + 0.5) / (n + 0.5))
            idf.append(value if value > 0.0 else 1e-6)
        avgdl = n_tokens / n_rows if n_rows else 1.0
        words = sorted({t for p in phrases for t in (p.terms[:-1] if p.prefix else p.terms)})
        prefixes = sorted({p.terms[-1] for p in phrases if p.prefix and p.terms})
        found: dict[int, tuple[int, dict[str, dict[int, str]]]] = {}
        # Each matching document's positions of the query's words (the cost of exact bm25 here:
        # its tsvector is read whole, where FTS5 reads the words' postings).
        wanted, args = "x.lexeme = ANY(%s)", [words]
        if prefixes:
            wanted += " OR EXISTS (SELECT 1 FROM unnest(%s::text[]) p WHERE starts_with(x.lexeme, p))"
            args.append(prefixes)
        for row, length, lexeme, positions, weights in db.execute(
                f"SELECT d.id, d.fts_len, u.lexeme, u.positions, u.weights FROM documents d "
                f"LEFT JOIN LATERAL (SELECT * FROM unnest(d.fts) x WHERE {wanted}) u ON true "
                f"WHERE d.fts @@ %s::tsquery AND {where}", [*args, q, *params]):
            doc = found.setdefault(row, (length, {}))
            if lexeme is not None and positions:
                doc[1][lexeme] = dict(zip(positions, weights))
        ids = sorted(found)
        scores = []
        for row in ids:
            length, at = found[row]
            norm = _K1 * (1 - _B + _B * length / avgdl)
            score = 0.0
            for p, w in zip(phrases, idf):
                f = _hits(p, at)
                score += w * ((f * (_K1 + 1.0)) / (f + norm))
            scores.append(-1.0 * score)
        return ids, scores

    def filter_rows(self, filters: Sequence[Filter]) -> list[int]:
        where, params = where_clause(filters)
        return [r[0] for r in self.db.execute(f"SELECT d.id FROM documents d WHERE {where} ORDER BY d.id", params)]

    def newest_rows(self, filters: Sequence[Filter], limit: int) -> list[int]:
        where, params = where_clause(filters)
        return [r[0] for r in self.db.execute(
            f'SELECT d.id FROM documents d WHERE {where} ORDER BY d.date COLLATE "C" DESC NULLS LAST, d.id DESC '
            f"LIMIT %s", [*params, limit])]

    def newest_hit_rows(self, filters: Sequence[Filter], limit: int, offset: int = 0) -> list[HitRow]:
        where, params = where_clause(filters)
        return [tuple(r) for r in self.db.execute(
            f'SELECT {_HIT_COLUMNS} FROM documents d WHERE {where} '
            f'ORDER BY d.date COLLATE "C" DESC NULLS LAST, d.id DESC LIMIT %s OFFSET %s',
            [*params, limit, offset])]

    # --- reading documents by their index row -----------------------------------------------
    def hit_rows(self, rows: Sequence[int]) -> dict[int, HitRow]:
        if not len(rows):
            return {}
        return {r[0]: tuple(r) for r in self.db.execute(
            f"SELECT {_HIT_COLUMNS} FROM documents d WHERE d.id = ANY(%s)", (_ints(rows),))}

    def texts(self, rows: Sequence[int], chars: int | None = None) -> dict[int, str]:
        if not len(rows):
            return {}
        text = "text" if chars is None else f"substr(text, 1, {int(chars)})"
        return dict(self.db.execute(f"SELECT id, {text} FROM documents WHERE id = ANY(%s)",
                                    (_ints(rows),)).fetchall())

    def texts_after(self, row: int) -> Iterator[tuple[int, str]]:
        # Read in pages of ids: a stream in any transaction mode, without a server-side cursor.
        while True:
            page = self.db.execute("SELECT id, text FROM documents WHERE id > %s ORDER BY id LIMIT 200",
                                   (row,)).fetchall()
            if not page:
                return
            yield from ((r[0], r[1]) for r in page)
            row = page[-1][0]

    def short_rows(self, max_bytes: int) -> list[int]:
        return [r[0] for r in self.db.execute("SELECT id FROM documents WHERE octet_length(text) <= %s ORDER BY id",
                                              (max_bytes,))]

    # --- facets over a set of documents ------------------------------------------------------
    def facet_rows(self) -> tuple[list[FacetRow], list[tuple[int, str]]]:
        rows = [tuple(r) for r in self.db.execute(
            "SELECT id, release, substr(date, 1, 4), sender, lang FROM documents ORDER BY id")]
        ex = [tuple(r) for r in self.db.execute(
            "SELECT d.id, e.code FROM exemptions e JOIN documents d ON d.doc_id = e.doc_id")]
        return rows, ex

    def months_of(self, rows: Sequence[int]) -> dict[str, int]:
        found = self.db.execute(
            'SELECT substr(date, 1, 7) COLLATE "C" AS m, count(*) FROM documents WHERE id = ANY(%s) '
            'AND date IS NOT NULL AND date >= \'1990\' COLLATE "C" GROUP BY m ORDER BY m',
            (_ints(rows),)).fetchall()
        return {m: n for m, n in found if m and len(m) == 7}

    def correspondents_of(self, rows: Sequence[int], limit: int) -> list[tuple[str, int, int]]:
        # Grouped as SQLite's lower() groups (ASCII only); the first form in code-point order
        # speaks for its group (SQLite shows an arbitrary one of them).
        who = "coalesce(c.name, c.address, c.raw)"
        return [tuple(r) for r in self.db.execute(
            f'SELECT min({who} COLLATE "C"), count(DISTINCT c.doc_id) AS n, '
            f"sum((c.role = 'from')::int)::int FROM correspondents c JOIN documents d ON d.doc_id = c.doc_id "
            f"WHERE d.id = ANY(%s) GROUP BY translate({who}, {_ASCII_LOWER[0]}, {_ASCII_LOWER[1]}) "
            f'ORDER BY n DESC, 1 LIMIT %s', (_ints(rows), limit))]

    def rows_of_doc_ids(self, doc_ids: Sequence[str]) -> dict[str, int]:
        if not doc_ids:
            return {}
        return {r[1]: r[0] for r in self.db.execute("SELECT id, doc_id FROM documents WHERE doc_id = ANY(%s)",
                                                    (list(doc_ids),))}

    def export_fields(self, rows: Sequence[int]) -> dict[int, dict[str, Any]]:
        if not len(rows):
            return {}
        out = {}
        for r in self.db.execute(
                "SELECT d.id, d.doc_id, d.release, d.case_no, d.date, d.sender, d.subject, "
                "(SELECT m.recipients FROM messages m WHERE m.doc_id = d.doc_id ORDER BY m.idx LIMIT 1) "
                "FROM documents d WHERE d.id = ANY(%s)", (_ints(rows),)):
            recipients = r[7] if not isinstance(r[7], str) else json.loads(r[7])
            out[r[0]] = {"doc_id": r[1], "release": r[2], "case": r[3], "date": r[4], "sender": r[5],
                         "subject": r[6], "recipients": recipients or []}
        return out

    # --- BM25 reads for claim tracing ------------------------------------------------------------
    # Ranked with the search's BM25 column weights: the per-call `weights` of the SQLite part
    # (FTS5's bm25() arguments) are not applied here, so the order of close candidates may differ.
    def documents_matching(self, phrases: list[str], limit: int,
                           weights: tuple[float, ...] | None = None) -> list[str]:
        rows = self.ranked_rows(_any_phrase(phrases), (), limit)
        names = self.doc_ids_of(rows)
        return [names[r] for r in rows if r in names]

    def texts_matching(self, phrases: list[str], limit: int) -> list[tuple[str, str]]:
        rows = self.ranked_rows(_any_phrase(phrases), (), limit)
        texts = self.texts(rows)
        names = self.doc_ids_of(rows)
        return [(names[r], texts[r]) for r in rows if r in names and r in texts]




def _hits(p: Phrase, at: dict[str, dict[int, str]]) -> float:
    """The phrase's occurrences in a document (position → weight of each word), each weighted by
    its column, as FTS5 sums its instances."""
    if not p.terms:
        return 0.0
    last = [at[t] for t in at if t.startswith(p.terms[-1])] if p.prefix else [at.get(p.terms[-1], {})]
    heads = at.get(p.terms[0], {}) if len(p.terms) > 1 or not p.prefix else None
    f = 0.0
    if heads is None:                       # a one-word prefix: every word it begins
        for positions in last:
            f += sum(_WEIGHT[w] for w in positions.values() if not p.weights or w in p.weights)
        return f
    for pos, w in heads.items():
        if p.weights and w not in p.weights:
            continue
        if all(pos + k in at.get(t, {}) for k, t in enumerate(p.terms[1:-1], 1)) and (
                len(p.terms) == 1 or any(pos + len(p.terms) - 1 in positions for positions in last)):
            f += _WEIGHT[w]
    return f


def _ints(rows: Sequence[int]) -> list[int]:
    return [int(r) for r in rows]

def _any_phrase(phrases: list[str]) -> str:
    """The FTS5-syntax expression for any of `phrases`, which fts_query translates."""
    return " OR ".join('"' + p + '"' for p in phrases)
