"""The pure OCR helpers of dalil.text: look-alike skeletons, address repair, drop-span removal."""
from __future__ import annotations

from dalil.text.cleaning import clean_text
from dalil.text.ocr_spelling import ocr_fix_address, skeleton


def test_damaged_spellings_share_a_skeleton():
    assert skeleton("hrod17") == skeleton("hrodl7")
    assert skeleton("Abed in") == skeleton("abedin")
    assert skeleton("rnodern") == skeleton("modem")
    assert skeleton("Sullivan") != skeleton("Blumenthal")


def test_address_repair_undoes_ocr_damage():
    assert ocr_fix_address("MillsCD©state.goy") == "millscd@state.gov"
    assert ocr_fix_address("<hrod17@clintonernail.corn>") == "hrod17@clintonemail.com"


def test_clean_text_removes_spans_within_a_range():
    text = "one STAMP two MARK three"
    spans = [(4, 10), (14, 19)]
    assert clean_text(text, spans) == "one two three"
    assert clean_text(text, spans, 6, 17) == "two "
    assert clean_text(text, []) == text
