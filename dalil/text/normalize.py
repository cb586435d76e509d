"""Normalization for the lexical index and for queries.

`normalize_for_index` is the hot path (the whole corpus passes through it at ingest): one
NFKC pass, casefold, one `str.translate` table and a few regexes, no per-character Python.
`normalize_with_map` gives the same string plus, for every output character, the offset of
the source character it came from (for snippets and highlighting on short texts).
"""
from __future__ import annotations

import re
import unicodedata

# Invisible format controls: LRM/RLM, embeddings/overrides, isolates, ZWJ/ZWNJ/ZWSP, BOM, soft hyphen.
_FORMAT = [0x200B, 0x200C, 0x200D, 0x200E, 0x200F, *range(0x202A, 0x202F),
           *range(0x2066, 0x206A), 0xFEFF, 0x00AD, 0x061C]
_TASHKEEL = [*range(0x064B, 0x0653), 0x0670, *range(0x0610, 0x061B), *range(0x06D6, 0x06ED)]
_TATWEEL = 0x0640
_COMBINING_LATIN = range(0x0300, 0x0370)

_ARABIC_FOLD = {
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا",
    "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي",
    "ک": "ك", "ی": "ي", "ي": "ي",
    "،": ",", "؛": ";", "؟": "?", "٪": "%", "٫": ".", "٬": ",",
}
_TYPO = {
    "‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'", "`": "'", "´": "'",
    "“": '"', "”": '"', "„": '"', "‟": '"', "″": '"', "«": '"', "»": '"',
    "‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "―": "-", "−": "-",
}
# Latin letters whose fold is not given by stripping combining marks.
_LATIN_SPECIAL = {"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ø": "o", "Ø": "o", "đ": "d",
                  "Đ": "d", "ł": "l", "Ł": "l", "ı": "i", "þ": "th", "ð": "d", "ß": "ss"}


def _build_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {}
    for cp in (*range(0x00C0, 0x0250), *range(0x1E00, 0x1F00)):
        ch = chr(cp)
        base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
        if base and base != ch and base.isascii():
            table[cp] = base.lower()
    for src, dst in (_LATIN_SPECIAL | _TYPO | _ARABIC_FOLD).items():
        table[ord(src)] = dst
    for i in range(10):
        table[0x0660 + i] = str(i)   # Arabic-Indic digits
        table[0x06F0 + i] = str(i)   # Persian digits
    for cp in (*_FORMAT, *_TASHKEEL, _TATWEEL, *_COMBINING_LATIN):
        table[cp] = None
    return table


_TABLE = _build_table()
# tokenize() must not split Arabic words on diacritics, but keeps everything else as is.
_STRIP_TABLE = {cp: None for cp in (*_FORMAT, *_TASHKEEL, _TATWEEL)}
# A letter of a word as written: Arabic marks (tashkeel) are no word boundary, or "ستُنشر" (will
# be published) would read as ست (six) and نشر.
LETTER = r"(?:[^\W_]|[\u0610-\u061A\u064B-\u0652\u0670\u06D6-\u06EC])"

# OCR fixes, applied after casefolding.  `©` is almost always a misread `@` in addresses.
_FIXES = [
    (re.compile(r"(?<=\w)©(?=\w)"), "@"),
    # The lookbehind sits after the literal dot so the regex engine can scan for the literal.
    (re.compile(r"\.(?<=\w\.)go[yu](?![\w.])"), ".gov"),
    (re.compile(r"\.(?<=\w\.)corn(?![\w.])"), ".com"),
]


_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def _translate_run(m: re.Match) -> str:
    return m.group().translate(_TABLE)


def strip_marks(text: str) -> str:
    """`text` without tashkeel, tatweel and invisible format characters (nothing else folded)."""
    return text.translate(_STRIP_TABLE)


def normalize_for_index(text: str) -> str:
    """Fold `text` for the lexical index: NFKC, casefold, format chars, Arabic/Latin folding, OCR fixes."""
    s = unicodedata.normalize("NFKC", text).casefold()
    if not s.isascii():
        # Most documents have a handful of non-ASCII chars: translate only those runs.
        s = _NON_ASCII.sub(_translate_run, s)
        if "©" in s:
            s = _FIXES[0][0].sub("@", s)
    if ".go" in s or ".corn" in s:
        for rx, repl in _FIXES[1:]:
            s = rx.sub(repl, s)
    return s


_char_cache: dict[str, str] = {}


def _fold_char(ch: str) -> str:
    out = _char_cache.get(ch)
    if out is None:
        out = unicodedata.normalize("NFKC", ch).casefold().translate(_TABLE)
        _char_cache[ch] = out
    return out


_ASCII_RUN = re.compile(r"[\x00-\x7f]+|[^\x00-\x7f]+")


def normalize_with_map(text: str) -> tuple[str, list[int]]:
    """Like `normalize_for_index`, plus `offsets[i]` = index in `text` of the source of output char i."""
    parts: list[str] = []
    offsets: list[int] = []
    # ASCII runs (most of any document) fold by lower() alone; only the rest goes char by char.
    for m in _ASCII_RUN.finditer(text):
        a, b = m.span()
        if text[a].isascii():
            parts.append(m.group().lower())
            offsets.extend(range(a, b))
            continue
        for i in range(a, b):
            out = _fold_char(text[i])
            if out:
                parts.append(out)
                offsets.extend([i] * len(out))
    s = "".join(parts)
    for rx, repl in _FIXES:
        s, offsets = _sub_with_map(rx, repl, s, offsets)
    return s, offsets


def _sub_with_map(rx: re.Pattern, repl: str, s: str, offsets: list[int]) -> tuple[str, list[int]]:
    pieces, new_offsets, last = [], [], 0
    for m in rx.finditer(s):
        a, b = m.span()
        pieces.append(s[last:a])
        new_offsets.extend(offsets[last:a])
        pieces.append(repl)
        new_offsets.extend(offsets[a + min(k, b - a - 1)] for k in range(len(repl)))
        last = b
    if not pieces:
        return s, offsets
    pieces.append(s[last:])
    new_offsets.extend(offsets[last:])
    return "".join(pieces), new_offsets


_ARABIC_LETTER = re.compile(r"[\u0621-\u064A\u0671-\u06D3]")
_TOKEN = re.compile(r"[^\W_]+")


def tokenize(text: str) -> list[str]:
    """Split into word tokens; Arabic diacritics, tatweel and format chars are dropped first."""
    if not text.isascii():
        text = strip_marks(text)
    return _TOKEN.findall(text)


# Larkey's light10.  Prefixes longest first; `و` alone is handled separately.
_PREFIXES = ("وال", "بال", "كال", "فال", "لل", "ال")
_SUFFIXES = ("ها", "ان", "ات", "ون", "ين", "يه", "يه", "ه", "ه", "ي")  # ية/ة after folding


def arabic_light_stem(token: str) -> str:
    """Light10 stem of an (already normalized) Arabic token; never leaves fewer than 2 letters."""
    if len(token) >= 4 and token[0] == "و":
        token = token[1:]
    for p in _PREFIXES:
        if token.startswith(p) and len(token) - len(p) >= 2:
            token = token[len(p):]
            break
    for suf in dict.fromkeys(_SUFFIXES):
        if token.endswith(suf) and len(token) - len(suf) >= 2:
            token = token[: -len(suf)]
    return token


def is_arabic(token: str) -> bool:
    return bool(_ARABIC_LETTER.search(token))


def index_terms(text: str) -> list[str]:
    """Terms as the lexical index stores them: normalized tokens, Arabic ones light-stemmed."""
    toks = _TOKEN.findall(normalize_for_index(text))
    if any(not t.isascii() for t in toks):
        toks = [arabic_light_stem(t) if is_arabic(t) else t for t in toks]
    return toks


_MENTION_WORD = re.compile(r"\w+")


def mention_key(name: str) -> str:
    """The folded key a mentioned name is stored and filtered under (`mentions:`): the index's
    folding, words only, a leading English article and a possessive dropped ("the State
    Department's" and "State Department" meet)."""
    words = _MENTION_WORD.findall(normalize_for_index(name).replace("'s ", " ").removesuffix("'s"))
    if len(words) > 1 and words[0] == "the":
        words = words[1:]
    # Initials written with dots or spaces are one word: "U.S." and "US", "U. N." and "UN".
    return re.sub(r"\b(\w) (?=\w\b)", r"\1", " ".join(words))
