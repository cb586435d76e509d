"""Absolutes an article adds to its source (dalil.trace.overstatement), read on real passages, and
the verdict they lead to: a claim that repeats its source and overstates part of it is partly
supported."""
from __future__ import annotations

import pytest

from dalil.trace.overstatement import overstatements
from dalil.trace.verdict import decide


def _sentence(corpus_doc, doc_id: str, start: str, length: int = 300) -> str:
    text = " ".join(corpus_doc(doc_id).read_text(encoding="utf-8").split())
    at = text.index(start)
    return text[at:at + length]


@pytest.mark.parametrize("doc_id,start,claim,added", [
    # "97 percent of whom are women": the article's "all" is more than the source says.
    ("C05791672", "Grameen Bank serves more than",
     "Boxer wrote that Grameen Bank lends to 8.3 million borrowers, all of them women.", ["all"]),
    ("C05791672", "Grameen Bank serves more than",
     "Selon Boxer, la Grameen Bank prête à 8,3 millions d'emprunteurs, toutes des femmes.", ["toutes"]),
    ("C05791672", "Grameen Bank serves more than",
     "Boxer wrote that Grameen Bank lends to 8.3 million borrowers, most of them women.", []),
    # "close its consulate ... and reduce the size of its embassy": not both closed.
    ("C05797799", "Italy plan to close its consulate",
     "Blumenthal reported that Italy would close both its consulate in Benghazi and its embassy in Tripoli.",
     ["both"]),
    ("C05797799", "Italy plan to close its consulate",
     "ذكر بلومنتال أن إيطاليا ستغلق قنصليتها في بنغازي وسفارتها في طرابلس كلتيهما.", ["كلتيهما"]),
    # Postponed, not cancelled for good (with tashkeel and the proclitic و).
    ("C05796073", "I was planning to leave for Africa",
     "كتب أولسن أن الجلسة سارت جيداً وأنه ألغى رحلته إلى أفريقيا نهائياً.", ["نهائيا"]),
    ("C05796073", "I was planning to leave for Africa",
     "Olsen a écrit qu'il avait reporté son voyage en Afrique.", []),
    # The source's own "all" states the claim's "tous".
    ("C05785286", "Secretary Clinton's Friday visit",
     "La visite de Clinton à Islamabad a fait la une de tous les médias pakistanais.", []),
    # "les deux" alone is a count ("the two winners"); "tous les deux" is "both", and no "all".
    ("C05797799", "Italy plan to close its consulate",
     "Blumenthal a écrit que les deux bureaux italiens fermeraient.", []),
    ("C05797799", "Italy plan to close its consulate",
     "Blumenthal a écrit que l'Italie fermerait tous les deux.", ["tous les deux"]),
    # A count of one ("un seul mot") is no claim of exclusivity.
    ("C05796073", "I was planning to leave for Africa",
     "Olsen a répondu d'un seul mot sur l'Afrique.", []),
])
def test_absolutes_the_source_does_not_state(corpus_doc, doc_id, start, claim, added):
    assert overstatements(claim, _sentence(corpus_doc, doc_id, start)) == added


def test_an_overstated_claim_is_partly_supported():
    close = {"sim": 0.6, "dcov": 0.8, "cov": 0.6}
    assert decide(close)[0] == "supported"
    assert decide(dict(close, overstated=1.0))[0] == "partly_supported"
    # A number that differs is a contradiction whatever else the claim adds.
    assert decide(dict(close, overstated=1.0, num_mismatch=1.0))[0] == "contradicted"
    # Far from every passage, an absolute changes nothing: the claim is not found.
    assert decide({"sim": 0.1, "dcov": 0.1, "cov": 0.1, "overstated": 1.0})[0] == "not_found"
