"""HTML, DOCX, plain text and image readers on real and generated inputs."""
from __future__ import annotations

import docx

from dalil.ingest.base import pick
from dalil.ingest.docx import DocxReader
from dalil.ingest.html import HtmlReader
from dalil.ingest.image import ImageReader
from dalil.ingest.text import TextReader
from dalil.model import Source
from ocr_samples import TEXTS, cer, render

ARTICLE = """<!DOCTYPE html><html><head><title>Cable  summary</title><style>p{color:red}</style>
<script>var tracking = 1;</script></head><body><nav><a href="/">Home</a> | <a href="/about">About</a></nav>
<article><h1>Ceasefire talks resume in Cairo</h1>
<p>The delegation arrived in Cairo on Wednesday to resume talks on the ceasefire and the reconstruction plan.
Officials said the joint statement would be released the following day after a final review.</p>
<p>وقد أكدت الوزارة أن البيان المشترك سيصدر غدا بعد مراجعة أخيرة من الطرفين.</p>
<p>Diplomats from both sides described the atmosphere as constructive, though several issues remain open,
including the sequencing of prisoner releases and the monitoring mechanism.</p>
<p>The talks are expected to last three days. Mediators will shuttle between the delegations, which are
housed in separate hotels, and will present a draft text on Friday if enough progress has been made.</p>
<p>Earlier rounds collapsed over the question of who would supervise the crossings, and both sides have
since proposed a third party; diplomats say agreement on that point would unlock the rest of the package.</p>
<p>Aid agencies urged the negotiators to reopen the crossings for fuel and medicine while the talks go on,
warning that hospitals in the south had only a few days of supplies left.</p></article>
<footer>Copyright 2015</footer></body></html>"""


def test_html_main_text_title_and_markup():
    src = Source(name="page.html", data=ARTICLE.encode())
    assert pick(src) is HtmlReader
    [doc] = HtmlReader().read(src)
    assert doc.title == "Cable summary"
    assert "resume talks on the ceasefire" in doc.text
    assert "البيان المشترك" in doc.text
    assert "tracking" not in doc.text and "color:red" not in doc.text
    assert "About" not in doc.text and "Copyright" not in doc.text      # boilerplate removed
    assert doc.meta["extraction"] == "trafilatura"
    assert doc.html == ARTICLE


def test_short_html_mail_body_keeps_all_visible_text():
    body = b"<html><body><div>Hi Jake,</div><div>See you at <b>3pm</b>.</div><script>x()</script></body></html>"
    [doc] = HtmlReader().read(Source(name="body", data=body, content_type="text/html; charset=utf-8"))
    assert doc.text == "Hi Jake,\nSee you at 3pm."


def test_html_in_windows_1256():
    body = "<html><body><p>اجتماع وزير الخارجية مع السفير في القاهرة يوم الأربعاء</p></body></html>"
    [doc] = HtmlReader().read(Source(name="ar.htm", data=body.encode("cp1256")))
    assert "وزير الخارجية" in doc.text


def test_docx_paragraphs_and_tables_in_order(tmp_path):
    d = docx.Document()
    d.core_properties.title = "Briefing"
    d.add_paragraph("Before the table")
    t = d.add_table(rows=2, cols=2)
    for r, row in enumerate([("Name", "Role"), ("Sullivan", "Policy")]):
        for c, v in enumerate(row):
            t.cell(r, c).text = v
    d.add_paragraph("بعد الجدول")
    p = tmp_path / "brief.docx"
    d.save(p)
    src = Source(name=str(p), path=str(p))
    assert pick(src) is DocxReader
    assert pick(Source(name="attachment", data=p.read_bytes())) is DocxReader   # sniffed, not a plain zip
    [doc] = DocxReader().read(src)
    assert doc.text == "Before the table\nName\tRole\nSullivan\tPolicy\nبعد الجدول"
    assert doc.title == "Briefing"


def test_text_charset_detection_and_low_score():
    data = "مرحبا، هذا نص عربي مكتوب بترميز ويندوز لاختبار الكشف التلقائي عن الترميز".encode("cp1256")
    src = Source(name="note.txt", data=data)
    assert TextReader.score(src) == 5
    [doc] = TextReader().read(src)
    assert "نص عربي" in doc.text and doc.meta["encoding"] == "cp1256"


def test_multipage_tiff_one_page_per_frame(samples_dir):
    p = samples_dir / "images" / "tika-testTIFF_multipage.tif"
    [doc] = ImageReader().read(Source(name=str(p), path=str(p), hint={"ocr_lang": "eng"}))
    assert len(doc.pages) == 2
    assert [doc.text[pg.start:pg.end].split() for pg in doc.pages] == [
        ["Multipage", "TIFF", "Example", "Page", "1"], ["Multipage", "TIFF", "Example", "Page", "2"]]
    assert doc.meta["pages"][1]["ocr_langs"] == "eng"


def test_rotated_sample_is_deskewed(samples_dir):
    p = samples_dir / "images" / "tika-testRotated+10.png"
    [doc] = ImageReader().read(Source(name=str(p), path=str(p)))
    page = doc.meta["pages"][0]
    assert abs(abs(page["ocr_skew"]) - 10) <= 1
    assert "Its had resolving otherwise she contented therefore" in doc.text


def test_generated_french_png_round_trip(tmp_path):
    p = tmp_path / "fr.png"
    render("fra", skew=-1.5).save(p, dpi=(300, 300))
    [doc] = ImageReader().read(Source(name=str(p), path=str(p)))
    assert doc.meta["pages"][0]["ocr_langs"] == "fra"
    assert cer(doc.text, "\n".join(TEXTS["fra"])) <= 0.05
