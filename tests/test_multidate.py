import pytest

from dalil.text.multidate import find_dates


def values(text, **kw):
    return [v for _, _, v in find_dates(text, **kw)]


def test_english_forms():
    assert values("On December 18, 2010 Verma wrote") == ["2010-12-18"]
    assert values("Sent: Friday, March 4, 2011 7:00 AM") == ["2011-03-04"]
    assert values("Dec. 3, 2009 and 18 December 2010") == ["2009-12-03", "2010-12-18"]
    assert values("December 11,2009") == ["2009-12-11"]          # OCR-merged comma
    assert values("in May 2010") == ["2010-05"]
    assert values("May I call you?") == []
    # C05783554: an OCR speck between month and day ("the suspension will begin November• 16").
    assert values("the suspension will begin November• 16 and") == ["--11-16"]
    assert values("November · 16, 2011") == ["2011-11-16"]


def test_month_names_of_other_languages():
    # Spanish, Portuguese, Italian, German, Turkish and Persian articles give dates as well.
    assert values("el 18 de diciembre de 2010") == ["2010-12-18"]
    assert values("em 18 de dezembro de 2010") == ["2010-12-18"]
    assert values("il 18 dicembre 2010") == ["2010-12-18"]
    assert values("am 18. Dezember 2010 an Clinton") == ["2010-12-18"]
    assert values("18 Aralık 2010 tarihli") == ["2010-12-18"] and values("ARALIK 18") == ["--12-18"]
    assert values("در ۱۸ دسامبر ۲۰۱۰ به") == ["2010-12-18"]
    assert values("page 3. March was cold") == [] and values("Mayo Clinic") == []


def test_french_forms():
    assert values("le 18 décembre 2010 et le 1er janvier 2011") == ["2010-12-18", "2011-01-01"]
    assert values("en mars 2011, puis en août 2012") == ["2011-03", "2012-08"]
    assert values("le maire de Paris") == []


def test_arabic_forms_and_digits():
    assert values("في ١٨ ديسمبر ٢٠١٠ قال") == ["2010-12-18"]
    assert values("كانون الثاني 2011") == ["2011-01"]
    assert values("2 آب 2010") == ["2010-08-02"]
    assert values("جدول الأعمال أكتوبر 2009") == ["2009-10"]
    assert values("اجتمع الوفد في القاهرة 16 نوفمبر") == ["--11-16"]
    assert values("تشرين الأول ٢٠٠٩") == ["2009-10"]


def test_numeric_and_iso():
    assert values("2010-12-18") == ["2010-12-18"]
    assert values("sent 12/18/2010 and 25/12/2010") == ["2010-12-18", "2010-12-25"]
    assert values("03/04/2010", day_first=True) == ["2010-04-03"]
    assert values("13/13/2010") == []


def test_offsets_point_into_original_text():
    text = "في ١٨ ديسمبر ٢٠١٠ قال"
    (start, end, _), = find_dates(text)
    assert text[start:end] == "١٨ ديسمبر ٢٠١٠"


@pytest.mark.parametrize("text,values", [
    ("The Lithuanian FM just told me the Community of Democracies is July 9-11 in Cracow, Poland.",
     ["--07-09", "--07-11"]),
    ("سيُعقد اجتماع مجتمع الديمقراطيات في كراكوف من 9 إلى 11 يوليو.", ["--07-09", "--07-11"]),
    ("La réunion se tiendra du 9 au 11 juillet 2010.", ["2010-07-09", "2010-07-11"]),
    # A clock time or a year after the dash is no day.
    ("Call July 9 - 4:30 pm", ["--07-09"]),
    ("July 31-32", ["--07-31"]),
])
def test_the_other_end_of_a_range_of_days_is_a_date(text, values):
    assert [v for _, _, v in find_dates(text)] == values
