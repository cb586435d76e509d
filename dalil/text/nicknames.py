"""English given names and their nicknames (Jake / Jacob, Bill / William, Sid / Sidney), from the
hand-curated list of the `nicknames` package (its names.csv; no list of our own to keep): a
person filter names a person by either.  Read once; both directions, lower case."""
from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def _namer():
    from nicknames import NickNamer
    return NickNamer()


@lru_cache(maxsize=4096)
def name_variants(word: str) -> frozenset[str]:
    """The other given names `word` stands for or is short for (lower case; empty: none known).
    Only one step either way: jake → jacob, jacob → jake, not jake → jacob → jay."""
    w = word.lower().strip(".")
    if len(w) < 2 or not w.isalpha():
        return frozenset()
    namer = _namer()
    return frozenset((namer.canonicals_of(w) | namer.nicknames_of(w)) - {w})
