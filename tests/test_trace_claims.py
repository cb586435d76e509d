"""Claim extraction: sentence splitting (Arabic punctuation included), checkability, metadata."""
import pytest

from dalil.trace.claims import extract_claims, extract_metadata, is_checkable, split_sentences


def test_split_arabic_and_latin_punctuation():
    text = "قال سوليفان إن الاجتماع تأجل؟ نعم؛ وكتب فيرما إلى كلينتون. Mr. Smith met the U.S. envoy. Done!"
    parts = [text[s:e] for s, e in split_sentences(text)]
    assert parts == ["قال سوليفان إن الاجتماع تأجل؟", "نعم؛", "وكتب فيرما إلى كلينتون.",
                     "Mr. Smith met the U.S. envoy.", "Done!"]


def test_a_german_day_is_no_sentence_end():
    text = "Laut einer E-Mail schrieb Richard Verma am 18. Dezember 2010 an Clinton. Sie antwortete."
    parts = [text[s:e] for s, e in split_sentences(text)]
    assert parts == ["Laut einer E-Mail schrieb Richard Verma am 18. Dezember 2010 an Clinton.", "Sie antwortete."]
    vote = "The vote was 84 to 10. Clinton called."
    assert [vote[s:e] for s, e in split_sentences(vote)] == ["The vote was 84 to 10.", "Clinton called."]


def test_a_quotation_ends_no_sentence_unless_the_sentence_ends_with_it():
    text = ("Late that evening Clinton wrote to Cheryl Mills 'Still awake? Can we talk?' once the memo arrived. "
            "Clinton answered 'Good news... More soon.' to Gelb's column. "
            "Huma Abedin wrote: \"You look beautiful!!\" Clinton thanked her. "
            "Elle a répondu d'un seul mot : « Help!! ». It's Gelb's view.")
    assert [text[s:e] for s, e in split_sentences(text)] == [
        "Late that evening Clinton wrote to Cheryl Mills 'Still awake? Can we talk?' once the memo arrived.",
        "Clinton answered 'Good news... More soon.' to Gelb's column.",
        "Huma Abedin wrote: \"You look beautiful!!\"", "Clinton thanked her.",
        "Elle a répondu d'un seul mot : « Help!! ».", "It's Gelb's view."]


def test_offsets_point_into_the_article():
    text = "Intro line\n\nOn 18 December 2010 Verma sent Clinton a note on the treaty vote count. Nice."
    claims, total = extract_claims(text, "en")
    assert total == 1
    c = claims[0]
    assert text[c.start:c.end] == c.text and c.text.startswith("On 18 December 2010")


def test_checkable_keeps_attributions_and_facts_only():
    assert is_checkable("Cheryl Mills forwarded the memo to the Secretary on Monday.")
    assert is_checkable("أفادت مذكرة الخارجية بأن الاجتماع سيعقد في القاهرة.")
    assert is_checkable("The vote was 59 to 37 in the Senate chamber.")
    assert not is_checkable("What happens next remains to be seen?")
    assert not is_checkable("Too short.")
    assert not is_checkable("this is an opinion about things in general and nothing else")


@pytest.mark.parametrize("sentence", [
    # Figures spelled out.
    "Three coast guard boats had followed the freighter for several hours before it docked.",
    "بموجب التسوية ستُمنح ممثلة المجتمع المدني عشرين دقيقة للتحدث في المؤتمر.",
    # Reporting verbs beyond "said" and "wrote".
    "Judith McHale a estimé que les radios publiques du pays restaient sous le contrôle de l'État.",
    "حثّ النائب على الاجتماع بممثلي المنظمات والأفراد المهددين هناك.",
    # Arabic names the gazetteer knows stand for the capitals Arabic lacks.
    "انتظرت كلينتون طويلاً في كولومبيا قبل الاجتماع.",
])
def test_checkable_reads_spelled_figures_reporting_verbs_and_arabic_names(sentence):
    assert is_checkable(sentence)


@pytest.mark.parametrize("sentence", [
    "Il a fallu attendre un des jours de la semaine pour en parler.",      # "un": no figure
    "البحث عن حلول جديدة أمر مهم للجميع في كل وقت.",                       # بحث is no حث
    "انتظرت طويلاً قبل الاجتماع في المدينة القديمة.",                      # no name, verb or figure
])
def test_not_checkable_without_figure_verb_or_names(sentence):
    assert not is_checkable(sentence)


def test_english_metadata():
    meta = extract_metadata("A message sent by Jake Sullivan to Hillary Clinton on 18 January 2013 under the "
                            "title \"Libya update\" says the embassy will reopen.", "en")
    assert meta == {"sender": "Jake Sullivan", "recipient": "Hillary Clinton", "date": "2013-01-18",
                    "subject": "Libya update"}


def test_french_metadata():
    meta = extract_metadata("Anne-Marie Slaughter a écrit à Cheryl Mills le 16 septembre 2009 un message "
                            "intitulé « Speech draft ».", "fr")
    assert meta["sender"] == "Anne-Marie Slaughter"
    assert meta["recipient"] == "Cheryl Mills"
    assert meta["date"] == "2009-09-16"
    assert meta["subject"] == "Speech draft"


def test_arabic_metadata():
    meta = extract_metadata("في 18 ديسمبر 2010 كتب ريتشارد فيرما إلى كلينتون رسالة بعنوان \"ستارت\" "
                            "يقول فيها إن التعديل سيهزم.", "ar")
    assert meta["sender"] == "ريتشارد فيرما"
    assert meta["recipient"] == "كلينتون"
    assert meta["date"] == "2010-12-18"
    assert meta["subject"] == "ستارت"


@pytest.mark.parametrize("sentence,sender,recipient", [
    # "to" glued to the addressee after the sender's name
    ("اعتذر فيليب رينز لكلينتون عن التأخير.", "فيليب رينز", "كلينتون"),
    ("أوضحت هيذر صامويلسون لشيريل ميلز أن الاجتماع أُلغي.", "هيذر صامويلسون", "شيريل ميلز"),
    # "asked X" is طلب من, "replied to X" ردّ على
    ("طلبت كلينتون من روبرت روسو إضافة اسم إلى القائمة.", "كلينتون", "روبرت روسو"),
    ("ردّت كلينتون على تام بأنها سعيدة.", "كلينتون", "تام"),
    # من after another verb is no addressee: "Verma wrote of the committee"
    ("كتب فيرما من مكتبه أن اللجنة وافقت.", "فيرما", None),
])
def test_arabic_addressee_after_the_sender(sentence, sender, recipient):
    meta = extract_metadata(sentence, "ar")
    assert meta["sender"] == sender
    assert meta.get("recipient") == recipient


def test_arabic_indic_digits_date():
    meta = extract_metadata("في ١٨ ديسمبر ٢٠١٠ أبلغت هوما عابدين كلينتون بموعد الاتصال.", "ar")
    assert meta["date"] == "2010-12-18"
    assert meta["sender"] == "هوما عابدين"


def test_content_claim_has_no_metadata():
    claims, _ = extract_claims("The embassy reported that four people died in the bombing at the university.", "en")
    assert claims and claims[0].kind == "content" and claims[0].meta == {}
