"""The checkable terms of a claim (names, numbers, dates, content words), each mapped to the
English/Latin forms under which it can appear in the archive: gazetteer, transliteration
matched against the archive's own vocabulary, digits folded, month names to dates."""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from dalil.store.base import Store
from dalil.text.datafile import tsv_rows
from dalil.text.english import cognate_prefix
from dalil.text.lexicon import NameLexicon
from dalil.text.multidate import EN_MONTHS, find_dates
from dalil.text.normalize import LETTER, is_arabic, normalize_for_index
from dalil.text.numbers import is_decade, number_value, numbers_in

_FUZZY_FLOOR = 105.0          # lexicon score below which a transliteration guess is noise
_WORD = re.compile(LETTER + r"+(?:[-'’]" + LETTER + "+)*")

STOP_DATA = Path(__file__).with_name("data") / "claim_stopwords.tsv"


@lru_cache(maxsize=1)
def claim_stopwords() -> frozenset[str]:
    """data/claim_stopwords.tsv, read once: its words as index keys (normalize_for_index)."""
    return frozenset(normalize_for_index(word) for _lang, word in tsv_rows(STOP_DATA))


STOP = claim_stopwords()


@dataclass
class Term:
    start: int                     # span in the claim text
    end: int
    surface: str
    kind: str                      # name | number | date | word
    alts: list[str] = field(default_factory=list)   # normalized forms to look for in a source
    value: str | None = None       # numbers: canonical digits; dates: ISO value
    guess: bool = False            # a name reached by fuzzy transliteration only (often a common word)


class TermExtractor:
    """Claim → terms.  Holds the archive's name lexicon (built once from the index vocabulary)."""

    def __init__(self, lexicon: NameLexicon, names: NameLexicon | None = None):
        self.lexicon = lexicon
        self.names = names        # names learnt from the archive (capitalization), when built

    @classmethod
    def for_store(cls, store: Store, names: NameLexicon | None = None) -> "TermExtractor":
        return cls(_lexicon_for(store), names)

    def terms(self, text: str) -> list[Term]:
        out: list[Term] = []
        taken: list[tuple[int, int]] = []
        for s, e, value in find_dates(text):
            alts = _date_alts(value)
            out.append(Term(s, e, text[s:e], "date", alts, value))
            taken.append((s, e))
        for value, spans in numbers_in(text).items():
            for s, e in spans:
                if not any(a <= s < b for a, b in taken):
                    alts = [value, value.replace(":", "")] if ":" in value else [value]   # "430 pm"
                    if is_decade(text[s:e]):
                        alts += [f"{value}s", f"19{value}s"]     # "the 1980s" is the source's "the 80s"
                    bare = _leading_numeral(text[s:e])
                    if bare and bare != value:
                        alts.append(bare)      # "200 ألف" is 200000, and the source may say "200K"
                    out.append(Term(s, e, text[s:e], "number", alts, value))
                    taken.append((s, e))
        for s, e, names in self.lexicon.gazetteer_spans(text):
            if not any(a < e and s < b for a, b in taken):
                out.append(Term(s, e, text[s:e], "name", _expand(names)))
                taken.append((s, e))
        sentence_start = True
        for m in _WORD.finditer(text):
            s, e = m.span()
            word = m.group()
            first, sentence_start = sentence_start, False
            if any(a < e and s < b for a, b in taken):
                continue
            norm = normalize_for_index(word)
            if norm in STOP or len(norm) < 3 or norm.isdigit():
                continue
            if is_arabic(norm) and norm[:1] in "وبلف" and norm[1:] in STOP:
                continue          # a particle with a clitic: بأن، وأنه
            if is_arabic(word):
                out.append(self._arabic(s, e, word, norm))
            else:
                kind = "name" if word[:1].isupper() and not first else "word"
                out.append(Term(s, e, word, kind, [norm] + _stem_alt(norm, kind)))
        return sorted(out, key=lambda t: t.start)

    def _arabic(self, s: int, e: int, word: str, norm: str) -> Term:
        if self.names is not None:
            # The archive's own names: transliterations reach only words used as names there.
            from dalil.search.bridge import FUZZY_MIN
            found = self.names.lookup(word, 3)
            top = found[0][1] if found else 0.0
            # A word with the article (ال) is a common noun unless the gazetteer knows it (score 200).
            floor = 199.0 if norm.startswith("ال") else max(FUZZY_MIN, top - 4)
            hits = [(t, sc) for t, sc in found if sc >= floor] if len(norm) >= 4 else []
            if hits:
                return Term(s, e, word, "name", _expand([t for t, _ in hits[:2]]), guess=hits[0][1] < 199.0)
        # Short Arabic words are mostly particles and verbs whose transliterations hit random names.
        floor = _FUZZY_FLOOR if len(norm) >= 5 else 150.0
        hits = [(t, sc) for t, sc in self.lexicon.lookup(word, 4) if sc >= floor]
        if hits:
            return Term(s, e, word, "name", _expand([t for t, _ in hits[:3]]), guess=hits[0][1] < 199.0)
        return Term(s, e, word, "word", [norm])


def _leading_numeral(surface: str) -> str | None:
    """The digits a scaled number starts with ('8,3 millions' → '8.3', '200 ألف' → '200')."""
    m = re.match(r"[$€£]?\s?([\d\u0660-\u0669\u06F0-\u06F9][\d\u0660-\u0669\u06F0-\u06F9,.٫]*)", surface)
    return number_value(m.group(1).rstrip(",.")) if m else None


def with_translations(terms: list[Term], text: str, sources: dict[str, list[str]]) -> list[Term]:
    """The claim's terms with the English forms the search bridge gives its words (`sources`:
    word or expression → English forms; dalil.search.bridge): مكالمة آمنة is a "secure" call,
    not the names Amina or Amin that transliteration guessed.  A word keeps its own form (an
    archive may hold documents in the claim's language) and gains the translations; a name
    reached only by a transliteration guess becomes that word when the bridge reads it as a
    word, and so does a Latin-script name the bridge translates (a demonym: les Irakiens); sure
    names, numbers and dates stay.  An expression (غرفة العمليات → ops center)
    becomes one term over its words."""
    by_word = {normalize_for_index(k): v for k, v in sources.items() if " " not in k.strip()}
    out: list[Term] = []
    spans = []
    for key, forms in sources.items():
        if " " in key.strip() and forms:
            at = text.find(key)
            if at >= 0:
                spans.append((at, at + len(key), key, forms))
    for t in terms:
        inside = next((sp for sp in spans if sp[0] <= t.start and t.end <= sp[1]), None)
        if inside and (t.kind == "word" or t.guess):
            if not any(o.start == inside[0] and o.end == inside[1] for o in out):
                out.append(Term(inside[0], inside[1], inside[2], "word",
                                [normalize_for_index(inside[2]), *inside[3]]))
            continue
        forms = by_word.get(normalize_for_index(t.surface))
        if forms and (t.kind == "word" or ((t.guess or t.surface.isascii()) and not set(forms) & set(t.alts))):
            norm = normalize_for_index(t.surface)
            extra = t.alts[1:] if t.kind == "word" else []
            t = Term(t.start, t.end, t.surface, "word", list(dict.fromkeys([norm, *extra, *forms])))
        out.append(t)
    return sorted(out, key=lambda t: t.start)


def bridged_words(terms: list[Term], translated: list[Term]) -> list[Term]:
    """`terms` with the Latin-script names that the bridge read as capitalized words (les
    Irakiens → iraqi; `translated`: with_translations' output) taken as those words: a demonym
    no document holds names nothing the archive lacks."""
    words = {(t.start, t.end): t for t in translated if t.kind == "word"}
    return [words.get((t.start, t.end), t) if t.kind == "name" and t.surface.isascii() else t for t in terms]


def _stem_alt(norm: str, kind: str) -> list[str]:
    """A long Latin word also matches by its first letters ('conférence', 'investissement',
    'participer' reach 'conference', 'investment', 'participate'): cognates carry a claim in
    French, Spanish or Italian to the English sources."""
    prefix = cognate_prefix(norm) if kind == "word" else None
    return [prefix] if prefix else []


def _expand(names: list[str]) -> list[str]:
    """'hillary clinton' also gives 'clinton': a source often names a person by surname only."""
    out = []
    for n in names:
        for form in (n, n.split()[-1] if " " in n else None):
            if form and form not in out:
                out.append(form)
    return out


def _date_alts(value: str) -> list[str]:
    parts = value.split("-")
    if value.startswith("--"):
        return [EN_MONTHS[int(parts[2]) - 1]]
    alts = [parts[0]]
    if len(parts) >= 2:
        alts.append(EN_MONTHS[int(parts[1]) - 1])
    return alts


_LEXICONS: dict[str, NameLexicon] = {}
_LOCK = threading.Lock()


def _lexicon_for(store: Store) -> NameLexicon:
    """A name lexicon from the index vocabulary (alphabetic terms in two or more documents)."""
    key = f"{store.path}:{store.document_count()}"
    with _LOCK:
        lex = _LEXICONS.get(key)
        if lex is None:
            rows = store.index_vocabulary(2)
            lex = NameLexicon((t, d) for t, d in rows if len(t) >= 3 and t.isascii() and t.isalpha())
            _LEXICONS.clear()
            _LEXICONS[key] = lex
        return lex
