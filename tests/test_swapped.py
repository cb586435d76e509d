"""Swapped details (dalil.trace.substitution, dalil.trace.comparison): a claim that moves the
summit from Lisbon to Brussels, or turns "more in the Falklands than in Afghanistan" round, holds
terms the source holds too; the verdict reads the swap.  Checked on the corpus's own sentences."""
from __future__ import annotations

import pytest

from dalil.trace.comparison import compared
from dalil.trace.features import claim_features
from dalil.trace.terms import Term
from dalil.trace.verdict import decide
from test_trace_features import _evidence

LISBON = "Joao got back to me to say EU accepts idea of Nov. 20 US-EU summit in Lisbon"
FALKLANDS = "the UK lost more soldiers in the Falklands than they have in Afghanistan"
GALLUP = ("Overall, a majority of Americans prefer a Republican\ncandidate (regardless of experience) to a "
          "Democrat, 53% to 40%.")


def _names(claim: str, pairs: list[tuple[str, list[str]]]) -> list[Term]:
    return [Term(claim.index(w), claim.index(w) + len(w), w, "name", alts) for w, alts in pairs]


@pytest.mark.parametrize("claim,pairs,swapped", [
    ("Philip Gordon reported that the EU had accepted a November 20 US-EU summit in Brussels.",
     [("EU", ["eu"]), ("summit", ["summit"]), ("Brussels", ["brussels"])], 1),
    ("Philip Gordon reported that the EU had accepted a November 20 US-EU summit in Lisbon.",
     [("EU", ["eu"]), ("summit", ["summit"]), ("Lisbon", ["lisbon"])], 0),
    # Arabic: بروكسل is Brussels in the gazetteer.
    ("قال فيليب غوردون إن الاتحاد الأوروبي قبل قمة في بروكسل.",
     [("الاتحاد الأوروبي", ["european union", "eu"]), ("بروكسل", ["brussels"])], 1),
    # A country the source does not name, beside a city it does, is no swap: kinds differ.
    ("Philip Gordon reported that the EU had accepted a summit in Portugal.",
     [("EU", ["eu"]), ("summit", ["summit"]), ("Portugal", ["portugal"])], 0),
])
def test_a_place_swapped_for_another_of_its_kind(corpus_doc, claim, pairs, swapped):
    f, _, differs = claim_features(claim, _names(claim, pairs), [_evidence(corpus_doc, "C05770941", LISBON)], [])
    assert f["swapped"] == swapped, differs
    if swapped:
        assert any("the source says Lisbon" in d for d in differs)
        assert decide(f)[0] == "contradicted"


@pytest.mark.parametrize("doc_id,sentence,claim,pairs,swapped", [
    ("C05765825", FALKLANDS,
     "Michael Fuchs a indiqué que le Royaume-Uni avait perdu davantage de soldats en Afghanistan qu'aux Malouines.",
     [("Afghanistan", ["afghanistan"]), ("Malouines", ["falklands"])], 1),
    ("C05765825", FALKLANDS,
     "Michael Fuchs a indiqué que le Royaume-Uni avait perdu davantage de soldats aux Malouines qu'en Afghanistan.",
     [("Malouines", ["falklands"]), ("Afghanistan", ["afghanistan"])], 0),
    ("C05765825", FALKLANDS,
     "قال مايكل فوكس إن بريطانيا خسرت في أفغانستان جنوداً أكثر من فوكلاند.",
     [("أفغانستان", ["afghanistan"]), ("فوكلاند", ["falklands"])], 1),
    ("C05771276", GALLUP,
     "According to Gallup, Americans preferred a Democratic candidate over a Republican by 53% to 40%.",
     [("Democratic", ["democrats", "democratic", "democrat"]), ("Republican", ["republicans", "republican"])], 1),
    ("C05771276", GALLUP,
     "According to Gallup, Americans preferred a Republican candidate over a Democrat by 53% to 40%.",
     [("Republican", ["republicans", "republican"]), ("Democrat", ["democrats", "democratic", "democrat"])], 0),
])
def test_a_comparison_turned_round(corpus_doc, doc_id, sentence, claim, pairs, swapped):
    f, _, differs = claim_features(claim, _names(claim, pairs), [_evidence(corpus_doc, doc_id, sentence)], [])
    assert f["swapped"] == swapped, differs
    if swapped:
        assert any("turned round" in d for d in differs)


def test_a_comparison_needs_a_cue_and_a_marker_between_close_terms():
    text = "the UK lost more soldiers in the Falklands than they have in Afghanistan"
    a, b = text.index("Falklands"), text.index("Afghanistan")
    assert compared(text, (a, a + 9), (b, b + 11))
    assert not compared(text, (b, b + 11), (a, a + 9))             # order matters
    plain = "the UK sent soldiers to the Falklands and then to Afghanistan"
    a, b = plain.index("Falklands"), plain.index("Afghanistan")
    assert not compared(plain, (a, a + 9), (b, b + 11))            # "to" without a comparative
    split = "more soldiers died in the Falklands. Than that, Afghanistan"
    a, b = split.index("Falklands"), split.index("Afghanistan")
    assert not compared(split, (a, a + 9), (b, b + 11))            # a sentence ends between them
