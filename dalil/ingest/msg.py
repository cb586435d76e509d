"""Outlook .msg files (OLE2 compound documents) via extract_msg."""
from __future__ import annotations

import codecs
import logging
from datetime import datetime
from typing import Iterator

from dalil.ingest.base import Reader, register
from dalil.ingest.mail_common import (build_document, decode_bytes, doc_id_for, html_to_text, iso_date,
                                      rtf_to_text, split_addresses)
from dalil.model import IngestError, Message, ParsedDocument, Source

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
logging.getLogger("extract_msg").setLevel(logging.ERROR)    # it warns on every odd property


def _clean(value: str | None) -> str | None:
    return value.replace(" <None>", "").strip() or None if value else None


def _recipients(msg) -> dict[int, list[str]]:
    """Recipients by type (1 to, 2 cc, 3 bcc) from the recipient table, names as stored."""
    out: dict[int, list[str]] = {1: [], 2: [], 3: []}
    for r in _safe(msg, "recipients") or []:
        name, addr = (r.name or "").strip(), (r.email or "").strip()
        if name or addr:
            out.setdefault(int(r.type), []).append(f"{name} <{addr}>" if name and addr and name != addr
                                                    else name or addr)
    return out


def _addresses(value: str | None) -> list[str]:
    # Outlook joins recipients with ";" and may leave display names unquoted.
    return [a for chunk in (_clean(value) or "").split(";") for a in split_addresses(chunk.strip())]


def _files(msg) -> list[tuple[str, bytes, str]]:
    files = []
    for n, att in enumerate(msg.attachments, 1):
        data, name = att.data, att.longFilename or att.shortFilename or getattr(att, "name", None)
        if hasattr(data, "exportBytes"):           # an embedded .msg: re-export it as its own file
            data, ctype = data.exportBytes(), "application/vnd.ms-outlook"
            name = name or f"{data and att.data.subject or 'message'}.msg"
            if not name.lower().endswith(".msg"):
                name += ".msg"
        else:
            ctype = getattr(att, "mimetype", None) or "application/octet-stream"
        if not isinstance(data, bytes):
            continue                               # a link to a file outside the message
        files.append(((name or f"attachment{n}").replace("/", "_").replace("!", "_"), data, ctype))
    return files


def _codepage(msg) -> str | None:
    """Codec of an ANSI (non-Unicode) message, from its internet or message code page."""
    if msg.areStringsUnicode:
        return None
    for prop in ("3FDE0003", "3FFD0003"):
        cp = msg.getPropertyVal(prop)
        if isinstance(cp, int) and cp > 0:
            name = {65001: "utf-8", 20127: "ascii", 50220: "iso2022_jp", 51932: "euc_jp",
                    28591: "latin-1"}.get(cp) or (f"iso8859_{cp - 28590}" if 28592 <= cp <= 28599 else f"cp{cp}")
            try:
                return codecs.lookup(name).name
            except LookupError:
                continue
    return None


def _safe(msg, attr: str):
    try:
        return getattr(msg, attr)
    except Exception:          # extract_msg decodes lazily and may fail on one property
        return None


def _body(msg) -> tuple[str, str | None]:
    """(plain text, html): plain body, else HTML converted, else RTF."""
    html_raw = _safe(msg, "htmlBody")
    html = decode_bytes(html_raw, "utf-8")[0] if isinstance(html_raw, bytes) else html_raw
    plain, rtf = _safe(msg, "body"), _safe(msg, "rtfBody")
    if plain and plain.strip():
        return plain, html
    if html:
        return html_to_text(html), html
    return (rtf_to_text(rtf) if rtf else ""), None


@register
class MsgReader(Reader):
    name = "msg"
    extensions = (".msg",)
    mime_types = ("application/vnd.ms-outlook",)

    @classmethod
    def score(cls, source: Source) -> int:
        base = super().score(source)
        if base and source.head(8) == OLE2:
            return base + 5
        return base

    def read(self, source: Source) -> Iterator[ParsedDocument]:
        import extract_msg
        data = source.read()
        if not data.startswith(OLE2):
            raise IngestError("not_msg", f"{source.basename!r} is not an OLE2 file")
        try:
            msg = extract_msg.openMsg(data, delayAttachments=False)
            codec = _codepage(msg)
            if codec and codec != msg.stringEncoding:     # ANSI strings: decode with the sender's code page
                msg.close()
                msg = extract_msg.openMsg(data, delayAttachments=False, overrideEncoding=codec)
        except Exception as exc:
            raise IngestError("corrupt_msg", f"{type(exc).__name__}: {exc}") from None
        try:
            if not hasattr(msg, "attachments") or not hasattr(msg, "body"):
                raise IngestError("not_msg", f"{source.basename!r} is an Outlook item, not a message")
            body, html = _body(msg)
            header, date = msg.header, _safe(msg, "date")
            date_raw = header.get("Date") if header is not None else None
            date = date if isinstance(date, datetime) else None
            rcpt = _recipients(msg)
            m = Message(sender=_clean(msg.sender), to=rcpt[1] or _addresses(msg.to),
                        cc=rcpt[2] or _addresses(msg.cc), bcc=rcpt[3] or _addresses(msg.bcc), subject=msg.subject, message_id=msg.messageId,
                        in_reply_to=msg.inReplyTo, date_raw=date_raw or (date.isoformat() if date else None),
                        date=iso_date(date_raw) or (date.isoformat() if date else None))
            doc = build_document(m, body, html, _files(msg), source, doc_id_for(source, data), "msg")
        except IngestError:
            raise
        except Exception as exc:
            raise IngestError("corrupt_msg", f"{type(exc).__name__}: {exc}") from None
        finally:
            msg.close()
        yield doc
