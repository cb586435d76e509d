"""Unix mailbox files (mboxo/mboxrd/mboxcl): one ParsedDocument per message.

Splitting is done here rather than with `mailbox.mbox`, which cuts at every
line starting with "From " and ignores `Content-Length:`.  A separator must be
a plausible envelope line ("From sender date" or "From -") followed by a header
line, and a message's `Content-Length:` is honoured when it lands on the next
separator or the end of the file (Solaris-style mailboxes leave bodies unescaped).
"""
from __future__ import annotations

import re
from typing import Iterator

from dalil.ingest.base import Reader, register
from dalil.ingest.mail_common import email_doc_id, message_to_document, parse_bytes
from dalil.model import IngestError, ParsedDocument, Source

_ENVELOPE = re.compile(rb"From (\S+)[ \t]*(.*?)\r?$")
_HEADER = re.compile(rb"[!-9;-~]+:")
_TIME = re.compile(rb"\d{1,2}:\d{2}")
_CLEN = re.compile(rb"^Content-Length:[ \t]*(\d+)[ \t]*\r?$", re.I | re.M)
_ESCAPED = re.compile(rb"^>(>*From )", re.M)


def _is_separator(data: bytes, pos: int) -> bool:
    """Is the line at `pos` an envelope line that starts a message?"""
    end = data.find(b"\n", pos)
    end = len(data) if end < 0 else end
    m = _ENVELOPE.match(data, pos, end)
    if not m:
        return False
    sender, rest = m.group(1), m.group(2)
    if not (sender == b"-" or b"@" in sender or _TIME.search(rest)):
        return False                     # e.g. a body line "From Russia with love"
    return bool(_HEADER.match(data, end + 1))


def split_mbox(data: bytes) -> Iterator[tuple[bytes, bytes]]:
    """(envelope line, message bytes) for each message in an mbox."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if not _is_separator(data, 0):
        return
    pos = 0
    while pos < len(data):
        line_end = data.find(b"\n", pos)
        line_end = len(data) if line_end < 0 else line_end
        body_start = min(line_end + 1, len(data))
        nxt = _next_by_length(data, body_start)
        if nxt is None:
            nxt = _next_by_scan(data, body_start)
            msg = _ESCAPED.sub(rb"\1", data[body_start:nxt])
        else:
            msg = data[body_start:nxt]
        yield data[pos:line_end].rstrip(b"\r"), msg
        pos = nxt


def _next_by_length(data: bytes, start: int) -> int | None:
    head_end = data.find(b"\n\n", start)
    head_end = data.find(b"\r\n\r\n", start) if head_end < 0 else head_end
    if head_end < 0:
        return None
    m = _CLEN.search(data, start, head_end + 1)
    if not m:
        return None
    body = head_end + (4 if data.startswith(b"\r\n\r\n", head_end) else 2)
    end = body + int(m.group(1))
    probe = end
    while probe < len(data) and data[probe:probe + 1] in (b"\n", b"\r"):
        probe += 1
    if probe >= len(data) or (end <= len(data) and _is_separator(data, probe)):
        return min(probe, len(data))
    return None


def _next_by_scan(data: bytes, start: int) -> int:
    pos = data.find(b"\nFrom ", start - 1)
    while pos >= 0:
        if _is_separator(data, pos + 1):
            return pos + 1
        pos = data.find(b"\nFrom ", pos + 1)
    return len(data)


@register
class MboxReader(Reader):
    name = "mbox"
    extensions = (".mbox", ".mbx", ".mbs")
    mime_types = ("application/mbox",)

    @classmethod
    def score(cls, source: Source) -> int:
        try:
            head = source.head(2048)
        except OSError:
            return 0
        sniffed = _is_separator(head.removeprefix(b"\xef\xbb\xbf"), 0)
        if sniffed and source.suffix in cls.extensions:
            return 15
        if sniffed and source.suffix not in (".eml", ".emlx", ".txt"):
            return 12                     # beats the .eml sniff of a From_ line
        return super().score(source)

    def read(self, source: Source) -> Iterator[ParsedDocument]:
        data = source.read()
        count = 0
        for i, (envelope, raw) in enumerate(split_mbox(data)):
            count += 1
            member = Source(name=f"{source.name}!{i}", data=raw, size=len(raw), parent_id=source.parent_id,
                            depth=source.depth, root=source.root or source.name, hint=source.hint)
            doc = message_to_document(parse_bytes(raw), member, email_doc_id(raw), "mbox",
                                      {"mbox_index": i, "envelope": envelope.decode("latin-1")})
            yield doc
        if count == 0:
            raise IngestError("not_mbox", f"{source.basename!r} has no 'From ' separator line")
