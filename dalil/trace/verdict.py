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

No multilingual NLI model ships in an installable wheel that works offline, so the verdict rests
on features a reader can check; each one that fires adds a sentence to the explanation.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from dalil.intel.people import Person
from dalil.text.normalize import normalize_for_index
from dalil.trace.evidence import Evidence
from dalil.trace.features import claim_features, dates_agree
from dalil.trace.terms import Term

LABELS = ["supported", "partly_supported", "contradicted", "not_found"]
MODEL_PATH = Path(__file__).with_name("verdict_model.json")


@dataclass
class Verdict:
    label: str                 # supported | partly_supported | contradicted | not_found
    confidence: float
    explanation: str
    metadata_checks: list[dict] = field(default_factory=list)
    features: dict[str, float] = field(default_factory=dict, repr=False)


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
    if f.get("overstated", 0) and th.get("use_overstatement"):
        c = conf["partly_supported"]
        return "partly_supported", round(min(c["max"], c["base"] + c["per_closeness"] * max(sim, cov)), 3)
    c = conf["supported"]
    return "supported", round(min(c["max"], c["base"] + c["per_closeness"] * max(sim, cov)), 3)


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
    checks = metadata_checks(meta, evidence[0], people) if evidence else []
    trusted = [c for c in checks if c["field"] in ("date", "subject") or _known_person(c["claimed"], resolve)]
    correspondent = _correspondent_test(evidence[0], resolve) if evidence else None
    f, matched, differs = claim_features(claim_text, terms, evidence, trusted, df, correspondent,
                                         same_language, lang)
    label, confidence = decide(f)
    parts = []
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
    if evidence and label != "not_found":
        best = evidence[0]
        parts.append(f"Source: {best.doc_id}, page {best.page} (similarity {best.similarity:.2f}, "
                     f"{best.coverage:.0%} of terms found).")
    return Verdict(label, confidence, " ".join(parts), checks, f)


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


def metadata_checks(meta: dict[str, str], ev: Evidence, people: SamePerson | None = None) -> list[dict]:
    """Each metadata claim against the headers of the message that holds the passage."""
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
        if msg is None:
            out.append({"field": fld, "claimed": claimed, "found": None, "ok": False})
            continue
        found, ok = _check(fld, claimed, msg, people)
        if not ok:
            # A claim about a forwarded chain can rest on a neighbouring message of the document.
            ok = any(_check(fld, claimed, m, people)[1] for m in messages if m is not msg)
        out.append({"field": fld, "claimed": claimed, "found": found or None, "ok": bool(ok)})
    return out


def _check(fld: str, claimed: str, msg: dict, people: SamePerson | None) -> tuple[str, bool]:
    """(what the message's header says, whether it agrees with the claimed value)."""
    if fld == "sender":
        found = msg.get("sender") or ""
        return found, _name_matches(claimed, [found], people)
    if fld == "recipient":
        names = list(msg.get("recipients") or []) + list(msg.get("cc") or [])
        return "; ".join(names), _name_matches(claimed, names, people)
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
