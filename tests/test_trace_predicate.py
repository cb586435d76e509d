"""The predicate of a claim (who did what), apart from its names: the claim and its quote compared
without the names, numbers and dates they share, and a not_found verdict when no passage states the
predicate though every name of the claim is in the archive.  Sentences are written for these tests
or taken from corpus documents; none comes from an evaluation set."""
import pytest

from dalil.trace.evidence import without_spans
from dalil.trace.verdict import decide, model, stated


def test_without_spans_cuts_and_joins():
    text = "Sidney Blumenthal wrote to Clinton on 3 May 2010 about Tripoli."
    spans = [(0, 17), (27, 34), (38, 48), (55, 62)]
    assert without_spans(text, spans) == "wrote to on about ."
    assert without_spans(text, []) == text
    assert without_spans("abc def", [(0, 3), (1, 2), (0, 7)]) == ""     # overlapping spans


def test_arabic_spans():
    text = "كتب بلومنتال إلى كلينتون عن طرابلس"
    a = text.index("بلومنتال")
    b = text.index("كلينتون")
    assert without_spans(text, [(a, a + len("بلومنتال")), (b, b + len("كلينتون"))]) == "كتب إلى عن طرابلس"


def _features(sim, pred, cov, dcov=None, psim=None):
    return {"sim": sim, "pred": pred, "psim": sim if psim is None else psim, "cov": cov,
            "dcov": cov if dcov is None else dcov}


def test_the_stored_model_reads_the_predicate():
    """Same names found, same sentence similarity: the passage whose words left after the names
    are far from the claim's is the less likely to state it."""
    assert model().get("predicate"), "verdict_model.json holds no predicate model"
    close = stated(_features(0.6, 0.6, 0.8))
    names_only = stated(_features(0.6, 0.15, 0.8))
    assert close > names_only
    assert stated({"no_evidence": 1.0}) is None


def test_the_floor_rule_reads_the_predicate():
    """With a floor on the predicate probability (the stored one is fitted and may be 0, see
    docs/trace.md), every name found but the similarity owed to them alone gives not_found when a
    core fact is missing too; the predicate stated, or every fact found, does not."""
    m = {**model(), "thresholds": {**model()["thresholds"], "min_stated": 0.3, "unstated_needs_missing_fact": True}}
    names_only = _features(0.45, 0.05, 0.3) | {"pred_max": 0.05, "core_missing": 1}
    assert decide(names_only, m)[0] == "not_found"
    assert decide(names_only | {"core_missing": 0}, m)[0] != "not_found"
    assert decide(_features(0.8, 0.75, 0.9) | {"pred_max": 0.75, "core_missing": 1}, m)[0] == "supported"


def _predicate(verdict):
    found = [("aligned", f) for f in verdict.facts["aligned"] if f["kind"] == "predicate"]
    found += [("missing", f) for f in verdict.facts["missing"] if f["kind"] == "predicate"]
    assert len(found) == 1, verdict.facts
    return found[0]


# People who correspond in the archive, an event written for this test that never happened.
@pytest.mark.parametrize("claim", [
    "Sidney Blumenthal asked Hillary Clinton to lend him her car for a weekend in Florida.",
    "Sidney Blumenthal a demandé à Hillary Clinton de lui prêter sa voiture pour un week-end en Floride.",
    "طلب سيدني بلومنتال من هيلاري كلينتون أن تعيره سيارتها لقضاء عطلة نهاية الأسبوع في فلوريدا.",
])
def test_an_event_that_never_happened_is_never_plainly_supported(quality_archive, claim):
    v = quality_archive.trace(claim, max_claims=1, every_sentence=True).claims[0].verdict
    side, fact = _predicate(v)
    assert side == "missing" and fact["core"], fact
    assert v.label != "supported" or v.needs_review, (v.label, v.explanation)
    if v.label == "supported":
        assert "may not state what the claim says happened" in v.explanation


# Sentences of corpus documents (C05786843, C05768526, C05787841), reworded for the test: the
# predicate is stated, so the rule must not fire.
@pytest.mark.parametrize("claim", [
    "Doug Lute will leave the NSC on July 1.",
    "Doug Lute va quitter le NSC le 1er juillet.",
    "Grassley votera pour la clôture du débat et contre la confirmation.",
    "The Secretary is establishing an Office of the Coordinator for Cyber Issues, announced in the "
    "Quadrennial Diplomacy and Development Review.",
])
def test_a_stated_predicate_is_aligned(quality_archive, claim):
    v = quality_archive.trace(claim, max_claims=1, every_sentence=True).claims[0].verdict
    side, fact = _predicate(v)
    assert side == "aligned" and fact["source"], fact
    assert "may not state what the claim says happened" not in v.explanation
