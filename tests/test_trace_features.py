"""The claim checks of dalil.trace.features on real source passages: negation on either side in
any of the three languages, and which names count as missing from a source."""
from __future__ import annotations

import json

import pytest

from dalil.trace.evidence import Evidence
from dalil.trace.features import claim_features
from dalil.trace.terms import Term


def _evidence(corpus_doc, doc_id: str, sentence: str, similarity: float = 0.6) -> Evidence:
    text = corpus_doc(doc_id).read_text(encoding="utf-8")
    at = text.index(sentence)
    return Evidence(doc_id=doc_id, release=None, page=1, char_start=at, char_end=at + len(sentence),
                    byte_start=at, byte_end=at + len(sentence), quote=sentence, score=1.0,
                    similarity=similarity, coverage=0.5, doc_text=text)


def _terms(claim: str, pairs: list[tuple[str, str]]) -> list[Term]:
    """Terms of `claim`: (its word, the English form looked for in the source)."""
    return [Term(claim.index(w), claim.index(w) + len(w), w, "word", [alt]) for w, alt in pairs]


@pytest.mark.parametrize("doc_id,sentence,claim,pairs,flip", [
    # "oppose" and "contre" are stances, neither a negation.
    ("C05768556", "Grassley is going to vote in favor of cloture and oppose on confirmation vote.",
     "D'après Brainard, Grassley comptait appuyer la clôture du débat puis s'opposer à la confirmation.",
     [("Grassley", "grassley"), ("clôture", "cloture")], 0),
    # عدم ("the not-doing") is the Arabic article's negation of the source's "not to instruct".
    ("C05764767", "you're right not to instruct the parties what to do",
     "كتب سيد بلومنتال لكلينتون أن خطابها جيد، وأنها محقة في عدم إملاء ما يجب على الأحزاب فعله.",
     [("الأحزاب", "parties")], 0),
    ("C05764767", "you're right not to instruct the parties what to do",
     "كتب سيد بلومنتال لكلينتون أن خطابها جيد، وأنها محقة في إملاء ما يجب على الأحزاب فعله.",
     [("الأحزاب", "parties")], 1),
    ("C05768556", "Grassley is going to vote in favor of cloture and oppose on confirmation vote.",
     "D'après Brainard, Grassley ne comptait pas appuyer la clôture du débat.",
     [("Grassley", "grassley"), ("clôture", "cloture")], 1),
    # وليس ("and not") negates as ليس does: both sides say "not the 80s".
    ("C05797220", "Was in 2002 (not the 80s) as I had said today.",
     "أوضح فيرما أن آخر قانون للتفويض أُقرّ في عام 2002 وليس في الثمانينيات كما قيل.",
     [("الثمانينيات", "80s")], 0),
    # A negation in another clause of the source, governing none of the claim's terms.
    ("C05765729", "I brought 4 bento boxes to her residence with Chinese food in them, and she sent\nback "
     "some Afghan sweets that she made with a letter saying it is Afghan's tradition not\nto send back empty boxes.",
     "Mme Eikenberry dit avoir offert à Mme Karzai des boîtes bento garnies de plats chinois, et avoir "
     "reçu en retour des douceurs afghanes.", [("bento", "bento"), ("afghanes", "afghan")], 0),
    ("C05763090", "Not sure if lona sent:\n8:45 senior staff mtg",
     "D'après l'agenda transmis par Abedin, la réunion du personnel de Clinton commençait à 8h45.",
     [("personnel", "staff")], 0),
    # "so" opens another clause: the negation of "I didn't see anybody w a camera" stops there.
    ("C05764131", "It was after lunch but I didn't see anybody w a\ncamera so obviously a long lens from afar.",
     "Clinton wrote that the photo was apparently taken with a long lens.", [("long", "long"), ("lens", "lens")], 0),
    # ... and one that governs them: "not a word" about the medal.
    ("C05764076", "Prime Minister and her party said not\na word about it.",
     "Muhammad Yunus wrote that the Prime Minister and her party said a word about it.",
     [("party", "party"), ("word", "word")], 1),
])
def test_negation_flip(corpus_doc, doc_id, sentence, claim, pairs, flip):
    ev = _evidence(corpus_doc, doc_id, sentence)
    f, _, differs = claim_features(claim, _terms(claim, pairs), [ev], [])
    assert f["neg_flip"] == flip, differs


def test_titles_possessives_and_correspondents_are_not_missing_names(corpus_doc):
    ev = _evidence(corpus_doc, "C05768556", "Grassley is going to vote in favor of cloture and oppose on confirmation vote.")
    claim = "The Ambassador said Grassley's vote was cast against Brainard, Clinton and Verma wrote."
    words = ["Ambassador", "Grassley's", "Brainard", "Clinton", "Verma"]
    terms = [Term(claim.index(w), claim.index(w) + len(w), w, "name", [w.lower().replace("'s", "")]) for w in words]
    terms[0].alts = ["ambassador"]           # a gazetteer title
    terms[1].alts = ["grassley's"]           # the possessive as written
    f, _, differs = claim_features(claim, terms, [ev], [], correspondent=lambda name: name == "Clinton")
    missing = {d.rsplit(" ", 1)[-1] for d in differs if "does not mention" in d}
    assert "Ambassador" not in missing and "Grassley's" not in missing and "Clinton" not in missing
    assert f["names_missing"] == len(missing)
    # Verma is not in this message; Brainard is (its subject line).
    text = ev.doc_text
    assert ("Verma" in missing) == ("verma" not in text.lower())
    assert ("Brainard" in missing) == ("brainard" not in text.lower())


def test_a_word_no_document_holds_marks_the_claim_unknown(full, corpus_doc):
    """"dengue" is in none of the 27,159 documents: a claim about it is about something the
    archive does not hold.  The check reads plain words only in a language of the archive: the
    French words of a French claim are absent from an English archive for no reason that matters."""
    from dalil.trace.terms import TermExtractor
    extractor = TermExtractor.for_store(full.store)
    df = full.lexical.spelling.df
    ev = _evidence(corpus_doc, "C05768556", "Grassley is going to vote in favor of cloture and oppose on confirmation vote.")
    assert full.tracer.languages == {"en"}
    cases = [("In a note to Clinton, Mills passed on a CDC report about dengue fever spreading in Haiti.", True, 1),
             ("In a note to Clinton, Mills passed on a CDC report about cholera spreading in Haiti.", True, 0),
             ("Cheryl Mills a transmis à Clinton une note sur l'épidémie de choléra en Haïti.", False, 0)]
    for claim, same_language, unknown in cases:
        f, _, differs = claim_features(claim, extractor.terms(claim), [ev], [], df, None, same_language)
        assert f["names_unknown"] == unknown, (claim, differs)
    assert any("dengue" in d for d in claim_features(cases[0][0], extractor.terms(cases[0][0]), [ev], [], df,
                                                      None, True)[2])


def test_arabic_addressee_glued_to_the_sender_is_split(full):
    """"قال فيرما لكلينتون" is Verma speaking to Clinton: the sentence parser reads the two words
    as one sender; the archive's people and names split them.  Lavrov's name starts with ل
    and stays whole."""
    from dalil.trace.claims import extract_metadata
    from dalil.trace.verdict import split_addressee
    tracer = full.tracer
    meta = extract_metadata("وفي رسالة سابقة قال فيرما لكلينتون إن فريقه أرسل الوثائق.", "ar")
    assert meta["sender"] == "فيرما لكلينتون"
    split = split_addressee(meta, full.person, tracer.name_score)
    assert split["sender"] == "فيرما" and split["recipient"] == "كلينتون"
    assert full.person(split["recipient"]).name == "Hillary Clinton"
    lavrov = {"sender": "سيرغي لافروف"}
    assert split_addressee(lavrov, full.person, tracer.name_score) == lavrov


def test_no_negation_flip_where_the_lexicon_does_not_know_the_language(corpus_doc):
    # Turkish negates in the verb ("bilmediğini", "that he did not know"): the claim has no
    # negation word, yet it is negated like the source.  Spanish has a lexicon.
    ev = _evidence(corpus_doc, "C05764217", "I have to let PJ respond, because I honestly don't know what was executed")
    tr = "Philippe Reines neyin uygulandığını gerçekten bilmediğini ve yanıtı PJ'ye bırakacağını yazdı."
    es = "Philippe Reines escribió que sabía lo que se había ejecutado y que dejaría responder a PJ."
    es_no = es.replace("que sabía", "que no sabía")
    assert claim_features(tr, _terms(tr, [("uygulandığını", "executed")]), [ev], [], lang="tr")[0]["neg_flip"] == 0
    assert claim_features(es, _terms(es, [("ejecutado", "executed")]), [ev], [], lang="es")[0]["neg_flip"] == 1
    assert claim_features(es_no, _terms(es_no, [("ejecutado", "executed")]), [ev], [], lang="es")[0]["neg_flip"] == 0
    # "PJ'ye" (Turkish: "to PJ") is PJ, whom the source names.
    term = Term(tr.index("PJ'ye"), tr.index("PJ'ye") + 5, "PJ'ye", "name", ["pj'ye"])
    f, _, differs = claim_features(tr, [term], [ev], [], lang="tr")
    assert f["names_missing"] == 0, differs


def test_an_arabic_place_the_source_lacks_is_named(full, corpus_doc):
    # لندن is London for sure (the gazetteer); a transliteration guess or a person is not reported.
    from dalil.trace.terms import TermExtractor
    extractor = TermExtractor.for_store(full.store)
    ev = _evidence(corpus_doc, "C05768556", "Grassley is going to vote in favor of cloture and oppose on confirmation vote.")
    assert "london" not in ev.doc_text.lower()
    claim = "قال غراسلي في لندن إنه سيصوت لصالح إنهاء النقاش."
    f, _, differs = claim_features(claim, extractor.terms(claim), [ev], [], lang="ar")
    assert any("لندن (London)" in d for d in differs), differs
    assert f["names_missing"] == 1, differs


def test_a_negated_sentence_beside_the_stating_one_is_no_flip(corpus_doc):
    # C05768005: "I'm sorry, I didn't know. But the Belfast people have / come up with a FANTASTIC
    # story -- ... they have tracked down the two kids who won the peace essay contest in the
    # 90s". The quote's first sentence is negated; the one that states the claim is not.
    from dalil.trace.evidence import source_sentences
    text = corpus_doc("C05768005").read_text(encoding="utf-8")
    start = text.index("I'm sorry, I didn't know.")
    end = text.index("one is a police officer.") + len("one is a police officer.")
    sentences = [text[a:b] for a, b in source_sentences(text, start, end)]
    assert sentences[1].startswith("But the Belfast people have")       # a line break inside a sentence
    ev = Evidence(doc_id="C05768005", release=None, page=1, char_start=start, char_end=end, byte_start=start,
                  byte_end=end, quote=text[start:end], score=1.0, similarity=0.6, coverage=0.5, doc_text=text)
    claim = "L'équipe de Belfast a retrouvé les deux enfants lauréats du concours d'essais des années 90."
    terms = [Term(claim.index("Belfast"), claim.index("Belfast") + 7, "Belfast", "name", ["belfast"]),
             Term(claim.index("90"), claim.index("90") + 2, "90", "number", ["90"], "90")]
    f, _, differs = claim_features(claim, terms, [ev], [], lang="fr")
    assert f["neg_flip"] == 0 and f["num_mismatch"] == 0, differs


def test_source_sentences_over_ocr_lines_addresses_and_quotes():
    from dalil.trace.evidence import source_sentences
    text = ('From: Mills, Cheryl D <MillsCD@state.gov>\nSent: Sunday\n\nIt was "wrong -- to argue\n'
            'that Jews control the media." Instead, we argued. The rate rose 3.5 percent. Done!')
    assert [text[a:b] for a, b in source_sentences(text, 0, len(text))] == [
        "From: Mills, Cheryl D <MillsCD@state.gov>\nSent: Sunday",
        'It was "wrong -- to argue\nthat Jews control the media."', "Instead, we argued.",
        "The rate rose 3.5 percent.", "Done!"]


def test_messages_from_the_claimed_sender_to_the_claimed_recipient(full):
    """"Mara Rudman wrote to Cheryl Mills": the messages Rudman addressed to Mills are a narrower
    set than all of Rudman's, and a claim that names both is traced to one of them."""
    from dalil.trace.evidence import _person
    finder = full.tracer.finder
    meta = {"sender": "مارا رودمان", "recipient": "شيريل ميلز"}
    sent, pair = finder._correspondent_docs(meta), finder._correspondent_docs(meta, to=True)
    assert pair and set(pair) < set(sent)
    rudman, mills = set(_person(full.person, "Mara Rudman").forms), set(_person(full.person, "Cheryl Mills").forms)
    for doc_id in pair:
        rows = full.store.db.execute("SELECT sender, recipients, cc FROM messages WHERE doc_id = ?", (doc_id,))
        assert any(s in rudman and mills & set(json.loads(r) + json.loads(c)) for s, r, c in rows)
    # A recipient who is the sender, or whom the archive does not know, narrows nothing.
    assert finder._correspondent_docs({"sender": "Mara Rudman", "recipient": "Mara Rudman"}, to=True) == {}
    assert finder._correspondent_docs({"sender": "Mara Rudman", "recipient": "Zzyzx Qwerty"}, to=True) == {}
    report = full.trace("كتبت مارا رودمان لشيريل ميلز أن جورج ميتشل يحتاج إلى تعزيز فريقه بموظفين إضافيين.")
    claim = report.claims[0]
    assert claim.claim.meta.get("recipient") == "شيريل ميلز"
    cited = {e.doc_id for e in claim.evidence[:5]} | {d for e in claim.evidence[:5] for d in e.duplicates}
    assert cited & set(pair)


def test_claim_words_carry_the_bridge_translations(quality_archive):
    """An Arabic claim's words reach the English sources through the search bridge: مكالمة آمنة
    is a secure call, not the names Amina or Amin that transliteration alone guessed; sure names
    and numbers keep their forms."""
    from dalil.trace.claims import Claim
    from dalil.trace.terms import with_translations
    from dalil.trace.tracer import translated_terms
    tracer = quality_archive.tracer        # an archive with vectors: the bridge's vocabulary
    claim = "أرادت كلينتون أن تتحدث غداً إلى غيتس في مكالمة آمنة، بين الثامنة والعاشرة."
    plain = {t.surface: t for t in tracer.terms.terms(claim)}
    bridged = tracer.bridge(Claim(claim, 0, len(claim), "ar"))
    translated = {t.surface: t for t in translated_terms(list(plain.values()), claim, bridged)}
    assert "secure" not in plain["آمنة"].alts and "secure" in translated["آمنة"].alts
    assert translated["آمنة"].kind == "word" and not translated["آمنة"].guess
    assert translated["غيتس"].alts == plain["غيتس"].alts and "gates" in translated["غيتس"].alts
    assert translated["الثامنة"].alts == plain["الثامنة"].alts == ["8"]
    # An expression the bridge reads as one becomes one term over its words.
    text = "ناقشوا جدول الأعمال"
    words = [Term(text.index(w), text.index(w) + len(w), w, "word", [w]) for w in text.split()]
    merged = with_translations(words, text, {"جدول الأعمال": ["agenda"]})
    assert [(t.surface, t.alts[-1]) for t in merged] == [("ناقشوا", "ناقشوا"), ("جدول الأعمال", "agenda")]
    # English claims are left as they are.
    english = "Clinton asked for a secure call with Gates."
    assert tracer.bridge(Claim(english, 0, len(english), "en")) is None


def test_a_content_claim_with_a_full_date_looks_at_that_day(full):
    """"Clinton's schedule of 12 July 2010 ...": the documents with a message of that day (a day
    of time-zone slack either way) are candidates and carry the date as a signal."""
    finder = full.tracer.finder
    dated = finder._correspondent_docs({"date": "2010-07-12"})
    assert "C05769552" in dated          # the schedule for that Monday
    for doc_id in dated:
        days = [r[0][:10] for r in full.store.db.execute("SELECT date FROM messages WHERE doc_id = ?", (doc_id,)) if r[0]]
        assert any("2010-07-11" <= d <= "2010-07-13" for d in days if d)
    claim = "Selon l'agenda de Clinton du 12 juillet 2010, elle devait appeler Ahmet Davutoglu à 10 heures."
    terms = full.tracer.terms.terms(claim)
    c = finder.candidates(claim, terms, {})
    assert c.signals and all(sig["dated"] == float(d in dated) for d, sig in c.signals.items())
    assert any(sig["dated"] for sig in c.signals.values())


def test_an_absolute_the_source_lacks_makes_a_claim_partly_supported(quality_archive):
    """Boxer's statement: "8.3 million borrowers, 97 percent of whom are women".  A French article
    that makes them all women is partly supported, and says which word goes too far; one that
    says "mostly" is supported."""
    tracer = quality_archive.tracer
    over = tracer.trace("Selon la déclaration du sénateur Boxer, la Grameen Bank prête à 8,3 millions "
                        "d'emprunteurs, toutes des femmes.", max_claims=1, every_sentence=True).claims[0]
    fair = tracer.trace("Selon la déclaration du sénateur Boxer, la Grameen Bank prête à 8,3 millions "
                        "d'emprunteurs, surtout des femmes.", max_claims=1, every_sentence=True).claims[0]
    assert {"C05791672", "C05795573"} & {over.evidence[0].doc_id, *over.evidence[0].duplicates}
    assert over.verdict.label == "partly_supported" and "'toutes'" in over.verdict.explanation
    assert fair.verdict.label == "supported"


def test_a_french_demonym_is_a_word_not_an_unknown_name(quality_archive):
    """"les Irakiens" is capitalized like a name, but no document holds it: the bridge translates
    it (Iraqi), so the claim is not read as naming something the archive lacks."""
    bridge = quality_archive.hybrid.bridge
    assert "iraqi" in bridge.bridge("Les Irakiens", "fr").sources.get("Irakiens", [])
    assert "Clinton" not in bridge.bridge("Clinton", "fr").sources or \
        "clinton" in bridge.bridge("Clinton", "fr").sources["Clinton"]     # a name stays itself
    claim = "Selon Hill, il restait inquiet à propos des Irakiens."
    result = quality_archive.trace(claim, max_claims=1, every_sentence=True).claims[0]
    assert result.verdict.features["names_unknown"] == 0
    assert "never mentions" not in result.verdict.explanation


def test_a_short_form_takes_only_a_plural_or_possessive():
    """"Sid" (Blumenthal's first name) is not "side"; "PJ" is in "PJ's"; a longer form keeps its
    inflections ("Republican" in "Republicans")."""
    from dalil.trace.evidence import term_hits
    sid = Term(0, 3, "Sid", "name", ["sid"])
    assert term_hits([sid], "Clinton moved them substantially toward his side.") == {}
    assert term_hits([sid], "Sid's note and Sids") == {0: [(0, 5), (15, 19)]}
    rep = Term(0, 10, "Republican", "name", ["republican"])
    assert term_hits([rep], "prefer a Republican candidate; Republicans ahead") == {0: [(9, 19), (31, 42)]}


def test_a_full_name_is_not_found_by_its_surname_after_another_first_name(corpus_doc):
    """"I want to see Alec Ross in next few weeks" (C05789784) does not mention Dennis Ross,
    though "Ross" alone stands for him where no other first name comes before it."""
    from dalil.trace.evidence import term_hits
    ross = Term(0, 11, "Dennis Ross", "name", ["dennis ross", "ross"])
    text = corpus_doc("C05789784").read_text(encoding="utf-8")
    assert "Alec Ross" in text and term_hits([ross], text) == {}
    assert term_hits([ross], "Ambassador Ross called; Dennis B. Ross agreed") == {0: [(11, 15), (34, 38)]}
