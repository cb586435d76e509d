"""Numbers in claims and sources (dalil.text.numbers): digits, ordinals and spelled-out words,
and the claim check that compares them (dalil.trace.features)."""
from __future__ import annotations

from dalil.text.numbers import EN_NUMBER, number_value, number_word, numbers_in, teen
from dalil.trace.evidence import Evidence, term_hits
from dalil.trace.features import claim_features
from dalil.trace.terms import Term


def test_digits_ordinals_and_words():
    found = numbers_in("He has a big speech in italy on the 26th; four dead and 13 injured, $200K.")
    assert {"26", "4", "13", "200000"} <= set(found)
    assert number_value("٢٦") == "26" and number_value("1,500") == "1500" and number_value("3rd") == "3"
    assert number_value("2012-") is None


def test_spelled_numbers_of_three_languages():
    assert number_word("الثامنة") == "8" and number_word("والعاشرة") == "10"   # hours, with و
    assert number_word("deux") == "2" and number_word("three") == "3"
    assert number_word("une") is None and number_word("rapport") is None     # French article
    assert EN_NUMBER["8"] == "eight" and EN_NUMBER["100"] == "hundred"
    # 11-19 are two Arabic words; the hour "الحادية عشرة" is 11.
    assert teen("الحادية", "1", "عشرة") == "11" and teen("ثلاثة", "3", "عشر") == "13"
    assert teen("عشرة", "10", "عشرة") is None and teen("three", "3", "عشر") is None


def test_clock_times_are_one_value():
    # "4:30" is a time, not the numbers 4 and 30; OCR drops the colon ("430 pm") and reads 1 as l.
    assert numbers_in("في الساعة 4:30 مساءً") == {"4:30": [(10, 14)]}
    assert set(numbers_in("at 430 pm, then 16h30 and 4:25pm")) == {"4:30", "4:25"}
    assert set(numbers_in("3:00 pm MEETING w/SENATOR")) == {"3"}        # a time on the hour is the hour
    assert set(numbers_in("Sent: Sat Jun 05 06:17:37 2010")) == {"6:17", "2010"}
    assert set(numbers_in("on calls until llam, call after 1pm or lOpm")) == {"11", "1", "10"}
    assert numbers_in("Iam here") == {} and set(numbers_in("$4.30 and 1,500")) == {"4.3", "1500"}
    assert number_word("twice") == "2" and number_word("مرتين") == "2"


def _evidence(text: str, sentence: str) -> Evidence:
    at = text.index(sentence)
    return Evidence(doc_id="C05768668", release=None, page=1, char_start=at, char_end=at + len(sentence),
                    byte_start=at, byte_end=at + len(sentence), quote=sentence, score=1.0,
                    similarity=0.6, coverage=0.5, doc_text=text)


def test_a_number_the_source_spells_out_is_no_mismatch(corpus_doc):
    """C05768668: "These three Americans ... have been unjustly held for almost nine months".
    A claim saying "three" and "nine" agrees with it; one saying "seven" does not."""
    text = corpus_doc("C05768668").read_text(encoding="utf-8")
    sentence = "unjustly held for almost nine months"
    ev = _evidence(text, sentence)
    for claim, expected in [("The three hikers were held for almost nine months.", 0),
                            ("The seven hikers were held for almost nine months.", 1)]:
        terms = [Term(claim.index(w), claim.index(w) + len(w), w, "number", [v], v)
                 for w, v in (("three", "3"), ("seven", "7"), ("nine", "9")) if w in claim]
        f, _, differs = claim_features(claim, terms, [ev], [])
        assert f["num_mismatch"] == expected, (claim, differs)


def test_a_small_number_elsewhere_in_the_document_is_not_found(corpus_doc):
    """C05769665 says "Three Israeli naval ships had tailed RACHEL CORRIE"; a 5 elsewhere in the
    document (a page number, a time) does not back "five ships", while "two hours" beside the
    quote backs "two"."""
    text = corpus_doc("C05769665").read_text(encoding="utf-8")
    sentence = "Three Israeli naval ships had tailed RACHEL CORRIE for several hours"
    ev = _evidence(text, sentence)
    assert term_hits([Term(0, 1, "5", "number", ["5"], "5")], text)     # "June 5" in the header
    for claim, expected in [("Five naval ships from Israel shadowed the freighter.", 1),
                            ("Three naval ships from Israel shadowed the freighter.", 0)]:
        word = claim.split()[0]
        terms = [Term(0, len(word), word, "number", [number_word(word)], number_word(word)),
                 Term(claim.index("naval"), claim.index("naval") + 5, "naval", "word", ["naval"])]
        f, _, differs = claim_features(claim, terms, [ev], [])
        assert f["num_mismatch"] == expected, (claim, differs)


def test_decades():
    # "les années 90" is the source's "the 90s" (C05768005), not another number.
    assert set(numbers_in("the two kids who won the peace essay contest in the 90s")) == {"2", "90"}
    # "the 1980s" is one value with the source's "(not the 80s)" (C05797220).
    assert set(numbers_in("in the 1990's")) == {"90"} and numbers_in("5s") == {}
    assert set(numbers_in("back to the 1980s")) == set(numbers_in("not the 80s")) == {"80"}
    assert set(numbers_in("in 1980 and 2005")) == {"1980", "2005"}     # years stay years
    # ... and the Arabic decade words: الثمانينيات (the eighties) is the source's "80s".
    assert set(numbers_in("أُقرّ القانون في 2002 لا في الثمانينيات")) == {"2002", "80"}
    assert set(numbers_in("التسعينات")) == {"90"}


def test_scale_words_decimal_commas_and_spaced_thousands():
    """"200 ألف" is the source's "$200K", "8,3 millions" its "8.3 million" and "$8.3m",
    "250 000 câbles" its "250,000 cables": one value each, in any of the tuned languages."""
    assert set(numbers_in("جمع 200 ألف دولار")) == set(numbers_in("$200K raised")) == {"200000"}
    assert set(numbers_in("8,3 millions d'emprunteurs")) == set(numbers_in("8.3 million borrowers")) \
        == set(numbers_in("it cost $8.3m")) == {"8300000"}
    assert set(numbers_in("250 000 câbles")) == set(numbers_in("250,000 cables")) == {"250000"}
    assert set(numbers_in("٢٥٠ ألف برقية")) == {"250000"}
    assert number_value("2,5") == "2.5" and number_value("1,500") == "1500"
    # A claimed "200 ألف" is found where the source writes the digits it starts with.
    from dalil.trace.terms import TermExtractor
    from dalil.text.lexicon import NameLexicon
    terms = TermExtractor(NameLexicon([])).terms("وأشار إلى جمع 200 ألف دولار حتى ذلك الحين.")
    [number] = [t for t in terms if t.kind == "number"]
    assert number.value == "200000" and "200" in number.alts


def test_tashkeel_is_part_of_the_word():
    """ستُنشر ("will be published") starts with ست (six) only when the damma is read as a word
    break; written with its marks, a number word is still one."""
    assert numbers_in("ستُنشر رسالة الرئيس في اليوم نفسه") == {}
    assert set(numbers_in("زار سِتّ دول")) == {"6"}


def test_cent_as_a_unit_is_no_hundred():
    # An English source's "seventy per cent" had read as 100 against a claim's 58.
    assert "100" not in numbers_in("more than seventy per cent of Republicans support the Tea Party")
    assert "100" not in numbers_in("cinquante pour cent des voix") and "100" not in numbers_in("a 5 cent stamp")
    assert numbers_in("cent soldats")["100"] == [(0, 4)]
