"""Header dates of the FOIA corpus to ISO 8601, fast and OCR-tolerant.

About 70,000 `Sent:`/`Date:` values go through `parse_date` per ingest, so the
common forms (Outlook long, ctime, short, numeric, day-month-year) use
precompiled regexes; `email.utils` is only a last resort.  OCR damage handled:
merged tokens (`December 11,2009`, `Jan 0110:46:13 2010`, `12:52:512010`),
split month names (`Decem er`), O/0 and l/I/1 confusions inside numbers.
"""
from __future__ import annotations

import re
from datetime import datetime
from email.utils import parsedate_to_datetime

from dalil.text.multidate import EN_MONTHS

__all__ = ["parse_date", "parse_release_date"]

_MONTHS = {name[:3]: i for i, name in enumerate(EN_MONTHS, 1)}

_TIME = r"(?:\s*,?\s*(?:at\s+)?(\d{1,2})[:.](\d\d)(?:[:.](\d\d))?\s*([AaPp])?\.?\s*[Mm]?\.?)?"
# Outlook long / short / date only: [Weekday,] Month D, YYYY [H:MM[:SS] AM]
_MDY = re.compile(r"(?:[A-Za-z]+\.?,?\s+)?([A-Za-z]{2,}(?:\s[a-z]{1,6})?|[A-Z]\s[a-z]{2,5})\.?\s+(\d{1,2})(?:st|nd|rd|th)?\s*,?\s*(\d{4})" + _TIME)
# ctime: Mon Apr 13 08:13:05 2009 (BlackBerry quoted headers)
_CTIME = re.compile(r"[A-Za-z]{3}\s+([A-Za-z]{2,})\s+(\d{1,2})\s+(\d{1,2}):(\d\d)(?::(\d\d))?\s+(?:[A-Z]{3,4}\s+)?(\d{4})")
# RFC 2822 and friends: [Thu,] 2 Sep 2010 22:32:54 [-0400] / 16 April 2009 01:31:16 BST
_DMY = re.compile(r"(?:[A-Za-z]+,?\s+)?(\d{1,2})\s+([A-Za-z]{3,})\.?,?\s+(\d{4})" + _TIME)
# numeric: 4/13/2009 11:09 AM
_NUM = re.compile(r"(\d{1,2})[/-](\d{1,2})[/-](\d{4}|\d\d)\b" + _TIME)

_DIGITISH = re.compile(r"(?<=[\d:/,])[Oo]|[Oo](?=[\d:/])|(?<=[\d:/])[lI|]|[lI|](?=\d)")
_COMMA_YEAR = re.compile(r",(?=(?:19|20)\d\d\b)")
_DAY_TIME = re.compile(r"\b(\d\d)(\d{1,2}:\d\d(?::\d\d)?)\b")       # 0110:46:13 -> 01 10:46:13
_LEAD_JUNK = re.compile(r"^[^A-Za-z0-9]+|^[A-Za-z]\s+(?=[A-Z])")   # `. Monday`, `S Thursday`
_TIME_YEAR = re.compile(r"(\d\d:\d\d:\d\d)((?:19|20)\d\d)\b")        # 12:52:512010 -> 12:52:51 2010


def _month(word: str) -> int | None:
    """Month number of a possibly damaged name: `Dec`, `Decem er`, `Fe ruary`, `A ril`, `Au`."""
    w = word.lower().replace(" ", "")
    m = _MONTHS.get(w[:3])
    if m and (len(w) <= 3 or EN_MONTHS[m - 1].startswith(w[:4])):
        return m
    hits = [k for k, name in enumerate(EN_MONTHS, 1) if name[0] == w[:1] and _subsequence(w, name)]
    return hits[0] if len(hits) == 1 and len(w) >= 2 else None


def _subsequence(w: str, name: str) -> bool:
    it = iter(name)
    return all(ch in it for ch in w)


def _iso(y: int, mo: int, d: int, hh: str | None, mm: str | None, ss: str | None, ampm: str | None) -> str | None:
    if not 1990 <= y <= 2030:
        return None
    try:
        if hh is None:
            return datetime(y, mo, d).strftime("%Y-%m-%d")
        h = int(hh)
        if ampm:
            if h > 12:
                return None
            h = h % 12 + (12 if ampm in "Pp" else 0)
        return datetime(y, mo, d, h, int(mm), int(ss or 0)).isoformat()
    except (ValueError, TypeError):
        return None


def _year(s: str) -> int:
    y = int(s)
    return y + 2000 if y < 100 else y


def _try(s: str) -> str | None:
    m = _MDY.match(s)
    if m:
        mo = _month(m.group(1))
        if mo:
            return _iso(int(m.group(3)), mo, int(m.group(2)), *m.group(4, 5, 6, 7))
    m = _CTIME.match(s)
    if m:
        mo = _month(m.group(1))
        if mo:
            return _iso(int(m.group(6)), mo, int(m.group(2)), m.group(3), m.group(4), m.group(5), None)
    m = _DMY.match(s)
    if m:
        mo = _month(m.group(2))
        if mo:
            return _iso(int(m.group(3)), mo, int(m.group(1)), *m.group(4, 5, 6, 7))
    m = _NUM.search(s)
    if m:
        return _iso(_year(m.group(3)), int(m.group(1)), int(m.group(2)), *m.group(4, 5, 6, 7))
    return None


def parse_date(raw: str) -> str | None:
    """ISO 8601 for a header date (`YYYY-MM-DDTHH:MM:SS`, or `YYYY-MM-DD` without a time); None if unreadable."""
    if not raw or not isinstance(raw, str):
        return None
    s = " ".join(raw.split())[:120]
    try:
        out = _try(s)
        if out:
            return out
        fixed = _DIGITISH.sub(lambda m: "0" if m.group() in "Oo" else "1", s)
        fixed = _TIME_YEAR.sub(r"\1 \2", _DAY_TIME.sub(r"\1 \2", _COMMA_YEAR.sub(", ", fixed)))
        fixed = _LEAD_JUNK.sub("", fixed)
        if fixed != s:
            out = _try(fixed)
            if out:
                return out
        dt = parsedate_to_datetime(fixed)
        if dt is not None and 1990 <= dt.year <= 2030:
            return dt.replace(tzinfo=None).isoformat()
    except Exception:
        return None
    return None


_RELEASE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


def parse_release_date(raw: str) -> str | None:
    """`06/30/2015` (the stamp's release date) to `2015-06-30`."""
    m = _RELEASE.search(raw or "")
    if not m:
        return None
    return _iso(int(m.group(3)), int(m.group(1)), int(m.group(2)), None, None, None, None)
