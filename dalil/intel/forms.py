"""Parse one correspondent string into the keys that identify a person.

A raw form is whatever a header printed: `Mills, Cheryl D <MillsCD@state.gov>`,
`H [mailto:HDR22@clintonemail.com]`, `'millscd@state.gov'`, `PIR <preines`,
`Sullivan, Jacob 3`, `sbwhoeop`.  Keys are OCR-folded so that damaged copies of
one form meet: `a:` address local part, `n:` first|last name, `x:` a bare
single-token alias.  A form with nothing identifying left (empty, only an
exemption code, a cut-off `<`) is *withheld* and gets no key.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from dalil.text.ocr_spelling import ocr_fix_address, skeleton
from dalil.text.datafile import tsv_rows

# Mail-client labels OCR'd in many ways: mailto, rnailto, mallto, nnailto, maitto.
_MAILTO = re.compile(r"[\[(]\s*[a-z]{1,4}[il1t]{1,2}to\s*[:;]", re.I)
_CODE_ONLY = re.compile(r"^(?:[\s,;.()]*(?:B\s?\d(?:\s?\(?[A-G]\)?)?|1\.4\s?\(?[A-H]\)?))*[\s,;.()]*$", re.I)
_SPACED_DOT = re.compile(r"\.\s+(?=(?:gov|com|org|net|edu)\b)", re.I)
_CLOSER = re.compile(r"[>\])]")
_DOMAIN = re.compile(r"[a-z0-9.\-]+")
_PAREN = re.compile(r"\([^)]*\)?")
_LETTERS = re.compile(r"[^a-z\-']")
# Bare one- or two-letter names are too ambiguous to be keys, except these known aliases.
SHORT_ALIASES = {"h"}
GENERIC_LOCALS = {"info", "press", "news", "admin", "contact", "mail", "office", "webmaster", "noreply",
                  "no-reply", "newsletter", "media", "help", "support", "team", "staff", "list"}

NICKNAMES_DATA = Path(__file__).with_name("data") / "nicknames.tsv"


@lru_cache(maxsize=1)
def nicknames() -> dict[str, str]:
    """data/nicknames.tsv, read once: short form of a first name → the full one (jake → jacob)."""
    return {short: full for short, full in tsv_rows(NICKNAMES_DATA)}


NICKNAMES = nicknames()


@dataclass
class Form:
    raw: str
    name: str | None = None           # display name as printed, cleaned
    first: str = ""                   # lower-case letters, nickname-folded
    last: str = ""
    middle: str = ""                  # middle initial(s)
    token: str = ""                   # a single-token name (H, PIR, Sid, NEWS-Mahogany)
    local: str = ""                   # address local part, OCR-fixed, lower-case
    domain: str = ""
    cut: bool = False                 # address cut off (redaction or page edge)
    keys: list[str] = field(default_factory=list)

    @property
    def withheld(self) -> bool:
        return not self.keys

    def address_key(self) -> str | None:
        return next((k for k in self.keys if k.startswith("a:")), None)

    def name_key(self) -> str | None:
        return next((k for k in self.keys if k[0] in "nx"), None)


def _word(s: str) -> str:
    return _LETTERS.sub("", s.lower()).strip("-'")


def name_key(first: str, last: str) -> str:
    return f"n:{first}|{last}"


def address_key(local: str, domain: str = "") -> str:
    sk = skeleton(local)
    if local in GENERIC_LOCALS or len(sk) < 3:
        return f"a:{sk}@{domain}" if domain else ""
    return f"a:{sk}"


def split_raw(raw: str) -> tuple[str, str | None]:
    """(name part, address part or None) of a printed correspondent."""
    s = raw.replace("©", "@").replace("®", "@").strip().strip("'\"` ")
    m = _MAILTO.search(s)
    if m:
        return s[:m.start()], s[m.end():]
    lt = s.find("<")
    if lt != -1:
        return s[:lt], s[lt + 1:]
    if "@" in s:
        s = _SPACED_DOT.sub(".", s)
        tokens = s.split()
        at = next(i for i, t in enumerate(tokens) if "@" in t)
        return " ".join(tokens[:at]), tokens[at]
    return s, None


def parse_form(raw: str) -> Form:
    f = Form(raw=raw)
    name_part, addr_part = split_raw(raw)
    if addr_part is not None:
        a = _CLOSER.split(addr_part, 1)[0].strip(" <'\";:,.")
        closed = len(a) < len(addr_part.strip(" <'\";:,."))
        if "@" not in a and re.search(r"[A-Za-z]\s+[A-Za-z]", a):
            a = ""                      # a second name after a lost `;`, not an address
        a = re.sub(r"\s+", "", a)
        a = re.sub(r"^[\[(]?[a-z]{2,8}[:;]", "", a, flags=re.I)      # `[mailtd:MillsCD@…`
        a = ocr_fix_address(a) if a else ""
        if "@" in a:
            f.local, _, domain = a.partition("@")
            m = _DOMAIN.match(domain)
            f.domain = m.group().strip(".") if m else ""
        else:
            f.local, f.cut = a, not closed or not a
        f.local = f.local.strip(".'\"")
    if "@" not in name_part:                 # else several recipients ran together
        _parse_name(f, name_part)
    if f.local and re.search(r"[a-z]", f.local):
        k = address_key(f.local, f.domain)
        # A cut-off local part may be a fragment: it only joins a person through the name.
        if k and (not f.cut or len(f.local) >= 6 or not f.keys):
            f.keys.insert(0, k)
        if not (f.first and f.last):
            _name_from_local(f)
    return f


def _parse_name(f: Form, text: str) -> None:
    compact = text.strip().strip("'\"`,;:. •")
    if 0 < len(compact) <= 6 and " " not in compact and re.search(r"[A-Za-z]", compact) \
            and not _CODE_ONLY.match(compact):
        # Office codes and initials (S, D(L), P, HRC, PIR) are names of their own.
        f.name = f.token = compact.lower()
        f.keys.append(f"x:{f.token}")
        return
    text = re.split(r"[\[<]", text, 1)[0]         # `Cheryl Mills [mailto` cut off by the page edge
    text = _PAREN.sub(" ", text).strip().strip("'\"`,;:. ")
    text = re.split(r"\s['\"`]", text, 1)[0]       # `'cheryl.mills 'pverveer`: a list, keep the first
    if not text or _CODE_ONLY.match(text) or not re.search(r"[A-Za-z]", text):
        return
    f.name = re.sub(r"\s+", " ", text)
    if "," in text:
        last, _, rest = text.partition(",")
        parts = [_word(p) for p in rest.replace(".", " ").split()]
        parts = [p for p in parts if p]
        last_w = _word(last.split()[-1]) if last.split() else ""
        first_w = next((p for p in parts if len(p) > 1), "")
        f.middle = "".join(p[0] for p in parts if len(p) == 1)
    else:
        words = [w for w in (_word(p) for p in text.replace(".", " ").replace("_", " ").split()) if w]
        initials = [w for w in words if len(w) == 1]
        words = [w for w in words if len(w) > 1] or words[:1]
        while len(words) > 2 and words[-1] in ("jr", "sr", "ii", "iii", "iv"):
            words.pop()
        if len(words) == 1:
            if len(words[0]) > 2 or words[0] in SHORT_ALIASES:
                f.token = words[0]
                f.keys.append(f"x:{words[0]}")
            return
        if not words:
            return
        first_w, last_w = words[0], words[-1]
        f.middle = "".join(initials)
    if first_w and last_w and len(last_w) > 1:
        f.first, f.last = NICKNAMES.get(first_w, first_w), last_w
        f.keys.append(name_key(f.first, f.last))
    elif last_w:
        f.token = last_w
        f.keys.append(f"x:{last_w}")


def _name_from_local(f: Form) -> None:
    """`jake.sullivan` or `cheryl_mills` carry a full name."""
    parts = [p for p in re.split(r"[._]", f.local) if p]
    if len(parts) == 2 and all(p.isalpha() and len(p) > 1 for p in parts):
        first = NICKNAMES.get(parts[0], parts[0])
        f.keys.append(name_key(first, parts[1]))
