"""Unix mailbox files (mboxo/mboxrd/mboxcl): one ParsedDocument per message.

Splitting is done here rather than with `mailbox.mbox`, which cuts at every
line starting with "From " and ignores `Content-Length:`.  A separator must be
a plausible envelope line ("From sender date" or "From -") followed by a header
line, and a message's `Content-Length:` is honoured when it lands on the next
separator or the end of the file (Solaris-style mailboxes leave bodies unescaped).
"""
from __future__ import annotations

import re
from typing import BinaryIO, Iterator

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


CHUNK = 8 << 20            # bytes read at a time from an mbox on disk
MARGIN = 64 << 10          # a boundary this close to the end of the buffer is confirmed after the next read


def split_mbox_file(fh: BinaryIO) -> Iterator[tuple[bytes, bytes]]:
    """`split_mbox` over an open file, read CHUNK bytes at a time: memory holds the current
    message and one chunk, never the whole mailbox.  A message end is accepted only when its
    header block and the line after it are in the buffer (or the file has ended), so the cuts are
    the ones `split_mbox` makes on the whole file."""
    data, eof = fh.read(CHUNK), False
    while not eof and data.find(b"\n", data.find(b"\n") + 1) < 0:    # the envelope and a header line
        data, _, eof = _more(fh, data, 0)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if not _is_separator(data, 0):
        return
    pos = 0
    while pos < len(data) or not eof:
        line_end = data.find(b"\n", pos)
        head_end = data.find(b"\n\n", pos) if line_end >= 0 else -1
        if head_end < 0 and line_end >= 0:
            head_end = data.find(b"\r\n\r\n", pos)
        if not eof and head_end < 0:
            data, pos, eof = _more(fh, data, pos)
            continue
        line_end = len(data) if line_end < 0 else line_end
        body_start = min(line_end + 1, len(data))
        nxt = _next_by_length(data, body_start)
        scanned = nxt is None
        if scanned:
            nxt = _next_by_scan(data, body_start)
        if not eof and nxt + MARGIN > len(data):
            data, pos, eof = _more(fh, data, pos)
            continue
        msg = _ESCAPED.sub(rb"\1", data[body_start:nxt]) if scanned else data[body_start:nxt]
        yield data[pos:line_end].rstrip(b"\r"), msg
        pos = nxt


def _more(fh: BinaryIO, data: bytes, pos: int) -> tuple[bytes, int, bool]:
    """The unread part of the buffer followed by the next chunk (at least as much as is kept, so
    a message longer than a chunk costs a few copies, not one per chunk)."""
    rest = data[pos:]
    chunk = fh.read(max(CHUNK, len(rest)))
    return rest + chunk, 0, not chunk


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
        for member in self.messages(source):
            yield message_document(member)

    @staticmethod
    def messages(source: Source) -> Iterator[Source]:
        """One Source per message (its index and envelope line in `hint["mbox_message"]`), read
        from the file chunk by chunk when the mbox is on disk: the pipeline spreads them over its
        workers, as it does the members of an archive."""
        if source.data is None and source.path:
            with open(source.path, "rb") as fh:
                pieces = split_mbox_file(fh)
                yield from _members(source, pieces)
        else:
            yield from _members(source, split_mbox(source.read()))


def _members(source: Source, pieces: Iterator[tuple[bytes, bytes]]) -> Iterator[Source]:
    count = 0
    for i, (envelope, raw) in enumerate(pieces):
        count += 1
        yield Source(name=f"{source.name}!{i}", data=raw, size=len(raw), parent_id=source.parent_id,
                     depth=source.depth, root=source.root or source.name,
                     hint={**source.hint, "mbox_message": (i, envelope.decode("latin-1"))})
    if count == 0:
        raise IngestError("not_mbox", f"{source.basename!r} has no 'From ' separator line")


def message_document(member: Source) -> ParsedDocument:
    """The document of one message of an mbox (a Source made by `MboxReader.messages`)."""
    i, envelope = member.hint.pop("mbox_message")   # attachments inherit the hints, not this one
    raw = member.read()
    return message_to_document(parse_bytes(raw), member, email_doc_id(raw), "mbox",
                               {"mbox_index": i, "envelope": envelope})


@register
class MboxMessageReader(Reader):
    """One message cut from an mbox by the pipeline (never chosen by name or content)."""
    name = "mbox-message"

    @classmethod
    def score(cls, source: Source) -> int:
        return 100 if "mbox_message" in source.hint else 0

    def read(self, source: Source) -> Iterator[ParsedDocument]:
        yield message_document(source)
