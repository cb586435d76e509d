"""Find a person from any text: a printed form, an address, a name in Latin or Arabic script.

    person(store, "Mills, Cheryl D <MillsCD@state.gov>")   # exact form
    person(store, "abedinh?state,gov")                      # OCR-damaged address
    person(store, "HRC") / person(store, "Cheryl Mills")    # alias, display name
    person(store, "شيريل ميلز")                              # Arabic script -> Cheryl Mills
    same_person(store, "H", "hrod17@clintonemail.com")      # (True, 0.95)
"""
from __future__ import annotations

import re
import threading
from collections import defaultdict

from rapidfuzz import fuzz, process

from dalil.intel.forms import address_key, parse_form
from dalil.intel.people import WITHHELD, Person
from dalil.store.base import Store
from dalil.text.aramorph import lexicon
from dalil.text.correspondents import correspondent_kind
from dalil.text.normalize import is_arabic
from dalil.text.ocr_spelling import ocr_fix_address
from dalil.text.translit import arabic_skeleton, latin_skeletons

_ADDRESSISH = re.compile(r"^[^\s<>]+[@©?,][^\s<>]+$")


def load_person(store: Store, pid: int, method: str | None = None, confidence: float = 1.0,
                max_forms: int = 50) -> Person | None:
    """The stored person `pid` with their most frequent forms, or None."""
    row = store.person_record(pid)
    if row is None:
        return None
    forms = store.person_forms(pid, max_forms)
    return Person(id=row["id"], name=row["name"], forms=forms, sent=row["sent"], received=row["received"],
                  first=row["first"], last=row["last"], method=method, confidence=confidence,
                  kind=correspondent_kind(row["name"]))


def person(store: Store, text: str) -> Person | None:
    """The person a piece of text names, with how it was matched (`.method`, `.confidence`)."""
    text = (text or "").strip()
    if not text or not store.has_people():
        return None
    found = _find(store, text)
    if found is None:
        return None
    pid, method, conf = found
    return load_person(store, pid, method, conf)


def same_person(store: Store, a: str, b: str) -> tuple[bool, float]:
    """Whether two forms name one person, and how sure that is (0 when either is unknown)."""
    fa, fb = _find(store, (a or "").strip()), _find(store, (b or "").strip())
    if fa is None or fb is None or WITHHELD in (fa[0], fb[0]):
        return False, 0.0
    conf = round(min(fa[2], fb[2]), 3)
    return (fa[0] == fb[0]), conf


def _find(store: Store, text: str) -> tuple[int, str, float] | None:
    if not text:
        return None
    row = store.form_person(text)
    if row:
        return _prefer_namesake(store, text, row[0]) or (row[0], row[1], row[2])
    if any(is_arabic(w) for w in text.split()):
        return _find_arabic(store, text)
    if _ADDRESSISH.match(text) and "@" not in text:
        # `abedinh?state,gov`: a damaged @ and dot in an address typed or OCR'd without brackets.
        text = re.sub(r"[?,]", "@", text, count=1).replace(",", ".")
    f = parse_form(text)
    if "@" in text and not f.local:
        local = ocr_fix_address(text).split("@")[0]
        f.keys.insert(0, address_key(local))
    for k in f.keys:
        pid = store.key_person(k)
        if pid is not None:
            method = "address" if k.startswith("a:") else "name"
            return pid, method, 0.95 if k.startswith("a:") else 0.9
    return _find_by_name(store, text)


def _prefer_namesake(store: Store, text: str, pid: int) -> tuple[int, str, float] | None:
    """A bare surname printed once as a header form ('Clinton') names the archive's dominant
    bearer of that surname (Hillary Clinton), not a one-message person of its own: the one
    whose display name ends with the word and who wrote or received 50 times as many messages."""
    if not re.fullmatch(r"[A-Za-z][A-Za-z'\-]{3,}", text):
        return None
    row = store.person_record(pid)
    own = row["sent"] + row["received"] if row else 0
    best = max(((n, p) for p, name, n in store.persons_except((WITHHELD, pid))
                if name.lower().split()[-1:] == [text.lower()]), default=None)
    if best and best[0] >= 50 * max(own, 1):
        return best[1], "name", 0.7
    return None


def _find_by_name(store: Store, text: str) -> tuple[int, str, float] | None:
    """Display names: exact, then a unique surname, then a close fuzzy match."""
    rows = store.persons_except((WITHHELD,))
    low = text.lower()
    for pid, name, _ in rows:
        if name.lower() == low:
            return pid, "name", 0.95
    words = low.split()
    if len(words) == 1 and len(low) >= 4:
        hits = sorted(((n, pid) for pid, name, n in rows if name.lower().split()[-1:] == [low]), reverse=True)
        if hits and (len(hits) == 1 or hits[0][0] >= 5 * hits[1][0]):
            return hits[0][1], "name", 0.7
    names = [r[1] for r in rows]
    best = process.extractOne(text, names, scorer=fuzz.token_sort_ratio, score_cutoff=88)
    if best:
        return rows[best[2]][0], "fuzzy", round(best[1] / 100 * 0.8, 2)
    return None


def _find_arabic(store: Store, text: str) -> tuple[int, str, float] | None:
    """Match Arabic-script name words to Latin display names by consonant skeletons."""
    keys = [arabic_skeleton(w) for w in text.split() if is_arabic(w)]
    keys = [k for k in keys if k]
    if not keys:
        return None
    best: dict[int, tuple[float, int]] = {}
    for pid, n, skels in _skeleton_index(store).get(keys[-1], ()):
        if len(skels) < len(keys):
            continue
        # Every Arabic word must match a distinct Latin word of the name; surname last.
        matched = sum(1 for k in keys[:-1] if any(k in s for s in skels[:-1]))
        if matched == len(keys) - 1:
            best[pid] = (n, len(keys) / len(skels))    # the most active person of that name
    if not best:
        return None
    pid = max(best, key=lambda p: best[p])
    if len(keys) == 1 and not _prominent(store, best[pid][0]) and _common_arabic_word(text.split()[-1]):
        return None     # اتفاق ("agreement") is not Mr. Woytovech: a lone dictionary word names nobody
    return pid, "transliteration", 0.75


_SKELETONS: dict[str, tuple[tuple, dict]] = {}
_SKELETONS_LOCK = threading.Lock()


def _skeleton_index(store: Store) -> dict[str, list[tuple[int, int, list[set[str]]]]]:
    """Surname skeleton → (person, activity, skeletons of each name word), built once per state
    of the persons table (a trace resolves dozens of Arabic names; each scan of 7,000 display
    names had cost 0.15 s)."""
    state = store.people_state()
    key = str(store.path)
    with _SKELETONS_LOCK:
        cached = _SKELETONS.get(key)
        if cached is not None and cached[0] == state:
            return cached[1]
        index: dict[str, list[tuple[int, int, list[set[str]]]]] = defaultdict(list)
        for pid, name, n in store.persons_except((WITHHELD,)):
            words = re.findall(r"[A-Za-z][A-Za-z'\-]+", name or "")
            if not words:
                continue
            skels = [set(latin_skeletons(w)) for w in words]
            for k in skels[-1]:
                index[k].append((pid, n, skels))
        _SKELETONS[key] = (state, dict(index))
        return _SKELETONS[key][1]


PROMINENT = 50      # the archive's most active correspondents are meant even by a word that is also a noun (عابدين)


def _prominent(store: Store, activity: int) -> bool:
    threshold = store.activity_at_rank(PROMINENT, excluded=WITHHELD)
    return threshold is None or activity >= threshold


def _common_arabic_word(word: str) -> bool:
    """Whether Buckwalter's lexicon reads a word only as a common word (no proper-noun reading)."""
    try:
        readings = lexicon().analyses(word)
    except Exception:        # the lexicon is optional: without it every word may be a name
        return False
    return bool(readings) and not any(gloss[:1].isupper() for _, _, gloss in readings)
