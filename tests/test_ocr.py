"""OCR round trips on generated 300-dpi renders: CER per language, rotation, skew, bounded pool."""
from __future__ import annotations

import threading

import pytest

from dalil.ingest import ocr
from dalil.model import IngestError
from ocr_samples import TEXTS, cer, render

LIMITS = {"eng": 0.05, "fra": 0.05, "ara": 0.10}


@pytest.mark.parametrize("lang", ["eng", "fra", "ara"])
def test_round_trip_cer_with_detected_language(lang):
    res = ocr.ocr_image(render(lang, skew=1.5))
    assert res.lang.split("+")[0] == lang
    assert cer(res.text, "\n".join(TEXTS[lang])) <= LIMITS[lang]
    assert 0 < res.confidence <= 100
    assert res.engine.startswith("tesseract 5")


def test_quarter_turn_is_uprighted_by_osd():
    res = ocr.ocr_image(render("eng").rotate(90, expand=True))
    assert res.rotation in (90, 270)
    assert cer(res.text, "\n".join(TEXTS["eng"])) <= LIMITS["eng"]


def test_ten_degree_skew_is_corrected():
    res = ocr.ocr_image(render("eng", skew=10))
    assert abs(res.skew + 10) <= 0.5
    assert cer(res.text, "\n".join(TEXTS["eng"])) <= LIMITS["eng"]


def test_language_override_is_used():
    res = ocr.ocr_image(render("eng", lines=TEXTS["eng"][:1]), lang="fra")
    assert res.lang == "fra"


def test_clean_text_folds_presentation_forms_and_bidi_controls():
    assert ocr.clean_text("\u202b\ufe8d\ufee0\ufecc\ufeae\ufe91\ufef4\ufe94\u202c") == "العربية"


def test_bad_mode_is_an_ingest_error():
    with pytest.raises(IngestError) as e:
        ocr.mode({"ocr": "sometimes"})
    assert e.value.code == "bad_option"


def test_pool_keeps_few_pages_in_flight():
    """Pages are pulled lazily: never more than 2*workers rendered pages ahead of the results."""
    page = render("eng", lines=["Page"], noise=0)
    produced, ahead = [0], []
    consumed = 0
    lock = threading.Lock()

    def pages():
        for i in range(6):
            with lock:
                produced[0] += 1
            yield i, page.copy()

    for key, res in ocr.ocr_stream(pages(), lang="eng", workers=1):
        ahead.append(produced[0] - consumed)
        consumed += 1
        assert key == consumed - 1 and not isinstance(res, IngestError)
        assert "Page" in res.text
    assert consumed == 6
    assert max(ahead) <= 2
