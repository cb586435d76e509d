"""OCR look-alike glyphs: the skeleton that damaged spellings of a word share, and address repair.

The corpus shows the damage (corpus-notes §6): `Sullivan` → `Sullivaral`, `Blumenthal` →
`Blumenthat`, `hrod17` → `hrodl7`, `state.gov` → `state.goy`.  A *skeleton* collapses the
glyphs OCR confuses into one class, so that damaged copies of a term or an address local part
meet; the spelling index, the people index and the ingest all key on it.
"""
from __future__ import annotations

import re

_MULTI = [("rn", "m"), ("cl", "d"), ("vv", "w"), ("lc", "k"), ("ii", "u"), ("ri", "n")]
_SINGLE = str.maketrans({"1": "l", "i": "l", "|": "l", "!": "l", "j": "l", "t": "l",
                         "0": "o", "5": "s", "8": "b", "6": "b", "y": "v", "e": "c",
                         "f": "l"})
_NONWORD = re.compile(r"[^0-9a-z]")


def skeleton(term: str) -> str:
    """`term` lower-cased, without non-alphanumerics, its look-alike glyphs folded to one class."""
    s = _NONWORD.sub("", term.lower())
    for a, b in _MULTI:
        s = s.replace(a, b)
    return s.translate(_SINGLE)


_ADDRESS_FIXES = [
    (re.compile(r"[©®@]"), "@"),
    (re.compile(r"\.go[yvu]\b|\.gor\b", re.I), ".gov"),
    (re.compile(r"\.corn\b|\.c0m\b", re.I), ".com"),
    (re.compile(r"(?<=clintonemail)(?=com\b)", re.I), "."),
    (re.compile(r"clinton(?:emall|ernail|ema11|emai1)", re.I), "clintonemail"),
]


def ocr_fix_address(address: str) -> str:
    """Undo the common OCR damage of an e-mail address and lower-case it."""
    a = address.strip().strip(".,;:'\"()[]<>")
    for pattern, repl in _ADDRESS_FIXES:
        a = pattern.sub(repl, a)
    return a.lower()
