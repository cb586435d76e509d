"""Removing a reader's drop spans (page stamps, release markers, margin codes) from a text."""
from __future__ import annotations

from bisect import bisect_right


def clean_text(text: str, spans: list[tuple[int, int]], start: int = 0, end: int | None = None) -> str:
    """`text[start:end]` with the drop spans removed (`spans`: sorted, non-overlapping (start, end))."""
    end = len(text) if end is None else end
    out, pos = [], start
    for k in range(max(bisect_right(spans, (start, -1)) - 1, 0), len(spans)):
        a, b = spans[k]
        if a >= end:
            break
        if b <= pos:
            continue
        if a > pos:
            out.append(text[pos:a])
        pos = max(pos, b)
    if pos < end:
        out.append(text[pos:end])
    return "".join(out)
