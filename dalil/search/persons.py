"""People-aware filters: `from:`, `to:`, `cc:` name a person, not a string.

    from:blumenthal   from:sbwhoeop   from:sid   from:"سيدني بلومنتال"   → Sidney Blumenthal
    from:#8                                                          → the person with id 8
    from:="Sid"                                                      → the printed form only

`resolve_filters(store, q)` is the one place a query's person filters are resolved: each
`from:`/`to:`/`cc:` term standing alone (not OR'd with another term, not `=literal`) is looked
up in the people index (`Store.people_named`: a display name, a printed form, or the words of
a display name; Arabic script by consonant skeletons against the display names), and becomes a
store filter (`from_person` …) over every printed form of the persons found: the messages
signed "Sid" and those sent from "sbwhoeop" alike.  A term that names nobody stays what it was:
a match of the words in that header field.
"""
from __future__ import annotations

import re
import threading
from functools import lru_cache
from dataclasses import dataclass, field

from dalil.search.query import PERSON_FIELDS, Atom, Query
from dalil.store.base import Store
from dalil.store.base.fulltext import Filter
from dalil.text import aramorph
from dalil.text.nicknames import name_variants
from dalil.text.normalize import is_arabic
from dalil.text.translit import arabic_skeletons, latin_skeletons

MAX_PERSONS = 20        # a filter word shared by more persons than this names them all the same way
VARIANT_POOL = 500      # persons the rest of a name names, searched for a nickname's given name
SAMPLE_PERSONS, SAMPLE_FORMS = 3, 12     # the forms a filter lists: of its first persons, at most
_ID = re.compile(r"#(\d{1,9})")


@dataclass
class PersonFilter:
    """How one `from:`/`to:`/`cc:` term was read: the persons it names and their forms."""
    field: str                          # from | to | cc
    value: str                          # as typed
    persons: list[tuple[int, str]] = field(default_factory=list)   # (id, display name), most active first
    forms: int = 0                      # printed forms of those persons the filter matches
    negated: bool = False
    printed: list[str] = field(default_factory=list)   # the most frequent of those forms (a sample)

    @property
    def names(self) -> list[str]:
        return [n for _, n in self.persons]

    @property
    def filter(self) -> Filter:
        return (f"{self.field}_person", ",".join(str(p) for p, _ in self.persons), self.negated)

    def describe(self) -> str:
        """One line: 'from: matched 57 forms of Sidney Blumenthal'."""
        names = self.persons[0][1] if len(self.persons) == 1 else \
            f"{len(self.persons)} people ({', '.join(n for _, n in self.persons[:5])}{', …' if len(self.persons) > 5 else ''})"
        return f"{self.field}: matched {self.forms} forms of {names}"

    def as_dict(self) -> dict:
        return {"field": self.field, "value": self.value, "negated": self.negated, "forms": self.forms,
                "persons": [{"id": p, "name": n} for p, n in self.persons], "printed_forms": self.printed}


def may_name_person(atom: Atom) -> bool:
    """Whether a query term may name a person: a from:/to:/cc: term, not `=literal`, not a
    prefix*, not OR'd with another term (`from:mills OR subject:x` stays a text match)."""
    return atom.field in PERSON_FIELDS and not atom.literal and not atom.prefix and not atom.grouped


def resolve_filter(store: Store, atom: Atom) -> PersonFilter | None:
    """The person filter a query term stands for, or None (it names nobody the people index
    knows, or it may not name a person): the one place a from:/to:/cc: value is resolved."""
    if not may_name_person(atom) or not store.has_people():
        return None
    found = resolve(store, atom.value)
    if not found:
        return None
    counts = store.person_form_counts(p for p, _ in found)
    # What the filter stands for, shown: the most frequent forms of the first persons.
    printed = [f for p, _ in found[:SAMPLE_PERSONS] for f in store.person_forms(p, SAMPLE_FORMS)][:SAMPLE_FORMS]
    return PersonFilter(PERSON_FIELDS[atom.field], atom.value, found, sum(counts.values()), atom.negated, printed)


def resolve(store: Store, text: str) -> list[tuple[int, str]]:
    """(id, display name) of the persons a filter value names, the most active first ([]: nobody)."""
    text = " ".join(text.split()).strip("'\"<>")
    if not text:
        return []
    m = _ID.fullmatch(text)
    if m:
        row = store.person_record(int(m.group(1)))
        return [(row["id"], row["name"])] if row and not row["withheld"] else []
    if any(is_arabic(w) for w in text.split()):
        return _arabic(store, text)
    found = {p: (n, name) for p, name, n, _ in store.people_named(text, MAX_PERSONS)}
    words = text.split()
    if len(words) > 1:
        # A nickname for the given name, or the given name for a nickname (Ken Merten is
        # Kenneth Merten), one word at a time: the persons the other words name (the surname
        # among them) whose display name has one of that word's variants.
        for i, word in enumerate(words):
            variants = name_variants(word)
            if not variants:
                continue
            for p, name, n, _ in store.people_named(" ".join(words[:i] + words[i + 1:]), VARIANT_POOL):
                if variants & set(re.split(r"[\s,\-]+", (name or "").lower())):
                    found.setdefault(p, (n, name))
    ranked = sorted(found.items(), key=lambda kv: (-kv[1][0], kv[0]))
    return [(p, name) for p, (_, name) in ranked[:MAX_PERSONS]]


def _arabic(store: Store, text: str) -> list[tuple[int, str]]:
    """Persons whose Latin display name an Arabic-script name spells: the last word their
    surname, each other word another word of the name (by consonant skeletons)."""
    words = [arabic_skeletons(w) for w in text.split() if is_arabic(w)]
    words = [w for w in words if any(w)]
    if not words:
        return []
    found = []
    for pid, name, n, skels in _skeleton_index(store).get_all(words[-1]):
        if len(skels) >= len(words) and all(any(k & s for s in skels[:-1]) for k in words[:-1]):
            found.append((n, pid, name))
    found.sort(key=lambda x: (-x[0], x[1]))
    if len(words) == 1 and found and _common_word(text.split()[-1]):
        # مدينة ("city") is no one's surname: a lone dictionary word names only the archive's
        # most active correspondents (عابدين is a word too, and Huma Abedin).
        least = store.activity_at_rank(PROMINENT, excluded=0)
        found = [f for f in found if least is None or f[0] >= least]
    return [(p, name) for _, p, name in found[:MAX_PERSONS]]


PROMINENT = 50


def _common_word(word: str) -> bool:
    """Whether Buckwalter's lexicon reads a word only as a common word (no proper-noun reading)."""
    try:
        readings = aramorph.lexicon().analyses(word)
    except Exception:        # the lexicon is optional: without it every word may be a name
        return False
    return bool(readings) and not any(gloss[:1].isupper() for _, _, gloss in readings)


class _SkeletonIndex:
    """Surname skeleton → (person, display name, activity, skeletons of each name word)."""

    def __init__(self, rows: list[tuple[int, str, int]]):
        self.by_surname: dict[str, list[tuple[int, str, int, list[set[str]]]]] = {}
        for pid, name, n in rows:
            words = re.findall(r"[A-Za-z][A-Za-z'\-]+", name or "")
            if not words:
                continue
            # A given name is also spelled as its nicknames (جيك, Jake, for Jacob): every word
            # but the surname, which must match as it is.
            skels = [_skeletons(w.lower(), i < len(words) - 1) for i, w in enumerate(words)]
            for k in skels[-1]:
                self.by_surname.setdefault(k, []).append((pid, name, n, skels))

    def get_all(self, keys: set[str]) -> list[tuple[int, str, int, list[set[str]]]]:
        seen: dict[int, tuple[int, str, int, list[set[str]]]] = {}
        for k in keys:
            for row in self.by_surname.get(k, ()):
                seen.setdefault(row[0], row)
        return list(seen.values())


@lru_cache(maxsize=65536)
def _skeletons(word: str, given: bool) -> set[str]:
    """A display-name word's consonant skeletons; a given name's with its nicknames' (`given`).
    Read once per word: display names repeat their words, and a given name has several nicknames."""
    out = set(latin_skeletons(word))
    if given:
        for other in name_variants(word):
            out |= latin_skeletons(other)
    return out


_INDEX: dict[str, tuple[tuple, _SkeletonIndex]] = {}
_LOCK = threading.Lock()


def _skeleton_index(store: Store) -> _SkeletonIndex:
    """Built once per state of the persons table (7,000 display names cost a tenth of a second)."""
    state, key = store.people_state(), str(store.path)
    with _LOCK:
        cached = _INDEX.get(key)
        if cached is None or cached[0] != state:
            cached = _INDEX[key] = (state, _SkeletonIndex(store.persons_except((0,))))
        return cached[1]
