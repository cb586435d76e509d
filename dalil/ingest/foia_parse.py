"""Parser for one OCR'd State Department FOIA release document (pdftotext -layout).

`parse_foia(text, doc_id, release)` returns a `ParsedDocument` with the release
metadata (case, release date, disposition, exemptions, classification banner),
the pages (text / blank / withheld) and every printed e-mail header block as a
`Message`.  It never raises: each field is extracted on its own and a damaged
field is left empty.  `text` is kept unchanged; offsets point into it.

Noise for search indexing (page stamps, release markers, margin exemption
codes, classification banners) is described by *drop spans*: sorted,
non-overlapping `(start, end)` character ranges stored in
`doc.meta["drop_spans"]`.  `dalil.text.cleaning.clean_text(text, spans, start, end)` removes them
from a range; indexers that need offsets can skip the spans themselves.
Documents without any header block (schedules, reports, memos) get no messages.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from itertools import accumulate
from collections import Counter

from dalil.model import Message, Page, ParsedDocument
from dalil.text.cleaning import clean_text
from dalil.text.dates import parse_date, parse_release_date
from dalil.text.foia_patterns import DOC_NO, OCR_STAMP, STAMP_296, released_doc_no

__all__ = ["parse_foia", "normalize_code"]

KNOWN_CASES = ("F-2014-20439", "F-2015-04841")

# -- stamp fields ---------------------------------------------------------------------------
_CASE = re.compile(r"Case\s*N[Oo]\W{0,4}[A-Za-z]{0,2}\W{0,2}(20\d\d)\W{0,2}(\d{2}'?\d{3})")
_DOCNO = re.compile(r"Doc\s*No\W{0,3}(" + DOC_NO.pattern + ")")
_STAMP_DATE = re.compile(r"Date\W{0,2}\s*(\d\d/\d\d/20\d\d)")
_BATES = re.compile(r"STATE-[S5]CB\d{5,}")

# -- release markers and exemption codes ----------------------------------------------------
_CODE = r"(?:B\s?[1-9]B?(?:\s?\(\s?[A-Ga-g]\s?\)?)?|1\s?\.\s?4\s?\(\s?[A-Ha-h]\s?\)?)"
_CODE_RE = re.compile(_CODE)
_CODE_LINE = re.compile(r"[\s,;.]*" + _CODE + r"(?:[\s,;.]*" + _CODE + r")*[\s,;.]*")
_MARKER = re.compile(r"(?<![A-Za-z])I[NnM]\W{0,3}(FU[LI1]{1,3}|PA[RK]T)(?!(?-i:[a-z]))|(?<![A-Za-z])[RK]?ELEASE\W{0,3}IN(?!(?-i:[a-z]))", re.I)
_MARKER_TAIL = re.compile(r"\W{0,3}(FU[LI1]{1,3}|PA[RK]T)(?!(?-i:[a-z]))", re.I)
_MARKER_LINE = re.compile(r"\W{0,3}(?:[RKk]?[EeKk]?L[EeKk]?A?SE\s*I[NnM]\b|FULL|PART)", re.I)
_TRAIL_JUNK = re.compile(r"(?:\s{3,}(?:(?:" + _CODE + r"[\s,;.]*)+|RELEASE(?: IN)?|IN|PART|FULL|"
                         r"(?:RELEASE IN )?(?:PART|FULL)[\s,]*(?:" + _CODE + r"[\s,;.]*)*))+\s*$")
_BANNER = re.compile(r"Classified\s+by\b.*")
_BANNER_PART = re.compile(r"\s{3,}(?:Class(?:ified)?\b|CONFIDENTIAL\b|SECRET\b|Reason\s*:|Declassify)")
_GAP = re.compile(r"\s{3,}")

# -- headers --------------------------------------------------------------------------------
_LABEL = re.compile(r"[>\s]*(From|FROM|Sent|SENT|Date|DATE|To|TO|Cc|CC|cc|Bcc|BCC|Subject|SUBJECT|Subj|"
                    r"Attachments|Attachment|Importance|For|Re|RE)\s*(?::|\s{2,}(?=\S)|$)[ \t]*(.*)")
_CANON = {"subj": "subject", "attachment": "attachments"}
_DELIM = re.compile(r"[\s>]*(?:-{2,}\s*)?(?:Original\s+Message|-+\s*Forwarded message|Begin forwarded message|"
                    r"Forwarded by)\b", re.I)
_WROTE = re.compile(r"[\s>]*On\s+(.{6,60}?\d{1,2}:\d\d(?:\s*[AaPp]\.?[Mm]\.?)?)\s*,?\s*(.*?)\s*wrote:\s*$", re.S)
_WROTE_NO_TIME = re.compile(r"[\s>]*On\s+(.{6,60}?\d{4})\s*,?\s*(.*?)\s*wrote:\s*$", re.S)
_ADDR_SPLIT = re.compile(r"\s*;\s*")
_MEANINGFUL = re.compile(r"[A-Za-z]{3}")

# line kinds
BODY, BLANK, STAMP, MARK, CODES = range(5)


def normalize_code(raw: str) -> str | None:
    """`B5B` -> `B5`, `1.4(d` -> `1.4(D)`, `B7 (c)` -> `B7(C)`."""
    s = re.sub(r"\s", "", raw).upper()
    if s.startswith("1.4"):
        m = re.match(r"1\.4\(?([A-H])", s)
        return f"1.4({m.group(1)})" if m else None
    m = re.match(r"B([1-9])(?:B?\(([A-G]))?", s)
    if not m:
        return None
    if m.group(1) == "7" and m.group(2):
        return f"B7({m.group(2)})"
    return "B" + m.group(1)


def _codes(s: str) -> list[tuple[str, int]]:
    out = []
    for m in _CODE_RE.finditer(s):
        c = normalize_code(m.group())
        if c:
            out.append((c, m.start()))
    return out


class _Lines:
    """The document split into lines, each with its offset, page and kind."""

    def __init__(self, text: str, is296: bool):
        self.text = text
        self.lines = text.split("\n")
        self.offs = list(accumulate(map((1).__add__, map(len, self.lines)), initial=0))[:-1]
        self.page_ends: list[int] = []
        pos = 0
        chunks = text.split("\f")
        if not chunks[-1]:
            chunks.pop()                # every file ends with \f: the last split is not a page
        for chunk in chunks:
            pos += len(chunk) + 1
            self.page_ends.append(min(pos, len(text)))      # a last page without its \f ends with the text
        self.kinds: list[int] = []
        self.drop: list[tuple[int, int]] = []
        self.margin: list[tuple[str, int, int]] = []          # (code, offset, line index)
        kinds, classify = self.kinds, self._classify
        for i, ln in enumerate(self.lines):
            kinds.append(BLANK if not ln or ln.isspace() else classify(i, ln, is296))

    def page_of(self, offset: int) -> int:
        return min(bisect_right(self.page_ends, offset), max(len(self.page_ends) - 1, 0)) + 1

    def _drop_line(self, i: int, ln: str) -> None:
        lead = len(ln) - len(ln.lstrip("\f"))
        self.drop.append((self.offs[i] + lead, self.offs[i] + len(ln)))

    def _classify(self, i: int, ln: str, is296: bool) -> int:
        s = ln.strip()
        if not s:
            return BLANK
        if is296 and s.startswith("Date: ") and STAMP_296.match(s):
            self._drop_line(i, ln)
            return STAMP
        if (("Doc" in ln or "Case" in ln or "UNCLASS" in ln or "STATE" in ln or "Depa" in ln)
                and (OCR_STAMP.search(ln) or (is296 and STAMP_296.match(ln.lstrip("\f"))))) and (
                len(s) < 200 or "Doc No" in s):
            self._drop_line(i, ln)
            return STAMP
        c0 = s[0]
        if c0 in "B1" and len(s) < 60 and _CODE_LINE.fullmatch(s):
            self._drop_line(i, ln)
            base = self.offs[i] + ln.index(s)
            self.margin.extend((c, base + o, i) for c, o in _codes(s))
            return CODES
        if len(s) < 60 and _MARKER_LINE.match(s) and ("ELEASE" in s.upper() or s.upper().startswith(("FULL", "PART"))):
            self._drop_line(i, ln)
            return MARK
        if "Classified" in ln:
            m = _BANNER.search(ln)
            if m:
                self.drop.append((self.offs[i] + m.start(), self.offs[i] + len(ln)))
                if not ln[:m.start()].strip():
                    return MARK
        if "   " in ln:
            last = s.rsplit(None, 1)[-1].upper()
            if last in ("IN", "PART", "FULL") or _CODE_LINE.fullmatch(last):
                m = _TRAIL_JUNK.search(ln)
                if m and m.start() > 0 and ln[:m.start()].strip():
                    self.drop.append((self.offs[i] + m.start(), self.offs[i] + len(ln)))
                    self.margin.extend((c, self.offs[i] + m.start() + o, i) for c, o in _codes(m.group()))
        return BODY


def _strip_value(v: str) -> str:
    """A header value without right-hand-column junk (markers, codes, banner)."""
    if "Classified" in v:
        v = _BANNER.sub("", v)
    m = _BANNER_PART.search(v)
    if m:
        v = v[:m.start()]
    if _CODE_LINE.fullmatch(v) or _MARKER_LINE.fullmatch(v.strip()):
        return ""                       # the value itself was redacted; only the code is left
    if "   " in v:
        m = _TRAIL_JUNK.search(v)
        if m:
            v = v[:m.start()]
        v = _GAP.sub(" ", v.strip())
    return v.strip()


def _recipients(v: str) -> list[str]:
    out = []
    for part in _ADDR_SPLIT.split(v):
        part = part.strip(" ,")
        if not part:
            continue
        pieces = [p.strip() for p in part.split(",")]
        if len(pieces) > 1 and all(("@" in p or "©" in p) and " " not in p.strip("'\" ") for p in pieces if p):
            out.extend(p for p in pieces if p)          # 'a@x', 'b@y' lists
        else:
            out.append(part)
    return out


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            if b > out[-1][1]:
                out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out


# -- release metadata -----------------------------------------------------------------------
def _vote(values: list[str], preferred: tuple[str, ...] = ()) -> str | None:
    if not values:
        return None
    counts = Counter(values).most_common()
    top = counts[0][1]
    for v, c in counts:
        if c == top and v in preferred:
            return v
    for v, c in counts:
        if v in preferred:
            return v
    return counts[0][0]


def _stamp_fields(L: _Lines, doc: ParsedDocument) -> None:
    cases, dates, docnos = [], [], []
    stamps = [i for i, k in enumerate(L.kinds) if k == STAMP]
    for i in stamps[:6] + stamps[-6:] if len(stamps) > 12 else stamps:
        ln = L.lines[i]
        m = _CASE.search(ln)
        if m:
            cases.append(f"F-{m.group(1)}-{m.group(2).replace(chr(39), '')}")
        m = _DOCNO.search(ln)
        if m:
            docnos.append(released_doc_no(m.group(1)))
        m = _STAMP_DATE.search(ln)
        if m:
            dates.append(m.group(1))
    doc.case = _vote(cases, KNOWN_CASES)
    if doc.case and doc.case not in KNOWN_CASES and doc.case[2:6] == "2014":
        doc.case = "F-2014-20439"          # single damaged digit of the only 2014 case
    d = _vote(dates)
    doc.release_date = parse_release_date(d) if d else None
    doc.meta["stamp_doc_no"] = _vote(docnos)


_SEG = re.compile(r"\S+(?:\s{1,2}\S+)*")
_MARKSEG = re.compile(r"[RK][EK]L|ELEASE|LEASE\b|\bIN\W{0,3}(?:FU|PA[RK]T)|^\W{0,2}(?:IN|FU[LI1]{1,3}|PA[RK]T)(?!(?-i:[a-z]))", re.I)
# marker merged into the stamp line: `Date: 07/31/2015FuLL`, `2015 1N FULL`, `12/31/201515,B6`
_STAMP_MERGED = re.compile(r"/20\d\d\W*(?:[I1l]N\W*)?(FU[LI1]{0,3}|[UL]{2,3}|PART|\d{0,2}\W?B[1-9])", re.I)


def _disposition(L: _Lines, doc: ParsedDocument) -> set[int]:
    """Disposition and exemption codes from the marker block; returns the block's line indices."""
    first_end = L.page_ends[0] if L.page_ends else len(L.text)
    pieces: list[tuple[int, str]] = []
    merged = None
    for i in range(min(len(L.lines), 45)):
        if L.offs[i] >= first_end:
            break
        ln = L.lines[i]
        if L.kinds[i] == BLANK:
            continue
        if L.kinds[i] == STAMP and merged is None:
            m = _STAMP_MERGED.search(ln)
            merged = m.group(1) if m else None
        if len(ln) < 20 and L.kinds[i] == BODY:
            continue
        for m in _SEG.finditer(ln, 20 if L.kinds[i] == BODY else 0):
            seg = m.group()
            if len(seg) < 60 and (_MARKSEG.search(seg) or _CODE_LINE.fullmatch(seg)):
                pieces.append((i, seg))
    joined, where, last = [], [], -9
    for i, seg in pieces:
        if i - last > 4 and joined:
            joined.append("|")
            where.append(i)
        joined.append(seg)
        where.append(i)
        last = i
    s = " ".join(joined)
    m = _MARKER.search(s)
    kind, pos = None, 0
    if m:
        kind, pos = m.group(1), m.end()
        if not kind:
            t = _MARKER_TAIL.match(s, pos)
            if t:
                kind, pos = t.group(1), t.end()
    elif merged:
        kind = merged
    if kind:
        doc.disposition = "RELEASE IN FULL" if kind.upper()[0] in "FUL" else "RELEASE IN PART"
    block: set[int] = set()
    if m:
        c = _CODE_LINE.match(s, pos)
        codes = {x for x, _ in _codes(c.group())} if c else set()
        doc.exemptions = sorted(codes)
        # map the used part of the joined string back to line indices
        start_char, end_char = m.start(), (c.end() if c else pos)
        cursor = 0
        for piece, i in zip(joined, where):
            if cursor + len(piece) > start_char and cursor <= end_char and piece != "|":
                block.add(i)
            cursor += len(piece) + 1
    return block


_CLS_BY = re.compile(r"Classified\s+by\s+(.{1,40}?)\s+on\s+(\d\d/\d\d/\d{4})")
_CLS_LEVEL = re.compile(r"Class\s*:\s*([A-Z][A-Za-z]{3,}(?:\s+SECRET)?)")
_CLS_REASON = re.compile(r"Reason\s*:\s*(" + _CODE + r"(?:[\s,]+" + _CODE + r")*)")
_CLS_DECL = re.compile(r"Declassify\s*on\W{0,3}(?:.{0,300}?)(\d\d/\d\d/\d{4})", re.S)


def _classification(text: str) -> dict:
    at = text.find("Classified by", 0, 8000)
    if at < 0:
        return {}
    win = text[at:at + 1200]
    out: dict = {}
    m = _CLS_BY.match(win)
    if m:
        out["classified_by"] = m.group(1).strip(" ,")
        out["classified_on"] = parse_release_date(m.group(2))
    m = _CLS_LEVEL.search(win)
    level = m.group(1).upper() if m else ""
    out["level"] = ("TOP SECRET" if "TOP" in level else "CONFIDENTIAL" if level.startswith("CONF")
                    else "SECRET" if "SECRET" in level else None)
    m = _CLS_REASON.search(win)
    out["reason"] = ",".join(sorted({c for c, _ in _codes(m.group(1))})) if m else None
    m = _CLS_DECL.search(win)
    out["declassify_on"] = parse_release_date(m.group(1)) if m else None
    return out


# -- header blocks --------------------------------------------------------------------------
_HEAD_FIELDS = ("sent", "date", "to", "cc", "bcc", "subject", "attachments", "importance")
_LISTS = ("to", "cc", "bcc")
_WRAPS = ("from", "to", "cc", "bcc", "subject", "attachments")


def _label(ln: str, memo: bool) -> tuple[str, str, int] | None:
    s = ln.lstrip(" >\t\f")
    if not s or s[0] not in "FSDTCBAIRfcs":
        return None
    m = _LABEL.match(ln)
    if not m:
        return None
    lab = m.group(1).lower()
    lab = _CANON.get(lab, lab)
    if lab in ("for", "re"):
        if not memo:
            return None
        lab = "subject" if lab == "re" else lab
    return lab, m.group(2), m.start(2)


def _next_content(L: _Lines, j: int, limit: int) -> int | None:
    for k in range(j, min(j + limit, len(L.lines))):
        if L.kinds[k] == BODY:
            return k
    return None


def _parse_block(L: _Lines, i: int, memo: bool) -> tuple[dict, int]:
    """Header fields starting at line i; returns (fields, index of the first body line)."""
    fields: dict[str, str] = {}
    j, n, end, last, col = i, len(L.lines), i + 1, None, 0
    while j < n and j < i + 40:
        k = L.kinds[j]
        if k in (STAMP, MARK, CODES):
            j += 1
            continue
        ln = L.lines[j]
        if k == BLANK:
            if last in ("sent", "date", "subject") and not fields[last]:
                j += 1
                continue
            nxt = _next_content(L, j, 5)
            if nxt is not None and "subject" not in fields:
                lab = _label(L.lines[nxt], memo)
                if lab and lab[0] in _HEAD_FIELDS and (lab[0] not in fields or lab[0] in _LISTS):
                    j = nxt
                    continue
            break
        lab = _label(ln, memo)
        if lab:
            name, value, vcol = lab
            if name == "for" and fields:
                break
            if name == "from" and "from" in fields:
                break
            if name in fields and name not in _LISTS:
                break
            value = _strip_value(value)
            fields[name] = f"{fields[name]}; {value}" if name in fields and fields[name] and value else (
                value or fields.get(name, ""))
            last, col, end = name, vcol, j + 1
            j += 1
            continue
        s = _strip_value(ln)
        if not s:                       # a line of margin junk only
            j += 1
            continue
        if last in ("sent", "date") and not fields[last] and parse_date(s):
            fields[last], end = s, j + 1
        elif last == "subject" and not fields[last]:
            fields[last], end = s, j + 1
        elif last in _WRAPS and fields.get(last) and (
                (col >= 12 and len(ln) - len(ln.lstrip()) >= col - 2)
                or (last in _LISTS and fields[last].endswith(";"))
                or (j + 1 < n and _label(L.lines[j + 1], memo))):      # wrapped line between two fields
            sep = " " if last in ("subject", "from") or fields[last].endswith(";") else "; " \
                if not fields[last].endswith(",") else " "
            fields[last] = fields[last] + sep + s
            end = j + 1
        else:
            break
        j += 1
    return fields, end


def _message(fields: dict, start: int, body_start: int) -> Message:
    msg = Message(start=start, body_start=body_start)
    msg.sender = fields.get("from") or None
    msg.to = _recipients(fields.get("to", ""))
    msg.cc = _recipients(fields.get("cc", ""))
    msg.bcc = _recipients(fields.get("bcc", ""))
    raw = fields.get("sent") or fields.get("date")
    if raw:
        msg.date_raw = raw
        msg.date = parse_date(raw)
    msg.subject = fields.get("subject") or None
    if fields.get("attachments"):
        msg.attachments = [a.strip() for a in _ADDR_SPLIT.split(fields["attachments"]) if a.strip()]
    msg.importance = fields.get("importance") or None
    if fields.get("for"):
        msg.to = msg.to or [fields["for"]]
        msg.extra["memo"] = True
    if "from" in fields and not fields["from"]:
        msg.extra["sender_withheld"] = True
    if "to" in fields and not fields["to"]:
        msg.extra["recipient_withheld"] = True
    return msg


# A line that can open a message: a delimiter (Original Message, Forwarded…), "On … wrote:", From/For.
_OPENER = re.compile(r"\n[ >\t\f]*[Oo\-—BbFf]")


def _opener_lines(L: _Lines) -> list[int]:
    """Indices of the lines whose first character (after spaces, `>` and form feeds) may open a
    message: found by one regex scan instead of a Python step per line."""
    offs, lines = L.offs, L.lines
    out = [0] if lines and lines[0].lstrip(" >\t\f")[:1] in "Oo-—BbFf" and lines[0].lstrip(" >\t\f") else []
    i = 0
    for m in _OPENER.finditer(L.text):
        i = bisect_left(offs, m.start() + 1, i)
        out.append(i)
    return out


def _messages(L: _Lines) -> list[Message]:
    msgs: list[Message] = []
    n, i, delim = len(L.lines), 0, None
    kinds = L.kinds
    # body_before[k]: BODY lines before line k.  A delimiter stops counting once a body line more
    # than 4 lines below it has been passed (as a line-by-line scan would see it).
    body_before = list(accumulate(map(BODY.__eq__, kinds), initial=0))
    for j in _opener_lines(L):
        if j < i or kinds[j] != BODY:
            continue
        if delim is not None and body_before[j] - body_before[max(i, delim + 5)] > 0:
            delim = None
        i = j
        ln = L.lines[i]
        s = ln.lstrip(" >\t\f")
        c = s[:1]
        if c in "Oo-—BbFf" and len(s) < 90 and _DELIM.match(ln):
            delim = i
            i += 1
            continue
        if c == "O" and s.startswith("On ") and len(s) < 300:
            joined = s if s.rstrip().endswith("wrote:") else (s + " " + L.lines[i + 1].strip() if i + 1 < n else s)
            m = _WROTE.match(joined) or _WROTE_NO_TIME.match(joined)
            if m:
                date, sender = m.group(1), m.group(2).strip(" ,")
                last = i if s.rstrip().endswith("wrote:") else i + 1
                msg = Message(sender=sender or None, date_raw=date, date=parse_date(date),
                              start=L.offs[i], body_start=L.offs[last + 1] if last + 1 < n else len(L.text))
                msg.extra["quote_intro"] = True
                msgs.append(msg)
                i, delim = last + 1, None
                continue
        memo = c == "F" and s.startswith("For") and bool(_LABEL.match(ln))
        if c in "Ff" and (s.startswith(("From", "FROM")) or memo):
            fields, end = _parse_block(L, i, memo)
            has_from = bool(fields.get("from")) or "from" in fields
            others = sum(1 for f in _HEAD_FIELDS if f in fields)
            ok = has_from and (others >= 1 or (fields.get("from") and (delim is not None or not msgs)
                                                and i < 60))
            if memo:
                ok = "from" in fields and ("subject" in fields or "for" in fields) and others + 1 >= 1
            if ok:
                begin = delim if delim is not None and i - delim <= 4 else i
                msgs.append(_message(fields, L.offs[begin], L.offs[end] if end < n else len(L.text)))
                i, delim = end, None
                continue
        if delim is not None and i - delim > 4:
            delim = None
        i += 1
    for k, msg in enumerate(msgs):
        msg.index = k
        msg.end = msgs[k + 1].start if k + 1 < len(msgs) else len(L.text)
        msg.body_start = min(msg.body_start, msg.end)
    return msgs


# -- pages ----------------------------------------------------------------------------------
def _pages(L: _Lines, marker_lines: set[int], doc: ParsedDocument) -> list[Page]:
    pages, start = [], 0
    page_codes: dict[int, set[str]] = {}
    for code, off, _ in L.margin:
        page_codes.setdefault(L.page_of(off), set()).add(code)
    first = 0
    for num, end in enumerate(L.page_ends, 1):
        last = bisect_left(L.offs, end)
        content = any(L.kinds[i] == BODY and _MEANINGFUL.search(clean_text(
            L.text, doc.meta["drop_spans"], L.offs[i], L.offs[i] + len(L.lines[i]))) for i in range(first, last))
        first = last
        codes = set(page_codes.get(num, ()))
        if num == 1:
            codes.update(doc.exemptions)
        status = "text" if content else ("withheld" if codes else "blank")
        pages.append(Page(number=num, start=start, end=end, status=status, exemptions=sorted(codes)))
        start = end
    return pages


def _title(doc: ParsedDocument, L: _Lines) -> str | None:
    if doc.messages and doc.messages[0].subject:
        return doc.messages[0].subject
    for i, k in enumerate(L.kinds[:200]):
        if k == BODY:
            s = clean_text(L.text, doc.meta["drop_spans"], L.offs[i], L.offs[i] + len(L.lines[i])).strip()
            if len(s) >= 4 and _MEANINGFUL.search(s):
                return " ".join(s.split())[:200]
    return None


def _step(doc: ParsedDocument, name: str, fn, *args):
    """Run one extraction step; a failure is recorded, never raised."""
    try:
        return fn(*args)
    except Exception as exc:        # noqa: BLE001 - OCR damage must not stop the ingest
        doc.status = "partial"
        doc.meta.setdefault("errors", []).append(f"{name}: {type(exc).__name__}: {exc}"[:200])
        return None


def parse_foia(text: str, doc_id: str, release: str | None = None) -> ParsedDocument:
    """Parse one FOIA release text file (see the module docstring)."""
    if not isinstance(text, str):
        text = str(text or "")
    doc = ParsedDocument(doc_id=doc_id, text=text, source_format="foia", release=release)
    doc.meta = {"stamp_doc_no": None, "bates": [], "margin_codes": [], "drop_spans": []}
    is296 = "F-2015-04841" in text[:600] or release == "HRC_Email_296"
    L = _step(doc, "lines", _Lines, text, is296)
    if L is None:
        return doc
    doc.meta["drop_spans"] = _merge(L.drop)
    _step(doc, "stamp", _stamp_fields, L, doc)
    block = _step(doc, "disposition", _disposition, L, doc) or set()
    doc.classification = _step(doc, "classification", _classification, text) or {}
    if is296:
        doc.meta["bates"] = [b.replace("5CB", "SCB") for b in _BATES.findall(text)]
    doc.meta["margin_codes"] = [{"code": c, "page": L.page_of(off), "offset": off}
                                for c, off, i in L.margin if i not in block]
    doc.messages = _step(doc, "messages", _messages, L) or []
    spans = doc.meta["drop_spans"]
    for msg in doc.messages:
        msg.body = _step(doc, "body", clean_text, text, spans, msg.body_start, msg.end) or ""
    doc.pages = _step(doc, "pages", _pages, L, block, doc) or []
    doc.title = _step(doc, "title", _title, doc, L)
    return doc
