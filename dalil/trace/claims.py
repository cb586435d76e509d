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
FURNITURE_DATA = Path(__file__).with_name("data") / "furniture.tsv"


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
# Japanese and Chinese put no space after 。！？, so those end a sentence wherever they stand.
_END = re.compile(r"(?:[.!?؟؛…]+[\"'”»)\]]*)(?=\s)|[。！？]+[」』）)]*|\n+")
_ABBREV = re.compile(r"(?:\b(?:Mr|Mrs|Ms|Dr|Sen|Rep|Gen|Col|Lt|St|Jr|Sr|Mt|No|vs|etc|cf|M|Mme|Mlle|e\.g|i\.e|U\.S|U\.N|U\.K|a\.m|p\.m)|\b[A-Z])\.$")
_LONG_SENTENCE = 400          # beyond this, the Arabic comma also separates claims
_ATTRIBUTION = re.compile(
    r"\b(?:" + _alternatives("attribution") + r")\b|(?:" + _alternatives("attribution_ar_stem") + ")"
    r"|(?<![\u0621-\u064A])[وف]?(?:" + _alternatives("attribution_ar") + ")", re.I)
_NUMBER = re.compile(r"[0-9\u0660-\u0669\u06F0-\u06F9]")
_PROPER = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-zà-ÿ]+")
_WORDS = re.compile(r"[^\W_]+")


# Scripts written without spaces between words: a run of them counts by its characters.
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\u0e00-\u0e7f]")
_UNSPACED_CHARS_PER_WORD = 2


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


def word_count(sentence: str) -> int:
    """Words of a sentence; in a script with no spaces (Japanese, Chinese, Thai), every
    `_UNSPACED_CHARS_PER_WORD` characters count as one word."""
    unspaced = len(_UNSPACED.findall(sentence))
    spaced = _WORDS.findall(_UNSPACED.sub(" ", sentence)) if unspaced else _WORDS.findall(sentence)
    return len(spaced) + unspaced // _UNSPACED_CHARS_PER_WORD


def is_checkable(sentence: str) -> bool:
    """Attribution to a source, or a factual statement with names, dates or numbers."""
    if word_count(sentence) < 5 or sentence.rstrip().endswith("?") or sentence.rstrip().endswith("؟"):
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


def skip_reason(sentence: str) -> str:
    """Why an article sentence is not traced ("" when it is checkable)."""
    if sentence.rstrip().endswith(("?", "؟", "？")):
        return "question"
    if word_count(sentence) < 5:
        return "too short to state a checkable fact"
    if not is_checkable(sentence):
        return "no attribution, name, number or date to check"
    return ""


def extract_claims(text: str, lang: str | None = None, limit: int = MAX_CLAIMS,
                   every_sentence: bool = False,
                   skipped: list[dict] | None = None) -> tuple[list[Claim], int]:
    """The checkable claims of `text` (at most `limit`) and the number of checkable ones in all.
    `every_sentence`: take each sentence as a claim (the caller says it is one).  A text of one
    sentence (after its furniture) is always a claim: whoever gives one sentence asks about it.
    `skipped`: receives {text, reason} for each sentence not traced (furniture, nothing checkable)."""
    claims, total = [], 0
    spans, furniture = [], []
    seen: dict[str, None] = {}
    for s, e in split_sentences(text):
        reason = furniture_reason(text[s:e], seen)
        if reason:
            furniture.append((s, {"text": text[s:e], "reason": reason}))
        else:
            spans.append((s, e))
    if not spans and furniture and len(furniture) == 1:
        # A lone line that only looks like furniture ("By 2011 …" cut short) is still the question.
        spans, furniture = [(0, len(text))], []
    dropped = list(furniture)
    every_sentence = every_sentence or len(spans) == 1
    for s, e in spans:
        sentence = text[s:e]
        if not every_sentence:
            reason = skip_reason(sentence)
            if reason:
                dropped.append((s, {"text": sentence, "reason": reason}))
                continue
        total += 1
        if len(claims) >= limit:
            continue
        own = detect_lang(sentence)
        clang = (lang or "und") if own == "und" else own
        meta = extract_metadata(sentence, clang)
        claims.append(Claim(sentence, s, e, clang, "metadata" if meta else "content", meta, own))
    if skipped is not None:
        skipped.extend(d for _s, d in sorted(dropped, key=lambda x: x[0])[:MAX_SKIPPED])
    return claims, total


# --- article furniture ------------------------------------------------------------------------
@lru_cache(maxsize=1)
def furniture_lexicon() -> dict[str, list[str]]:
    """data/furniture.tsv, read once: list name → its entries (all languages), longest first."""
    out: dict[str, list[str]] = {}
    for name, _lang, entry in tsv_rows(FURNITURE_DATA):
        out.setdefault(name, []).append(entry)
    return {k: sorted(v, key=len, reverse=True) for k, v in out.items()}


def _whole(name: str) -> str:
    return r"(?<!\w)(?:" + "|".join(re.escape(e) for e in furniture_lexicon()[name]) + r")(?!\w)"


_TIME = re.compile(r"(?<!\d)\d{1,2}\s?[:h.]\s?\d{2}(?!\d)(?:\s?[ap]\.?m\.?)?", re.I)
MAX_BYLINE_WORDS = 6         # "By Jane Doe and John Roe, Paris correspondent"
MAX_CAPTION_WORDS = 40
MAX_CREDIT_WORDS = 4          # "AFP", "Reuters / Jane Doe"
NEAR_DUPLICATE = 96           # rapidfuzz ratio of two sentences that are one headline printed twice
NEAR_DUPLICATE_SCAN = 200     # near duplicates are looked for among the first sentences (the head)
MAX_SKIPPED = 1000            # a report lists at most this many skipped sentences


@lru_cache(maxsize=1)
def _furniture_patterns() -> dict[str, re.Pattern]:
    from dalil.text.multidate import month_names
    months = sorted({n for rows in month_names().values() for _i, n in rows}, key=len, reverse=True)
    return {
        "filler": re.compile(_whole("weekday") + "|" + _whole("dateline_word") + r"|(?<!\w)(?:"
                             + "|".join(re.escape(m) for m in months) + r")(?!\w)", re.I),
        "byline": re.compile(r"^\W*" + _whole("byline") + r"\s*:?\s+\S", re.I),
        "caption": re.compile(r"^\W*(?:©|\(c\)|" + _whole("caption") + r"\s*[:/|-])", re.I),
        "agency": re.compile(r"^\W*" + _whole("agency") + r"(?:\s*(?:/|via|$))", re.I),
        "credit_end": re.compile(r"(?:©|[/(]\s*" + _whole("agency") + r")\W*$", re.I),
    }


def furniture_reason(sentence: str, seen: dict[str, None]) -> str:
    """"furniture" for a line an article prints around its text (a dateline, a byline, a
    publication date, an image caption or credit, a headline printed again), else "".
    `seen`: the normalized sentences read so far, in order (this one is added)."""
    p = _furniture_patterns()
    key = " ".join(_WORDS.findall(sentence.casefold()))
    if key and _is_repeat(key, seen):
        return "furniture"
    seen[key] = None
    words = word_count(sentence)
    # A dateline: dates, times, weekdays and "published/updated" words and nothing else.
    rest = sentence
    dated = False
    for s, e, _v in sorted(find_dates(sentence), reverse=True):
        rest, dated = rest[:s] + " " + rest[e:], True
    rest, times = _TIME.subn(" ", rest)
    rest = p["filler"].sub(" ", rest)
    if (dated or times) and not re.search(r"[^\W\d_]", rest):
        return "furniture"
    if p["byline"].search(sentence) and words <= MAX_BYLINE_WORDS and not _NUMBER.search(sentence):
        return "furniture"
    if p["caption"].search(sentence) and words <= MAX_CAPTION_WORDS:
        return "furniture"
    if (p["agency"].search(sentence) or p["credit_end"].search(sentence)) and words <= MAX_CREDIT_WORDS + 8 \
            and (words <= MAX_CREDIT_WORDS or p["credit_end"].search(sentence) or "/" in sentence):
        return "furniture"
    return ""


def _is_repeat(key: str, seen: dict[str, None]) -> bool:
    if key in seen:
        return True
    if len(seen) > NEAR_DUPLICATE_SCAN:
        return False
    from rapidfuzz import fuzz
    # Two sentences with different figures are two claims, however alike their words.
    digits = re.findall(r"\d+", key)
    return any(abs(len(k) - len(key)) <= len(key) // 10 and re.findall(r"\d+", k) == digits
               and fuzz.ratio(k, key) >= NEAR_DUPLICATE for k in seen)


# --- metadata claims ------------------------------------------------------------------------
# "a person named X", "une personne nommée X", "شخص يدعى X": the person is X.
_INTRO = r"(?:(?:" + _alternatives("named_intro") + r")\s+)?"
_AR_INTRO = re.compile(r"^\s*(?:" + _alternatives("named_intro", "ar") + r")\s+")


@lru_cache(maxsize=1)
def _role_phrases() -> str:
    """The offices of data/roles.tsv ("the Secretary of State") as an alternation, any case."""
    from dalil.trace.verdict import roles
    return "|".join(re.escape(r).replace(r"\ ", r"\s+") for r, _p, _s, _e in roles())


_ROLE = r"(?i:(?:the\s+|la\s+|le\s+|l['’])?(?:" + _role_phrases() + r"))(?!\w)"
_TITLES = _INTRO + r"(?:(?:" + _alternatives("title") + r")\s+)?"
_NAME = (r"(?P<{g}>" + _ROLE.replace("{", "{{").replace("}", "}}")
         + r"|[A-Z][\w'’-]+(?:\s+(?:(?:de|van|von|bin|al|el|la|le|du)\s+)?[A-Z][\w'’-]+){{0,3}})")
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
    rest = _AR_INTRO.sub("", rest, count=1)
    role = re.match(r"\s*(" + _role_phrases() + r")(?!\w)", rest)
    if role:
        return role.group(1)
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
    if re.fullmatch(_ROLE, name):
        return False          # "the Secretary of State" is an office, read as its holder
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
