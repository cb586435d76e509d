"""Splitting a header's correspondent into display name and address."""
from __future__ import annotations

from functools import lru_cache

from dalil.text.ocr_spelling import ocr_fix_address


@lru_cache(maxsize=1 << 16)             # the same few thousand correspondents recur all over an archive
def split_address(raw: str) -> tuple[str | None, str | None]:
    """('Mills, Cheryl D', 'millscd@state.gov') from 'Mills, Cheryl D <MillsCD@state.gov>' (OCR-tolerant)."""
    text = raw.strip().strip("'\"")
    lt = text.find("<")
    if lt == -1:
        lt = text.find("[mailto:")
    address = None
    name = text
    if lt != -1:
        name = text[:lt].strip().strip("'\"") or None
        address = text[lt:].strip("<>[] ").removeprefix("mailto:").strip("<>[] ") or None
    elif "@" in text or "©" in text:
        name, address = None, text
    if address:
        address = ocr_fix_address(address)
    return name, address
