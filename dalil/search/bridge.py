"""Lexical bridge across scripts: an Arabic or French query → English terms of the corpus.

- names: Arabic words are transliterated and fuzzy-matched against the proper names of the
  corpus itself (`NameLexicon`), so one Arabic spelling reaches the English spellings and
  their OCR variants; the gazetteer maps countries, organisations and titles (Libye → libya,
  الأمم المتحدة → un);
- dates: Arabic/French dates and month names → English month names and "month day" phrases.

The terms feed a bag-of-words OR query ranked by BM25 (see hybrid.py): a bridged query is
never all-must-match, since some bridged terms are always wrong or absent.

Which corpus terms are names is learnt from the corpus: the share of a term's occurrences that
are capitalized.  That table (`names.json` beside the vectors) is built with the vectors, only
for documents added since the last build.
"""
from __future__ import annotations

import json
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from dalil.text.lexicon import NameLexicon, load_gazetteer
from dalil.text.multidate import find_dates
from dalil.text.normalize import is_arabic, normalize_for_index

EN_MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august",
             "september", "october", "november", "december"]
# Arabic function words: never names, and their transliterations hit short corpus words.
AR_STOP = frozenset(normalize_for_index(w) for w in (
    "في من إلى الى على عن مع هذا هذه ذلك تلك التي الذي الذين لم لن لا ما ماذا هل قد كان كانت "
    "يكون أن ان إن إنه انه أنه بعد قبل عند حول بين خلال ثم أو او و ف ب ل ك كل بعض غير عبر "
    "منذ حتى لدى أي اي هو هي هم نحن أنا انا ضد دون فقط أيضا ايضا يوم عام سنة").split())
FUZZY_MIN = 95.0         # NameLexicon score: similarity (0-100) + skeleton bonus + 3·log10(df)
NAME_SHARE = 0.6         # a term is a name when at least this share of its uses is capitalized
_WORD = re.compile(r"[A-Za-z]{3,}")


@dataclass
class Bridged:
    terms: list[str] = field(default_factory=list)         # single English words
    phrases: list[str] = field(default_factory=list)       # multi-word English names/dates
    sources: dict[str, list[str]] = field(default_factory=dict)   # query word → what it gave

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

    def update(self, db) -> int:
        """Count the documents added since the last update; returns how many were read."""
        data = self.load()
        terms: dict[str, list[int]] = data["terms"]
        n = 0
        for row_id, text in db.execute("SELECT id, text FROM documents WHERE id > ? ORDER BY id",
                                       (data["last_doc"],)):
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


class Bridge:
    def __init__(self, lexicon: NameLexicon):
        self.lexicon = lexicon

    @classmethod
    def for_archive(cls, store, vectors_dir: Path | None) -> "Bridge":
        table = NameTable(vectors_dir / "names.json") if vectors_dir else None
        if table is not None and table.path.exists():
            entries = table.entries()
            return cls(NameLexicon(entries, min_cap_share=NAME_SHARE))
        # No name table yet: only the gazetteer (fuzzy names need to know what a name is).
        return cls(NameLexicon([], gazetteer=load_gazetteer()))

    def bridge(self, query: str, lang: str) -> Bridged:
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
        for m in re.finditer(r"[^\W_]+", text):
            if any(s <= m.start() < e for s, e in covered):
                continue
            word = m.group()
            if not is_arabic(word):
                continue               # Latin words already reach the index as they are
            key = normalize_for_index(word)
            if key in AR_STOP or len(key) < 3:
                continue
            hits = self.lexicon.lookup(word, limit=3)
            if not hits or hits[0][1] < FUZZY_MIN:
                continue
            best = hits[0][1]
            self._add(out, word, [t for t, s in hits if s >= max(FUZZY_MIN, best - 4)][:2])
        return out

    @staticmethod
    def _add(out: Bridged, source: str, names: list[str]) -> None:
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
