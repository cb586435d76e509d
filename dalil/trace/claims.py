"""Split an article into sentences, keep the checkable ones, and read their claims about the
source message itself (sender, recipient, date, subject) in English, French and Arabic."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from dalil.text.datafile import tsv_rows
from dalil.text.lang import detect_lang
from dalil.text.normalize import is_arabic
from dalil.text.numbers import numbers_in
from dalil.text.multidate import find_dates

MAX_CLAIMS = 50
DATA = Path(__file__).with_name("data") / "claims.tsv"


@lru_cache(maxsize=1)
def claim_lexicon() -> dict[str, list[tuple[str, str]]]:
    """data/claims.tsv, read once: list name → its (language, entry) rows in file order."""
    out: dict[str, list[tuple[str, str]]] = {}
    for name, lang, entry in tsv_rows(DATA):
        out.setdefault(name, []).append((lang, entry))
    return out


def _alternatives(name: str, lang: str | None = None) -> str:
    """The entries of one list (of one language) as a regular-expression alternation."""
    return "|".join(e for lng, e in claim_lexicon()[name] if lang in (None, lng))


# A sentence ends at . ! ? ؟ ؛ … or a line break; not after an abbreviation or an initial.
_END = re.compile(r"(?:[.!?؟؛…]+[\"'”»)\]]*)(?=\s)|\n+")
_ABBREV = re.compile(r"(?:\b(?:Mr|Mrs|Ms|Dr|Sen|Rep|Gen|Col|Lt|St|Jr|Sr|Mt|No|vs|etc|cf|M|Mme|Mlle|e\.g|i\.e|U\.S|U\.N|U\.K|a\.m|p\.m)|\b[A-Z])\.$")
_LONG_SENTENCE = 400          # beyond this, the Arabic comma also separates claims
_ATTRIBUTION = re.compile(
    r"\b(?:" + _alternatives("attribution") + r")\b|(?:" + _alternatives("attribution_ar_stem") + ")"
    r"|(?<![\u0621-\u064A])[وف]?(?:" + _alternatives("attribution_ar") + ")", re.I)
_NUMBER = re.compile(r"[0-9\u0660-\u0669\u06F0-\u06F9]")
_PROPER = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-zà-ÿ]+")
_WORDS = re.compile(r"[^\W_]+")


@dataclass
class Claim:
    text: str
    start: int
    end: int
    lang: str
    kind: str = "content"                           # content | metadata
    meta: dict[str, str] = field(default_factory=dict)   # sender, recipient, date, subject
    own_lang: str = "und"      # detected from the sentence alone ("und": too little; `lang` is then the article's)


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) character spans of the sentences of `text`, trimmed of white space."""
    spans, pos = [], 0
    dates = None
    quotes = _quoted_spans(text)
    for m in _END.finditer(text):
        mark = m.group().strip()           # empty for a line break
        if mark and (any(a < m.start() and m.end() < b for a, b in quotes)
                     or (mark[-1] in "\"'”»" and re.match(r"\s+[a-z]", text[m.end():m.end() + 3]))):
            continue       # inside a quotation ('Are you up? Can I call?' after he sent…), or it goes on
        if mark.endswith("."):
            if _ABBREV.search(text[max(0, m.start() - 6):m.start() + 1]):
                continue
            if text[max(0, m.start() - 1):m.start()].isdigit():
                # "am 18. Dezember 2010": the period of a German or Nordic day, inside a date.
                dates = find_dates(text) if dates is None else dates
                if any(a <= m.start() < b for a, b, _ in dates):
                    continue
        spans.append((pos, m.end()))
        pos = m.end()
    spans.append((pos, len(text)))
    out = []
    for a, b in spans:
        for s, e in _split_long(text, a, b):
            while s < e and text[s].isspace():
                s += 1
            while e > s and text[e - 1].isspace():
                e -= 1
            if e > s:
                out.append((s, e))
    return out


_QUOTE = re.compile(r"“[^”\n]{1,300}”|«[^»\n]{1,300}»|(?<![\w])\"[^\"\n]{1,300}\"(?!\w)"
                    r"|(?<![\w'’])['‘][^'’\n]{1,300}?[.!?,…]['’](?!\w)")


def _quoted_spans(text: str) -> list[tuple[int, int]]:
    """Spans of quotations (“…”, «…», "…", and '…' whose closing quote follows punctuation, so
    that "Gelb's column" opens none): their periods and question marks end no sentence of the
    article."""
    return [m.span() for m in _QUOTE.finditer(text)]


def _split_long(text: str, a: int, b: int) -> list[tuple[int, int]]:
    if b - a <= _LONG_SENTENCE:
        return [(a, b)]
    cuts = [m.end() for m in re.finditer(r"[،;]\s", text[a:b])]
    spans, pos = [], a
    for c in cuts:
        if a + c - pos >= 80:
            spans.append((pos, a + c))
            pos = a + c
    spans.append((pos, b))
    return spans


def is_checkable(sentence: str) -> bool:
    """Attribution to a source, or a factual statement with names, dates or numbers."""
    words = _WORDS.findall(sentence)
    if len(words) < 5 or sentence.rstrip().endswith("?") or sentence.rstrip().endswith("؟"):
        return False
    if _ATTRIBUTION.search(sentence):
        return True
    if _NUMBER.search(sentence) or find_dates(sentence) or any(v != "1" for v in numbers_in(sentence)):
        return True            # "Five Israeli naval ships", عشرين دقيقة; "one of" is no figure
    if len(_PROPER.findall(sentence)) >= 2:
        return True
    # Arabic has no capitals: names are the gazetteer's (كلينتون, فيليب رينز, كولومبيا).
    return is_arabic(sentence) and len(_gazetteer().gazetteer_spans(sentence)) >= 2


@lru_cache(maxsize=1)
def _gazetteer():
    from dalil.text.lexicon import NameLexicon, load_gazetteer
    return NameLexicon([], gazetteer=load_gazetteer())


def extract_claims(text: str, lang: str | None = None, limit: int = MAX_CLAIMS,
                   every_sentence: bool = False) -> tuple[list[Claim], int]:
    """The checkable claims of `text` (at most `limit`) and the number of checkable ones in all.
    `every_sentence`: take each sentence as a claim (the caller says it is one)."""
    claims, total = [], 0
    for s, e in split_sentences(text):
        sentence = text[s:e]
        if not every_sentence and not is_checkable(sentence):
            continue
        total += 1
        if len(claims) >= limit:
            continue
        own = detect_lang(sentence)
        clang = (lang or "und") if own == "und" else own
        meta = extract_metadata(sentence, clang)
        claims.append(Claim(sentence, s, e, clang, "metadata" if meta else "content", meta, own))
    return claims, total


# --- metadata claims ------------------------------------------------------------------------
_TITLES = r"(?:(?:" + _alternatives("title") + r")\s+)?"
_NAME = r"(?P<{g}>[A-Z][\w'’-]+(?:\s+(?:(?:de|van|von|bin|al|el|la|le|du)\s+)?[A-Z][\w'’-]+){{0,3}})"
_LATIN_SENDER = [
    re.compile(_TITLES + _NAME.format(g="who") + r"\s+(?:had\s+|has\s+)?(?:" + _alternatives("sender_verb") + r")\b"),
    re.compile(r"\b(?:" + _alternatives("sender_by") + r")\s+" + _TITLES + _NAME.format(g="who")),
]
_LATIN_RECIPIENT = [re.compile(r"\b(?:" + _alternatives("recipient_verb", lang) + r")\s+" + _TITLES + _NAME.format(g="who"))
                    for lang in ("en", "fr")]
_AR_STOP = {e for _, e in claim_lexicon()["ar_not_name"]}
_AR_SENDER_VERB = re.compile(r"(?:^|\s)(?:و|ف)?(?:" + _alternatives("ar_sender_verb") + r")\s+")
_AR_FROM = re.compile(r"(?:" + _alternatives("ar_message") + r")\s+(?:\S+\s+){0,2}?(?:"
                      + _alternatives("ar_message_from") + r")\s+")
_AR_TO = re.compile(r"(?:^|\s)(?:إلى|الى|لـ\s*)")
_AR_OBJECT_VERB = re.compile(r"(?:^|\s)(?:" + _alternatives("ar_object_verb") + r")\s+")
# After the sender, the addressee of "asked X" (طلب من), "replied to X" (ردّ على), or of a
# glued "to" (اعتذر فيليب رينز لكلينتون, "apologized to Clinton").
_AR_ADDRESSEE = re.compile(r"^(?:(?:من|على)\s+|ل(?=[\u0621-\u064A]{3}))")
_AR_ASKS_REPLIES = re.compile(r"(?:طلب|طلبت|سأل|سألت|ردّ|رد|ردت|ردّت)\s+$")
_SUBJECT = re.compile(
    r"(?:" + _alternatives("subject_cue") + r")\s*:?\s*"
    r"(?:[\"“«'‘]\s*(?P<q>[^\"”»'’]{2,120})[\"”»'’]|(?P<u>[^,،.;؛]{2,80}))", re.I)
_DATE_CUE = re.compile(r"(?:\b(?:on|dated|sent on|du|daté|datée|le)\s*$|(?:بتاريخ|في|يوم|المؤرخة)\s*$)", re.I)


def _ar_name(rest: str, max_words: int = 3) -> str | None:
    words = []
    for w in rest.split()[:max_words + 1]:
        bare = w.strip("\"'“”«»().,،:؛")
        if not bare or bare in _AR_STOP or bare.startswith(("بأن", "بان", "أن", "إن")) or not re.search(r"[\u0621-\u064A]", bare):
            break
        words.append(bare)
        if w != bare:
            break
    return " ".join(words[:max_words]) or None


def extract_metadata(sentence: str, lang: str) -> dict[str, str]:
    """Sender, recipient, full date and subject that a sentence asserts about a message."""
    meta: dict[str, str] = {}
    if lang == "ar":
        m = _AR_SENDER_VERB.search(sentence) or _AR_FROM.search(sentence)
        if m:
            name = _ar_name(sentence[m.end():], 2)
            if name:
                meta["sender"] = name
        m = _AR_OBJECT_VERB.search(sentence)
        if m and meta.get("sender"):
            rest = sentence[m.end():]
            after_sender = rest[len(meta["sender"]):].lstrip() if rest.startswith(meta["sender"]) else ""
            name = _ar_name(after_sender, 2) if after_sender else None
            if name:
                meta["recipient"] = name
        if m is None and meta.get("sender"):
            verb = _AR_SENDER_VERB.search(sentence)
            rest = sentence[verb.end():] if verb else ""
            after = rest[len(meta["sender"]):].lstrip() if rest.startswith(meta["sender"]) else ""
            a = _AR_ADDRESSEE.match(after)
            if a and (a.group().startswith("ل") or _AR_ASKS_REPLIES.search(sentence[:verb.end()])):
                name = _ar_name(after[a.end():], 2)
                if name:
                    meta["recipient"] = name
        if "recipient" not in meta:
            for t in _AR_TO.finditer(sentence):
                name = _ar_name(sentence[t.end():], 2)
                if name and name != meta.get("sender"):
                    meta["recipient"] = name
                    break
    else:
        for rx in _LATIN_SENDER:
            m = rx.search(sentence)
            if m and not _is_month_or_stop(m.group("who")):
                meta["sender"] = m.group("who")
                break
        for rx in _LATIN_RECIPIENT:
            m = rx.search(sentence)
            if m and m.group("who") != meta.get("sender") and not _is_month_or_stop(m.group("who")):
                meta["recipient"] = m.group("who")
                break
    date = _message_date(sentence, bool(meta))
    if date:
        meta["date"] = date
    m = _SUBJECT.search(sentence)
    if m:
        meta["subject"] = (m.group("q") or m.group("u")).strip()
    return meta


_NOT_NAMES = {e for _, e in claim_lexicon()["not_name"]}


def _is_month_or_stop(name: str) -> bool:
    return name.split()[0].lower() in _NOT_NAMES


def _message_date(sentence: str, has_people: bool) -> str | None:
    """A full date that dates the message: it opens the sentence, or a cue ("on", "dated", "في") leads
    it in a sentence that names a correspondent."""
    for s, _e, value in find_dates(sentence):
        if len(value) != 10 or value.startswith("--"):
            continue
        head = sentence[:s]
        if len(_WORDS.findall(head)) <= 2 or (has_people and _DATE_CUE.search(head)):
            return value
    return None
