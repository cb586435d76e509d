"""Swapped places: the article puts the summit in Brussels where the source sentence stating the
claim puts it in Lisbon.  A place the cited document never names is not by itself a
contradiction (a translation or a gazetteer gap leaves many names unfound); the cue is a place
of the same kind (city for city, country for country) in the source's stating sentence that the
claim does not name in any of its forms.
"""
from __future__ import annotations

import re
from functools import lru_cache

from dalil.text.lexicon import gazetteer_rows
from dalil.trace.terms import Term

KINDS = ("city", "country")       # regions ("Europe", "the Gulf") are named in passing too often


@lru_cache(maxsize=1)
def _places() -> tuple[dict[str, tuple[str, str]], re.Pattern]:
    """English place form (lower case) → (kind, first form of its row), and a pattern finding
    the forms as written: capitalized, acronyms in capitals only ("US", not "us")."""
    table: dict[str, tuple[str, str]] = {}
    forms: list[str] = []
    for english, kind, *_ in gazetteer_rows():
        if kind in KINDS:
            for e in english:
                table.setdefault(e.lower(), (kind, english[0].lower()))
                forms.append(e)
    alternation = "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))
    return table, re.compile(rf"(?<![\w.-])(?:{alternation})(?![\w-])")


def _place(t: Term) -> tuple[str, str] | None:
    table, _ = _places()
    return next((table[a] for a in t.alts if a in table), None)


def substitutions(terms: list[Term], missing: list[int], stating: str) -> list[tuple[str, str]]:
    """(claimed, found) for each claimed place (term index in `missing`: not in the cited
    document) whose kind the `stating` sentences give as another place the claim never names."""
    table, pattern = _places()
    named = {table[a][1] for t in terms for a in t.alts if a in table}
    out = []
    for i in missing:
        claimed = _place(terms[i])
        if claimed is None:
            continue
        others = [m.group() for m in pattern.finditer(stating)
                  if table[m.group().lower()][0] == claimed[0] and table[m.group().lower()][1] not in named]
        if others:
            out.append((terms[i].surface, others[0]))
    return out
