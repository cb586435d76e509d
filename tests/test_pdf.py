"""PDF reader on real sample PDFs and on generated scans."""
from __future__ import annotations

import unicodedata

import pytest

from dalil.ingest.base import pick
from dalil.ingest.pdf import PdfReader, layer_quality
from dalil.model import Source
from ocr_samples import TEXTS, cer, render


def read(path, **hint):
    return list(PdfReader().read(Source(name=str(path), path=str(path), hint=hint)))


def test_foia_pdf_text_is_byte_identical_to_the_corpus_file(samples_dir, corpus_doc):
    [doc] = read(samples_dir / "pdf" / "state-C05739545.pdf", release="HRC_Email_296")
    assert doc.text.encode("utf-8") == corpus_doc("C05739545").read_bytes()
    assert doc.source_format == "pdf"
    assert doc.doc_id == "C05739545"
    assert doc.meta["pages"][0]["source"] == "native"
    assert doc.meta["pages"][0]["native_text"].startswith("UNCLASSIFIED")


def test_multipage_foia_pdf(samples_dir, corpus_doc):
    [doc] = read(samples_dir / "pdf" / "state-C05739624.pdf")
    assert doc.text.encode("utf-8") == corpus_doc("C05739624").read_bytes()
    assert len(doc.meta["pages"]) == 6


def test_born_digital_pdf_uses_text_layer(samples_dir):
    [doc] = read(samples_dir / "pdf" / "tika-testPDF.pdf")
    assert "Apache Tika is a toolkit" in doc.text
    assert doc.meta["pages"][0]["source"] == "native"
    assert doc.meta["pages"][0]["ocr_text"] is None
    assert doc.text.endswith("\f")
    p = doc.pages[0]
    assert doc.text[p.start:p.end] == doc.meta["pages"][0]["native_text"]


def test_image_only_pdf_is_ocred(samples_dir):
    [doc] = read(samples_dir / "pdf" / "tika-testOCR.pdf")
    page = doc.meta["pages"][0]
    assert page["source"] == "ocr" and page["native_text"] == ""
    assert "Happy New Year 2003" in doc.text
    assert page["ocr_engine"].startswith("tesseract 5") and page["ocr_confidence"] > 50


def test_ocr_never_leaves_image_only_page_blank(samples_dir):
    [doc] = read(samples_dir / "pdf" / "tika-testOCR.pdf", ocr="never")
    assert doc.text == "\f" and doc.pages[0].status == "blank"


def test_ocr_always_keeps_both_variants(samples_dir):
    [doc] = read(samples_dir / "pdf" / "tika-testPDF.pdf", ocr="always", ocr_lang="eng")
    page = doc.meta["pages"][0]
    assert page["source"] == "ocr" and page["ocr_langs"] == "eng"
    assert "Apache Tika" in page["native_text"] and "Apache Tika" in page["ocr_text"]


def test_garbage_text_layer_falls_back_to_ocr(samples_dir):
    [doc] = read(samples_dir / "pdf" / "pdfjs-ThuluthFeatures.pdf")
    page = doc.meta["pages"][0]
    assert page["text_quality"] < 0.5
    assert page["source"] == "ocr"
    assert "ara" in page["ocr_langs"]
    arabic = sum(1 for c in doc.text if "\u0600" <= c <= "\u06ff")
    assert arabic > 50
    assert "\x03" not in doc.text


def test_arabic_cid_font_is_normalised(samples_dir):
    [doc] = read(samples_dir / "pdf" / "pdfjs-ArabicCIDTrueType.pdf")
    assert doc.meta["pages"][0]["source"] == "native"
    assert "انواع الخطوط العربية" in doc.text
    assert not any("\ufb50" <= c <= "\ufeff" or c in "\u202b\u202c" for c in doc.text)


def test_layer_quality_separates_text_from_junk():
    assert layer_quality("From: Sullivan, Jacob J <x@state.gov> Sent: Monday") > 0.95
    assert layer_quality("انواع الخطوط العربية and English") > 0.95
    assert layer_quality("¢һӍΉʽী¢\x03Ǌ ʤ̦˵ƹϕ\x03Ŋ \ufffd\ue000") < 0.3


@pytest.mark.parametrize("lang", ["eng", "ara"])
def test_generated_scanned_pdf_round_trip(tmp_path, lang):
    pdf = tmp_path / f"scan-{lang}.pdf"
    render(lang, skew=1.0).save(pdf, "PDF", resolution=300)
    src = Source(name=str(pdf), path=str(pdf))
    assert pick(src) is PdfReader
    [doc] = PdfReader().read(src)
    assert doc.meta["pages"][0]["source"] == "ocr"
    assert cer(doc.text, "\n".join(TEXTS[lang])) <= (0.05 if lang == "eng" else 0.10)
    assert unicodedata.is_normalized("NFKC", doc.text)
