"""Lexical bridge across scripts: an Arabic or French query → English terms of the corpus.

- names: Arabic words are transliterated and fuzzy-matched against the proper names of the
  corpus itself (`NameLexicon`), so one Arabic spelling reaches the English spellings and
  their OCR variants; the gazetteer maps countries, organisations and titles (Libye → libya,
  الأمم المتحدة → un);
- dates: Arabic/French dates and month names → English month names and "month day" phrases;
- spelled-out numbers (الثامنة, deux) → digits and the English word.

The terms feed a bag-of-words OR query ranked by BM25 (see hybrid.py): a bridged query is
never all-must-match, since some bridged terms are always wrong or absent.

Which corpus terms are names is learnt from the corpus: the share of a term's occurrences that
are capitalized.  That table (`names.json` beside the vectors) is built with the vectors, only
for documents added since the last build.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import threading
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable

import numpy as np

from dalil.store.base import FullTextStore
from dalil.text import aramorph
from dalil.text.datafile import tsv_rows
from dalil.text.dictionary import MAX_PHRASE, Dictionary
from dalil.text.lexicon import NameLexicon, load_gazetteer
from dalil.text.multidate import EN_MONTHS, find_dates
from dalil.text.normalize import LETTER, is_arabic, normalize_for_index
from dalil.text.numbers import EN_NUMBER, is_decade, number_word, teen
from dalil.text.stopwords import function_word

# Word translation through the multilingual sentence space: a query word's nearest English
# corpus words, kept when clearly closer than the crowd (an unknown word has a flat neighbourhood).
VOCAB_SIZE = 40000
COLUMNS_KEPT = 128       # words whose similarity columns a process keeps (160 KB each: 20 MB)
WORD_MIN_SIM = 0.6
WORD_MARGIN = 0.12       # best similarity minus the 20th best
# A word the bilingual dictionary knows (dalil/text/dictionary.py) is translated by its senses
# that are vocabulary words, the model choosing: the most similar to the word, and a second
# within DICT_SPREAD of it, when the best reaches DICT_MIN_SIM.  Such a sense also overrides a
# fuzzy name match that the model finds less similar (الأمن: security, not Oman).
DICT_MIN_SIM = 0.3
DICT_SPREAD = 0.05
DICT_KEEP = 2
HELD_SENSES = 4          # senses outside the vocabulary that a document holds, tried when none in it fits
FUZZY_MIN = 95.0         # NameLexicon score: similarity (0-100) + skeleton bonus + 3·log10(df)
NAME_CERTAIN = 190.0     # gazetteer entries score 200 minus their rank; fuzzy matches stay under 130
LATIN_RESPELL_MIN = 100.0  # the same, for a capitalized Latin word no document holds (Bingazi)
FUZZY_MIN_UNKNOWN = 85.0  # the same, for a word the bilingual dictionary does not know
PAIR_READINGS = 6        # readings of a surname tried against the first name before it (_pair_surnames)
PAIR_MIN = 90.0          # the least lexicon score of such a reading
NAME_SHARE = 0.6         # a term is a name when at least this share of its uses is capitalized
_WORD = re.compile(r"[A-Za-z]{3,}")


@dataclass
class Bridged:
    terms: list[str] = field(default_factory=list)         # single English words
    phrases: list[str] = field(default_factory=list)       # multi-word English names/dates
    sources: dict[str, list[str]] = field(default_factory=dict)   # query word → what it gave
    named: set[str] = field(default_factory=set)   # query words read as names of the archive (fuzzy)

    def all(self) -> list[str]:
        return list(dict.fromkeys(self.phrases + self.terms))


class NameTable:
    """Per-term document frequency and capitalized share, counted over the archive's documents."""

    def __init__(self, path: Path):
        self.path = Path(path)

    def load(self) -> dict:
        if self.path.exists():
            return json.loads(self.path.read_text())
        return {"last_doc": 0, "terms": {}}

    def update(self, store: FullTextStore) -> int:
        """Count the documents added since the last update; returns how many were read."""
        data = self.load()
        terms: dict[str, list[int]] = data["terms"]
        n = 0
        for row_id, text in store.texts_after(data["last_doc"]):
            words = _WORD.findall(text)
            caps = Counter(w.lower() for w in words if w[0].isupper() and not w.isupper())
            occ = Counter(w.lower() for w in words if not w.isupper())
            for w, c in occ.items():
                entry = terms.setdefault(w, [0, 0, 0])
                entry[0] += 1
                entry[1] += c
                entry[2] += caps.get(w, 0)
            data["last_doc"] = row_id
            n += 1
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, separators=(",", ":")))
        os.replace(tmp, self.path)
        return n

    def entries(self, min_df: int = 2) -> list[tuple[str, int, float]]:
        return [(t, df, cap / occ) for t, (df, occ, cap) in self.load()["terms"].items()
                if df >= min_df and occ]

    def lexicon(self, gazetteer: dict[str, list[str]] | None = None) -> NameLexicon:
        """The archive's name lexicon: the terms capitalized in at least NAME_SHARE of their uses
        (and the gazetteer, unless another table is given)."""
        if gazetteer is not None:
            return NameLexicon(self.entries(), min_cap_share=NAME_SHARE, gazetteer=gazetteer)
        # Kept built between processes (model_cache), as the table and gazetteer files are now:
        # reading the table and indexing its names' skeletons took 0.3 s of every cold search
        # in another language than English; unpickling the index takes 0.03 s.  The key names
        # the files it is made from, the code that makes it among them.
        from dalil.text import lexicon, normalize, translit
        from dalil.text.model_cache import cached_value, source_key
        keys = [source_key(f, str(NAME_SHARE)) for f in
                (self.path, lexicon.GAZETTEER, lexicon.__file__, translit.__file__, normalize.__file__)]
        build = lambda: NameLexicon(self.entries(), min_cap_share=NAME_SHARE)   # noqa: E731
        return build() if None in keys else cached_value("names", "|".join(keys), build)


class WordVocabulary:
    """The archive's frequent English words with their vectors (`vocab.npy`, `vocab.json`)."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self._loaded: tuple[list[str], np.ndarray] | None = None
        self._columns: dict[str, np.ndarray] = {}     # word → its similarities (see `similarities`)

    def exists(self) -> bool:
        return (self.folder / "vocab.json").exists()

    def update(self, table: NameTable, workers: int = 2) -> int:
        """Embed the frequent words not embedded yet; returns how many were added."""
        from dalil.search.dense import embed_texts
        words = json.loads((self.folder / "vocab.json").read_text()) if self.exists() else []
        known = set(words)
        terms = table.load()["terms"]
        frequent = sorted((t for t, (df, _, _) in terms.items() if df >= 3 and len(t) >= 3),
                          key=lambda t: -terms[t][0])[:VOCAB_SIZE]
        new = [t for t in frequent if t not in known]
        if not new:
            return 0
        vecs = embed_texts(new, workers)
        old = self._matrix(len(words)) if words else np.zeros((0, vecs.shape[1]), np.float16)
        # Each file replaced whole (a build killed mid-write leaves the old one), the matrix first:
        # a kill between the two leaves extra rows past the words, which `_matrix` ignores.
        tmp = self.folder / "vocab.tmp.npy"
        np.save(tmp, np.concatenate([old, vecs]))
        os.replace(tmp, self.folder / "vocab.npy")
        tmp = self.folder / "vocab.json.tmp"
        tmp.write_text(json.dumps(words + new))
        os.replace(tmp, self.folder / "vocab.json")
        self._loaded = None
        self._columns = {}
        return len(new)

    def load(self) -> tuple[list[str], np.ndarray]:
        if self._loaded is None:
            words = json.loads((self.folder / "vocab.json").read_text())
            self._loaded = (words, _widened(self.folder / "vocab.npy")[:len(words)])
            self._position = {w: i for i, w in enumerate(words)}
        return self._loaded

    def _matrix(self, n: int) -> np.ndarray:
        """The vectors of the first `n` words (rows past them: an update killed between its files)."""
        return np.load(self.folder / "vocab.npy")[:n]

    def digest(self) -> str | None:
        """SHA-256 of the words and their vectors (None when there is no vocabulary)."""
        if not self.exists():
            return None
        words = json.loads((self.folder / "vocab.json").read_text())
        h = hashlib.sha256(json.dumps(words).encode())
        h.update(np.ascontiguousarray(self._matrix(len(words))).tobytes())
        return h.hexdigest()

    def knows(self, word: str) -> bool:
        self.load()
        return word in self._position

    def similarities(self, words: list[str], embed) -> np.ndarray:
        """(vocabulary, words) cosine similarities, the words not seen lately embedded in one call.
        Each word's column is kept (the last COLUMNS_KEPT words): a product with the whole
        vocabulary reads its 76 MB of vectors, 10-15 ms of a cross-lingual search, and people
        keep searching with the same words.  A column is the product of the matrix with that
        word's vector alone, so it is the same whichever words it was asked with."""
        _, matrix = self.load()
        with _RECENT_LOCK:           # server threads share the vocabulary
            have = {w: self._columns[w] for w in words if w in self._columns}
        missing = [w for w in dict.fromkeys(words) if w not in have]
        if missing:
            found = {w: matrix @ v for w, v in zip(missing, embed(missing))}
            have.update(found)
            with _RECENT_LOCK:
                self._columns.update(found)
                while len(self._columns) > COLUMNS_KEPT:
                    self._columns.pop(next(iter(self._columns)))
        return np.stack([have[w] for w in words], axis=1)

    def similarity(self, col: np.ndarray, term: str) -> float | None:
        """A vocabulary word's entry in a column of `similarities` (None if not a vocabulary word)."""
        i = self._position.get(term)
        return None if i is None else float(col[i])

    def nearest(self, col: np.ndarray) -> list[str]:
        """The nearest words of one column, when clearly closer than the crowd."""
        vocab, _ = self.load()
        top = np.argpartition(-col, 20)[:20]
        top = top[np.argsort(-col[top])]
        best = float(col[top[0]])
        if best < WORD_MIN_SIM or best - float(col[top[-1]]) < WORD_MARGIN:
            return []
        return [vocab[i] for i in top[:2] if col[i] >= best - 0.03]

    def rank_senses(self, col: np.ndarray, senses: list[str]) -> list[tuple[str, float]]:
        """The dictionary senses that are vocabulary words, most similar to the word first."""
        ranked = [(e, float(col[self._position[e]])) for e in senses if e in self._position]
        return sorted(ranked, key=lambda es: -es[1])


def _widened(path: Path) -> np.ndarray:
    """The float16 matrix at `path` as float32, memory-mapped from a widened copy in dalil's
    model cache (written once per file): reading and widening the 40,000-word vocabulary took
    0.1-0.2 s of every cold cross-lingual search.  The same float32 values either way."""
    from dalil.text.model_cache import mapped_array, source_key
    key = source_key(path, "float32")
    build = lambda: np.load(path).astype(np.float32)     # noqa: E731
    return build() if key is None else mapped_array("vocab32", key, build)


_RECENT_LOCK = threading.Lock()
EMAIL_SHORT_DATA = Path(__file__).with_name("data") / "email_short.tsv"


@lru_cache(maxsize=1)
def email_short_forms() -> dict[str, str]:
    """data/email_short.tsv, read once: a word or phrase → how email senders shorten it (meeting → mtg)."""
    return {word: short for word, short in tsv_rows(EMAIL_SHORT_DATA)}


EMAIL_SHORT = email_short_forms()


class Bridge:
    def __init__(self, lexicon: NameLexicon | Callable[[], NameLexicon], vocabulary: WordVocabulary | None = None,
                 embed=None, dictionary: Dictionary | Callable[[], Dictionary] | None = None):
        self._lexicon = lexicon
        self.phrase_in_archive = None     # phrase → whether a document holds it (set by for_archive)
        self.vocabulary = vocabulary
        self.embed = embed
        self._dictionary = dictionary
        self._recent: dict[tuple[str, str], Bridged] = {}

    @property
    def lexicon(self) -> NameLexicon:
        """The name lexicon, read on first use: an English query never needs it, and reading the
        archive's name table took a quarter of a cold English search (docs/benchmarks.md)."""
        if not isinstance(self._lexicon, NameLexicon):
            self._lexicon = self._lexicon()
        return self._lexicon

    @property
    def dictionary(self) -> Dictionary | None:
        """The bilingual dictionaries (None without a vocabulary), read on first use: only a
        query in another language than English looks words up."""
        if self._dictionary is not None and not isinstance(self._dictionary, Dictionary):
            self._dictionary = self._dictionary()
        return self._dictionary

    @classmethod
    def for_archive(cls, store: FullTextStore, vectors) -> "Bridge":
        """`vectors`: the archive's VectorIndex (its folder holds the name table and vocabulary)."""
        table = NameTable(vectors.dir / "names.json")
        vocabulary = WordVocabulary(vectors.dir)
        vocabulary = vocabulary if vocabulary.exists() else None
        embed = (lambda words, also=None: vectors.encode_many(words, also)) if vocabulary else None
        dictionary = Dictionary if vocabulary else None
        if table.path.exists():
            bridge = cls(table.lexicon, vocabulary, embed, dictionary)
        else:      # no name table yet: only the gazetteer (fuzzy names need to know what a name is)
            bridge = cls(lambda: NameLexicon([], gazetteer=load_gazetteer()), vocabulary, embed, dictionary)
        bridge.phrase_in_archive = store.phrase_exists
        return bridge

    def bridge(self, query: str, lang: str, also_embed: str | None = None) -> Bridged:
        """English terms for `query`; `also_embed` is embedded in the same batch as its words.
        The last queries' results are kept (read-only for callers): the tracer bridges a claim's
        words, then searches the same words."""
        key = (query, lang)
        found = self._recent.get(key)
        if found is None:
            found = self._bridge(query, lang, also_embed)
            if self.phrase_in_archive is not None:     # both ask the archive which pairs it writes
                self._pair_names(found, query)
                self._pair_surnames(found, query)
            with _RECENT_LOCK:          # server threads share the archive's bridge
                if len(self._recent) >= 64:
                    self._recent.pop(next(iter(self._recent)))
                self._recent[key] = found
        return found

    def _bridge(self, query: str, lang: str, also_embed: str | None) -> Bridged:
        out = Bridged()
        if lang == "en":
            return out
        text = query
        for s, e, value in reversed(find_dates(query, day_first=True)):
            self._add_date(out, query[s:e], value)
            text = text[:s] + " " + text[e:]
        covered: list[tuple[int, int]] = []
        for s, e, names in self.lexicon.gazetteer_spans(text):
            source = text[s:e]
            if len(source) <= 3 and not source.isupper():
                continue           # short keys are acronyms (UN, ONU): French "un" is an article
            self._add(out, source, names[:2])
            covered.append((s, e))
        rest = []
        names: dict[str, tuple[list[str], float]] = {}   # Arabic word → names it may be, score
        confident: set[str] = set()
        senses: dict[str, list[str]] = {}     # word → its dictionary translations
        for s, e, found in self._phrases(text, covered, lang):
            rest.append(text[s:e])         # a multi-word expression: petit déjeuner → breakfast
            senses[text[s:e]] = found
            covered.append((s, e))
        last_number: tuple[str, str] | None = None     # the previous word, when a number word
        for m in re.finditer(LETTER + "+", text):
            if any(s <= m.start() < e for s, e in covered):
                continue
            word = m.group()
            key = normalize_for_index(word)
            if len(key) < 3 or key.isdigit():
                continue
            digits = number_word(word)
            if digits:                 # الثامنة, deux: the sources write 8 or "eight"
                compound = teen(*last_number, word) if last_number else None
                if compound:           # الحادية عشرة: 11, not 1 and 10
                    digits = compound
                    for t in out.sources.pop(last_number[0], []):
                        out.terms.remove(t)
                    word = f"{last_number[0]} {word}"
                if is_decade(word):
                    self._add(out, word, [f"{digits}s", f"19{digits}s"])     # الثمانينيات: the 80s, 1980s
                    last_number = None
                    continue
                self._add(out, word, [digits] + ([EN_NUMBER[digits]] if digits in EN_NUMBER else []))
                last_number = (word, digits)
                continue
            last_number = None
            if function_word(word, lang):
                continue
            if self.dictionary is not None and self.vocabulary is not None:
                senses[word] = self.dictionary.lookup(word, "ar" if is_arabic(word) else lang)
            if is_arabic(word):
                hits = self.lexicon.lookup(word, limit=3)
                glossed = self.dictionary is not None and bool(self.dictionary.glossary(word, "ar"))
                if glossed or aramorph.is_inflected_verb(word):
                    # كتبت (she wrote) ≈ Tibet, تزور (she visits) ≈ Zor: a conjugated verb is no
                    # name unless the gazetteer says so; nor is a word of the glossary (التركي,
                    # Turkish, had been Buckwalter's proper noun Tariq).
                    hits = [h for h in hits if h[1] >= NAME_CERTAIN]
                proper = [] if glossed else sorted(
                    (n for n in aramorph.proper_names(word) if all(w in self.lexicon.df for w in n.split())),
                    key=lambda n: -min(self.lexicon.df[w] for w in n.split()))[:1]
                if proper and not (hits and hits[0][1] >= NAME_CERTAIN):
                    # Buckwalter's spelling of the name (its most frequent in the archive) leads
                    # the transliteration's guesses (شون: Sean before Chun; خوسيه: Jose, not Kusa).
                    top = max(hits[0][1] if hits else 0.0, FUZZY_MIN)
                    hits = [(proper[0], top)] + [h for h in hits if h[0] != proper[0]]
                # A word the dictionary does not know is most likely a name or a loanword
                # (روزفلت, أيكنبري): a looser fuzzy match is accepted for it.
                # (Only in an Arabic query: a Persian or Urdu word is unknown to the Arabic
                # dictionary for no reason that makes it a name.)
                unknown = (lang == "ar" and word in senses and not senses[word]
                           and self.dictionary.languages() >= {"ar"})
                floor = FUZZY_MIN_UNKNOWN if unknown else FUZZY_MIN
                if hits and hits[0][1] >= floor:
                    best = hits[0][1]
                    names[word] = ([t for t, s in hits if s >= max(floor, best - 4)][:2], best)
                    if best >= 110:
                        confident.add(word)
                        if not senses.get(word):
                            continue   # a confident name: not a word to translate
            elif word[:1].isupper() and not self._capitalized_word(word, key, senses):
                # Latin-script names reach the index as they are, unless no document writes
                # them so: a Turkish, Spanish or Italian spelling (Bingazi, Bengasi, Rusia)
                # takes the archive's close name; failing one, it is a word to translate (German
                # capitalizes its nouns: Botschaft, Angriff).
                if self.phrase_in_archive is None or self.phrase_in_archive(key):
                    continue
                hits = self.lexicon.lookup(word, limit=3)
                if hits and hits[0][1] >= LATIN_RESPELL_MIN:
                    self._add(out, word, [t for t, sc in hits if sc >= hits[0][1] - 4][:2])
                    continue
            rest.append(word)
        for word, (terms, _) in names.items():
            if word not in rest or self.vocabulary is None:
                self._add(out, word, terms)    # a name, nothing to translate
                out.named.add(word)
        if self.vocabulary is None or not rest:
            return out
        words = list(dict.fromkeys(rest))
        embed = (lambda ws: self.embed(ws, also_embed)) if also_embed else self.embed
        sims = self.vocabulary.similarities(words, embed)
        for j, word in enumerate(words):
            col = sims[:, j]
            ranked = self.vocabulary.rank_senses(col, senses.get(word, []))
            if word in names and not self._common_word(word, names[word], ranked, col):
                self._add(out, word, names[word][0])
                out.named.add(word)
                if word in confident:
                    continue
            if not (ranked and ranked[0][1] >= DICT_MIN_SIM) and is_arabic(word) and self.dictionary is not None:
                # No FreeDict sense the model backs: the noun readings of Buckwalter's lexicon.
                ranked = self.vocabulary.rank_senses(col, self.dictionary.lookup_morph(word))
            if not (ranked and ranked[0][1] >= DICT_MIN_SIM) and self.dictionary is not None:
                ranked = self._held_senses(word, senses.get(word, []) + (
                    self.dictionary.lookup_morph(word) if is_arabic(word) else []), embed)
            if ranked and ranked[0][1] >= DICT_MIN_SIM:
                picked = [e for e, sim in ranked[:DICT_KEEP] if sim >= ranked[0][1] - DICT_SPREAD]
            else:
                picked = self.vocabulary.nearest(col)
            key = normalize_for_index(word)
            # The glossary's translation stays whatever the model prefers (مكالمة is a "call").
            sure = [e for e in self.dictionary.glossary(word, "ar" if is_arabic(word) else lang)[:1]
                    if self.vocabulary.knows(e)] if self.dictionary is not None else []
            self._add(out, word, [e for e in dict.fromkeys(sure + picked) if e != key])
        return out

    def _held_senses(self, word: str, senses: list[str], embed) -> list[tuple[str, float]]:
        """The dictionary senses of `word` that are no vocabulary words but that a document
        holds, most similar to the word first, each embedded with it.  The vocabulary is the
        archive's words in three documents or more: in a small archive (a demo, one case file)
        ناقلة's one sense, "tanker", is in two documents and was no translation at all, so
        the English messages about a tanker were only "related" to an Arabic query naming it."""
        if self.phrase_in_archive is None:
            return []
        held = []
        for sense in dict.fromkeys(senses):
            key = normalize_for_index(sense)
            if len(held) >= HELD_SENSES or self.vocabulary.knows(key) or not re.fullmatch(r"\w+(?: \w+)*", key):
                continue
            if self.phrase_in_archive(key):
                held.append(key)
        if not held:
            return []
        vecs = embed([word, *held])
        return sorted(((e, float(vecs[0] @ v)) for e, v in zip(held, vecs[1:])), key=lambda es: -es[1])

    def _capitalized_word(self, word: str, key: str, senses: dict[str, list[str]]) -> bool:
        """A capitalized word that is no name: a French demonym (les Irakiens, des Européens)
        or a sentence's first word, which the dictionary translates and no document holds."""
        return bool(senses.get(word)) and self.vocabulary is not None and not self.vocabulary.knows(key)

    def _phrases(self, text: str, covered: list[tuple[int, int]], lang: str) -> list[tuple[int, int, list[str]]]:
        """(start, end, English words) of the dictionary's multi-word expressions in `text`,
        longest first, outside the spans already covered (names, dates)."""
        if self.dictionary is None or self.vocabulary is None:
            return []
        words = [m for m in re.finditer(LETTER + "+", text) if not any(s <= m.start() < e for s, e in covered)]
        out, i = [], 0
        while i < len(words):
            for n in range(min(MAX_PHRASE, len(words) - i), 1, -1):
                span = words[i:i + n]
                gaps = [text[a.end():b.start()] for a, b in zip(span, span[1:])]
                if any(not re.fullmatch(r"[\s'’-]{1,3}", g) for g in gaps):
                    continue               # words of one expression are adjacent
                if all(function_word(m.group(), lang) for m in span):
                    continue
                # Only senses the archive uses: مدير الفندق is "hotelier" to the dictionary, and
                # "hotel manager" to the memo, where its two words do better one by one.
                found = [e for e in self.dictionary.lookup_phrase([m.group() for m in span], lang)
                         if self.vocabulary.knows(e) and not function_word(e, "en")]
                if found:
                    out.append((span[0].start(), span[-1].end(), found))
                    i += n
                    break
            else:
                i += 1
        return out

    def _common_word(self, word: str, names: tuple[list[str], float],
                     ranked: list[tuple[str, float]], col: np.ndarray) -> bool:
        """A word the fuzzy name match took for a name (الأمن ≈ Oman) that the dictionary knows
        as a common word: its best sense is closer to it, in the model, than the names are."""
        terms, score = names
        if not ranked or score >= 200 or ranked[0][1] < DICT_MIN_SIM:
            return False                       # a gazetteer entry, or no sense the model backs
        name_words = {w for t in terms for w in t.split()}
        if name_words & {e for e, _ in ranked}:
            return False                       # the dictionary agrees: a name (بيل → bill)
        name_sims = [self.vocabulary.similarity(col, w) for w in name_words]
        return ranked[0][1] > max([x for x in name_sims if x is not None], default=-1.0)

    def _pair_names(self, out: Bridged, text: str) -> None:
        """A surname the gazetteer gives its best-known bearer (روس → Dennis Ross) right after
        another first name (أليك روس): the archive's own pair, Alec Ross, where a document
        writes the two together.  Without that check a noun before a name (اجتماع كلينتون) would
        take the full name from it."""
        for source, forms in list(out.sources.items()):
            full = forms[0].split() if forms else []
            if len(full) != 2 or full[1] not in forms:
                continue
            before = re.search(r"(" + LETTER + r"+)\s+$", text[:max(text.find(source), 0)])
            if not before or before.group(1) not in out.named:
                continue       # a title or a word before the name (الرئيس كرزاي), not a first name
            first = (out.sources.get(before.group(1)) or [""])[0]
            pair = f"{first} {full[1]}"
            if first in self.lexicon.df and first != full[0] and self.phrase_in_archive(pair):
                out.phrases = [pair if p == forms[0] else p for p in out.phrases]
                out.sources[source] = [pair, *forms[1:]]

    def _pair_surnames(self, out: Bridged, text: str) -> None:
        """An Arabic surname after a first name: of its transliteration's close readings, the one
        the archive writes after that first name (هانك نوتون: Hank Naughton, where Newton is the
        closer spelling) replaces the others.  Where no document pairs a reading with the first name,
        the readings stay as they were."""
        words = [(m.group(), m.start()) for m in re.finditer(LETTER + "+", text)]
        for (prev, _), (word, _) in zip(words, words[1:]):
            firsts, forms = out.sources.get(prev) or [], out.sources.get(word) or []
            if not (is_arabic(word) and firsts and forms and {prev, word} <= out.named) \
                    or " " in firsts[0] or " " in forms[0]:
                continue         # two names read by transliteration (not وزير التركي, "the Turkish minister")
            first = firsts[0]
            if first not in self.lexicon.df or self.phrase_in_archive(f"{first} {forms[0]}"):
                continue
            for name, score in self.lexicon.lookup(word, limit=PAIR_READINGS)[1:]:
                if score >= PAIR_MIN and " " not in name and self.phrase_in_archive(f"{first} {name}"):
                    out.terms = [t for t in out.terms if t not in forms] + [name]
                    out.phrases.append(f"{first} {name}")
                    out.sources[word] = [name]
                    break

    @staticmethod
    def _add(out: Bridged, source: str, names: list[str]) -> None:
        names = list(dict.fromkeys([*names, *(EMAIL_SHORT[n] for n in names if n in EMAIL_SHORT)]))
        for name in names:
            (out.phrases if " " in name else out.terms).append(name)
        if names:
            out.sources[source] = list(names)

    @staticmethod
    def _add_date(out: Bridged, source: str, value: str) -> None:
        parts = value.lstrip("-").split("-")
        if value.startswith("--"):
            month, day = int(parts[0]), int(parts[1])
            year = None
        else:
            year = parts[0]
            month = int(parts[1]) if len(parts) > 1 else None
            day = int(parts[2]) if len(parts) > 2 else None
        words = []
        if month:
            name = EN_MONTHS[month - 1]
            words.append(name)
            if day:
                out.phrases.append(f"{name} {day}")
        if year:
            words.append(year)
        out.terms.extend(words)
        out.sources[source] = ([f"{EN_MONTHS[month - 1]} {day}"] if month and day else []) + words
