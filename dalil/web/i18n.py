"""Interface strings in English and Arabic, read from data/strings.json.  `?ui=ar` (or `?lang=ar`
on the pages without a `lang` parameter of their own; remembered in a cookie) switches the whole
interface, layout direction included; document text keeps its own direction.

In a right-to-left interface every mixed-script fragment is isolated with the Unicode isolates
(they work in attributes and SVG titles too, where a <bdi> cannot go): each value put into a
string (a query, a name, a DocNo, a date) between FSI and PDI, so that it takes its own direction,
and each run of Latin letters written in an Arabic string itself ("HTML", "CSV") between LRI and
PDI.  Without them the bidi algorithm reorders "from:mills" or "C05739545" with the Arabic around."""
from __future__ import annotations

import json
import re
from pathlib import Path

_TABLE = json.loads((Path(__file__).parent / "data" / "strings.json").read_text(encoding="utf-8"))
LANGS: dict[str, dict[str, str]] = _TABLE["languages"]      # code → name and text direction
DEFAULT: str = _TABLE["default"]
CATALOG: dict[str, dict[str, str]] = _TABLE["strings"]      # code → key → string ({name} placeholders)

LRI, FSI, PDI = "\u2066", "\u2068", "\u2069"
# A run of Latin letters written in a string ("HTML", "q=", "B7(C)", "1.4(D)", "YYYY-MM-DD").
_LATIN_RUN = re.compile(r"[0-9.]+\([A-Za-z]\)|\.?[A-Za-z](?:[A-Za-z0-9.=:/\-]*[A-Za-z0-9=:])?(?:\([A-Za-z0-9]\))?")
_PLACEHOLDER = re.compile(r"(\{[a-z_]+\})")
# Messages built in English by the library (query errors, limits): strings.json keys "msg_*"
# hold their English pattern and its translation.
_MSG_FIELD = re.compile(r"\\\{([a-z_]+)\\\}")


def isolate_latin(text: str) -> str:
    """`text` with each run of Latin letters outside its {placeholders} between LRI and PDI."""
    parts = _PLACEHOLDER.split(text)
    return "".join(p if _PLACEHOLDER.fullmatch(p) else _LATIN_RUN.sub(lambda m: LRI + m.group() + PDI, p)
                   for p in parts)


_RTL_CATALOG = {lang: {k: isolate_latin(v) for k, v in table.items()}
                for lang, table in CATALOG.items() if LANGS[lang]["dir"] == "rtl"}
_MESSAGES = [(key, re.compile(_MSG_FIELD.sub(lambda m: f"(?P<{m.group(1)}>.+?)", re.escape(text)) + r"\Z", re.S))
             for key, text in CATALOG[DEFAULT].items() if key.startswith("msg_")]


def pick(query_value: str | None, cookie_value: str | None) -> str:
    """The interface language: the URL's choice first, then the cookie, then English."""
    for value in (query_value, cookie_value):
        if value in CATALOG:
            return value
    return DEFAULT


class Translator:
    """The interface strings of one language; a key it lacks is taken from English."""

    def __init__(self, lang: str):
        self.lang = lang if lang in CATALOG else DEFAULT
        self.dir = LANGS[self.lang]["dir"]
        self._table = _RTL_CATALOG.get(self.lang, CATALOG[self.lang])

    def __call__(self, key: str, **values) -> str:
        text = self._table.get(key) or CATALOG[DEFAULT][key]
        if not values:
            return text
        if self.dir == "rtl":
            values = {k: FSI + str(v) + PDI for k, v in values.items()}
        return text.format(**values)

    def has(self, key: str) -> bool:
        return key in CATALOG[DEFAULT]

    def message(self, text: str) -> str:
        """A message the library wrote in English, in this language when strings.json has its
        pattern (a "msg_*" key), else as it is (isolated in a right-to-left page)."""
        if self.lang == DEFAULT or not text:
            return text
        for key, pattern in _MESSAGES:
            m = pattern.match(text)
            if m:
                return self(key, **{k: self.message(v) if k == "detail" else v for k, v in m.groupdict().items()})
        return FSI + text + PDI if self.dir == "rtl" else text
