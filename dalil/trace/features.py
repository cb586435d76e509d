"""The checkable differences between a claim and its best evidence, as numbers a verdict rests on.

Each feature is something a reader can verify in the cited passage: how close the best source
sentence is in meaning, how many of the claim's names, numbers and dates the source holds,
whether a number or date differs, whether one side is negated or hedged, whether the claimed
sender, recipient or date disagree with the message headers, and whether the claim names
something the archive never mentions at all.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from functools import lru_cache
from pathlib import Path

from dalil.text.datafile import tsv_rows
from dalil.text.multidate import find_dates
from dalil.text.numbers import is_time, numbers_in
from dalil.trace.comparison import reversed_comparisons
from dalil.trace.evidence import Evidence, term_hits
from dalil.trace.overstatement import overstatements
from dalil.trace.stance import stance_flips
from dalil.trace.substitution import substitutions
from dalil.trace.terms import Term

CONTEXT = 250                # characters around the quote read for numbers, dates and polarity

# Negation and refusal, one lexicon for both sides (a claim in French, Arabic or Spanish, a
# source in any of them): a flip is a negation on one side only, so a word missing from one side's list
# would read as a flip ("not to instruct" in the source, "عدم" in the article).  Stance words
# (oppose, against, contre, ضد) are left out: "a strategy against corruption" negates nothing;
# an outcome of failure counts like a refusal ("will be defeated" = "NOT ADOPTED");
# so is the "No." of "Case No. F-2014-20439" that stamps every page.
NEGATION_DATA = Path(__file__).with_name("data") / "negation.tsv"


@lru_cache(maxsize=1)
def negation_words() -> list[tuple[str, str, str]]:
    """data/negation.tsv, read once: (language, form, entry) in file order."""
    return [(lang, form, entry) for lang, form, entry in tsv_rows(NEGATION_DATA)]


def _negation_pattern() -> re.Pattern:
    words = negation_words()
    latin = "|".join(e for lang, form, e in words if form == "word" and lang != "ar")
    endings = "|".join(e + r"\b" for lang, form, e in words if form == "ending")
    arabic = "|".join(e for lang, form, e in words if lang == "ar")
    return re.compile(r"\b(?:" + latin + r")\b|" + endings + r"|(?:^|\s)[وف]?(?:" + arabic + r")(?=[\s،.,]|$)", re.I)


NEGATION = _negation_pattern()
CAPITALS_LANGS = frozenset({"en", "fr", "ar"})     # Arabic: its Latin-script words are names or acronyms
_TASHKEEL = re.compile(r"[\u064B-\u0652\u0640]")
# A Turkish "bilmediğini" or a Persian "نمی‌داند" negates in the verb: in a language the lexicon
# does not cover, a claim without a negation word may still be negated, so no flip is read.
NEGATION_LANGS = frozenset({"en", "fr", "ar", "es"})
HEDGE_SOURCE = re.compile(r"\b(?:may|might|could|possibly|perhaps|reportedly|rumou?rs?|unconfirmed|believes?|"
                          r"appears?|seems?|likely|unclear|not yet known)\b", re.I)

FEATURES = ["sim", "pred", "pred_max", "psim", "cov", "dcov", "score", "sim_gap", "names_missing", "names_unknown",
            "num_mismatch", "num_missing", "date_mismatch", "neg_flip", "stance_flip", "swapped", "hedge", "overstated", "meta_fail", "no_evidence"]


def claim_features(claim: str, terms: list[Term], evidence: list[Evidence], checks: list[dict],
                   df=None, correspondent=None, same_language: bool = False,
                   lang: str | None = None,
                   conflicts: list[dict] | None = None) -> tuple[dict[str, float], list[str], list[str]]:
    """(features, what matched, what differs) for a claim and its ranked evidence.

    `df(term)`: how many archive documents hold an index term (for names the archive never
    mentions); `correspondent(name)`: whether a name is a sender or recipient of the cited
    document's messages (the headers say 'H' where the article says Clinton); `same_language`:
    the claim is written in a language of the archive, so that its plain words can be looked
    up too ("dengue" in no document); `lang`: the claim's language, for the negation check (run
    only where the lexicon knows the language's negations); `conflicts`: receives each claim value that
    the source contradicts, as {kind, claim, source}."""
    f = dict.fromkeys(FEATURES, 0.0)
    conflicts = [] if conflicts is None else conflicts
    # Spanish, Italian or Portuguese capitalize the nouns of an institution ("el Departamento
    # de Estado"): a capitalized word the archive never holds is read as an unknown name only in
    # a language of the archive or one whose capitals dalil knows (English, French, and the
    # Latin-script words of an Arabic claim).
    reads_capitals = lang is None or same_language or lang in CAPITALS_LANGS
    unknown = _unknown_names(terms, df, same_language) if reads_capitals else []
    f["names_unknown"] = float(len(unknown))
    differs: list[str] = [f"the archive never mentions {u!r}" for u in unknown]
    if not evidence:
        f["no_evidence"] = 1.0
        return f, [], differs
    ev = evidence[0]
    f.update(sim=ev.similarity, psim=ev.passage_similarity, cov=ev.coverage, dcov=ev.doc_coverage,
             score=ev.score, sim_gap=ev.similarity - (evidence[1].similarity if len(evidence) > 1 else 0.0),
             pred=ev.predicate_similarity, pred_max=max(e.predicate_similarity for e in evidence))
    matched = [f"{t.surface} = {ev.doc_text[s:e]!r}" for t, (s, e) in _first_per_term(ev.matched)][:8]
    # Retrieval found the same terms in the document already when the verdict reads the claim's
    # terms as retrieval did (an English claim, or one the bridge left as it was).
    doc_hits = ev.hits if ev.hit_terms == terms else term_hits(terms, ev.doc_text)
    window = ev.doc_text[max(0, ev.char_start - CONTEXT):ev.char_end + CONTEXT]
    # Names of the claim that the cited document never mentions (a wrong person or place).
    # Arabic words reach names through transliteration guesses, so a name in Arabic script
    # counts only when the gazetteer or the archive's names know it for sure (لندن = London).
    absent = [i for i, t in enumerate(terms)
              if t.kind == "name" and i not in doc_hits and _distinct(t)
              and (t.surface.isascii() or _sure_arabic_place(t))
              and not _suffixed_name_found(t.surface, ev.doc_text)
              and not (correspondent is not None and correspondent(t.surface))]
    missing = [terms[i].surface if terms[i].surface.isascii() else f"{terms[i].surface} ({terms[i].alts[0].title()})"
               for i in absent]
    f["names_missing"] = float(len(missing))
    differs += [f"the source does not mention {m}" for m in missing[:3]]
    # Numbers: a claimed number the passage lacks, where the passage gives other numbers of its
    # kind (clock times against times).  A small number (up to 12) elsewhere in the document
    # counts only beside another of the claim's terms ("84 to 10"): page numbers, times and list
    # items put every small number somewhere in a long document.
    src_numbers = numbers_in(window)
    quote_at = (ev.char_start - max(0, ev.char_start - CONTEXT), ev.char_end - max(0, ev.char_start - CONTEXT))
    doc_date_spans = find_dates(ev.doc_text)       # the 5 of "June 5, 2010" is no count of anything
    for i, t in enumerate(terms):
        if t.kind != "number" or not t.value or (not is_time(t.value) and len(t.value.split(".")[0]) >= 4):
            continue          # years are dates; 4+ digit figures are matched as terms
        if t.value == "1" and not any(c.isdigit() for c in t.surface):
            continue          # "one of", "a single word" (كلمة واحدة): seldom a count anyone checks
        spans = [sp for sp in doc_hits.get(i, []) if not any(a <= sp[0] < b for a, b, _ in doc_date_spans)]
        anywhere = bool(spans) and (not _small(t.value) or _beside_other_term(spans, i, doc_hits))
        if not anywhere and t.value not in src_numbers:    # near the quote: "three" is 3, "26th" 26
            f["num_missing"] += 1
            others = sorted((v for v in src_numbers if v != t.value and is_time(v) == is_time(t.value)
                             and (is_time(v) or len(v) < 4)), key=lambda v: _distance(src_numbers[v], quote_at))
            if others:
                f["num_mismatch"] += 1
                said = [" ".join(window[slice(*src_numbers[v][0])].split()) for v in others[:3]]   # its own wording
                differs.append(f"the article says {t.surface}, the source says {', '.join(said)}")
                conflicts.append({"kind": "number", "claim": t.surface, "source": ", ".join(said)})
    # Dates: a claimed date that no date of the document (text or headers) agrees with, where
    # the cited passage gives a date.
    near_spans = find_dates(window)
    near = [v for _, _, v in near_spans]
    doc_dates = [v for _, _, v in doc_date_spans] + [(m.get("date") or "")[:10]
                                                               for m in ev.messages if m.get("date")]
    for t in terms:
        if t.kind == "date" and t.value and near and not any(dates_agree(t.value, v) for v in doc_dates if v):
            f["date_mismatch"] += 1
            s0, e0, _ = near_spans[0]
            differs.append(f"the article says {t.surface}, the source says {' '.join(window[s0:e0].split())}")
            conflicts.append({"kind": "date", "claim": t.surface, "source": " ".join(window[s0:e0].split())})
    claimed_days, source_days = weekdays(claim), weekdays(window)
    if claimed_days and source_days and not claimed_days & source_days:
        f["date_mismatch"] += 1
        differs.append(f"the article names {', '.join(sorted(claimed_days))}, the source "
                       f"{', '.join(sorted(source_days))}")
        conflicts.append({"kind": "date", "claim": ", ".join(sorted(claimed_days)),
                          "source": ", ".join(sorted(source_days))})
    # Polarity: one side negates what the other states.  A negation counts only where its clause
    # holds one of the claim's terms found in the source ("a letter saying it is Afghan tradition
    # not to send back empty boxes" does not negate "she sent back some Afghan sweets", nor "Not
    # sure if lona sent:" the schedule under it), and only against a side with no negation at
    # all: the quote is one sentence of a passage that may word the claim over two, so a negated
    # claim is flipped only when no sentence around the quote is negated either.
    stating = _stating_spans(ev, doc_hits)
    claim_neg = _scoped_negation(claim, [(terms[i].start, terms[i].end) for i in doc_hits])
    src_neg = any(_scoped_negation(ev.doc_text[a:b], [(x - a, y - a) for spans in doc_hits.values()
                                                       for x, y in spans if a <= x < b])
                  for a, b in stating)
    if claim_neg and not src_neg and not _negated(window):
        flip = "the article is negated where the source is not"
    elif src_neg and not claim_neg and not _negated(claim):
        flip = "the source is negated where the article is not"
    else:
        flip = ""
    if flip and (lang is None or lang in NEGATION_LANGS):
        f["neg_flip"] = 1.0
        differs.append(flip)
        conflicts.append({"kind": "polarity", "claim": "negated" if claim_neg else "affirmed",
                          "source": "negated" if src_neg else "affirmed"})
    # A claimed place the document lacks where the stating sentence names another of its kind.
    stating_text = " ".join(ev.doc_text[a:b] for a, b in stating)
    swaps = substitutions(terms, absent, stating_text)
    differs += [f"the article says {c}, the source says {s}" for c, s in swaps]
    conflicts += [{"kind": "place", "claim": c, "source": s} for c, s in swaps]
    # The same two terms compared the other way round ("more in the Falklands than in Afghanistan").
    turned = reversed_comparisons(claim, terms, ev.doc_text, stating, doc_hits)
    differs += [f"the comparison is turned round: the article puts {a} before {b}, the source {b} before {a}"
                for a, b in turned]
    conflicts += [{"kind": "direction", "claim": f"{a} before {b}", "source": f"{b} before {a}"} for a, b in turned]
    f["swapped"] = float(len(swaps) + len(turned))
    # Opposite stances (agreed / "I disagree", يعارض / "he supports"): no negation word marks them.
    if not _negated(claim):
        flips = stance_flips(claim, stating_text, window)
        f["stance_flip"] = float(len(flips))
        differs += [f"the article says {c!r} where the source says {s!r}" for c, s in flips]
        conflicts += [{"kind": "stance", "claim": c, "source": s} for c, s in flips]
    hedge = HEDGE_SOURCE.search(ev.quote)
    if hedge and not _negated(claim):
        f["hedge"] = 1.0
        matched.append(f"note: the source hedges ({hedge.group()})")
    # Absolutes the article adds ("all" borrowers where the source says "mostly women").
    added = overstatements(claim, window)
    f["overstated"] = float(len(added))
    differs += [f"the article says {w!r}, which the source passage does not" for w in added]
    for c in checks:
        if c["status"] == "differs" and c["found"]:
            f["meta_fail"] += 1
            differs.append(f"the article gives the {c['field']} as {c['claimed']!r}, the message header says "
                           f"{c['found']!r}")
            conflicts.append({"kind": c["field"], "claim": c["claimed"], "source": c["found"]})
    return f, matched, differs


_WEEKDAYS = [("monday", "lundi", "الاثنين", "الإثنين"), ("tuesday", "mardi", "الثلاثاء"),
             ("wednesday", "mercredi", "الأربعاء", "الاربعاء"), ("thursday", "jeudi", "الخميس"),
             ("friday", "vendredi", "الجمعة"), ("saturday", "samedi", "السبت"), ("sunday", "dimanche", "الأحد", "الاحد")]
_WEEKDAY = {w: days[0] for days in _WEEKDAYS for w in days}
_WEEKDAY_RX = re.compile(r"(?<!\w)(?:يوم\s+)?(" + "|".join(sorted(_WEEKDAY, key=len, reverse=True)) + r")(?!\w)", re.I)


def weekdays(text: str) -> set[str]:
    """English names of the weekdays a text mentions (English, French, Arabic)."""
    return {_WEEKDAY[m.group(1).lower()] for m in _WEEKDAY_RX.finditer(text)}


def _unknown_names(terms: list[Term], df, words: bool = False) -> list[str]:
    """Latin-script names of the claim that no archive document holds; with `words`, its plain
    words as well (only when the claim is in a language the archive is written in: a French
    word is absent from an English archive for no reason that matters)."""
    if df is None:
        return []
    from dalil.search.lexical import query_terms
    out = []
    for t in terms:
        if t.kind == "word" and words and t.alts and t.surface.isascii() and t.surface.isalpha():
            alts = t.alts[:1]        # the word itself, not its cognate prefix
        elif t.kind == "name" and t.alts and t.surface[:1].isalpha():
            alts = t.alts
        else:
            continue
        if not t.surface.isascii() or len(t.surface) < 4:
            continue          # Arabic words reach the archive only through transliteration
        found = [w for a in alts for w in query_terms(a)]
        if found and all(df(w) == 0 for w in found):
            out.append(t.surface)
    return out


def _sure_arabic_place(t: Term) -> bool:
    """An Arabic-script name the gazetteer knows as a place or body (not a person: people are
    checked against the headers, and their Arabic spellings vary)."""
    from dalil.text.lexicon import gazetteer_kinds
    return not t.guess and bool(t.alts) and gazetteer_kinds().get(t.alts[0]) in ("city", "country", "region", "org", "place")


def _distinct(t: Term) -> bool:
    """Names that identify someone or somewhere (not a title such as 'foreign minister', nor an
    acronym or a lower-case word)."""
    from dalil.text.lexicon import gazetteer_titles
    return (bool(t.alts) and len(t.alts[0]) >= 4 and not t.surface.isupper()
            and (t.surface[:1].isupper() or not t.surface.isascii()) and t.alts[0] not in gazetteer_titles())


def _beside_other_term(spans: list[tuple[int, int]], i: int, hits: dict[int, list[tuple[int, int]]],
                       reach: int = 60) -> bool:
    """Whether one of `spans` (term i's) lies within `reach` characters of another term's hit."""
    return any(abs(s - s2) <= reach for s, _ in spans for j, other in hits.items() if j != i for s2, _ in other)


def _stating_spans(ev: Evidence, hits: dict[int, list[tuple[int, int]]]) -> list[tuple[int, int]]:
    """The sentences of the quote that hold the claim's terms: a quote that also carries "I'm
    sorry, I didn't know." before the sentence that states the claim is not negated by it."""
    from dalil.trace.evidence import source_sentences
    starts = [a for spans in hits.values() for a, _ in spans if ev.char_start <= a < ev.char_end]
    parts = [(a, b) for a, b in source_sentences(ev.doc_text, ev.char_start, ev.char_end)
             if any(a <= x < b for x in starts)]
    return parts or [(ev.char_start, ev.char_end)]


# The clause a negation governs ends at punctuation or at a conjunction that opens another clause.
_CLAUSE_END = re.compile(r"[.;:!?،؛,]|\n\s*\n|\s(?:and|but|although|though|while|because|so|mais|et|car|donc|"
                         r"لكن|لكنه|لكنها|بينما|ثم|لذا|لذلك|و(?:أن|إن|لكن|قد|بينما)[\u0621-\u064A]*)(?!\w)")
SCOPE_CHARS = 90


def _negated(text: str) -> bool:
    return NEGATION.search(_TASHKEEL.sub("", text)) is not None


def _scoped_negation(text: str, term_spans: list[tuple[int, int]]) -> bool:
    """Whether a negation of `text` governs one of `term_spans`: a term starts between the
    negation word and the end of its clause (at most SCOPE_CHARS on).  Read without tashkeel
    ("سيُهزم" is سيهزم), the spans carried over."""
    kept = [i for i, c in enumerate(text) if not _TASHKEEL.match(c)]
    plain = "".join(text[i] for i in kept)
    starts = [bisect_left(kept, s) for s, _ in term_spans]
    for m in NEGATION.finditer(plain):
        stop = _CLAUSE_END.search(plain, m.end() + 1, m.end() + SCOPE_CHARS)
        end = stop.start() if stop else m.end() + SCOPE_CHARS
        if any(m.start() <= s < end for s in starts):
            return True
    return False


def _distance(spans: list[tuple[int, int]], quote: tuple[int, int]) -> int:
    """Characters between the nearest of `spans` and the quote (0 inside it): the number the
    explanation names first is the one beside the quote, not one from a page header."""
    return min(max(quote[0] - e, s - quote[1], 0) for s, e in spans)


def _small(value: str) -> bool:
    try:
        return float(value) <= 12
    except ValueError:
        return False


def _suffixed_name_found(surface: str, text: str) -> bool:
    """A name with a suffix after an apostrophe is mentioned where the source has the name:
    "Wieseltier's", the Turkish "PJ'ye" ("to PJ")."""
    base = re.sub(r"['’][^\W\d_]*$", "", surface)
    if base == surface or len(base) < 2:
        return False
    flags = re.I if len(base) > 3 else 0          # a short one only as written: "PJ", not "pj"
    return re.search(rf"\b{re.escape(base)}\b", text, flags) is not None


def _first_per_term(matched):
    seen, out = set(), []
    for t, span in matched:
        if id(t) not in seen:
            seen.add(id(t))
            out.append((t, span))
    return out


def dates_agree(claimed: str, found: str) -> bool:
    """Same date within a day (time zones), or agreeing on the parts both give."""
    from datetime import date
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
