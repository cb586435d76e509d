"""What the exemption codes printed on released documents mean (5 U.S.C. §552(b) and
E.O. 13526 §1.4), in each interface language, read from data/exemptions.json."""
from __future__ import annotations

import json
import re
from pathlib import Path

# language → code as printed, normalised ('B7(C)', '1.4(D)') → meaning
MEANINGS: dict[str, dict[str, str]] = json.loads(
    (Path(__file__).parent / "data" / "exemptions.json").read_text(encoding="utf-8"))

_SPACES = re.compile(r"\s+")


def explain(code: str, lang: str = "en") -> str | None:
    """The meaning of one code as printed ('B7(C)', '1.4(d)', 'b6'), or None when unknown."""
    key = _SPACES.sub("", code).upper()
    table = MEANINGS.get(lang, MEANINGS["en"])
    return table.get(key) or (table.get(key[:2]) if key.startswith("B7") else None)
