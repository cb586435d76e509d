"""Verdict of a claim from its best evidence: explicit checks on numbers, dates, names and
negation, metadata checks against the parsed headers, and similarity thresholds.

No multilingual NLI model ships in an installable wheel that works offline, so the verdict is
feature-based; every rule produces a sentence of the explanation, so a reader can check it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from dalil.text.multidate import find_dates
from dalil.text.normalize import normalize_for_index
from dalil.trace.evidence import Evidence, term_hits
from dalil.trace.terms import Term, numbers_in

# Thresholds on passage_score (0.5 × similarity + 0.5 × coverage) and on similarity alone.
NOT_FOUND_BELOW = 0.30
WEAK_SIMILARITY = 0.22

_NEG_SOURCE = re.compile(r"\b(?:not|no|never|cannot|can't|won't|wouldn't|don't|doesn't|didn't|isn't|aren't|"
                         r"wasn't|couldn't|shouldn't|nor|nothing|none|zero|unlikely|decline[sd]?|refused?)\b|n't\b",
                         re.I)
_NEG_CLAIM = re.compile(r"\b(?:not|no|never|cannot|can't|won't|didn't|don't|doesn't|refused|declined|ne|n'|jamais|"
                        r"aucune?|refusé|pas)\b|(?:^|\s)(?:لا|لم|لن|ليس|ليست|رفض|رفضت|عارض|عارضت|دون|بدون)(?=\s)", re.I)
_HEDGE_SOURCE = re.compile(r"\b(?:may|might|could|possibly|perhaps|reportedly|rumou?rs?|unconfirmed|believes?|"
                           r"appears?|seems?|likely|unclear|not yet known)\b", re.I)


@dataclass
class Verdict:
    label: str                 # supported | partly_supported | contradicted | not_found
    confidence: float
    explanation: str
    metadata_checks: list[dict] = field(default_factory=list)


def judge(claim_text: str, terms: list[Term], meta: dict[str, str], evidence: list[Evidence],
          people=None) -> Verdict:
    if not evidence:
        return Verdict("not_found", 0.8, "No document in the archive matches this claim.")
    best = evidence[0]
    checks = metadata_checks(meta, best, people)
    if best.score < NOT_FOUND_BELOW or (best.similarity < WEAK_SIMILARITY and best.coverage < 0.45):
        conf = min(0.95, 0.5 + (NOT_FOUND_BELOW - best.score) * 2)
        return Verdict("not_found", round(max(conf, 0.5), 3),
                       f"No passage states this: the closest ({best.doc_id}, page {best.page}) matches "
                       f"{best.coverage:.0%} of the claim's names and terms, similarity {best.similarity:.2f}.",
                       checks)
    matched, differs, hard = _content_checks(claim_text, terms, best, meta)
    for c in checks:
        # Only a header date is reliable enough to overturn a verdict; name/subject differences
        # are reported, since the claimed names come from free-text extraction.
        if not c["ok"] and c["found"] and c["field"] == "date":
            differs.append(f"the article gives the {c['field']} as {c['claimed']!r}, the message header says "
                           f"{c['found']!r}")
            hard += c["field"] == "date"
    soft = len(differs) - hard
    parts = []
    if matched:
        parts.append("Matched: " + "; ".join(matched) + ".")
    if differs:
        parts.append("Differs: " + "; ".join(differs) + ".")
    parts.append(f"Source: {best.doc_id}, page {best.page} (similarity {best.similarity:.2f}, "
                 f"{best.coverage:.0%} of terms found).")
    if hard:
        label, conf = "contradicted", 0.55 + 0.1 * min(hard, 3)
    elif soft:
        label, conf = "partly_supported", 0.5
    else:
        label, conf = "supported", min(0.95, 0.4 + best.score * 0.7)
    return Verdict(label, round(conf, 3), " ".join(parts), checks)


def _content_checks(claim: str, terms: list[Term], ev: Evidence, meta: dict) -> tuple[list[str], list[str], int]:
    window = ev.doc_text[max(0, ev.char_start - 200):ev.char_end + 200]
    doc_hits = term_hits(terms, ev.doc_text)
    matched = [f"{t.surface} = {ev.doc_text[s:e]!r}" for t, (s, e) in _first_per_term(ev.matched)][:8]
    differs: list[str] = []
    hard = 0
    # Numbers: a claimed number absent from the passage, where the passage has other numbers.
    src_numbers = numbers_in(window)
    for t in terms:
        if t.kind == "number" and t.value and len(t.value) < 4 and t.value not in src_numbers:
            others = [v for v in src_numbers if v != t.value and len(v) < 4]
            if others:
                differs.append(f"the article says {t.surface}, the source says {', '.join(others[:3])}")
                hard += 1
    # Dates: a claimed date that no date of the passage or of the message headers agrees with.
    src_dates = [v for _, _, v in find_dates(window)]
    for t in terms:
        if t.kind == "date" and t.value and src_dates and not any(_dates_agree(t.value, v) for v in src_dates):
            if not any(i for i, term in enumerate(terms) if term is t and i in doc_hits):
                differs.append(f"the article says {t.surface}, the source says {src_dates[0]}")
                hard += 1
    # Names: a name the source never mentions while the rest matches (a wrong person or place).
    found_names = [t for i, t in enumerate(terms) if t.kind == "name" and i in doc_hits]
    for i, t in enumerate(terms):
        in_meta = any(t.surface in (meta.get("sender") or "", meta.get("recipient") or "") for _ in (0,))
        if t.kind == "name" and i not in doc_hits and len(found_names) >= 2 and _distinct_name(t) and not in_meta:
            matched.append(f"note: {t.surface} does not appear in the source")
    # Negation and hedging: the claim and the aligned source sentence disagree in polarity.
    claim_neg = bool(_NEG_CLAIM.search(claim))
    quote = ev.quote
    src_neg = bool(_NEG_SOURCE.search(quote))
    if claim_neg != src_neg and ev.similarity >= 0.45:
        differs.append("the source is negated where the article is not" if src_neg
                       else "the article is negated where the source is not")
        hard += 1
    elif not claim_neg and _HEDGE_SOURCE.search(quote) and not _HEDGE_SOURCE.search(claim):
        matched.append("note: the source hedges (" + _HEDGE_SOURCE.search(quote).group() + ")")
    return matched, differs, hard


def _distinct_name(t: Term) -> bool:
    """Names that identify someone or somewhere (not a title word or a common capitalized word)."""
    return bool(t.alts) and len(t.alts[0]) >= 4 and not t.surface.isupper()


def _first_per_term(matched):
    seen, out = set(), []
    for t, span in matched:
        if id(t) not in seen:
            seen.add(id(t))
            out.append((t, span))
    return out


def _dates_agree(claimed: str, found: str) -> bool:
    """Same date within a day (time zones), or agreeing on the parts both give."""
    c, f = claimed.lstrip("-").split("-"), found.lstrip("-").split("-")
    if claimed.startswith("--") or found.startswith("--"):
        return c[-2:] == f[-2:]
    if len(c) == 3 and len(f) == 3:
        try:
            return abs((date(*map(int, c)) - date(*map(int, f))).days) <= 1
        except ValueError:
            return False
    n = min(len(c), len(f))
    return c[:n] == f[:n]


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
            ok = bool(found) and _dates_agree(claimed, found)
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
