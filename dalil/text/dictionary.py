"""Bilingual dictionaries: an Arabic or French word → its English translations.

Why: the multilingual sentence space translates names and frequent words well but common
Arabic/French words badly (their nearest English words are often neighbours in topic, not
translations).  A dictionary gives the candidate senses; the bridge then lets the model choose
among those that occur in the archive.

Source: the FreeDict dictionaries of Debian (`dict-freedict-{ara-eng,eng-ara,fra-eng,eng-fra}`,
GPL-2+ data, read at run time from /usr/share/dictd, never shipped).  The English→X
dictionaries are read backwards too (English headword → its Arabic/French translations).
Missing files mean an empty dictionary: the bridge then works without it.  Our own glossary of
official email's everyday words (data/glossary.tsv: مكالمة → call, رحلة → trip) comes first, and
holds without the Debian files.

Keys are `normalize_for_index` forms (Arabic letters folded, tashkeel and accents dropped),
for headwords and query words alike; an Arabic query word is also tried with the article and
without one proclitic (والمعاهدة → المعاهدة), and a word that is no headword falls back to the
headwords sharing its light stem (Arabic light10, a French plural s/x: « lettres » → « lettre »).
The parsed table is cached as JSON under ~/.cache/dalil/, keyed by the dictionary files' sizes
and mtimes (parsing takes ~1.5 s, loading the cache ~0.1 s).
"""
from __future__ import annotations

import gzip
import hashlib
import itertools
import json
import os
import re
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

from . import aramorph
from .normalize import arabic_light_stem, is_arabic, normalize_for_index

DICT_DIR = Path("/usr/share/dictd")
# language → (X→English dictionary, English→X dictionary)
SOURCES = {"ar": ("freedict-ara-eng", "freedict-eng-ara"), "fr": ("freedict-fra-eng", "freedict-eng-fra")}
CACHE_VERSION = 2
_B64 = {c: i for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")}
_NUMBERED = re.compile(r"^\d+\.\s*")
_PARENS = re.compile(r"\([^)]*\)|<[^>]*>|\[[^\]]*\]")
_SPLIT = re.compile(r"[,،;؛]")
_EN_WORD = re.compile(r"^(?:to |the |a |an )?([a-z]+)$")
_TOKEN = re.compile(r"[^\W_]+")
MAX_PHRASE = 4           # words of a multi-word expression


def _b64(s: str) -> int:
    n = 0
    for c in s:
        n = n * 64 + _B64[c]
    return n


def read_dict(name: str, folder: Path = DICT_DIR) -> list[tuple[str, list[str]]]:
    """(headword, translations) of a dictd dictionary; [] when its files are missing."""
    index, data = folder / f"{name}.index", folder / f"{name}.dict.dz"
    if not index.exists() or not data.exists():
        return []
    try:
        return _parse(index.read_text(encoding="utf-8"), gzip.open(data).read())
    except (OSError, EOFError, ValueError, KeyError, IndexError):
        return []                         # a damaged dictionary is left out, never fatal


def _parse(index: str, raw: bytes) -> list[tuple[str, list[str]]]:
    out = []                              # (raw: dictzip is gzip with a random-access table)
    for line in index.splitlines():
        parts = line.split("\t")
        if len(parts) != 3 or parts[0].startswith("00database"):
            continue
        start, length = _b64(parts[1]), _b64(parts[2])
        lines = raw[start:start + length].decode("utf-8", "replace").strip().split("\n")
        head = lines[0].split(" /")[0].split(" <")[0].strip()
        senses = []
        for sense in lines[1:]:
            sense = _PARENS.sub(" ", _NUMBERED.sub("", sense.strip()))
            senses += [p.strip() for p in _SPLIT.split(sense) if p.strip()]
        if head and senses:
            out.append((head, senses))
    return out


def stem(key: str) -> str:
    """The looser key of a normalized word: Arabic light stem, or a French plural s/x dropped."""
    if is_arabic(key):
        return arabic_light_stem(key)
    return key[:-1] if len(key) > 4 and key[-1] in "sx" else key


def _english(phrase: str) -> str | None:
    m = _EN_WORD.match(phrase.strip().lower())
    return m.group(1) if m else None


def _single(phrase: str) -> str | None:
    key = normalize_for_index(phrase.strip())
    return key if key and " " not in key and "-" not in key else None


def phrase_key(words: list[str]) -> str:
    """The key of a multi-word expression: its normalized words joined by one space."""
    return " ".join(w for word in words for w in _TOKEN.findall(normalize_for_index(word)))


def _multi(phrase: str) -> str | None:
    """The key of a 2-4 word headword or sense (petit déjeuner, جدول الأعمال), else None."""
    key = phrase_key([phrase])
    return key if 2 <= key.count(" ") + 1 <= MAX_PHRASE else None


def build(folder: Path = DICT_DIR) -> dict[str, tuple[dict[str, list[str]], ...]]:
    """language → (exact key → English words, stem key → English words, phrase key → English
    words): the phrases are the multi-word expressions that translate to one English word
    (petit déjeuner → breakfast, جدول الأعمال → agenda)."""
    tables = {}
    for lang, (to_en, from_en) in SOURCES.items():
        pairs: list[tuple[str, str]] = []
        multi: list[tuple[str, str]] = []
        for head, senses in read_dict(to_en, folder):
            key, phrase = _single(head), _multi(head)
            english = [e for e in map(_english, senses) if e]
            pairs += [(key, e) for e in english] if key else []
            multi += [(phrase, e) for e in english] if phrase else []
        for head, senses in read_dict(from_en, folder):
            english = _english(head)
            if english:
                pairs += [(key, english) for key in map(_single, senses) if key]
                multi += [(phrase, english) for phrase in map(_multi, senses) if phrase]
        exact: dict[str, list[str]] = defaultdict(list)
        stems: dict[str, list[str]] = defaultdict(list)
        phrases: dict[str, list[str]] = defaultdict(list)
        for table, key, english in [(exact, k, e) for k, e in pairs] + [(stems, stem(k), e) for k, e in pairs] \
                + [(phrases, k, e) for k, e in multi]:
            if english not in table[key]:
                table[key].append(english)
        if exact:
            tables[lang] = (dict(exact), dict(stems), dict(phrases))
    return tables


def _cache_path(folder: Path) -> Path:
    sig = [CACHE_VERSION, str(folder)]
    for names in SOURCES.values():
        for name in names:
            for suffix in (".index", ".dict.dz"):
                p = folder / f"{name}{suffix}"
                st = p.stat() if p.exists() else None
                sig.append((p.name, st.st_size, st.st_mtime_ns) if st else (p.name, None))
    digest = hashlib.sha1(repr(sig).encode()).hexdigest()[:16]
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "dalil" / f"dictionary-{digest}.json"


@lru_cache(maxsize=4)
def load(folder: Path = DICT_DIR) -> dict:
    """The tables (language → exact, stems, phrases), each memory-mapped from dalil's model cache
    (`MappedTable`): reading the whole parsed dictionary took 0.3 s and 30 MB of a cold search
    that looks up a few words.  Made once from `parsed` when the dictionary files change."""
    from dalil.text.model_cache import cached_value
    folder = Path(folder)
    key = str(_cache_path(folder))
    read: list = []

    def tables() -> dict:         # read (or parsed) once for all the tables a miss makes
        if not read:
            read.append(parsed.__wrapped__(folder))
        return read[0]
    langs = cached_value("dictionary-languages", key, lambda: sorted(tables()))
    return {lang: tuple(MappedTable.kept(f"dictionary-{lang}-{i}", key, lambda lang=lang, i=i: tables()[lang][i])
                        for i in range(3)) for lang in langs}


class MappedTable:
    """A table of word → list of words, as three memory-mapped arrays: the sorted keys, and the
    UTF-8 of each key's words (each ended by \x1f) with where each key's part starts.  `get`
    answers as the dict's did."""

    END = "\x1f"

    def __init__(self, keys, starts, blob):
        self.keys, self.starts, self.blob, self.n = keys, starts, blob, len(keys)

    @classmethod
    def kept(cls, name: str, key: str, build) -> "MappedTable":
        import numpy as np

        from dalil.text.model_cache import mapped_array
        made: list = []

        def arrays():
            if not made:
                table = build()
                words = sorted(table)
                parts = [("".join(w + cls.END for w in table[k])).encode() for k in words]
                starts = np.zeros(len(parts) + 1, dtype=np.int64)
                np.cumsum([len(p) for p in parts], out=starts[1:])
                made.append((np.array(words, dtype=str), starts, np.frombuffer(b"".join(parts) or b" ", np.uint8)))
            return made[0]
        return cls(*(mapped_array(f"{name}-{part}", key, lambda j=j: arrays()[j])
                     for j, part in enumerate(("keys", "starts", "blob"))))

    def get(self, key: str, default=None):
        i = int(self.keys.searchsorted(key)) if self.n else 0
        if i >= self.n or self.keys[i] != key:
            return default
        return self.blob[self.starts[i]:self.starts[i + 1]].tobytes().decode().split(self.END)[:-1]

    def __contains__(self, key: str) -> bool:
        return self.get(key) is not None

    def __getitem__(self, key: str) -> list[str]:
        found = self.get(key)
        if found is None:
            raise KeyError(key)
        return found


@lru_cache(maxsize=4)
def parsed(folder: Path = DICT_DIR) -> dict:
    """The parsed tables, from the cache when the dictionary files have not changed."""
    folder = Path(folder)
    path = _cache_path(folder)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pass                                   # no cache yet, or a damaged one: parse again
    tables = build(folder)
    if tables:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps(tables, ensure_ascii=False, separators=(",", ":")),
                           encoding="utf-8")
            os.replace(tmp, path)
        except OSError:
            pass                               # a read-only home: parse again next time
    return tables


class Dictionary:
    """English translations of Arabic and French words (empty when the dictionaries are absent)."""

    def __init__(self, folder: Path = DICT_DIR):
        try:
            self.tables = load(Path(folder))
        except Exception:                      # unreadable or malformed files: no dictionary
            self.tables = {}

    def languages(self) -> set[str]:
        return set(self.tables)

    def lookup(self, word: str, lang: str) -> list[str]:
        """English words for `word`: its own senses, or those of the headwords sharing its stem."""
        tables = self.tables.get(lang)
        if not tables:
            return self.glossary(word, lang)
        key = normalize_for_index(word)
        exact, stems = tables[0], tables[1]
        out = [e for k in _variants(key) for e in exact.get(k, [])]
        return list(dict.fromkeys(self.glossary(word, lang) + (out or stems.get(stem(key), []))))

    def glossary(self, word: str, lang: str) -> list[str]:
        """The glossary's English words for a word or expression (with or without the Arabic
        article or a proclitic, a French plural s/x dropped): the translation a sender would
        use, which the bridge keeps whatever the model prefers among the dictionary's senses."""
        table = load_glossary().get(lang)
        if not table:
            return []
        key = phrase_key([word])
        keys = _variants(key) + ([key[2:]] if key.startswith("ال") else [])
        if key[:1] in "وبلفك" and key[1:3] == "ال":
            keys.append(key[3:])
        if not is_arabic(key):
            keys.append(stem(key))
        return next((list(table[k]) for k in keys if k in table), [])

    def lookup_morph(self, word: str) -> list[str]:
        """English glosses of an Arabic word's morphological readings (Buckwalter's lexicon,
        dalil/text/aramorph.py): the stems of words that FreeDict lacks (البيضاوي → oval)."""
        return list(dict.fromkeys(e for e in map(_english, aramorph.glosses(word)) if e))

    def lookup_phrase(self, words: list[str], lang: str) -> list[str]:
        """English words for a multi-word expression (its first word also without a proclitic,
        each Arabic word with or without the article); [] when the dictionary has none."""
        sure = self.glossary(" ".join(words), lang)
        tables = self.tables.get(lang)
        if sure or not tables:
            return sure
        phrases = tables[2]
        keys = phrase_key(words).split(" ")
        options = [_variants(k) if is_arabic(k) else [k] for k in keys]
        options[1:] = [[k, k[2:]] if k.startswith("ال") else [k, "ال" + k] if is_arabic(k) else [k]
                       for k in keys[1:]]
        # Each word's variants combined, the words as written first; capped for long phrases.
        for combo in itertools.islice(itertools.product(*options), 64):
            found = phrases.get(" ".join(combo))
            if found:
                return list(found)
        return []


GLOSSARY = Path(__file__).with_name("data") / "glossary.tsv"


@lru_cache(maxsize=1)
def load_glossary(path: Path = GLOSSARY) -> dict[str, dict[str, list[str]]]:
    """language → normalized word or expression → English words, from the hand-written glossary
    of official email's everyday words (data/glossary.tsv)."""
    out: dict[str, dict[str, list[str]]] = {"fr": defaultdict(list), "ar": defaultdict(list)}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        english, french, arabic = (line.split("\t") + ["", ""])[:3]
        targets = [e.strip().lower() for e in english.split("|") if e.strip()]
        for lang, forms in (("fr", french), ("ar", arabic)):
            for form in forms.split("|"):
                key = phrase_key([form])
                if key:
                    out[lang][key].extend(t for t in targets if t not in out[lang][key])
    return {lang: dict(table) for lang, table in out.items()}


def _variants(key: str) -> list[str]:
    """Exact keys to try: an Arabic word also with the article, and without one proclitic
    (و ب ل ف ك): الإلغاء is the headword of إلغاء, which the light stem would cut to غاء."""
    if not is_arabic(key):
        return [key]
    keys = [key]
    # A proclitic is read off a noun, not off a conjugated verb: كتبت (she wrote) is no ك + تبت (Tibet).
    if key[0] in "وبلفك" and len(key) > 3 and not aramorph.is_inflected_verb(key):
        keys.append(key[1:])
    keys += ["ال" + k for k in keys]
    return keys
