"""Cross-lingual name lookup: Arabic or French spellings → the English terms of the corpus.

Two sources: a hand-written gazetteer (data/gazetteer.tsv: countries, cities, organizations,
titles and correspondents with their French and Arabic forms) and fuzzy matching of
transliteration candidates against the corpus vocabulary, so one Arabic spelling reaches all
English spellings and OCR variants (Qaddafi, Gaddafi, Qadhafi, Qaddfi).
"""
from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from rapidfuzz import fuzz, process

from .normalize import LETTER, is_arabic, normalize_for_index
from .normalize import _STRIP_TABLE
from .translit import arabic_skeletons, arabic_to_latin_candidates, latin_skeletons

GAZETTEER = Path(__file__).with_name("data") / "gazetteer.tsv"
_ARABIC_CLITICS = "وبلف"  # one-letter proclitics glued to names in queries: بمرسي, ولافروف
OCR_SIBLING_DF = 10      # see NameLexicon._dominant
OCR_SIBLING_SIM = 80


@lru_cache(maxsize=1)
def gazetteer_rows(path: Path = GAZETTEER) -> tuple[tuple[tuple[str, ...], str, tuple[str, ...], tuple[str, ...]], ...]:
    """The TSV's rows, read once: (English forms, kind, French forms, Arabic-script forms)."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        english, kind, french, arabic = (line.split("\t") + ["", "", ""])[:4]
        rows.append((_forms(english), kind.strip(), _forms(french), _forms(arabic)))
    return tuple(rows)


def _forms(column: str) -> tuple[str, ...]:
    return tuple(f.strip() for f in column.split("|") if f.strip())


@lru_cache(maxsize=1)
def load_gazetteer(path: Path = GAZETTEER) -> dict[str, list[str]]:
    """Normalized French/Arabic/English form → English names (lower-case), from the TSV."""
    table: dict[str, list[str]] = defaultdict(list)
    for english, _kind, french, arabic in gazetteer_rows(path):
        targets = [e.lower() for e in english]
        for form in (*english, *french, *arabic):
            key = normalize_for_index(form)
            if key:
                table[key].extend(t for t in targets if t not in table[key])
    return dict(table)


@lru_cache(maxsize=1)
def gazetteer_acronyms(path: Path = GAZETTEER) -> frozenset[str]:
    """Normalized keys of the gazetteer's Latin acronyms (UN, AU, US, WHO, PM): in running text
    they name something only when written in capitals, not as French 'un', 'au' or English 'us'."""
    return frozenset(normalize_for_index(f) for english, *_ in gazetteer_rows(path) for f in english
                     if f.isascii() and f.isupper())


@lru_cache(maxsize=1)
def gazetteer_kinds(path: Path = GAZETTEER) -> dict[str, str]:
    """English name (lower-case) → its kind in the gazetteer (country, city, org, person, title…)."""
    out: dict[str, str] = {}
    for english, kind, *_ in gazetteer_rows(path):
        for e in english:
            out.setdefault(e.lower(), kind)
    return out


def gazetteer_titles() -> frozenset[str]:
    """English names of the gazetteer's titles: 'minister' names an office, not a person."""
    return frozenset(n for n, kind in gazetteer_kinds().items() if kind == "title")


def _deletions(key: str) -> set[str]:
    return {key[:i] + key[i + 1:] for i in range(len(key))}


class NameLexicon:
    """Fuzzy index of proper-name-like corpus terms, keyed by consonant skeleton.

    `entries` are (term, doc_frequency) or (term, doc_frequency, capitalized_share).  Terms whose
    capitalized share is below `min_cap_share` (common lower-case words) are left out; plain
    pairs count as names.
    """

    def __init__(self, entries: Iterable[tuple], min_cap_share: float = 0.5,
                 gazetteer: dict[str, list[str]] | None = None):
        self.df: dict[str, int] = {}
        for entry in entries:
            term, freq = entry[0].lower(), int(entry[1])
            share = entry[2] if len(entry) > 2 else 1.0
            if share >= min_cap_share and len(term) >= 2 and term.isalpha():
                self.df[term] = self.df.get(term, 0) + freq
        self.gazetteer = load_gazetteer() if gazetteer is None else gazetteer
        self._by_key: dict[str, list[str]] = defaultdict(list)
        self._keys: dict[str, set[str]] = {}
        for term in self.df:
            self._keys[term] = latin_skeletons(term)
            for skel in self._keys[term]:
                self._by_key[skel].append(term)
                if len(skel) >= 4:  # deletion neighbours only where a key is specific enough
                    for d in _deletions(skel):
                        self._by_key["~" + d].append(term)

    def __len__(self) -> int:
        return len(self.df)

    def _pool(self, skel: str) -> set[str]:
        pool = set(self._by_key.get(skel, ()))
        if len(skel) >= 4:
            pool.update(self._by_key.get("~" + skel, ()))
            for d in _deletions(skel):
                pool.update(self._by_key.get(d, ()))
                pool.update(self._by_key.get("~" + d, ()))
        return pool

    def _fuzzy(self, spellings: list[str], skels: set[str], penalty: float = 0.0) -> dict[str, float]:
        pool = sorted(set().union(*(self._pool(k) for k in skels if k)))
        if not pool or not spellings:
            return {}
        sims = process.cdist(spellings, pool, scorer=fuzz.ratio, workers=1).max(axis=0)
        out: dict[str, float] = {}
        for term, sim in zip(pool, sims.tolist()):
            exact_key = bool(self._keys[term] & skels)
            score = sim + (15.0 if exact_key else 0.0) + 3.0 * math.log10(self.df[term]) - penalty
            # A corruption or rare variant also lifts its usual spelling to its own score.
            for t in {term, self._dominant(term)}:
                out[t] = max(score, out.get(t, -1e9))
        return out

    def _dominant(self, term: str) -> str:
        """The usual spelling `term` is an OCR corruption or rare variant of (same skeleton, close
        letters, at least OCR_SIBLING_DF times as many documents), else `term`: a transliteration
        that lands on "kvien" (2 documents) also means "kevin" (117)."""
        memo = self.__dict__.setdefault("_dominant_memo", {})
        if term not in memo:
            siblings = [other for skel in self._keys[term] for other in self._by_key.get(skel, ())
                        if self.df[other] >= OCR_SIBLING_DF * self.df[term]
                        and fuzz.ratio(term, other) >= OCR_SIBLING_SIM]
            memo[term] = max(siblings, key=lambda t: (self.df[t], t), default=term)
        return memo[term]

    def lookup(self, token: str, limit: int = 5) -> list[tuple[str, float]]:
        """English corpus terms (lower-case) for an Arabic, French or English token or phrase, best first.

        Gazetteer hits come first with score 200; then fuzzy transliteration matches, scored
        by string similarity (0-100) plus a skeleton bonus and log document frequency.
        """
        key = normalize_for_index(token.strip())
        scores: dict[str, float] = {}
        for rank, english in enumerate(self._gazetteer_hits(key)):
            scores[english] = 200.0 - rank
        if " " not in key:
            raw = token.strip().translate(_STRIP_TABLE)  # keeps hamza: أليك is not ال + يك
            for term, s in self._fuzzy_hits(key, raw).items():
                if s > scores.get(term, -1e9):
                    scores[term] = s
        return sorted(scores.items(), key=lambda kv: -kv[1])[:limit]

    def _gazetteer_hits(self, key: str) -> list[str]:
        hits = list(self.gazetteer.get(key, ()))
        if not hits and is_arabic(key):
            for variant in (key[2:] if key.startswith("ال") else "ال" + key,
                            key[1:] if key[:1] in _ARABIC_CLITICS else ""):
                hits = self.gazetteer.get(variant, []) if variant else []
                if hits and key.startswith("ال") and variant == key[2:]:
                    # A person's name takes no article: الروس is "the Russians", not Ross.
                    hits = [h for h in hits if gazetteer_kinds().get(h) != "person"]
                if hits:
                    break
        return hits

    def _fuzzy_hits(self, key: str, raw: str) -> dict[str, float]:
        if not is_arabic(key):
            scores = self._fuzzy([key], latin_skeletons(key))
            if key in self.df:
                scores[key] = 115.0 + 3.0 * math.log10(self.df[key])
            return scores
        scores = self._fuzzy(arabic_to_latin_candidates(raw, 20), arabic_skeletons(raw))
        # Readings with a proclitic (ب، و، ل، ف) or the article removed, slightly penalized.
        variants = [raw[1:]] if raw[:1] in _ARABIC_CLITICS and len(raw) >= 5 else []
        if raw.startswith("ال"):
            variants.append("ـ" + raw)  # tatweel shields the article from stripping
        for variant in variants:
            more = self._fuzzy(arabic_to_latin_candidates(variant, 20), arabic_skeletons(variant), 10.0)
            for t, s in more.items():
                scores[t] = max(s, scores.get(t, -1e9))
        return scores

    def gazetteer_spans(self, text: str, max_words: int = 4) -> list[tuple[int, int, list[str]]]:
        """Longest gazetteer phrases in `text`: (start, end, English names) over normalized words."""
        words = [(m.start(), m.end(), m.group()) for m in re.finditer(LETTER + "+(?:-" + LETTER + "+)*", text)]
        return self._longest_runs(words, " ", max_words,
                                  lambda w: self._hyphen_parts(*w) if "-" in w[2] else [], text)

    def _hyphen_parts(self, start: int, end: int, word: str) -> list[tuple[int, int, list[str]]]:
        """Gazetteer names inside a hyphenated compound that is none itself ("sommet UE-États-Unis":
        the EU and the United States), each the longest run of its parts that is one."""
        parts, at = [], start
        for p in word.split("-"):
            parts.append((at, at + len(p), p))
            at += len(p) + 1
        return self._longest_runs(parts, "-", len(parts))

    def _longest_runs(self, words: list[tuple[int, int, str]], joiner: str, max_words: int,
                      missed=lambda word: [], text: str | None = None) -> list[tuple[int, int, list[str]]]:
        """(start, end, English names) of the longest runs of `words` (start, end, text), joined
        by `joiner` (or, given the `text` they come from, as written there, so that an elided
        article stays: "Département d'État", "Côte d'Ivoire"), that the gazetteer knows;
        `missed(word)` is asked about a word that starts none."""
        out, i = [], 0
        while i < len(words):
            for n in range(min(max_words, len(words) - i), 0, -1):
                phrase = (" ".join(text[words[i][0]:words[i + n - 1][1]].split()) if text is not None
                          else joiner.join(w for _, _, w in words[i:i + n]))
                key = normalize_for_index(phrase)
                if (n == 1 and key in gazetteer_acronyms() and not phrase.isupper()) or len(key) < 2:
                    continue
                hits = self._gazetteer_hits(key)
                if hits:
                    out.append((words[i][0], words[i + n - 1][1], hits))
                    i += n
                    break
            else:
                out += missed(words[i])
                i += 1
        return out
