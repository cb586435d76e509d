"""People: one record per person across display names, addresses, OCR damage, aliases and scripts.

`build_people(store)` reads every correspondent form, turns each into keys
(`forms.parse_form`) and joins keys with a union-find:

- keys printed together in one form (`Mills, Cheryl D <MillsCD@state.gov>`)   method "address"
- the same OCR-folded address local part or first|last name                      "address" / "name"
- the hand-made alias table below (H, HRC, hrod17, HDR22, Evergreen, sbwhoeop)    "alias-table"
- a State-style local part built from a name (`millscd` = Mills, Cheryl D)        "initials"
- a bare first name used by only one frequent correspondent (`Huma`)              "name" (low)
- rare OCR variants one or two glyphs from a frequent key (`Sullivaral, Jacob`)   "fuzzy"

Forms with nothing identifying left (empty, only an exemption code, a cut-off
address) belong to the withheld record (id 0), never to a guessed person.
Every form keeps its method and confidence in `person_forms`.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from rapidfuzz.distance import Levenshtein
from rapidfuzz.process import extract

from dalil.intel.forms import SHORT_ALIASES, Form, address_key, name_key, parse_form
from dalil.store.base import Store
from dalil.text.ocr_spelling import skeleton
from dalil.text.datafile import tsv_rows

WITHHELD = 0
WITHHELD_NAME = "[withheld]"
ALIASES_DATA = Path(__file__).with_name("data") / "aliases.tsv"


@lru_cache(maxsize=1)
def known_aliases() -> dict[tuple[str, str], list[str]]:
    """data/aliases.tsv, read once: (first, last) of a person the corpus notes list → the keys of
    their other forms, in file order."""
    out: dict[tuple[str, str], list[str]] = {}
    for first, last, kind, form in tsv_rows(ALIASES_DATA):
        if kind == "alias":
            key = "x:" + form
        elif kind == "address":
            key = "a:" + skeleton(form)
        else:
            key = name_key(*form.split())
        out.setdefault((first, last), []).append(key)
    return out


ALIASES = known_aliases()
_DISPLAY = {("hillary", "clinton"): "Hillary Clinton", ("sidney", "blumenthal"): "Sidney Blumenthal"}
METHOD_CONF = {"address": 0.97, "name": 0.9, "alias-table": 0.95, "initials": 0.8}


class UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        p = self.parent.setdefault(x, x)
        while p != self.parent[p]:
            self.parent[p] = self.parent[self.parent[p]]
            p = self.parent[p]
        self.parent[x] = p
        return p

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[ra] = rb

    def groups(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = defaultdict(list)
        for k in list(self.parent):
            out[self.find(k)].append(k)
        return out


@dataclass
class Person:
    id: int
    name: str
    forms: list[str] = field(default_factory=list)
    sent: int = 0
    received: int = 0
    first: str | None = None
    last: str | None = None
    method: str | None = None          # how the looked-up text was matched to this person
    confidence: float = 1.0
    kind: str = "person"               # person, or list / feed / system (dalil.text.correspondents)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "kind": self.kind, "forms": self.forms, "sent": self.sent,
                "received": self.received, "first": self.first, "last": self.last}


# --- build ------------------------------------------------------------------------------------
def build_people(store: Store) -> dict[str, int]:
    """Rebuild the people index from every correspondent form; returns its counts."""
    # raw -> [n, sent, received, first date, last date], counted by the database: one row per
    # distinct form, not one per correspondent of every message.
    stats: dict[str, list] = {raw: [int(n), int(sent), int(received), first, last]
                              for raw, n, sent, received, first, last in store.correspondent_form_stats()}
    forms = {raw: parse_form(raw) for raw in stats}
    weight: Counter[str] = Counter()
    for raw, f in forms.items():
        for k in f.keys:
            weight[k] += stats[raw][0]
    uf = UnionFind()
    how: dict[str, tuple[str, float]] = {}
    pairs: Counter[tuple[str, str]] = Counter()
    for raw, f in forms.items():
        for k in f.keys:
            uf.find(k)
        if len(f.keys) == 2 and (len(f.keys[1]) > 4 or f.keys[1][2:] in SHORT_ALIASES):
            pairs[(f.keys[0], f.keys[1])] += stats[raw][0]
    for (addr, name), n in pairs.items():
        # Recipient lists that lost their `;` print one person's name before another's address
        # (`Sullivan, Jacob H <HDR22@...>`): a name and an address that do not agree are joined
        # only when that pairing is how the address is usually printed.
        if _agree(forms_by_key(name), addr) or (n >= 3 and n * 2 >= weight[addr]):
            uf.union(addr, name)
    for (first, last), keys in ALIASES.items():
        canon = name_key(first, last)
        for k in keys:
            if k in uf.parent:
                uf.union(canon, k)
                how[k] = ("alias-table", METHOD_CONF["alias-table"])
    _link_initials(forms, stats, uf, how)
    _link_first_names(forms, weight, uf, how)
    _link_fuzzy(weight, uf, how)
    return _store_people(store, forms, stats, weight, uf, how)


def forms_by_key(key: str) -> tuple[str, ...]:
    """The name words a name or alias key holds."""
    return tuple(w for w in key[2:].split("|") if w)


def _agree(words: tuple[str, ...], addr: str) -> bool:
    """Does an address local part spell the name (millscd ~ Mills, cheryl.mills, huma, sbwhoeop)?"""
    local = addr[2:].split("@")[0]
    if len(words) == 1:
        w = skeleton(words[0])
        return len(w) >= 3 and (w in local or local in w)
    first, last = skeleton(words[0]), skeleton(words[1])
    if first and first in local:
        return True
    if len(last) >= 3 and last in local:
        # What is left must start like the first name: pverveer is not Melanne Verveer.
        rest = local.replace(last, "", 1)
        return not rest or rest[0] == first[:1]
    return False


def _names_by_root(forms: dict[str, Form], uf: UnionFind) -> dict[str, set[tuple[str, str, str]]]:
    out: dict[str, set[tuple[str, str, str]]] = defaultdict(set)
    for f in forms.values():
        if f.first and f.last:
            out[uf.find(f.keys[0])].add((f.first, f.last, f.middle))
    return out


def _link_initials(forms, stats, uf: UnionFind, how) -> None:
    """State.gov local parts are LastFM (millscd, abedinh, sullivanjj): join them to that name."""
    names = _names_by_root(forms, uf)
    built: dict[str, set[str]] = defaultdict(set)
    for root, triples in names.items():
        for first, last, middle in triples:
            for local in {last + first[0], last + first[0] + middle, first[0] + last, first + last,
                          first[0] + middle + last}:
                if len(local) >= 5:
                    built[address_key(local)].add(root)
    for f in forms.values():
        k = f.address_key()
        if not k or uf.find(k) in names:
            continue
        roots = {uf.find(r) for r in built.get(k, ())}
        if len(roots) == 1:
            uf.union(k, roots.pop())
            how.setdefault(k, ("initials", METHOD_CONF["initials"]))


def _link_first_names(forms, weight: Counter, uf: UnionFind, how, min_messages: int = 50) -> None:
    """A bare `Huma` or `Lona`: the one frequent correspondent with that first name, if only one."""
    size: Counter[str] = Counter()
    for k, w in weight.items():
        size[uf.find(k)] += w
    by_first: dict[str, set[str]] = defaultdict(set)
    for f in forms.values():
        if f.first and f.last and size[uf.find(f.keys[0])] >= 5:
            by_first[f.first].add(uf.find(f.keys[0]))
    for f in forms.values():
        k = f.name_key()
        if not f.token or k in how or len(f.keys) != 1 or len(f.token) < 3:
            continue
        roots = by_first.get(f.token, set())
        if len(roots) == 1 and size[next(iter(roots))] >= min_messages and uf.find(k) not in roots:
            uf.union(k, next(iter(roots)))
            how[k] = ("name", 0.6)


def _link_fuzzy(weight: Counter, uf: UnionFind, how) -> None:
    """Join a rare key to a frequent one a glyph or two away (OCR damage is rare, the person frequent)."""
    size: Counter[str] = Counter()
    for k, w in weight.items():
        size[uf.find(k)] += w
    big = [k for k, w in weight.items() if w >= 20 and k[0] in "an" and len(k) >= 8]
    big_set = set(big)
    choices = [k[2:] for k in big]
    for k, w in weight.items():
        if k in big_set or k[0] not in "an" or len(k) < 8 or k in how:
            continue
        root = uf.find(k)
        budget = 1 if len(k) < 12 else 2
        for _, dist, j in extract(k[2:], choices, scorer=Levenshtein.distance, score_cutoff=budget, limit=3):
            target = big[j]
            if target[0] != k[0] or size[uf.find(target)] < 5 * size[root]:
                continue
            if k[0] == "n" and not _same_initial(k, target):
                continue
            if uf.find(target) != root:
                uf.union(k, target)
                how[k] = ("fuzzy", round(0.85 - 0.1 * dist, 2))
            break


def _same_initial(a: str, b: str) -> bool:
    fa, la = a[2:].split("|", 1)
    fb, lb = b[2:].split("|", 1)
    return fa[:1] == fb[:1] and la[:1] == lb[:1]


def _display(form_names: Counter, pair: tuple[str, str] | None) -> str | None:
    if pair in _DISPLAY:
        return _DISPLAY[pair]
    best = None
    for name, _ in form_names.most_common():
        if "," in name:
            last, _, rest = name.partition(",")
            words = rest.split()
            first = next((w for w in words if len(w.strip(".")) > 1), "")
            name = f"{first} {last.strip()}".strip()
        else:
            words = name.split()
            name = " ".join(w for i, w in enumerate(words) if i in (0, len(words) - 1) or len(w.strip(".")) > 1)
        if re.fullmatch(r"[A-Za-z][A-Za-z .'\-]+", name):
            best = name
            break
        best = best or name
    if best and (best.isupper() or best.islower()):
        best = best.title()
    return best


def _store_people(store: Store, forms, stats, weight: Counter, uf: UnionFind, how) -> dict[str, int]:
    groups = uf.groups()
    members: dict[str, list[str]] = defaultdict(list)
    withheld_forms = []
    size: Counter[str] = Counter()
    for k, w in weight.items():
        size[uf.find(k)] += w
    for raw, f in forms.items():
        if f.withheld:
            withheld_forms.append(raw)
        else:
            # A name and an address left apart (damaged address): the better-attested one decides.
            members[max((uf.find(k) for k in f.keys), key=lambda r: size[r])].append(raw)
    ranked = sorted(members, key=lambda r: -sum(stats[raw][0] for raw in members[r]))
    person_rows, form_rows, key_rows = [], [], []
    withheld = _aggregate([stats[r] for r in withheld_forms])
    sender_gone = store.withheld_senders()
    person_rows.append((WITHHELD, WITHHELD_NAME, withheld[0] + sender_gone[0], withheld[1],
                        withheld[2] or (sender_gone[1] or "")[:10] or None,
                        withheld[3] or (sender_gone[2] or "")[:10] or None, 1))
    form_rows += [(raw, WITHHELD, "withheld", 1.0, stats[raw][0]) for raw in withheld_forms]
    for pid, root in enumerate(ranked, start=1):
        raws = members[root]
        pairs = Counter()
        names: Counter[str] = Counter()
        locals_: Counter[str] = Counter()
        for raw in raws:
            f = forms[raw]
            n = stats[raw][0]
            if f.first and f.last:
                pairs[(f.first, f.last)] += n
                if f.name:
                    names[f.name] += n
            if f.local:
                locals_[f.local + ("@" + f.domain if f.domain else "")] += n
        pair = pairs.most_common(1)[0][0] if pairs else None
        alias_pair = next((p for p in ALIASES if uf.find(name_key(*p)) == root), None) \
            if any(name_key(*p) in uf.parent for p in ALIASES) else None
        pair = alias_pair or pair
        if pair:
            name = _display(Counter({n: c for n, c in names.items() if _pair_of(forms, n) == pair}) or names, pair)
        else:
            tokens = Counter({forms[r].name: stats[r][0] for r in raws if forms[r].name})
            name = (tokens.most_common(1)[0][0] if tokens else None) or \
                (locals_.most_common(1)[0][0] if locals_ else raws[0])
        top_local = locals_.most_common(1)[0][0].split("@")[0] if locals_ else None
        agg = _aggregate([stats[r] for r in raws])
        person_rows.append((pid, name or raws[0], agg[0], agg[1], agg[2], agg[3], 0))
        for raw in raws:
            method, conf = _form_method(forms[raw], how, top_local)
            form_rows.append((raw, pid, method, conf, stats[raw][0]))
        key_rows += [(k, pid) for k in groups[root]]
    store.replace_people(person_rows, form_rows, key_rows)
    return {"persons": len(person_rows) - 1, "forms": len(form_rows), "withheld_forms": len(withheld_forms)}


def _pair_of(forms: dict[str, Form], name: str) -> tuple[str, str] | None:
    f = parse_form(name)
    return (f.first, f.last) if f.first else None


def _aggregate(rows: list[list]) -> tuple[int, int, str | None, str | None]:
    sent = sum(r[1] for r in rows)
    received = sum(r[2] for r in rows)
    firsts = [r[3] for r in rows if r[3]]
    lasts = [r[4] for r in rows if r[4]]
    return sent, received, min(firsts) if firsts else None, max(lasts) if lasts else None


def _form_method(f: Form, how, top_local: str | None) -> tuple[str, float]:
    """The link of one form to its person: through its address if it has one, else its name."""
    methods = [how[k] for k in f.keys if k in how]
    if f.address_key() and f.address_key() not in how:
        conf = METHOD_CONF["address"] if f.local == top_local else 0.9
        return "address", conf
    if methods:
        return max(methods, key=lambda m: m[1])
    return "name", METHOD_CONF["name"]
