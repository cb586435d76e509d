"""Numbers in text: digits in any script and the small numbers an article spells out.

Articles write "four dead", "الساعة الثامنة", "deux heures"; the sources often give digits, and
the reverse.  Both the claim checks (dalil.trace) and the search bridge read numbers here.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from dalil.text.datafile import tsv_rows
from dalil.text.multidate import find_dates
from dalil.text.normalize import LETTER, is_arabic, normalize_for_index

# A number word after the digits multiplies them, in any of the tuned languages: "200 ألف"
# is the source's "$200K", "8,3 millions" its "8.3 million" and "$8.3m".
_SCALE_WORDS = {**dict.fromkeys(("thousand", "thousands", "mille", "milliers", "ألف", "الف", "آلاف", "الاف"), 1000),
                **dict.fromkeys(("million", "millions", "مليون", "ملايين"), 10 ** 6),
                **dict.fromkeys(("billion", "billions", "milliard", "milliards", "مليار", "مليارات"), 10 ** 9)}
_SCALE = "|".join(sorted(_SCALE_WORDS, key=len, reverse=True))
_NUM = re.compile(r"(?<![\w.])[$€£]?(?:\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?![\d,.])|\d(?:[\d,.]*\d)?)"
                  r"(?:\s(?:" + _SCALE + r")|\s?(?:%|k|K|m|M|bn)|st|nd|rd|th|(?<=0)'?s|\s?[ap]\.?m\b\.?)?(?!\w)", re.I)
_DIGITS = str.maketrans({**{chr(0x0660 + i): str(i) for i in range(10)},
                         **{chr(0x06F0 + i): str(i) for i in range(10)}, "٫": ".", "٬": ","})

_WORD = re.compile(LETTER + r"+(?:[-'’]" + LETTER + "+)*")
# Clock times: "4:30", "16h30", and the OCR'd "430 pm" whose colon was lost.  One value each
# ("4:30", 12-hour; a time on the hour is the plain hour, "3:00 pm" = 3), so that a time is not
# read as the two numbers 4 and 30.
# OCR reads 1 as l or I and 0 as O in times: "llam", "lOpm" (11am, 10pm).
_OCR_HOUR = re.compile(r"(?<![\w.:])([lI1][lI0-2O]|l)\s?(?=[ap]\.?m\b)")
_OCR_DIGIT = str.maketrans("lIO", "110")
_TIME = re.compile(r"(?<![\w.:])(\d{1,2})[:h](\d{2})(?::\d{2})?(?![\d:])|(?<![\w.:])(\d{1,2})(\d{2})\s?(?=[ap]\.?m\b)", re.I)
NUMBER_DATA = Path(__file__).with_name("data") / "number_words.tsv"


@lru_cache(maxsize=1)
def number_words() -> dict[str, str]:
    """data/number_words.tsv, read once: a spelled-out number word as written → its digits."""
    return {word: value for value, _lang, word in tsv_rows(NUMBER_DATA)}


# Decades (الثمانينيات, "the eighties"): the value of "the 80s" and "the 1980s" (number_value).
DECADE_WORDS = {normalize_for_index(f"{article}{stem}{ending}"): str(10 * n)
                for n, stem in enumerate(("عشرين", "ثلاثين", "أربعين", "خمسين", "ستين", "سبعين", "ثمانين", "تسعين"), 2)
                for article in ("", "ال") for ending in ("يات", "ات")}
NUMBER_WORDS = {**{normalize_for_index(k): v for k, v in number_words().items()}, **DECADE_WORDS}   # looked up normalized
_DECADE = re.compile(r"(?:19|20)?\d0['’]?s")
EN_NUMBER = {NUMBER_WORDS[w]: w for w in ("one", "two", "three", "four", "five", "six", "seven", "eight",
                                        "nine", "ten", "twenty", "thirty", "forty", "fifty", "hundred")}


def teen(previous: str, digits: str, word: str) -> str | None:
    """11-19 written as two Arabic words ("الحادية عشرة", "ثلاثة عشر"): the value when `word`
    is عشر/عشرة after a number word of value 1-9 (`previous`, `digits`), else None."""
    if normalize_for_index(word).lstrip("و") in ("عشر", "عشره") and is_arabic(previous) and digits.isdigit() \
            and 1 <= int(digits) <= 9:
        return str(10 + int(digits))
    return None


def number_word(word: str) -> str | None:
    """Digits of a spelled-out number word (Arabic with a proclitic و ب ل too), else None."""
    w = normalize_for_index(word)
    if w in NUMBER_WORDS:
        return NUMBER_WORDS[w]
    if is_arabic(w) and w[:1] in "وبل" and w[1:] in NUMBER_WORDS:
        return NUMBER_WORDS[w[1:]]
    return None


def is_decade(token: str) -> bool:
    """"the 80s", "1980s", الثمانينيات (with a proclitic و ب ل too): one value, their two digits."""
    w = normalize_for_index(token)
    return bool(_DECADE.fullmatch(w)) or w in DECADE_WORDS or (w[:1] in "وبل" and w[1:] in DECADE_WORDS)


def number_value(token: str) -> str | None:
    """Canonical digits of a number token ('1,500' → '1500', '$200K' → '200000', '٣' → '3')."""
    t = re.sub(r"\s?[ap]\.?m\.?$", "", token.translate(_DIGITS).strip().lower()).lstrip("$€£")    # "4pm": an hour
    if t[-2:] in ("st", "nd", "rd", "th") and t[:-2].isdigit():
        t = t[:-2]                 # an ordinal: "the 26th"
    elif t.endswith("s") and t.rstrip("'s").isdigit():
        t = t.rstrip("'s")         # a decade: "the 90s", "1990's"
        if re.fullmatch(r"(?:1[5-9]|20)\d0", t):
            t = t[2:]              # one value for "the 1980s" and "the 80s"
    mult = 1
    word = re.search(r"\s(" + _SCALE + r")$", t)
    if word:
        t, mult = t[:word.start()].strip(), _SCALE_WORDS[word.group(1)]
    else:
        for suffix, m in (("bn", 10 ** 9), ("k", 1000), ("m", 10 ** 6)):
            if t.endswith(suffix):
                t, mult = t[: -len(suffix)].strip(), m
                break
    t = t.rstrip("%").strip()
    if re.fullmatch(r"\d+,\d{1,2}", t):
        t = t.replace(",", ".")       # a decimal comma: "8,3 millions" (a thousands comma has 3 digits)
    t = re.sub(r"[,\s]", "", t)
    try:
        v = round(float(t) * mult, 6)        # 8.3 × 10⁶ is 8300000, not 8300000.000000001
    except ValueError:
        return None
    return str(int(v)) if v == int(v) else str(v)


def is_time(value: str) -> bool:
    return ":" in value


def numbers_in(text: str) -> dict[str, list[tuple[int, int]]]:
    """Numbers of a text (digits in any script, small spelled-out numbers, clock times as
    'H:MM') → their spans."""
    folded = _OCR_HOUR.sub(lambda m: m.group(1).translate(_OCR_DIGIT), text.translate(_DIGITS))   # same length
    out: dict[str, list[tuple[int, int]]] = {}
    date_spans = [(s, e) for s, e, _ in find_dates(text)]
    for m in _TIME.finditer(folded):
        hour, minute = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        if int(hour) <= 23 and int(minute) <= 59 and not any(s <= m.start() < e for s, e in date_spans):
            h = (int(hour) - 1) % 12 + 1
            out.setdefault(f"{h}:{minute}" if minute != "00" else str(h), []).append(m.span())   # 3:00 = 3 pm
            date_spans.append(m.span())
    for m in _NUM.finditer(folded):
        if any(s <= m.start() < e for s, e in date_spans):
            continue
        v = number_value(m.group())
        if v is not None:
            out.setdefault(v, []).append(m.span())
    for m in _WORD.finditer(text):
        if m.group().isupper() and not is_arabic(m.group()):
            continue              # 'UN' is not the French 'un'
        digits = number_word(m.group())
        if digits and not (m.group().lower() == "cent" and _UNIT_BEFORE.search(text, 0, m.start())):
            out.setdefault(digits, []).append(m.span())
    return out


# "per cent", "pour cent", "5 cents": the French hundred as a unit, no count.
_UNIT_BEFORE = re.compile(r"(?:\bper|\bpour|\d)\s*$", re.I)
