"""Every document that carries a cited passage: exact copies, OCR re-scans and later messages
that quote it.

Whole-document duplicate clusters miss replies and forwards that quote the passage, so the
passage itself is looked up: its overlapping 4-word sequences go to the full-text index as an
OR of phrases (one OCR-damaged word spoils only the sequences that hold it), and each document
found is kept when it holds a good share of those sequences.
"""
from __future__ import annotations

import re

from dalil.store.base import Store
from dalil.text.foia_patterns import HEADER_OR_STAMP_LINE
from dalil.text.normalize import normalize_for_index

SHINGLE = 4
MAX_PHRASES = 24
MIN_SHARE = 0.35          # of the passage's sequences a copy must hold
MIN_SHINGLES = 3
_TOKEN = re.compile(r"[^\W_]+")
_CODES = re.compile(r"^(?:b[1-9]|c\d{8}|\d{1,2})$")      # redaction codes, DocNos, page numbers


def body_text(text: str) -> str:
    """A passage without its header lines and page stamps: those repeat across every message of
    a correspondent and would make unrelated messages look like copies."""
    return HEADER_OR_STAMP_LINE.sub(" ", text)


def tokens(text: str) -> list[str]:
    return [t for t in _TOKEN.findall(normalize_for_index(text)) if not _CODES.match(t)]


def shingles(toks: list[str]) -> list[tuple[str, ...]]:
    return [tuple(toks[i:i + SHINGLE]) for i in range(len(toks) - SHINGLE + 1)]


def passage_copies(store: Store, passage: str, exclude: set[str], limit: int = 40) -> list[tuple[str, float]]:
    """(doc_id, share of the passage's 4-word sequences it holds) for documents other than
    `exclude` that carry `passage`, best first."""
    toks = tokens(body_text(passage))
    grams = list(dict.fromkeys(shingles(toks)))
    if len(grams) < MIN_SHINGLES:
        return []
    step = max(1, len(grams) // MAX_PHRASES)
    rows = store.texts_matching([" ".join(g) for g in grams[::step][:MAX_PHRASES]], limit)
    wanted = set(grams)
    out = []
    for doc_id, text in rows:
        if doc_id in exclude:
            continue
        held = len(wanted & set(shingles(tokens(text))))
        if held >= MIN_SHINGLES and held / len(wanted) >= MIN_SHARE:
            share = held / len(wanted)
            out.append((doc_id, round(share, 3)))
    return sorted(out, key=lambda x: -x[1])
