"""Opposite stances (dalil.trace.stance): a claim that says "agreed", "supports" or "optimiste"
where its source says "disagree", يعارض or "worried" is contradicted, though no negation word
marks the reversal.  Checked on the corpus's own sentences, in the three tuned languages."""
from __future__ import annotations

import pytest

from dalil.trace.features import claim_features
from dalil.trace.stance import stance_flips
from test_trace_features import _evidence, _terms   # the corpus passage as cited evidence


@pytest.mark.parametrize("doc_id,sentence,claim,pairs,flips", [
    # Blumenthal "disagrees" with the piece's emphasis on the deficit.
    ("C05765732", "I disagree with the ideological and\npartisan undercurrent of the piece, especially his "
     "overemphasis of the deficit as an overriding political factor",
     "Blumenthal wrote to Clinton that he agreed with the column's focus on the deficit as the decisive "
     "political factor.", [("deficit", "deficit"), ("political", "political")], 1),
    ("C05765732", "I disagree with the ideological and\npartisan undercurrent of the piece, especially his "
     "overemphasis of the deficit as an overriding political factor",
     "Sid Blumenthal told Clinton he disagreed with the article's emphasis on the deficit.",
     [("deficit", "deficit")], 0),
    # Arabic: "Burns opposes his ideas" against "he supports my ideas here".
    ("C05786271", "Burns and I have discussed this, and he supports my ideas here.",
     "ذكر فيلتمان أن بيرنز يعارض مقترحاته لتوظيف فريق مكتبه.",
     [("بيرنز", "burns")], 1),
    ("C05786271", "Burns and I have discussed this, and he supports my ideas here.",
     "ذكر فيلتمان أن بيرنز يؤيد مقترحاته لتوظيف فريق مكتبه.",
     [("بيرنز", "burns")], 0),
    # French: "bien plus optimiste" against "I truly remain worried".
    ("C05765347", "I wish I felt better about Iraqis as a result, but I truly remain worried about these people.",
     "Selon Hill, il était devenu bien plus optimiste à propos des Irakiens.",
     [("Irakiens", "iraqis")], 1),
    # A claim that is itself negated is no stance: "did not agree" is what "disagree" says.
    ("C05765732", "I disagree with the ideological and\npartisan undercurrent of the piece, especially his "
     "overemphasis of the deficit as an overriding political factor",
     "Sid Blumenthal told Clinton he did not agree with the emphasis on the deficit.",
     [("deficit", "deficit")], 0),
])
def test_stance_flip_on_corpus_sentences(corpus_doc, doc_id, sentence, claim, pairs, flips):
    f, _, differs = claim_features(claim, _terms(claim, pairs), [_evidence(corpus_doc, doc_id, sentence)], [])
    assert f["stance_flip"] == flips, differs
    if flips:
        assert any("where the source says" in d for d in differs)


def test_both_poles_in_the_source_passage_are_no_flip():
    # The source reports both sides: the claim's pole is there too.
    passage = "Cameron praised the agreement; the DUP opposed it."
    assert stance_flips("Cameron opposed the agreement.", "the DUP opposed it.", passage) == []
    assert stance_flips("Cameron opposed the agreement.", "Cameron praised the agreement", passage) == []
    assert stance_flips("كاميرون عارض الاتفاق", "Cameron praised the agreement", "Cameron praised the agreement") \
        == [("عارض", "praised")]


def test_arabic_forms_take_prefixes_and_suffixes_but_not_other_words():
    # وعارضت (and she opposed), المعارضة (the opposition); وافق (agreed); a longer word is none.
    assert stance_flips("وعارضت الوزيرة الخطة", "she supported the plan", "") == [("وعارضت", "supported")]
    assert stance_flips("ووافق الوزير على الخطة", "he disagreed with the plan", "") == [("ووافق", "disagreed")]
    assert stance_flips("عارضوها", "she supported the plan", "") == [("عارضوها", "supported")]
    assert stance_flips("معارضات كثيرة", "she supported the plan", "") == []


def test_a_reversal_on_a_close_passage_counts_where_the_sentence_is_cut(corpus_doc):
    """OCR cut the source's sentence after its subject line: the quote "Was in 2002 (not the
    80s)" is far from the claim as a sentence, but its passage is close; "the 1980s" of the
    claim is the source's "80s", which the source negates (the claim written for this test is contradicted)."""
    from dalil.text.lexicon import NameLexicon
    from dalil.trace.terms import TermExtractor
    from dalil.trace.verdict import decide
    claim = "In a note to Sullivan, Verma said the most recent authorization bill for the Department passed in the 1980s."
    decade = [t for t in TermExtractor(NameLexicon([])).terms(claim) if t.kind == "number"]
    assert [t.value for t in decade] == ["80"] and "80s" in decade[0].alts
    ev = _evidence(corpus_doc, "C05797220", "Was in 2002 (not the 80s) as I had said today.", similarity=0.2)
    ev.passage_similarity, ev.doc_coverage = 0.5, 0.85   # as traced: the document holds the claim's terms
    f, _, differs = claim_features(claim, decade, [ev], [])
    assert f["neg_flip"] == 1, differs
    assert decide(f)[0] == "contradicted"
    f["psim"] = 0.1                 # far as a sentence and as a passage: no verdict on it
    assert decide(f)[0] != "contradicted"
