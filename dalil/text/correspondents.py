"""Kinds of correspondent: a mailing list, a news feed or a system sender is not a person.

    correspondent_kind("NEWS-Mahogany")          # 'feed'
    correspondent_kind("NEA-Syria-DL")           # 'list'
    correspondent_kind("postmaster")             # 'system'
    correspondent_kind("Sidney Blumenthal")      # 'person'

The patterns are data (data/correspondent_kinds.tsv, one loader); the people index reads a
person's kind from their display name and printed forms (dalil.intel), search's person facets
and the top-correspondent panels put lists, feeds and system senders under their own heading.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from dalil.text.datafile import tsv_rows

KINDS_DATA = Path(__file__).with_name("data") / "correspondent_kinds.tsv"
PERSON = "person"
KINDS = ("person", "list", "feed", "system")


@lru_cache(maxsize=1)
def kind_patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """data/correspondent_kinds.tsv, read once: (kind, compiled pattern), in file order."""
    out = []
    for row in tsv_rows(KINDS_DATA):
        kind, pattern = row[0], row[1]
        if kind not in KINDS:
            raise ValueError(f"{KINDS_DATA.name}: unknown kind {kind!r}")
        out.append((kind, re.compile(pattern, re.I)))
    return tuple(out)


def correspondent_kind(name: str | None, forms: Iterable[str] = ()) -> str:
    """'list', 'feed' or 'system' when the display name (or one of the forms) matches a pattern
    of that kind, else 'person'."""
    for text in (name or "", *forms):
        text = text.strip()
        if not text:
            continue
        for kind, pattern in kind_patterns():
            if pattern.search(text):
                return kind
    return PERSON
