"""Verdict of a claim from its best evidence: the checkable differences of `features.py`, weighed
by a small multinomial logistic regression whose coefficients are stored beside this module
(`verdict_model.json`, fitted on the development claims by `python -m dalil.trace.fit`).

No multilingual NLI model ships in an installable wheel that works offline, so the verdict rests
on features a reader can check; each one that fires adds a sentence to the explanation.
"""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

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


def probabilities(f: dict[str, float], m: dict | None = None) -> dict[str, float]:
    """Class probabilities of the fitted model for one feature dict."""
    m = m or model()
    x = [(f.get(name, 0.0) - mu) / sd for name, mu, sd in zip(m["features"], m["mean"], m["std"])]
    logits = [b + sum(w * v for w, v in zip(ws, x)) for b, ws in zip(m["bias"], m["weights"])]
    top = max(logits)
    exp = [math.exp(z - top) for z in logits]
    total = sum(exp)
    return {label: e / total for label, e in zip(m["labels"], exp)}


def judge(claim_text: str, terms: list[Term], meta: dict[str, str], evidence: list[Evidence],
          people=None, df=None) -> Verdict:
    checks = metadata_checks(meta, evidence[0], people) if evidence else []
    f, matched, differs = claim_features(claim_text, terms, evidence, checks, df)
    probs = probabilities(f)
    label = max(probs, key=probs.get)
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
    return Verdict(label, round(probs[label], 3), " ".join(parts), checks, f)


# --- metadata ---------------------------------------------------------------------------------
def metadata_checks(meta: dict[str, str], ev: Evidence, people=None) -> list[dict]:
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
        if fld == "sender":
            found = msg.get("sender") or ""
            ok = _name_matches(claimed, [found], people)
        elif fld == "recipient":
            names = list(msg.get("recipients") or []) + list(msg.get("cc") or [])
            found = "; ".join(names)
            ok = _name_matches(claimed, names, people)
        elif fld == "date":
            found = (msg.get("date") or "")[:10]
            ok = bool(found) and dates_agree(claimed, found)
        else:
            found = msg.get("subject") or ""
            ok = _subject_matches(claimed, found)
        out.append({"field": fld, "claimed": claimed, "found": found or None, "ok": bool(ok)})
    return out


def _messages_of(ev: Evidence) -> list[dict]:
    return ev.messages or []


def _name_matches(claimed: str, found: list[str], people=None) -> bool:
    """Fuzzy match of a claimed person against header names: any claimed name token (or its
    transliteration) equal to a header token, allowing OCR damage."""
    from rapidfuzz import fuzz

    from dalil.text.normalize import is_arabic
    from dalil.text.translit import arabic_skeleton, latin_skeleton
    if people is not None:
        try:
            for f in found:
                same = people(claimed, f) if f else False
                if (same[0] if isinstance(same, tuple) else same):
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
            if any(fuzz.ratio(low, h.lower()) >= 80 for h in header_tokens):
                return True
    return False


def _subject_matches(claimed: str, found: str) -> bool:
    from rapidfuzz import fuzz
    a, b = normalize_for_index(claimed), normalize_for_index(found)
    return bool(b) and (fuzz.partial_ratio(a, b) >= 75 or fuzz.token_set_ratio(a, b) >= 70)
