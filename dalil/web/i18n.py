"""Interface strings in English and Arabic, read from data/strings.json.  `?ui=ar` (remembered in a
cookie) switches the whole interface, layout direction included; document text keeps its own direction."""
from __future__ import annotations

import json
from pathlib import Path

_TABLE = json.loads((Path(__file__).parent / "data" / "strings.json").read_text(encoding="utf-8"))
LANGS: dict[str, dict[str, str]] = _TABLE["languages"]      # code → name and text direction
DEFAULT: str = _TABLE["default"]
CATALOG: dict[str, dict[str, str]] = _TABLE["strings"]      # code → key → string ({name} placeholders)


def pick(query_value: str | None, cookie_value: str | None) -> str:
    """The interface language: `?ui=` first, then the cookie, then English."""
    for value in (query_value, cookie_value):
        if value in CATALOG:
            return value
    return DEFAULT


class Translator:
    """The interface strings of one language; a key it lacks is taken from English."""

    def __init__(self, lang: str):
        self.lang = lang if lang in CATALOG else DEFAULT
        self.dir = LANGS[self.lang]["dir"]

    def __call__(self, key: str, **values) -> str:
        text = CATALOG[self.lang].get(key) or CATALOG[DEFAULT][key]
        return text.format(**values) if values else text
