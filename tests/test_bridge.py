"""Lexical bridge: Arabic/French names, places and dates → English corpus terms."""
from __future__ import annotations

import pytest

from dalil import Archive
from dalil.search.bridge import Bridge, Bridged, NameTable
from dalil.text.lexicon import NameLexicon

# Real names of the corpus with document frequencies of their order, and capitalized shares.
ENTRIES = [("qaddafi", 420, 0.97), ("gaddafi", 60, 0.95), ("qadhafi", 40, 0.96), ("alec", 250, 0.98),
           ("mills", 3000, 0.93), ("abedin", 900, 0.98), ("sullivan", 2500, 0.97),
           ("rachel", 30, 0.99), ("gelb", 25, 0.99), ("mood", 300, 0.04), ("door", 200, 0.05),
           ("tibet", 60, 0.99), ("zor", 20, 0.99), ("sean", 40, 0.99), ("chun", 30, 0.99)]


@pytest.fixture(scope="module")
def bridge():
    return Bridge(NameLexicon(ENTRIES, min_cap_share=0.6))


def test_arabic_name_reaches_english_spellings(bridge):
    out = bridge.bridge("القذافي", "ar")
    assert "qaddafi" in out.terms
    assert set(out.terms) <= {"qaddafi", "gaddafi", "qadhafi", "muammar qaddafi", "libya"}


def test_transliterated_names_without_gazetteer_entry(bridge):
    assert "gelb" in bridge.bridge("ليزلي غيلب", "ar").terms
    assert "rachel" in bridge.bridge("راشيل", "ar").terms


def test_common_words_are_not_names(bridge):
    # موعد (appointment) and دور (role) sound like "mood" and "door": lower-case words, never names.
    out = bridge.bridge("موعد دور مع هذا", "ar")
    assert out.terms == [] and out.phrases == []


def test_conjugated_verbs_are_not_names(bridge):
    # كتبت (she wrote) and تزور (she visits) sound like Tibet and Zor, capitalized names of the
    # archive; Buckwalter's lexicon reads them as verbs with a person marker.
    out = bridge.bridge("كتبت أنها تزور", "ar")
    assert not {"tibet", "zor"} & set(out.all())
    assert "tibet" in bridge.bridge("زيارة التبت", "ar").all()    # the gazetteer's Tibet stays


def test_the_lexicons_spelling_of_a_first_name_leads(bridge):
    # شون transliterates closest to Chun; Buckwalter's lexicon knows the name as Sean.
    assert bridge.bridge("شون", "ar").sources["شون"][0] == "sean"


def test_gazetteer_places_and_organisations(bridge):
    assert "libya" in bridge.bridge("Libye", "fr").all()
    assert "un" in bridge.bridge("الأمم المتحدة", "ar").all() or \
        "united nations" in bridge.bridge("الأمم المتحدة", "ar").all()


def test_an_arabic_decade_becomes_the_sources_spelling(bridge):
    assert bridge.bridge("في الثمانينيات", "ar").sources["الثمانينيات"] == ["80s", "1980s"]


def test_dates_become_english(bridge):
    out = bridge.bridge("رسالة ١٨ ديسمبر ٢٠١٠", "ar")
    assert "december 18" in out.phrases and "december" in out.terms and "2010" in out.terms
    out = bridge.bridge("le 3 mars 2011", "fr")
    assert "march 3" in out.phrases and "2011" in out.terms


def test_a_name_spelled_like_a_function_word_with_the_other_hamza(bridge):
    # أليك (Alec) and إليك ("to you") normalize alike; the hamza tells them apart.
    from dalil.text.stopwords import function_word
    assert function_word("إليك", "ar") and function_word("اليك", "ar") and not function_word("أليك", "ar")
    # Prepositions and particles carrying a pronoun are function words too (إليها had been Elia).
    assert all(function_word(w, "ar") for w in ("إليها", "اليها", "لأنه", "بيننا", "عليهم", "لديكم"))
    # stopwords-iso's Arabic list holds content words of email (لقاء, a meeting; زيارة, a visit):
    # the glossary's words are never function words.
    assert not function_word("لقاء", "ar") and not function_word("زيارة", "ar")
    assert function_word("في", "ar") and function_word("de", "fr")
    assert "alec" in bridge.bridge("اجتماع مع أليك", "ar").terms
    assert "alec" not in bridge.bridge("أرسلت إليك الملف", "ar").terms


def test_bridged_words_reach_their_email_short_forms(bridge):
    """"Pls set up mtg for me w Alec Ross", "secure if possible btw 8-10": a translated word
    also reaches the short form the archive's senders write."""
    out = Bridged()
    Bridge._add(out, "اجتماع", ["meeting"])
    Bridge._add(out, "البيت الأبيض", ["white house"])
    assert out.sources == {"اجتماع": ["meeting", "mtg"], "البيت الأبيض": ["white house", "wh"]}
    assert "mtg" in out.terms and "wh" in out.terms
    # "Call into ops at 730", "The Lithuanian FM just told me": expressions have short forms too.
    Bridge._add(out, "غرفة العمليات", ["operations center"])
    Bridge._add(out, "وزير الخارجية", ["foreign minister"])
    assert out.sources["غرفة العمليات"] == ["operations center", "ops"] and "ops" in out.terms
    assert out.sources["وزير الخارجية"] == ["foreign minister", "fm"]


def test_english_queries_are_not_bridged(bridge):
    assert bridge.bridge("Qaddafi Libya March 2011", "en").all() == []


def test_name_table_counts_capitalized_share(tmp_path, corpus_doc):
    archive = Archive(str(tmp_path / "n.db"))
    archive.ingest([str(corpus_doc("C05778768"))])
    table = NameTable(tmp_path / "names.json")
    assert table.update(archive.store) == 1
    assert table.update(archive.store) == 0          # incremental: nothing new
    shares = {t: share for t, _, share in table.entries(min_df=1)}
    assert shares["qaddafi"] == 1.0                      # always written Qaddafi
    assert shares["the"] < 0.2
    lexicon = NameLexicon(table.entries(min_df=1), min_cap_share=0.6)
    assert "qaddafi" in Bridge(lexicon).bridge("القذافي", "ar").terms


def test_an_articles_reporting_verbs_are_not_bridged(bridge):
    """"Huma Abedin wrote that …", "a indiqué que": the source is the email itself, which never
    says it was written or reported; the verbs only carried noise (أبلغت → "reportedly")."""
    from dalil.text.stopwords import function_word
    out = bridge.bridge("أفادت هوما عابدين وأبلغت كلينتون", "ar")
    assert not {"أفادت", "وأبلغت"} & set(out.sources) and "huma abedin" in out.all()
    out = bridge.bridge("Jake Sullivan a indiqué à Clinton", "fr")
    assert "indiqué" not in out.sources
    # Only the attribution: a noun of the same root, or an English word, stays a word.
    assert not function_word("تقرير", "ar") and not function_word("wrote", "en")
    assert function_word("كتبوا", "ar") and function_word("précisé", "fr")


def test_a_surname_after_another_first_name_is_the_archives_pair(full):
    """روس alone is the gazetteer's Dennis Ross; after أليك (Alec, a name of the archive) it is
    Alec Ross, whom the archive names together.  A word before a name (اجتماع, a meeting) takes
    nothing from it, and a pair the archive never writes is not made up."""
    b = Bridge(NameLexicon(ENTRIES, min_cap_share=0.6))
    b.phrase_in_archive = lambda phrase: full.store.db.execute(
        "SELECT 1 FROM docs_fts WHERE docs_fts MATCH ? LIMIT 1", ['"' + phrase + '"']).fetchone() is not None
    out = b.bridge("اجتماع كلينتون مع أليك روس", "ar")
    assert out.sources["روس"][0] == "alec ross" and "alec ross" in out.phrases
    assert "dennis ross" not in out.all() and out.sources["كلينتون"][0] == "hillary clinton"
    assert b.bridge("لقاء روس", "ar").sources["روس"][0] == "dennis ross"
    assert b.bridge("راشيل روس", "ar").sources["روس"][0] == "dennis ross"     # no "Rachel Ross" in it


def test_a_surname_takes_the_reading_the_archive_writes_after_its_first_name(full):
    """نوتون reads closest as Newton; after هانك (Hank) the archive writes Naughton, so that
    reading replaces the others.  A first name the archive never pairs with any reading
    changes nothing."""
    b = Bridge(NameLexicon(ENTRIES + [("hank", 30, 0.99), ("newton", 36, 0.95), ("naughton", 16, 0.99),
                                      ("isaac", 20, 0.99)], min_cap_share=0.6))
    b.phrase_in_archive = lambda phrase: full.store.db.execute(
        "SELECT 1 FROM docs_fts WHERE docs_fts MATCH ? LIMIT 1", ['"' + phrase + '"']).fetchone() is not None
    assert b.bridge("نوتون", "ar").sources["نوتون"][0] == "newton"
    out = b.bridge("هانك نوتون", "ar")
    assert out.sources["نوتون"] == ["naughton"] and "hank naughton" in out.phrases and "newton" not in out.terms
    assert b.bridge("إسحاق نوتون", "ar").sources["نوتون"][0] == "newton"


def test_a_persian_query_reaches_the_archive(quality_archive):
    """Persian names of places and bodies are the gazetteer's (فرانسه, سازمان ملل); a Persian
    word the Arabic dictionary does not know is not therefore a name (تیمش, "his team", came
    out as Adams and Timothy), as it is in an Arabic query."""
    b = quality_archive.hybrid.bridge
    out = b.bridge("فرانسه و سازمان ملل نمایندگان خود را از بنغازی خارج کردند", "fa")
    assert out.sources["فرانسه"] == ["france"] and "united nations" in out.sources["سازمان ملل"]
    assert "benghazi" in out.sources["بنغازی"]
    assert b.bridge("تیمش", "ar").sources and not b.bridge("تیمش", "fa").sources


def test_a_latin_spelling_the_archive_never_writes(quality_archive):
    """A capitalized word no document holds is another language's spelling of a name (Turkish
    Bingazi, Fransa; Spanish Bengasi) and takes the archive's close name, or else a German noun
    to translate (Angriff); a name the archive writes (Rudman) is left as it is."""
    b = quality_archive.hybrid.bridge
    out = b.bridge("Fransa ve BM temsilcilerini Bingazi'den çekti", "tr")
    assert out.sources["Bingazi"][0] == "benghazi" and out.sources["Fransa"][0] == "france"
    assert b.bridge("Die Botschaft in Bengasi wurde nach dem Angriff geschlossen", "de").sources["Angriff"][0] == "attack"
    assert "Rudman" not in b.bridge("Mara Rudman habló con Mills", "es").sources


def test_an_article_or_a_title_is_no_part_of_a_name(quality_archive):
    """الروس is "the Russians": a person's name takes no article, so the gazetteer's Ross is not
    read off it; and a title before a word (وزير التركي, "the Turkish minister") is no first
    name for the surname pairing to join with a reading of the next word."""
    b = quality_archive.hybrid.bridge
    assert "dennis ross" not in b.bridge("التقى الروس", "ar").all()
    assert b.bridge("روس", "ar").sources["روس"][0] == "dennis ross"
    out = b.bridge("وزير التركي", "ar")
    assert not any(p.startswith("minister ") for p in out.phrases) and not out.named & {"وزير"}
