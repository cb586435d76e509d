"""Weighted reciprocal rank fusion: the one formula that merges rankings, for search and tracing."""
from __future__ import annotations

from typing import Hashable, Sequence, TypeVar

T = TypeVar("T", bound=Hashable)


def fuse_ranks(rankings: Sequence[Sequence[T]], weights: Sequence[float], k: int,
               first_rank: int = 0) -> dict[T, float]:
    """score(d) = Σ_i weights[i] / (k + rank of d in rankings[i]), ranks counted from
    `first_rank`; an item counts once per ranking, at its first place.  Items in the order they
    first appear (a stable sort by score keeps that order among ties)."""
    out: dict[T, float] = {}
    for ranking, weight in zip(rankings, weights):
        for r, item in enumerate(dict.fromkeys(ranking), start=first_rank):
            out[item] = out.get(item, 0.0) + weight / (k + r)
    return out
