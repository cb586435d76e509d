"""Verdict of a claim from its best evidence: the checkable differences of `features.py`, read
by a small decision procedure whose thresholds are stored beside this module
(`verdict_model.json`, fitted on the development claims by `python -m tools.dalil_dev fit`; the
same file holds the confidence of each outcome and the floors of the header name and subject
matches, which are set by hand, not fitted):

1. not_found: no evidence, a name the archive never mentions, or a best passage that is both
   far in meaning (similarity below `min_similarity`) and thin in terms (coverage below
   `min_coverage`);
2. contradicted: a number or date that differs from the source, a claimed header (sender,
   date) that no message of the document bears, or a negation flip, an opposite stance
   (stance.py), a swapped place (substitution.py) or a comparison turned round (comparison.py)
   on a close sentence or passage (similarity at least `negation_similarity`; a negation counts
   only where its clause holds one of the claim's terms, features.py);
3. partly_supported: a claim that passes those checks but adds an absolute its source passage
   does not state ("all" borrowers where the source says 97 percent; "cancelled for good" where
   it says "postponed"; overstatement.py), when `use_overstatement` is on;
4. supported otherwise.  A misattribution or a swapped role with no absolute in it still
   reads like its source to every check here.

The predicate model (`stated`: the probability that the best passage states what the claim says
happened, from its similarity to the claim once their shared names, numbers and dates are cut
out, learnt on pairs made from corpus sentences by tools/dalil_dev/predicate_pairs.py) adds the
predicate to the claim's facts, flags a `supported` verdict whose predicate is missing
(`review_stated`) and calibrates it apart; its floor `min_stated` (not_found after the slot
checks, when a core fact is missing too) is stored at 0, as fitted on the tuning half.

No multilingual NLI model ships in an installable wheel that works offline, so the verdict rests
on features a reader can check; each one that fires adds a sentence to the explanation.
"""
from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from dalil.intel.people import Person
from dalil.text.datafile import tsv_rows
from dalil.text.normalize import normalize_for_index
from dalil.text.numbers import numbers_in
from dalil.trace.evidence import FACT_KINDS, Evidence, term_hits, without_spans
from dalil.trace.features import CONTEXT, claim_features, dates_agree
from dalil.trace.terms import Term

LABELS = ["supported", "partly_supported", "contradicted", "not_found"]
MODEL_PATH = Path(__file__).with_name("verdict_model.json")
ROLES_DATA = Path(__file__).with_name("data") / "roles.tsv"
SUPPORTED_NEEDS_CORE_FACTS = False     # measured: lowers validation macro-F1 (docs/trace.md)
REVIEW_BELOW = 0.6           # confidence under which a person should read the source before relying on it
CORE_KINDS = ("name", "number", "date")


@dataclass
class Verdict:
    label: str                 # supported | partly_supported | contradicted | not_found
    confidence: float
    explanation: str
    metadata_checks: list[dict] = field(default_factory=list)
    features: dict[str, float] = field(default_factory=dict, repr=False)
    facts: dict = field(default_factory=dict)    # aligned, missing, conflicting, passage
    needs_review: bool = False


_MODEL: dict | None = None


def model() -> dict:
    global _MODEL
    if _MODEL is None:
        _MODEL = json.loads(MODEL_PATH.read_text())
    return _MODEL


def decide(f: dict[str, float], m: dict | None = None) -> tuple[str, float]:
    """(label, confidence) for one feature dict under thresholds `m` (default: the stored ones)."""
    th = (m or model())["thresholds"]
    conf = model()["confidence"]         # stored, not fitted: how sure each way of deciding is
    if not f or f.get("no_evidence"):
        return "not_found", conf["no_evidence"]
    sim, cov = f.get("sim", 0.0), f.get("dcov", 0.0)
    if f.get("names_unknown", 0) >= 1:
        return "not_found", conf["unknown_name"]
    if sim < th["min_similarity"] and cov < th["min_coverage"]:
        margin = min(th["min_similarity"] - sim, th["min_coverage"] - cov)
        c = conf["not_found"]
        return "not_found", round(min(c["max"], c["base"] + margin * c["per_margin"]), 3)
    differences = f.get("num_mismatch", 0) + f.get("date_mismatch", 0)
    if th.get("use_metadata"):
        differences += f.get("meta_fail", 0)
    # The quote is one sentence, and OCR breaks sentences (a line ending "bill" and the next
    # "Was in 2002 (not the 80s)"): a reversal counts where the sentence or its passage is close.
    if max(sim, f.get("psim", 0.0)) >= th["negation_similarity"]:
        differences += f.get("neg_flip", 0) + f.get("stance_flip", 0) + f.get("swapped", 0)
    if differences:
        c = conf["contradicted"]
        return "contradicted", round(min(c["max"], c["base"] + c["per_difference"] * differences), 3)
    # No passage states the predicate (who did what), though the names and topic may all be in
    # the archive: the predicate model's probability under the fitted floor.  After the slot
    # conflicts: a claim that holds another number, date or polarity than its passage is read
    # against that passage's predicate, which it shares.
    p_stated = stated(f, m)
    if p_stated is not None and p_stated < th.get("min_stated", 0.0) \
            and (f.get("core_missing", 0) >= 1 or not th.get("unstated_needs_missing_fact")):
        c = conf["not_found"]
        return "not_found", round(min(c["max"], c["base"] + (th["min_stated"] - p_stated) * c["per_margin"]), 3)
    if f.get("overstated", 0) and th.get("use_overstatement"):
        c = conf["partly_supported"]
        return "partly_supported", round(min(c["max"], c["base"] + c["per_closeness"] * max(sim, cov)), 3)
    if p_stated is not None and p_stated < th.get("partly_stated", 0.0) and f.get("core_missing"):
        # The predicate is stated only loosely and a name, number or date of the claim is not in
        # the passage or its message: part of the claim rests on the source, not all of it.
        c = conf["partly_supported"]
        return "partly_supported", round(min(c["max"], c["base"] + c["per_closeness"] * max(sim, cov)), 3)
    c = conf["supported"]
    return "supported", round(min(c["max"], c["base"] + c["per_closeness"] * max(sim, cov)), 3)


# How well the best passage states the claim's predicate: a logistic model over these features,
# fitted on pairs made from corpus sentences (tools/dalil_dev/predicate_pairs.py), stored under
# "predicate" in verdict_model.json.
PREDICATE_FEATURES = ["pred", "pred_max", "cov", "dcov"]


def predicate_vector(f: dict[str, float]) -> list[float]:
    """The predicate model's inputs: the similarity of the claim and its quote without the names,
    numbers and dates they share (evidence.py), its best over the cited items, and the share of
    the claim's terms in the window and in the document.  The plain sentence similarity is left
    out: the shared names carry it, which is what the model must see past."""
    return [f.get(k, 0.0) for k in PREDICATE_FEATURES]


def stated(f: dict[str, float], m: dict | None = None) -> float | None:
    """P(the best passage states the claim's predicate), or None when no model is stored."""
    p = (m or model()).get("predicate")
    if not p or not f or f.get("no_evidence"):
        return None
    z = sum(w * v for w, v in zip(p["weights"], predicate_vector(f))) + p["bias"]
    return 1 / (1 + math.exp(-max(-50.0, min(50.0, z))))


def predicate_unstated(f: dict[str, float]) -> bool:
    """Whether the predicate model finds the claim's predicate unlikely to be stated by its best
    passage: probability under the stored `review_stated` (0: never)."""
    p = stated(f)
    return p is not None and p < model()["thresholds"].get("review_stated", 0.0)


def calibration_group(label: str, f: dict[str, float]) -> str:
    """The group whose calibration applies: the label, and for `supported` whether the passage
    is unlikely to state the claim's predicate (predicate_unstated), else whether a core fact
    (name, number, date) of the claim is missing from the cited passage and its message."""
    if label != "supported":
        return label
    if predicate_unstated(f):
        return "supported/unstated"
    return "supported/core_missing" if f.get("core_missing") else label


def calibrated(label: str, raw: float, f: dict[str, float], table: dict | None = None) -> float:
    """The probability that `label` is right, read from the calibration table fitted on held-out
    claims (`python -m tools.dalil_dev calibrate`): per group, steps [upper raw confidence,
    probability] in increasing order.  The raw confidence when no table is stored."""
    steps = (model().get("calibration") or {} if table is None else table).get(calibration_group(label, f))
    if not steps:
        return raw
    for upper, p in steps:
        if raw <= upper:
            return p
    return steps[-1][1]


Resolve = Callable[[str], Person | None]             # the archive's person a name denotes
SamePerson = Callable[[str, str], tuple[bool, float]]   # (same person?, confidence) of two names


def _known_person(name: str, resolve: Resolve | None) -> bool:
    """Whether a claimed name denotes a correspondent of the archive: a name extracted from free
    text that resolves to nobody says nothing about the headers."""
    if resolve is None:
        return False
    try:
        return resolve(name) is not None
    except Exception:       # people resolution is optional
        return False


def judge(claim_text: str, terms: list[Term], meta: dict[str, str], evidence: list[Evidence],
          people: SamePerson | None = None, df: Callable[[str], int] | None = None,
          resolve: Resolve | None = None, same_language: bool = False, lang: str | None = None) -> Verdict:
    """`people(a, b)`: same-person test; `df(term)`: archive document frequency; `resolve(name)`:
    the archive's person for a name (all optional); `same_language`: the claim is in a language
    the archive's documents are written in; `lang`: the claim's language."""
    checks = metadata_checks(meta, evidence[0], people, resolve) if evidence else []
    trusted = [c for c in checks if c["status"] != "not_checked"
               and (c["field"] in ("date", "subject") or c.get("role_of") or _known_person(c["claimed"], resolve))]
    correspondent = _correspondent_test(evidence[0], resolve) if evidence else None
    conflicts: list[dict] = []
    f, matched, differs = claim_features(claim_text, terms, evidence, trusted, df, correspondent,
                                         same_language, lang, conflicts)
    facts = claim_facts(terms, evidence, conflicts, correspondent)
    core_missing = [m["claim"] for m in facts["missing"] if m["core"]]
    f["core_missing"] = len(core_missing)     # read by the decision and the calibration
    label, raw = decide(f)
    confidence = calibrated(label, raw, f)
    unstated = label == "supported" and predicate_unstated(f)
    predicate_fact(claim_text, terms, evidence, f, facts)
    parts = []
    if label == "supported" and core_missing and SUPPORTED_NEEDS_CORE_FACTS:
        # Supported means the cited passage (or its message) states every name, number and date
        # of the claim; a claim that adds one the source lacks is at most partly supported.
        label = "partly_supported"
        parts.append("The source does not state " + ", ".join(core_missing[:4]) + ".")
    if not evidence:
        parts.append("No document in the archive matches this claim.")
    elif label == "not_found":
        best = evidence[0]
        parts.append(f"No passage states this: the closest ({best.doc_id}, page {best.page}) matches "
                     f"{best.coverage:.0%} of the claim's names and terms, similarity {best.similarity:.2f}.")
    if matched and label != "not_found":
        parts.append("Matched: " + "; ".join(matched) + ".")
    if differs:
        parts.append("Differs: " + "; ".join(differs) + ".")
    if unstated:
        parts.append("The passage may not state what the claim says happened: without the names, numbers and "
                     f"dates they share, its words are far from the claim's (probability {stated(f):.2f}); "
                     "read it before relying on this.")
    if evidence and label != "not_found":
        best = evidence[0]
        parts.append(f"Source: {best.doc_id}, page {best.page} (similarity {best.similarity:.2f}, "
                     f"{best.coverage:.0%} of terms found).")
    # Calibrated, the confidence already weighs a missing core fact (its own group); the
    # hand-set confidence does not, so without a calibration table that case is flagged as such.
    review = confidence < REVIEW_BELOW or unstated or (label == "supported" and bool(core_missing)
                                                       and not model().get("calibration"))
    return Verdict(label, confidence, " ".join(parts), checks, f, facts, review)


def claim_facts(terms: list[Term], evidence: list[Evidence], conflicts: list[dict],
                correspondent=None) -> dict:
    """Both sides of a claim against its best passage: `aligned` (claim words = source words,
    in the passage, its message, or the message headers), `missing` (claim terms the passage and
    its message lack; `core` for names, numbers and dates), `conflicting` (claim value vs source
    value, from the checks of features.py) and the `passage` (document, page, byte range)."""
    conflicting = [dict(c) for c in conflicts]
    if not evidence:
        return {"aligned": [], "conflicting": conflicting, "passage": None,
                "missing": [_fact(t) | {"core": _core(t)} for t in terms]}
    ev = evidence[0]
    a, b = _message_span(ev)
    scope = ev.doc_text[a:b]
    in_passage = {}
    for t, (s, e) in ev.matched:
        in_passage.setdefault(id(t), ev.doc_text[s:e])
    in_message = term_hits(terms, scope)
    numbers = numbers_in(scope)
    header_dates = [(m.get("date") or "")[:10] for m in ev.messages if m.get("date")]
    in_conflict = {c["claim"] for c in conflicting}
    aligned, missing = [], []
    for i, t in enumerate(terms):
        if t.surface in in_conflict:
            continue              # listed once, as conflicting
        if id(t) in in_passage:
            aligned.append(_fact(t) | {"source": in_passage[id(t)], "where": "passage"})
        elif i in in_message:
            s, e = in_message[i][0]
            aligned.append(_fact(t) | {"source": scope[s:e], "where": "message"})
        elif t.kind == "number" and t.value and t.value in numbers:
            s, e = numbers[t.value][0]
            aligned.append(_fact(t) | {"source": " ".join(scope[s:e].split()), "where": "message"})
        elif t.kind == "date" and t.value and any(dates_agree(t.value, d) for d in header_dates if d):
            aligned.append(_fact(t) | {"source": next(d for d in header_dates if d and dates_agree(t.value, d)),
                                       "where": "header"})
        elif t.kind == "name" and correspondent is not None and correspondent(t.surface):
            aligned.append(_fact(t) | {"source": t.surface, "where": "header"})
        else:
            missing.append(_fact(t) | {"core": _core(t)})
    passage = {"doc_id": ev.doc_id, "page": ev.page, "start": ev.byte_start, "end": ev.byte_end, "quote": ev.quote}
    return {"aligned": aligned, "missing": missing, "conflicting": conflicting, "passage": passage}


def predicate_fact(claim_text: str, terms: list[Term], evidence: list[Evidence], f: dict[str, float],
                   facts: dict) -> None:
    """Add the claim's predicate (its words without its names, numbers and dates) to `facts`:
    aligned with the passage's quote when the predicate model finds it stated, missing (core)
    otherwise; with the model's probability.  Nothing when no model is stored or no evidence."""
    p = stated(f)
    if p is None or not evidence:
        return
    words = without_spans(claim_text, [(t.start, t.end) for t in terms if t.kind in FACT_KINDS])
    fact = {"kind": "predicate", "claim": _short(words or claim_text), "probability": round(p, 3)}
    if predicate_unstated(f):
        facts["missing"].append(fact | {"core": True})
    else:
        facts["aligned"].append(fact | {"source": _short(" ".join(evidence[0].quote.split())), "where": "passage"})


def _short(text: str, n: int = 160) -> str:
    return text if len(text) <= n else text[:n - 1].rstrip() + "…"


def _fact(t: Term) -> dict:
    return {"kind": t.kind, "claim": t.surface}


def _core(t: Term) -> bool:
    """A name, number or date a reader would check; not a transliteration guess (often a common
    word) nor the "one" of "one of"."""
    if t.kind not in CORE_KINDS or t.guess:
        return False
    return not (t.kind == "number" and t.value == "1" and not any(c.isdigit() for c in t.surface))


def _message_span(ev: Evidence) -> tuple[int, int]:
    """Character span of the message that holds the passage; the passage and its surroundings
    when the document has no parsed messages."""
    for m in ev.messages:
        start, end = m.get("start"), m.get("end")
        if start is not None and end is not None and start <= ev.char_start < end:
            return start, end
    return max(0, ev.char_start - CONTEXT), ev.char_end + CONTEXT


def _correspondent_test(ev: Evidence, resolve: Resolve | None) -> Callable[[str], bool] | None:
    """`test(name)`: whether a claimed name resolves to a sender or recipient of the cited
    document's messages, so that a name found only in the headers is not reported missing."""
    if resolve is None or not ev.messages:
        return None
    forms = {f for m in ev.messages for f in [m.get("sender"), *(m.get("recipients") or []), *(m.get("cc") or [])] if f}

    def ids(texts):
        out = set()
        for t in texts:
            try:
                p = resolve(t)
            except Exception:       # people resolution is optional
                p = None
            if p is not None and p.id:
                out.add(p.id)
        return out
    present: set | None = None

    def test(name: str) -> bool:
        nonlocal present
        if present is None:
            present = ids(forms)
        return bool(ids([name]) & present)
    return test


# --- metadata ---------------------------------------------------------------------------------
def split_addressee(meta: dict[str, str], resolve: Resolve | None,
                    name_score: Callable[[str], float] | None = None) -> dict[str, str]:
    """An Arabic sender read as two words whose second carries the preposition لـ ("to"):
    "قال فيرما لكلينتون" is Verma speaking to Clinton, not a person "Verma Liclinton".  Split
    only when the archive knows the first word as a person and not the pair, and the second
    word without its ل as a surely known name (`name_score(word)`: the name lexicon's best score,
    at least the model's `addressee_min_name_score`; transliteration guesses score ~80-130), so that a
    surname that starts with ل (سيرغي لافروف: افروف is no name) stays whole."""
    sender = meta.get("sender") or ""
    words = sender.split()
    if resolve is None or name_score is None or len(words) != 2 or not words[1].startswith("ل") \
            or words[1].startswith("ال") or len(words[1]) < 4:
        return meta
    rest = words[1][1:]
    if _known_person(sender, resolve) or not _known_person(words[0], resolve) or name_score(rest) < model()["matching"]["addressee_min_name_score"]:
        return meta
    out = dict(meta, sender=words[0])
    if "recipient" not in out and _known_person(rest, resolve):
        out["recipient"] = rest
    return out


def metadata_checks(meta: dict[str, str], ev: Evidence, people: SamePerson | None = None, resolve=None) -> list[dict]:
    """Each metadata claim against the headers of the message that holds the passage, then of
    every other message of the document (a forwarded chain, a memo forwarded the same day).
    `status`: ok, differs, or not_checked (no header to compare: no message, no date in any
    message, or a claimed person the people index does not know and no header name matches)."""
    if not meta:
        return []
    messages = _messages_of(ev)
    msg = next((m for m in messages if (m.get("start") or 0) <= ev.char_start < (m.get("end") or 10 ** 12)),
               messages[0] if messages else None)
    out = []
    for fld in ("sender", "recipient", "date", "subject"):
        if fld not in meta:
            continue
        claimed = meta[fld]
        check = {"field": fld, "claimed": claimed}
        if msg is None:
            out.append(check | {"found": None, "ok": False, "status": "not_checked"})
            continue
        role_of = None
        if fld in ("sender", "recipient"):
            role_of = next((p for m in [msg, *messages] if (p := role_person(claimed, (m.get("date") or "")[:10]))),
                           None)
            if role_of:
                check["role_of"] = role_of
        name = role_of or claimed
        found, ok = _check(fld, name, msg, people)
        if not ok:
            ok = any(_check(fld, name, m, people)[1] for m in messages if m is not msg)
        if ok:
            status = "ok"
        elif fld == "date" and not any(m.get("date") for m in messages):
            status = "not_checked"
        elif fld in ("sender", "recipient") and not role_of and not _known_person(claimed, resolve):
            status = "not_checked"
        elif not found and not any(_check(fld, name, m, people)[0] for m in messages):
            status = "not_checked"
        else:
            status = "differs"
        out.append(check | {"found": found or None, "ok": bool(ok), "status": status})
    return out


@lru_cache(maxsize=1)
def roles() -> list[tuple[str, str, str, str]]:
    """data/roles.tsv, read once: (role phrase, person, from, to), longest phrase first."""
    rows = [(phrase.casefold(), person, start, end) for phrase, _lang, person, start, end in tsv_rows(ROLES_DATA)]
    return sorted(rows, key=lambda r: len(r[0]), reverse=True)


_ARTICLE = re.compile(r"^(?:the|la|le|l['’]|el|die|der)\s*", re.I)


def role_person(claimed: str, date: str) -> str | None:
    """The person an office named in place of a name denotes on `date` ("the Secretary of
    State" in 2010 → Hillary Clinton), or None (not an office, or no holder known then)."""
    phrase = _ARTICLE.sub("", " ".join(claimed.split()).casefold())
    for role, person, start, end in roles():
        if phrase == _ARTICLE.sub("", role) and (not date or start <= date <= end):
            return person
    return None


def _check(fld: str, claimed: str, msg: dict, people: SamePerson | None) -> tuple[str, bool]:
    """(what the message's header says, whether it agrees with the claimed value)."""
    if fld == "sender":
        found = msg.get("sender") or ""
        return found, bool(found) and _name_matches(claimed, [found], people)
    if fld == "recipient":
        names = list(msg.get("recipients") or []) + list(msg.get("cc") or [])
        return "; ".join(names), bool(names) and _name_matches(claimed, names, people)
    if fld == "date":
        found = (msg.get("date") or "")[:10]
        return found, bool(found) and dates_agree(claimed, found)
    found = msg.get("subject") or ""
    return found, _subject_matches(claimed, found)


def _messages_of(ev: Evidence) -> list[dict]:
    return ev.messages or []


def _name_matches(claimed: str, found: list[str], people: SamePerson | None = None) -> bool:
    """Fuzzy match of a claimed person against header names: any claimed name token (or its
    transliteration) equal to a header token, allowing OCR damage."""
    from rapidfuzz import fuzz

    from dalil.text.normalize import is_arabic
    from dalil.text.translit import arabic_skeleton, latin_skeleton
    if people is not None:
        try:
            for f in found:
                if f and people(claimed, f)[0]:
                    return True
        except Exception:      # people resolution is optional; fall back to names
            pass
    header_tokens = [w for f in found for w in re.findall(r"[A-Za-z]{3,}", f or "")]
    for tok in re.findall(r"[^\W\d_]{3,}", claimed):
        if is_arabic(tok):
            skel = arabic_skeleton(tok)
            if len(skel) >= 2 and any(latin_skeleton(h) == skel for h in header_tokens):
                return True
        else:
            low = normalize_for_index(tok)
            if any(fuzz.ratio(low, h.lower()) >= model()["matching"]["name_ratio"] for h in header_tokens):
                return True
    return False


def _subject_matches(claimed: str, found: str) -> bool:
    from rapidfuzz import fuzz
    a, b = normalize_for_index(claimed), normalize_for_index(found)
    least = model()["matching"]
    return bool(b) and (fuzz.partial_ratio(a, b) >= least["subject_partial_ratio"]
                        or fuzz.token_set_ratio(a, b) >= least["subject_token_set_ratio"])
