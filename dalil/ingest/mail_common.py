"""Shared helpers for the e-mail readers: charsets, headers, MIME walking, documents.

Leaked archives are full of wrong or missing charset labels, so every byte
string goes through `decode_bytes`: the declared charset when it decodes
cleanly and plausibly, otherwise charset-normalizer's guess, never silent
mojibake.  `message_to_document` turns a parsed `email.message.Message` into
one `ParsedDocument` whose text is a header block followed by the body.
"""
from __future__ import annotations

import codecs
import email
import email.header
import email.utils
import re
from email import policy
from email.message import Message as EmailMessage
from functools import lru_cache
from pathlib import Path
from typing import Any

from charset_normalizer import from_bytes

from dalil.model import Message, ParsedDocument, Source, sha256
from dalil.text.datafile import tsv_rows

CHARSETS = Path(__file__).with_name("data") / "charsets.tsv"


@lru_cache(maxsize=1)
def charset_aliases() -> dict[str, str]:
    """data/charsets.tsv, read once: a charset label of real mail → the codec to decode it with."""
    return {label: codec for label, codec in tsv_rows(CHARSETS)}


CHARSET_ALIASES = charset_aliases()
# Single-byte Latin labels decode anything, so a wrong one only shows as mojibake.
_LATIN = {"cp1252", "iso8859-15", "ascii", "latin-1", "iso8859-1"}
_MOJIBAKE = re.compile(r"[\u00c0-\u00ff][\u0080-\u00bf\u2018-\u203a\u0152-\u0178\u02c6\u02dc]")


def _looks_misdecoded(text: str) -> bool:
    """UTF-8 read as Latin, or a text that is mostly accented Latin (Arabic/Cyrillic mislabelled)."""
    if _MOJIBAKE.search(text):
        return True
    letters = [c for c in text if c.isalpha()]
    high = sum(1 for c in letters if "\u00c0" <= c <= "\u00ff")
    return len(letters) >= 8 and high / len(letters) > 0.4


def normalize_charset(label: str | None) -> str | None:
    """A Python codec name for a declared charset label, or None if unknown/absent."""
    if not label:
        return None
    label = label.strip().strip('"\'').lower()
    label = CHARSET_ALIASES.get(label, label)
    if not label:
        return None
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def detect(data: bytes) -> tuple[str, str] | None:
    """charset-normalizer's best (text, codec) for the bytes, or None."""
    best = from_bytes(data).best()
    return (str(best), best.encoding) if best is not None else None


def decode_bytes(data: bytes, declared: str | None = None) -> tuple[str, str | None]:
    """Decode bytes to text: (text, charset used, or None when nothing fitted)."""
    if not data:
        return "", normalize_charset(declared)
    codec = normalize_charset(declared)
    if data.isascii() and codec in (None, "ascii", "utf-8", "cp1252"):
        return data.decode("ascii"), codec or "ascii"
    if codec and codec != "ascii":
        try:
            text = data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            text = None
        # A clean decode is trusted unless a Latin label produced UTF-8-style mojibake.
        if text is not None and not (codec in _LATIN and _looks_misdecoded(text)):
            return text, codec
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    guess = detect(data)
    if guess is not None:
        return guess
    return data.decode(codec or "cp1252", errors="replace"), None


def decode_header(raw: Any) -> str:
    """Decode a raw header value: RFC 2047 words, raw 8-bit bytes, unknown charsets."""
    if raw is None:
        return ""
    raw = str(raw)
    # The parser keeps raw 8-bit header bytes as surrogate escapes (RFC 6532 or just sloppy).
    if any("\udc80" <= c <= "\udcff" for c in raw):
        raw = decode_bytes(raw.encode("ascii", "surrogateescape"), "utf-8")[0]
    try:
        parts = email.header.decode_header(raw)
    except Exception:
        return _unfold(raw)
    out = []
    for chunk, charset in parts:
        if isinstance(chunk, bytes):
            chunk = decode_bytes(chunk, charset or "ascii")[0] if charset else chunk.decode("utf-8", "replace")
        out.append(chunk)
    return _unfold("".join(out))


def _unfold(value: str) -> str:
    return re.sub(r"\s*\r?\n\s+", " ", value).strip()


def raw_headers(msg: EmailMessage) -> dict[str, list[str]]:
    """Header name (lower case) -> raw values, bypassing the policy's strict parsing."""
    out: dict[str, list[str]] = {}
    items = msg.raw_items() if hasattr(msg, "raw_items") else msg.items()
    for name, value in items:
        out.setdefault(name.lower(), []).append(value)
    return out


def split_addresses(value: str) -> list[str]:
    """'A <a@x>, b@y' -> ['A <a@x>', 'b@y'], as written (no re-encoding of names)."""
    if not value:
        return []
    result = []
    for name, addr in email.utils.getaddresses([value]):
        name, addr = name.strip(), addr.strip()
        if name and addr and name.strip("'\"") != addr:
            result.append(f"{name} <{addr}>")
        elif name or addr:
            result.append(addr or name)
    return result or [value]


def iso_date(raw: str | None) -> str | None:
    """RFC 2822 date -> ISO 8601 (with the offset as written), or None."""
    if not raw:
        return None
    try:
        return email.utils.parsedate_to_datetime(raw).isoformat()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def html_to_text(html: str) -> str:
    """Readable text from an HTML body (scripts and styles dropped, block breaks kept)."""
    from bs4 import BeautifulSoup
    soup = BeautifulSoup(html, "lxml")
    for tag in soup(["script", "style", "head", "title"]):
        tag.decompose()
    for br in soup.find_all("br"):
        br.replace_with("\n")
    text = soup.get_text("\n")
    lines = [re.sub(r"[ \t\xa0]+", " ", ln).strip() for ln in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def rtf_to_text(rtf: bytes) -> str:
    """Plain text from an RTF body, de-encapsulating Outlook's HTML-in-RTF when present."""
    data = rtf.decode("latin-1", "replace")
    if "\\fromhtml" in data:
        try:
            from RTFDE.deencapsulate import DeEncapsulator
            de = DeEncapsulator(rtf)
            de.deencapsulate()
            if de.content_type == "html":
                return html_to_text(de.html if isinstance(de.html, str) else de.html.decode("utf-8", "replace"))
            return de.text if isinstance(de.text, str) else de.text.decode("cp1252", "replace")
        except Exception:       # fall back to stripping control words
            pass
    data = re.sub(r"\\par[d]?\b ?|\\line\b ?", "\n", data)
    data = re.sub(r"\\'([0-9a-f]{2})", lambda m: bytes([int(m.group(1), 16)]).decode("cp1252", "replace"), data)
    data = re.sub(r"\\[a-z]+-?\d* ?|[{}]", "", data)
    return re.sub(r"\n{3,}", "\n\n", data).strip()


# ---- MIME walking --------------------------------------------------------------------------

class _Parts:
    def __init__(self) -> None:
        self.texts: list[str] = []
        self.htmls: list[str] = []
        self.files: list[tuple[str, bytes, str]] = []   # (name, data, content type)
        self.problems: list[str] = []
        self.charsets: list[str] = []


def _is_attachment(part: EmailMessage) -> bool:
    """A text part is a file when marked as one, or named without being marked inline."""
    disp = (part.get("Content-Disposition") or "").split(";")[0].strip().lower()
    if disp == "attachment":
        return True
    try:
        named = bool(part.get_filename())
    except Exception:
        named = False
    return named and disp != "inline"


def _filename(part: EmailMessage, n: int) -> str:
    try:
        name = part.get_filename() or part.get_param("name")
    except Exception:
        name = None
    if isinstance(name, tuple):            # RFC 2231 triple from get_param
        name = email.utils.collapse_rfc2231_value(name)
    name = decode_header(name) if name else ""
    name = name.replace("/", "_").replace("\\", "_").replace("!", "_").strip()
    if not name:
        ext = {"message/rfc822": ".eml", "text/html": ".html", "text/plain": ".txt"}.get(part.get_content_type())
        if ext is None:
            sub = part.get_content_subtype()
            ext = "." + (sub if sub.isalnum() and len(sub) < 6 else "bin")
        name = f"part{n}{ext}"
    return name


def _payload(part: EmailMessage, parts: _Parts) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception as exc:
        parts.problems.append(f"undecodable part ({type(exc).__name__})")
        data = None
    if data is None:
        raw = part.get_payload()
        data = raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else b""
    return data


def _part_text(part: EmailMessage, parts: _Parts) -> str:
    data = _payload(part, parts)
    text, used = decode_bytes(data, part.get_content_charset())
    if used:
        parts.charsets.append(used)
    return text


def _embedded_bytes(part: EmailMessage) -> bytes:
    inner = part.get_payload()
    if isinstance(inner, list) and inner:
        try:
            return inner[0].as_bytes(policy=policy.compat32)
        except Exception:
            return inner[0].as_string(policy=policy.compat32).encode("utf-8", "surrogateescape")
    return part.get_payload(decode=True) or b""


def _walk(part: EmailMessage, parts: _Parts, body: bool = True) -> None:
    """Collect body text, HTML and files.  `body=False`: an unchosen alternative (HTML only)."""
    parts.problems.extend(type(d).__name__ for d in getattr(part, "defects", []))
    ctype = part.get_content_type()
    if ctype in ("message/rfc822", "message/global") or (not part.is_multipart() and _is_attachment(part)):
        data = _embedded_bytes(part) if ctype.startswith("message/") else _payload(part, parts)
        parts.files.append((_filename(part, len(parts.files) + 1), data, ctype))
        return
    if ctype == "message/delivery-status":          # a bounce report: header blocks, keep as text
        if body:
            blocks = part.get_payload()
            parts.texts.append("\n".join(b.as_string(policy=policy.compat32) for b in blocks)
                               if isinstance(blocks, list) else _part_text(part, parts))
        return
    if part.is_multipart():
        kids = [k for k in part.get_payload() if isinstance(k, EmailMessage)]
        chosen = None
        if ctype == "multipart/alternative" and body:
            plain = [k for k in kids if _has_type(k, "text/plain")]
            chosen = plain[0] if plain else (kids[-1] if kids else None)
        for kid in kids:
            _walk(kid, parts, body and (chosen is None or kid is chosen))
        return
    if ctype == "text/plain":
        if body:
            parts.texts.append(_part_text(part, parts))
    elif ctype == "text/html":
        html = _part_text(part, parts)
        parts.htmls.append(html)
        if body:
            parts.texts.append(html_to_text(html))
    elif ctype in ("text/enriched", "text/richtext", "text/rfc822-headers") or ctype.startswith("multipart/"):
        if body:                            # old rich text, bounce headers or a broken multipart leaf
            text = _part_text(part, parts)
            parts.texts.append(re.sub(r"<[^<>\n]{1,40}>", "", text) if "rich" in ctype or "enriched" in ctype else text)
    else:
        parts.files.append((_filename(part, len(parts.files) + 1), _payload(part, parts), ctype))


def _has_type(part: EmailMessage, ctype: str) -> bool:
    return any(p.get_content_type() == ctype and not _is_attachment(p) for p in part.walk())


_OBS_COLON = re.compile(rb"^([!-9;-~]+)[ \t]+:", re.M)


def parse_bytes(data: bytes) -> EmailMessage:
    """Parse a message; obsolete "Name  :" header syntax (RFC 5322 section 4.5) is tidied first."""
    cut = re.search(rb"\r?\n\r?\n", data)
    head = data[:cut.start()] if cut else data
    if _OBS_COLON.search(head):
        data = _OBS_COLON.sub(rb"\1:", head) + data[len(head):]
    return email.message_from_bytes(data, policy=policy.default)


def email_doc_id(data: bytes) -> str:
    return "E" + sha256(data)[:12].upper()


# Parser defects that mean the MIME structure itself is damaged (header nits are not).
_BROKEN = {"StartBoundaryNotFoundDefect", "CloseBoundaryNotFoundDefect", "MultipartInvariantViolationDefect",
           "NoBoundaryInMultipartDefect", "MissingHeaderBodySeparatorDefect", "FirstHeaderLineIsContinuationDefect",
           "InvalidBase64PaddingDefect", "InvalidBase64CharactersDefect", "InvalidBase64LengthDefect",
           "InvalidMultipartContentTransferEncodingDefect", "MisplacedEnvelopeHeaderDefect"}


def message_to_document(msg: EmailMessage, source: Source, doc_id: str, source_format: str = "eml",
                        meta: dict[str, Any] | None = None) -> ParsedDocument:
    """One ParsedDocument (text = header block + body) with attachments as child Sources."""
    hdr = raw_headers(msg)
    get = lambda name: decode_header(hdr[name][0]) if name in hdr else ""   # noqa: E731
    parts = _Parts()
    try:
        _walk(msg, parts)
    except Exception as exc:              # a MIME tree the stdlib cannot walk: keep the headers
        parts.problems.append(f"{type(exc).__name__}: {exc}")
    body = "\n\n".join(t.strip("\r\n") for t in parts.texts if t.strip())
    date_raw = get("date") or None
    m = Message(
        sender=get("from") or get("sender") or None,
        to=[a for v in hdr.get("to", []) for a in split_addresses(decode_header(v))],
        cc=[a for v in hdr.get("cc", []) for a in split_addresses(decode_header(v))],
        bcc=[a for v in hdr.get("bcc", []) for a in split_addresses(decode_header(v))],
        date=iso_date(date_raw), date_raw=date_raw, subject=get("subject") or None,
        importance=get("importance") or None,
        message_id=get("message-id") or None, in_reply_to=get("in-reply-to") or None,
    )
    doc = build_document(m, body, "\n".join(parts.htmls) or None, parts.files, source, doc_id, source_format, meta)
    if parts.charsets:
        doc.meta["charsets"] = sorted(set(parts.charsets))
    broken = [p for p in parts.problems if p in _BROKEN or not p.endswith("Defect")]
    if broken:
        doc.status, doc.reason = "partial", "broken_mime: " + ", ".join(dict.fromkeys(broken))
    return doc


def build_document(m: Message, body: str, html: str | None, files: list[tuple[str, bytes, str]],
                   source: Source, doc_id: str, source_format: str,
                   meta: dict[str, Any] | None = None) -> ParsedDocument:
    """The document of one e-mail: a header block, the body, files as child Sources (-A1, -A2...)."""
    body = body.replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    m.attachments = [name for name, _, _ in files]
    lines = [f"{label}: {value}" for label, value in (
        ("From", m.sender), ("To", ", ".join(m.to)), ("Cc", ", ".join(m.cc)), ("Bcc", ", ".join(m.bcc)),
        ("Date", m.date_raw), ("Subject", m.subject), ("Attachments", ", ".join(m.attachments))) if value]
    head = "\n".join(lines) + "\n\n" if lines else ""
    m.body, m.body_start, m.end = body, len(head), len(head) + len(body)
    doc = ParsedDocument(doc_id=doc_id, text=head + body, source_format=source_format, title=m.subject,
                         messages=[m], parent_id=source.parent_id, meta=dict(meta or {}), html=html)
    doc.meta.setdefault("source_name", source.name)
    for i, (name, data, ctype) in enumerate(files, 1):
        doc.children.append(Source(name=f"{source.name}!{name}", data=data, size=len(data), content_type=ctype,
                                   parent_id=doc_id, depth=source.depth + 1, root=source.root or source.name,
                                   hint={**source.hint, "doc_id": f"{doc_id}-A{i}"}))
    return doc


def doc_id_for(source: Source, data: bytes) -> str:
    """The id a pipeline assigned (attachments: parent-A1...) or one derived from the bytes."""
    return source.hint.get("doc_id") or email_doc_id(data)
