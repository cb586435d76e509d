"""Query syntax: words (all must match), "exact phrases", OR, -exclusion, prefix*,
and filters from: to: cc: subject: doc: release: exemption: after: before: lang: mentions: collection:, and the
kept work's tag: and is:starred|read|noted.
from:, to:, cc: name a person (dalil.search.persons resolves them); from:="Sid" is the
literal form only.

    sullivan "sri lanka" -press
    from:mills subject:libya after:2011-02-01 before:2011-04-01
    qaddafi OR gaddafi exemption:B1 release:NovWeb
    mentions:"Cheryl Mills" mentions:Tripoli
"""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import Any
from datetime import date
from pathlib import Path

from dalil.model import Limits

FTS_FIELDS = {"from": "sender", "to": "recipients", "cc": "cc", "subject": "subject"}
PERSON_FIELDS = {"sender": "from", "recipients": "to", "cc": "cc"}   # index column → filter name
SQL_FIELDS = {"doc", "release", "exemption", "after", "before", "lang", "tag", "is", "mentions", "collection"}
IS_VALUES = ("starred", "read", "noted")     # is:VALUE — the document flags a reader sets
KNOWN = sorted(FTS_FIELDS) + sorted(SQL_FIELDS)
FILTER_KEYWORDS_DATA = Path(__file__).with_name("data") / "filter_keywords.tsv"


def filter_keywords() -> dict[str, str]:
    """data/filter_keywords.tsv, read once: a filter keyword in another language → the English
    filter (من → from); lines naming a filter this version lacks are left out."""
    table = {}
    for line in FILTER_KEYWORDS_DATA.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            keyword, english = line.split("\t")
            if english.strip() in KNOWN:
                table[keyword.strip()] = english.strip()
    return table


# Every filter keyword (English and the other languages') → its English filter.
FILTER_KEYWORDS: dict[str, str] = {**{k: k for k in KNOWN}, **filter_keywords()}


class QueryError(ValueError):
    """A query the user must fix; the message is one line, fit to show as it is."""


@dataclass
class Atom:
    kind: str                 # word | phrase | filter
    value: str
    field: str | None = None
    prefix: bool = False
    negated: bool = False
    literal: bool = False     # from:="..." : the printed form only, not the person it names
    grouped: bool = False     # OR'd with another term: a from: in it stays a text match
    person: Any = dataclasses.field(default=None, compare=False, repr=False)   # its PersonFilter once resolved (False: none)


@dataclass
class Query:
    text: str
    groups: list[list[Atom]] = field(default_factory=list)     # AND of ORs (positive)
    negatives: list[Atom] = field(default_factory=list)
    filters: list[Atom] = field(default_factory=list)           # SQL-side filters
    english: str = ""         # the text with every filter keyword in English (من: → from:)

    def __post_init__(self):
        self.english = self.english or self.text

    @property
    def has_text(self) -> bool:
        return bool(self.groups)

    def positive_atoms(self) -> list[Atom]:
        return [a for g in self.groups for a in g]


# A field is any Latin word (an unknown one is an error) or one of the listed keywords in other
# scripts, longest first; any other word before a colon is searched as text.  `=` after the
# colon asks for the literal form (from:="Sid").
_OTHER_KEYWORDS = "|".join(sorted((re.escape(k) for k in FILTER_KEYWORDS if not k.isascii()), key=len, reverse=True))
_TOKEN = re.compile(r'''\s*(?:(?P<neg>-)?(?:(?P<field>[A-Za-z]+''' + (f"|{_OTHER_KEYWORDS}" if _OTHER_KEYWORDS else "")
                    + r'''):(?P<lit>=)?)?(?:"(?P<phrase>[^"]*)"|(?P<word>[^\s"]+)))''')


def parse_query(text: str, limits: Limits | None = None) -> Query:
    """The parsed query, or QueryError.  `limits` bound the size of a query someone typed
    (Archive.search passes Limits.from_env()); internal queries, such as a claim's words
    searched by the tracer, are parsed without them."""
    if limits is not None:
        _check_size(text, limits)
    if text.count('"') % 2:
        raise QueryError('unbalanced quote: every " needs a closing "')
    q = Query(text=text)
    pos, pending_or, english = 0, False, []
    stripped = text.strip()
    if not stripped:
        raise QueryError("empty query")
    while pos < len(text):
        if not text[pos:].strip():
            break
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise QueryError(f"cannot read the query near {text[pos:pos + 20]!r}")
        word, phrase, fname = m.group("word"), m.group("phrase"), m.group("field")
        english.append(text[pos:m.start("field")] + FILTER_KEYWORDS[fname] + text[m.end("field"):m.end()]
                       if fname in FILTER_KEYWORDS else text[pos:m.end()])
        pos = m.end()
        if word == "OR" and not fname and not m.group("neg"):
            if not q.groups or pending_or:
                raise QueryError("OR needs a term on each side")
            pending_or = True
            continue
        atom = _atom(fname, word, phrase, bool(m.group("neg")))
        if atom is None:
            continue
        if m.group("lit"):
            if atom.field not in PERSON_FIELDS:
                raise QueryError(f"{fname}:= (a literal form) is for from:, to: and cc: only")
            atom.literal = True
        if atom.kind == "filter":
            if pending_or:
                raise QueryError(f"OR cannot join a {atom.field}: filter")
            q.filters.append(atom)
        elif atom.negated:
            if pending_or:
                raise QueryError("OR cannot join an exclusion")
            q.negatives.append(atom)
        elif pending_or:
            q.groups[-1].append(atom)
            for a in q.groups[-1]:
                a.grouped = True
            pending_or = False
        else:
            q.groups.append([atom])
    if pending_or:
        raise QueryError("OR needs a term on each side")
    q.english = "".join(english)
    if not q.groups and not q.filters:
        raise QueryError("a query needs at least one term or filter besides exclusions")
    if limits is not None:
        _check_terms(q, limits)
    return q


_LONG_WORD: dict[int, re.Pattern[str]] = {}   # limit → pattern of a word over it


def _check_size(text: str, limits: Limits) -> None:
    """Refuse, before any work, a query too long or with a word too long (what a word costs the
    spelling expansion and the highlighting grows with its length)."""
    if len(text) > limits.max_query_chars:
        raise QueryError(f"query too long: {len(text)} characters (the limit is {limits.max_query_chars})")
    n = limits.max_word_chars
    pattern = _LONG_WORD.get(n) or _LONG_WORD.setdefault(n, re.compile(r"[^\s\"]{%d,}" % (n + 1)))
    if pattern.search(text):
        raise QueryError(f"a word of the query is longer than {n} characters (the limit)")


def _check_terms(q: Query, limits: Limits) -> None:
    atoms = [*q.positive_atoms(), *q.negatives]
    terms = sum(len(a.value.split()) for a in atoms) + len(q.filters)
    if terms > limits.max_query_terms:
        raise QueryError(f"too many terms: {terms} (the limit is {limits.max_query_terms})")
    prefixes = [a for a in atoms if a.prefix]
    if len(prefixes) > limits.max_wildcards:
        raise QueryError(f"too many prefix* terms: {len(prefixes)} (the limit is {limits.max_wildcards})")
    short = next((a for a in prefixes if len(a.value) < limits.min_prefix_chars), None)
    if short is not None:
        raise QueryError(f"prefix {short.value}* is too short: give at least {limits.min_prefix_chars} "
                         "characters before the *")


def _atom(fname: str | None, word: str | None, phrase: str | None, neg: bool) -> Atom | None:
    if fname is not None:
        f = FILTER_KEYWORDS.get(fname, fname.lower())
        value = phrase if phrase is not None else word
        if f not in FTS_FIELDS and f not in SQL_FIELDS:
            raise QueryError(f"unknown filter {fname}: (known: {', '.join(k + ':' for k in KNOWN)})")
        if not value:
            raise QueryError(f"filter {f if fname.isascii() else fname}: needs a value")
        if f in SQL_FIELDS:
            return Atom("filter", _check_filter(f, value), field=f, negated=neg)
        kind = "phrase" if phrase is not None else "word"
        return _text_atom(kind, value, FTS_FIELDS[f], neg)
    if phrase is not None:
        return _text_atom("phrase", phrase, None, neg) if phrase.strip() else None
    return _text_atom("word", word or "", None, neg)


def _text_atom(kind: str, value: str, column: str | None, neg: bool) -> Atom | None:
    prefix = kind == "word" and value.endswith("*") and len(value) > 1
    value = value.rstrip("*") if prefix else value
    if not re.search(r"\w", value):
        return None                      # stray punctuation carries no term
    return Atom(kind, value, field=column, prefix=prefix, negated=neg)


_EXEMPTION = re.compile(r"^(?:B(\d)(?:\(?([A-F])\)?)?|1\.4\(?([A-H])\)?)$", re.I)


def normalize_exemption(code: str) -> str | None:
    m = _EXEMPTION.match(code.strip().upper())
    if not m:
        return None
    if m.group(3):
        return f"1.4({m.group(3).upper()})"
    return f"B{m.group(1)}" + (f"({m.group(2).upper()})" if m.group(2) else "")


TAG_CHARS = 64
_TAG = re.compile(r"[\w\-./ ]{1,%d}" % TAG_CHARS)


def normalize_tag(tag: str) -> str | None:
    """A tag as stored and matched by tag:NAME: case-folded, spaces collapsed; None when it is empty,
    too long, or holds other characters than letters (any script), digits, - _ . / and spaces."""
    text = " ".join(tag.split()).casefold()
    return text if _TAG.fullmatch(text) else None


def _check_filter(f: str, value: str) -> str:
    if f in ("after", "before"):
        value = re.sub(r"\d", lambda m: str(int(m.group())), value)    # ٢٠١١ → 2011
        if not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", value):
            raise QueryError(f"bad date in {f}:{value} (use YYYY-MM-DD, YYYY-MM or YYYY)")
        parts = [int(p) for p in value.split("-")] + [1, 1]
        try:
            date(parts[0], parts[1], parts[2])
        except ValueError:
            raise QueryError(f"bad date in {f}:{value} (no such day)") from None
        return value
    if f == "tag":
        tag = normalize_tag(value)
        if tag is None:
            raise QueryError(f"bad tag in tag:{value} (letters, digits, - _ . / and spaces, up to {TAG_CHARS})")
        return tag
    if f == "is":
        if value.lower() not in IS_VALUES:
            raise QueryError(f"unknown is:{value} (use {', '.join('is:' + v for v in IS_VALUES)})")
        return value.lower()
    if f == "exemption":
        code = normalize_exemption(value)
        if code is None:
            raise QueryError(f"unknown exemption code {value!r} (e.g. B1, B5, B6, B7(C), 1.4(D))")
        return code
    return value
