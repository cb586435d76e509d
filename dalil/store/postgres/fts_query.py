"""The full-text index on PostgreSQL, mirroring SQLite's FTS5 one: the `tsvector` a document's
five indexed fields become, and the `tsquery` an FTS5 match expression becomes.

Both sides tokenize here, not with PostgreSQL's parser: that parser reads `state.gov`, an e-mail
address or `e-mail` as single tokens (plus parts), and splits words on combining marks depending
on the server's locale, where FTS5's `unicode61` tokenizer (categories L*, N*, Co, M*) cuts at
every other character.  Building the tsvector text ourselves gives the same terms on both backends.

Fields carry weights (body D, subject A, sender B, recipients and cc C): a column filter
`{subject} : ...` becomes a weight restriction `:A`.  PostgreSQL has four weights for FTS5's five
columns, so the two that share one (recipients, cc) also hold each word a second time with a
marker (`@to:word`, `@cc:word`, at the same position): `{cc} : "word"` becomes `'@cc:word'`.  A
marker starts with a character no word holds, so no plain term or prefix reaches it.
"""
from __future__ import annotations

import re
import sys
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# Weight of each of the five indexed fields (the order of PreparedDocument.fts).
FIELD_WEIGHTS = ("D", "A", "B", "C", "C")
COLUMN_WEIGHTS = {"body": "D", "subject": "A", "sender": "B"}
COLUMN_MARKERS = {"recipients": "@to:", "cc": "@cc:"}
FIELD_MARKERS = (None, None, None, "@to:", "@cc:")
_MAX_POS = 16383            # PostgreSQL's highest tsvector position (later words share it)
_MAX_POSITIONS = 256        # positions kept per lexeme
_MAX_LEXEME_BYTES = 2047


@lru_cache(maxsize=1)
def _token_re() -> re.Pattern:
    # [^\W_] is L* and N*; FTS5's unicode61 (categories 'L* N* Co M*') also keeps marks and
    # private-use characters inside a token.
    extra, start = [], None
    for cp in range(sys.maxunicode + 1):
        keep = unicodedata.category(chr(cp)) in ("Mn", "Mc", "Me", "Co")
        if keep and start is None:
            start = cp
        elif not keep and start is not None:
            extra.append((start, cp - 1))
            start = None
    if start is not None:
        extra.append((start, sys.maxunicode))
    ranges = "".join(f"\\U{a:08x}-\\U{b:08x}" if a != b else f"\\U{a:08x}" for a, b in extra)
    return re.compile(f"(?:[^\\W_]|[{ranges}])+")


def tokens(text: str) -> list[str]:
    """The index terms of pre-normalized text, as FTS5's unicode61 tokenizer cuts them."""
    if text.isascii():
        return re.findall(r"[A-Za-z0-9]+", text.lower())
    return [t.lower() for t in _token_re().findall(text)]


def _quote(term: str) -> str:
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_text(fields: tuple[str, ...], positions: bool = True) -> tuple[str, int]:
    """The tsvector literal of a document's indexed fields (body, subject, sender, recipients,
    cc), each field's words weighted, and how many words they hold (BM25's document length).
    Positions run on across fields with one left empty between two fields, so that a phrase never
    spans two of them (recipients and cc share a weight)."""
    found: dict[str, list[str]] = {}
    pos = n = 0
    for text, weight, marker in zip(fields, FIELD_WEIGHTS, FIELD_MARKERS):
        if n:
            pos += 1
        for term in tokens(text or ""):
            pos += 1
            n += 1
            if len(term.encode()) > _MAX_LEXEME_BYTES:
                continue
            p = f"{min(pos, _MAX_POS)}{weight}"
            for lexeme in (term, marker + term) if marker else (term,):
                at = found.setdefault(lexeme, [])
                if len(at) < _MAX_POSITIONS and (not at or at[-1] != p):
                    at.append(p)
    if not positions:
        return " ".join(_quote(t) for t in found), n
    return " ".join(f"{_quote(t)}:{','.join(at)}" for t, at in found.items()), n


# --- FTS5 match expressions → tsquery ------------------------------------------------------------
class QuerySyntaxError(ValueError):
    """The expression is not in the FTS5 subset dalil.search.lexical builds."""


@dataclass(frozen=True)
class Phrase:
    """One phrase of a match expression, as FTS5's bm25() counts them: its terms, whether the
    last is a prefix, the weights (columns) it is limited to ("" for all), and its tsquery."""
    terms: tuple[str, ...]
    prefix: bool
    weights: str
    tsquery: str


@dataclass
class _Scanner:
    text: str
    at: int = 0

    _TOKEN = re.compile(r'\s*(?:(?P<str>"(?:[^"]|"")*")(?P<star>\*)?|(?P<op>[(){}:*])|(?P<word>[^\s(){}:"*]+))')

    def next(self) -> tuple[str, str, bool] | None:
        m = self._TOKEN.match(self.text, self.at)
        if m is None or m.end() == self.at:
            if self.text[self.at:].strip():
                raise QuerySyntaxError(f"cannot read {self.text[self.at:]!r}")
            return None
        self.at = m.end()
        if m.group("str") is not None:
            return "str", m.group("str")[1:-1].replace('""', '"'), bool(m.group("star"))
        if m.group("op") is not None:
            return "op", m.group("op"), False
        return "word", m.group("word"), False


class _Parser:
    """Recursive descent over FTS5's grammar: NOT binds tighter than AND, AND than OR."""

    def __init__(self, text: str):
        scanner = _Scanner(text)
        self.toks: list[tuple[str, str, bool]] = []
        while (tok := scanner.next()) is not None:
            self.toks.append(tok)
        self.i = 0
        self.phrases: list[Phrase] = []

    def peek(self) -> tuple[str, str, bool] | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self) -> tuple[str, str, bool]:
        tok = self.peek()
        if tok is None:
            raise QuerySyntaxError("unexpected end of expression")
        self.i += 1
        return tok

    def parse(self, weight: str | None = None) -> str:
        out = self.or_expr(weight)
        if self.peek() is not None:
            raise QuerySyntaxError(f"unexpected {self.peek()[1]!r}")
        return out

    def or_expr(self, weight: str | None) -> str:
        parts = [self.and_expr(weight)]
        while self.peek() == ("word", "OR", False):
            self.take()
            parts.append(self.and_expr(weight))
        return parts[0] if len(parts) == 1 else "(" + " | ".join(parts) + ")"

    def and_expr(self, weight: str | None) -> str:
        parts = [self.not_expr(weight)]
        while (tok := self.peek()) is not None and tok != ("op", ")", False) and tok[1] != "OR":
            if tok == ("word", "AND", False):
                self.take()
            parts.append(self.not_expr(weight))      # FTS5: adjacent phrases are an implicit AND
        return parts[0] if len(parts) == 1 else "(" + " & ".join(parts) + ")"

    def not_expr(self, weight: str | None) -> str:
        out = self.primary(weight)
        while self.peek() == ("word", "NOT", False):
            self.take()
            out = f"({out} & !{self.primary(weight)})"
        return out

    def primary(self, weight: str | None) -> str:
        kind, value, star = self.take()
        if (kind, value) == ("op", "("):
            inner = self.or_expr(weight)
            if self.take()[1] != ")":
                raise QuerySyntaxError("missing )")
            return inner
        if (kind, value) == ("op", "{"):
            columns = []
            while (tok := self.take())[1] != "}":
                columns.append(tok[1])
            if self.take()[1] != ":":
                raise QuerySyntaxError("a column filter needs ':'")
            if len(columns) == 1 and columns[0] in COLUMN_MARKERS:
                return self.primary(COLUMN_MARKERS[columns[0]])
            try:
                weights = "".join(sorted({COLUMN_WEIGHTS[c] for c in columns}))
            except KeyError as e:
                raise QuerySyntaxError(f"no column filter {e.args[0]!r} on PostgreSQL") from None
            return self.primary(weights)
        if kind in ("str", "word") and value not in ("AND", "OR", "NOT"):
            prefix = star or (self.peek() == ("op", "*", False) and bool(self.take()))
            out = phrase(value, prefix=prefix, weight=weight)
            terms = tuple(tokens(value))
            if weight and weight.endswith(":"):
                terms, weight = tuple(weight + t for t in terms), ""
            self.phrases.append(Phrase(terms, prefix, weight or "", out))
            return out
        raise QuerySyntaxError(f"unexpected {value!r}")


def phrase(text: str, prefix: bool = False, weight: str | None = None) -> str:
    """tsquery of an FTS5 phrase (its terms in order, the last one a prefix when `prefix`),
    limited to the weights in `weight`, or to a marked column when `weight` is a marker."""
    terms = tokens(text)
    if not terms:
        # FTS5 matches nothing for an empty phrase; nor does a lexeme no token can be (a space).
        return "' '"
    if weight and weight.endswith(":"):
        terms, weight = [weight + t for t in terms], None
    w = weight or ""
    parts = [f"{_quote(t)}:{w}" if w else _quote(t) for t in terms]
    if prefix:
        parts[-1] = f"{_quote(terms[-1])}:*{w}"
    return parts[0] if len(parts) == 1 else "(" + " <-> ".join(parts) + ")"


def to_tsquery(match: str) -> str:
    """The tsquery text (for `%s::tsquery`) of an FTS5 match expression: quoted terms and
    phrases, `"prefix"*`, AND/OR/NOT (binary, as FTS5), parentheses, `{column} : expr`."""
    return _Parser(match).parse()


def parse(match: str) -> tuple[str, list[Phrase]]:
    """The tsquery text of an FTS5 match expression and its phrases in expression order."""
    parser = _Parser(match)
    return parser.parse(), parser.phrases
