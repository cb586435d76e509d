"""RFC 822 / MIME messages (.eml, message/rfc822 attachments, sniffed header blocks)."""
from __future__ import annotations

import re
from typing import Iterator

from dalil.ingest.base import Reader, register
from dalil.ingest.mail_common import doc_id_for, message_to_document, parse_bytes
from dalil.model import IngestError, ParsedDocument, Source

# Headers a message file typically opens with (a From_ envelope line included).
_FIRST_HEADER = re.compile(
    rb"^(?:\xef\xbb\xbf)?(?:From |(?:From|Received|Return-Path|MIME-Version|Delivered-To|Message-ID|Date|"
    rb"Subject|To|X-[\w-]+|Reply-To|Sender|Content-Type|DKIM-Signature|Authentication-Results|"
    rb"ARC-[\w-]+|Thread-Topic|In-Reply-To|References):)", re.I)
_HEADER_LINE = re.compile(rb"^[!-9;-~]+:[ \t]", re.M)


@register
class EmlReader(Reader):
    name = "eml"
    extensions = (".eml", ".emlx", ".mht", ".mhtml")
    mime_types = ("message/rfc822", "message/global")

    @classmethod
    def score(cls, source: Source) -> int:
        base = super().score(source)
        if base:
            return base
        try:
            head = source.head(2048)
        except OSError:
            return 0
        # Several header lines up front, not just one "From:" in a text file.
        if _FIRST_HEADER.match(head) and len(_HEADER_LINE.findall(head.split(b"\n\n", 1)[0])) >= 2:
            return 7
        return 0

    def read(self, source: Source) -> Iterator[ParsedDocument]:
        data = source.read()
        if not data.strip():
            raise IngestError("empty", f"{source.basename!r} has no content")
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        if re.match(rb"From (?![ \t]*:)", data) and b"\n" in data:     # an mbox-style envelope line
            data = data.split(b"\n", 1)[1]
        if b"\x00" in data[:1024]:
            raise IngestError("not_email", f"{source.basename!r} is binary, not a message")
        msg = parse_bytes(data)
        if not msg.keys():
            raise IngestError("not_email", f"{source.basename!r} has no message headers")
        yield message_to_document(msg, source, doc_id_for(source, source.read()), "eml")
