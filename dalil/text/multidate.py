"""Dates in English, French and Arabic free text (and the month names of Spanish, Portuguese,
Italian, German, Turkish and Persian) → ISO strings.

`find_dates(text)` returns (start, end, value) spans over the original text, where value is
'YYYY-MM-DD', 'YYYY-MM' (month and year only) or '--MM-DD' (day and month, no year; ISO 8601
truncated form).  Arabic-Indic digits and Arabic letter variants are folded one-to-one first,
so offsets stay those of the input.
"""
from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from pathlib import Path

from dalil.text.datafile import tsv_rows

MONTH_DATA = Path(__file__).with_name("data") / "months.tsv"


@lru_cache(maxsize=1)
def month_names() -> dict[str, list[tuple[int, str]]]:
    """data/months.tsv, read once: "en", "fr", "ar" or "other" (the other languages) → (month,
    name) rows in file order."""
    out: dict[str, list[tuple[int, str]]] = {}
    for month, lang, name in tsv_rows(MONTH_DATA):
        out.setdefault(lang if lang in ("en", "fr", "ar") else "other", []).append((int(month), name))
    return out


# The English month names, in order: the one list dates, the bridge and the tracer's terms share.
EN_MONTHS: tuple[str, ...] = tuple(name for _i, name in month_names()["en"])

_MONTHS: dict[str, int] = {}
for _i, _name in month_names()["other"]:       # yield to an English, French or Arabic name
    _MONTHS.setdefault(_name, _i)
    _MONTHS.setdefault(_name.replace("ı", "i"), _i)     # "ARALIK".lower() is "aralik"
for _i, _name in month_names()["en"]:
    _MONTHS[_name] = _i
    _MONTHS[_name[:3]] = _i
_MONTHS["sept"] = 9
for _i, _name in month_names()["fr"] + month_names()["ar"]:
    _MONTHS[_name] = _i

# One-to-one folds (accents, Arabic letter variants, digits) so match offsets = input offsets.
_FOLD = str.maketrans({**{chr(0x0660 + i): str(i) for i in range(10)},
                       **{chr(0x06F0 + i): str(i) for i in range(10)},
                       "أ": "ا", "إ": "ا", "آ": "ا", "ة": "ه", "ى": "ي", "é": "e", "É": "E",
                       "û": "u", "Û": "U", "è": "e", "ô": "o"})

_MONTH_RX = "|".join(sorted((re.escape(m) for m in _MONTHS), key=len, reverse=True))
_M = rf"(?P<m>{_MONTH_RX})(?:\.|\s?[•·])?"     # "Nov.", and OCR specks: "November• 16"
_D = r"(?P<d>[0-3]?\d)(?:st|nd|rd|th|er|e)?"
_Y = r"(?P<y>(?:19|20)\d\d)"
_SEP = r"[\s,]*"
_DM = r"(?:\.?\s+de\s+|\.?[\s,]+|\s*)"      # between day and month: "18 de diciembre", "18. Dezember" (with a year)
_PATTERNS = [
    re.compile(rf"\b{_Y}-(?P<m2>[01]\d)-(?P<d2>[0-3]\d)\b"),                     # 2010-12-18
    re.compile(rf"(?<![\w/]){_D}{_DM}{_M}{_SEP}(?:de\s+|عام\s*|سنه\s*)?{_Y}(?!\d)", re.I),  # 18 décembre 2010, 18. Dezember 2010, 18 de diciembre de 2010
    re.compile(rf"(?<!\w){_M}\s*{_D},?\s*{_Y}(?!\d)", re.I),                        # December 18, 2010
    re.compile(rf"(?<!\w){_M}(?:\s+de)?{_SEP}(?:عام\s*|سنه\s*)?{_Y}(?!\d)", re.I),   # December 2010
    re.compile(r"(?<![\d/])(?P<a>[0-3]?\d)/(?P<b>[0-3]?\d)/(?P<y>(?:19|20)?\d\d)(?![\d/])"),  # 12/18/2010
    re.compile(rf"(?<![\w/]){_D}(?:\s+de)?\s+{_M}(?!\w)", re.I),                     # 16 نوفمبر, 16 de noviembre
    re.compile(rf"(?<!\w){_M}\s+{_D}(?![\w:])", re.I),                              # December 18
]
_NO_WORD_AFTER = re.compile(r"\w")


def _valid(y: int | None, m: int, d: int | None) -> bool:
    if not 1 <= m <= 12:
        return False
    if d is None:
        return True
    try:
        date(y or 2000, m, d)  # 2000 is a leap year, so 29 February is accepted without a year
    except ValueError:
        return False
    return True


def _value(match: re.Match, day_first: bool) -> str | None:
    g = match.groupdict()
    if g.get("m2"):
        y, m, d = int(g["y"]), int(g["m2"]), int(g["d2"])
    elif g.get("a"):
        a, b, y = int(g["a"]), int(g["b"]), int(g["y"])
        y += 2000 if y < 100 else 0
        m, d = (b, a) if day_first or a > 12 else (a, b)
    else:
        m = _MONTHS.get(g["m"].lower(), 0)      # 0: not a month (rejected by _valid)
        y = int(g["y"]) if g.get("y") else None
        d = int(g["d"]) if g.get("d") else None
    if not _valid(y, m, d):
        return None
    if y is None:
        return f"--{m:02d}-{d:02d}"
    return f"{y:04d}-{m:02d}" if d is None else f"{y:04d}-{m:02d}-{d:02d}"


def find_dates(text: str, day_first: bool = False) -> list[tuple[int, int, str]]:
    """Dates in `text` as (start, end, ISO value), in text order, non-overlapping.

    Numeric dates like 03/04/2010 are read month-first (the archive is American) unless
    `day_first` (French/Arabic sources) or the first number exceeds 12.
    """
    folded = text.translate(_FOLD)
    taken: list[tuple[int, int, str]] = []
    for rx in _PATTERNS:
        for m in rx.finditer(folded):
            a, b = m.span()
            if any(a < e and s < b for s, e, _ in taken):
                continue
            if "m" in m.groupdict() and m.group("m") and not _month_ok(folded, m):
                continue
            value = _value(m, day_first)
            if value:
                taken.append((a, b, value))
                taken += _range_end(folded, m, value, taken)
    return sorted(taken)


# A range of days names its other end by the day alone: "July 9-11", "من 9 إلى 11 يوليو", "du 9 au
# 11 juillet".  That day is a date of the text too: a claim of 11 July agrees with "July 9-11".
_TO = r"(?:-|–|—|to|through|thru|au|al|إلى|الى|الي|حتى|حتي)"   # Arabic as folded too
_RANGE_AFTER = re.compile(rf"\s*{_TO}\s*(?P<d>[0-3]?\d)(?![\d:/.]|\s*(?:[ap]\.?m\b|h\d))", re.I)
_RANGE_BEFORE = re.compile(rf"(?<![\d/:.])(?P<d>[0-3]?\d)\s*{_TO}\s*$", re.I)


def _range_end(folded: str, m: re.Match, value: str, taken: list) -> list[tuple[int, int, str]]:
    g = m.groupdict()
    if not g.get("d") or value.count("-") < 2:
        return []
    if m.end("d") >= m.end() - 2:          # the day closes the date: July 9-11
        r = _RANGE_AFTER.match(folded, m.end())
    elif m.start("d") == m.start():        # the day opens it: 9 إلى 11 يوليو, du 9 au 11 juillet
        r = _RANGE_BEFORE.search(folded, max(0, m.start() - 12), m.start())
    else:
        return []
    if not r:
        return []
    day = int(r.group("d"))
    year = None if value.startswith("--") else int(value[:4])
    a, b = r.span("d")
    if not _valid(year, int(value[-5:-3]), day) or any(a < e and s < b for s, e, _ in taken):
        return []
    return [(a, b, f"{value[:-2]}{day:02d}")]


def _month_ok(folded: str, m: re.Match) -> bool:
    """Reject month names that are parts of longer words (`mai` in `maire`, `اب` in `ابريل`)."""
    end = m.end("m")
    return end >= len(folded) or not folded[end].isalpha() or folded[end] == "."
