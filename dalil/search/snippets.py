"""Snippets cut from the original text around the best cluster of matches."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from dalil.text.foia_patterns import STAMP_HEAD

WINDOW = 240


@dataclass
class Snippet:
    text: str
    start: int | None                     # char offset of the first highlighted match, in the document
    highlights: list[tuple[int, int]] = field(default_factory=list)
    span: tuple[int, int] | None = None   # the characters of the document the snippet is cut from


_LOOKBEHIND = r"(?<!\w)"


class MarkPattern:
    r"""The highlight regex of a query: its marks (regex alternatives) OR-ed together.

    Matched against the lower-cased or index-folded text only, so without re.I; and when every
    alternative opens with the word-boundary lookbehind `(?<!\w)`, which keeps the regex engine
    from skipping ahead to the possible first letters, the search runs without it and checks the
    character before each match itself (a failed check retries one character later, exactly as
    the lookbehind would).  Three times faster per snippet, the same matches.
    """

    def __init__(self, marks: list[str]):
        self.pattern = "|".join(f"(?:{m})" for m in marks)
        self._full = re.compile(self.pattern)
        self._fast = re.compile("|".join(f"(?:{m[len(_LOOKBEHIND):]})" for m in marks)) \
            if marks and all(m.startswith(_LOOKBEHIND) for m in marks) else None

    def finditer(self, hay: str):
        if self._fast is None:
            yield from self._full.finditer(hay)
            return
        search, pos = self._fast.search, 0
        while True:
            m = search(hay, pos)
            if m is None:
                return
            s = m.start()
            if s and (hay[s - 1].isalnum() or hay[s - 1] == "_"):      # \w before: not a word start
                pos = s + 1
                continue
            yield m
            pos = m.end() if m.end() > s else s + 1


def find_matches(text: str, pattern: "re.Pattern | MarkPattern | None", cap: int = 60) -> list[tuple[int, int]]:
    """Match spans in the original text, skipping page stamps (they repeat on every page)."""
    if pattern is None:
        return []
    out = _scan(text, pattern, *_haystack(text, fold=False), cap)
    if not out and _FOLDABLE.search(text):
        out = _scan(text, pattern, *_haystack(text, fold=True), cap)   # accents, Arabic variants
    return out


# Letters that index folding changes (accents, Arabic forms, presentation forms, full-width):
# only then can the slower folded scan find what the lower-case scan missed.
_FOLDABLE = re.compile(r"[\u00c0-\u024f\u0600-\u06ff\ufb50-\ufeff\uff00-\uffef]")


def _scan(text: str, pattern: "re.Pattern | MarkPattern", hay: str, offsets: list[int] | None, cap: int) -> list[tuple[int, int]]:
    out = []
    for m in pattern.finditer(hay):
        s, e = (m.start(), m.end()) if offsets is None else (offsets[m.start()], offsets[m.end() - 1] + 1)
        line_start = text.rfind("\n", 0, s) + 1
        line_end = text.find("\n", e)
        if STAMP_HEAD.search(text, line_start, line_end if line_end != -1 else len(text)):
            continue
        out.append((s, e))
        if len(out) >= cap:
            break
    return out


def _haystack(text: str, fold: bool) -> tuple[str, list[int] | None]:
    """Lower-cased text (same offsets when lowering keeps the length), or the full index folding
    with an offset map (slower: only when the cheap pass found nothing)."""
    if not fold:
        low = text.lower()
        if len(low) == len(text):
            return low, None
    from dalil.text.normalize import normalize_with_map
    return normalize_with_map(text)


def make_snippet(text: str, pattern: "re.Pattern | MarkPattern | None", window: int = WINDOW) -> Snippet:
    matches = find_matches(text, pattern)
    if not matches:
        body = _first_content(text)
        return Snippet(_collapse(text[body:body + window])[0], None, [], (body, min(len(text), body + window)))
    # The window holding the most matches, preferring the earliest.
    best_i, best_n, j = 0, 0, 0
    for i, (s, _) in enumerate(matches):
        while j < len(matches) and matches[j][1] <= s + window:
            j += 1
        if j - i > best_n:
            best_i, best_n = i, j - i
    first = matches[best_i][0]
    lo = max(0, first - window // 4)
    lo = text.rfind(" ", 0, lo) + 1 if lo > 0 else 0
    hi = min(len(text), lo + window)
    inside = [(s - lo, e - lo) for s, e in matches[best_i:best_i + best_n] if e <= hi]
    snippet, mapped = _collapse(text[lo:hi], inside)
    prefix = "…" if lo > 0 else ""
    suffix = "…" if hi < len(text) else ""
    shift = len(prefix)
    return Snippet(prefix + snippet + suffix, first, [(s + shift, e + shift) for s, e in mapped], (lo, hi))


def _first_content(text: str) -> int:
    """Offset of the first line that is not a stamp, marker or blank."""
    pos = 0
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        if len(stripped) > 20 and not STAMP_HEAD.search(stripped) and "RELEASE IN" not in stripped:
            return pos + (len(line) - len(line.lstrip()))
        pos += len(line)
    return 0


_WS = re.compile(r"\s+")


def _collapse(chunk: str, spans: list[tuple[int, int]] | None = None) -> tuple[str, list[tuple[int, int]]]:
    """Collapse runs of whitespace to one space, carrying spans along."""
    text = _WS.sub(" ", chunk).strip()

    def moved(i: int) -> int:
        return len(_WS.sub(" ", chunk[:i]).lstrip())

    mapped = [(moved(s), moved(e)) for s, e in (spans or []) if e <= len(chunk)]
    return text, [(s, min(e, len(text))) for s, e in mapped if s < len(text)]
