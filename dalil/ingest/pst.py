"""Outlook .pst/.ost stores via pypff: one ParsedDocument per message, folder path in meta."""
from __future__ import annotations

import email.parser
import io
from email import policy
from typing import Iterator

from dalil.ingest.base import Reader, register
from dalil.ingest.mail_common import (build_document, decode_bytes, decode_header, html_to_text, iso_date,
                                      raw_headers, rtf_to_text, split_addresses)
from dalil.model import IngestError, Message, ParsedDocument, Source, sha256

MAGIC = b"!BDN"
# MAPI property tags (the high 16 bits of a property tag).
DISPLAY_NAME, LONG_FILENAME, FILENAME, ATTACH_METHOD, MIME_TAG = 0x3001, 0x3707, 0x3704, 0x3705, 0x370E
RCPT_TYPE, SMTP_ADDRESS, EMAIL_ADDRESS = 0x0C15, 0x39FE, 0x3003
SENDER_EMAIL, SENDER_SMTP, MESSAGE_ID, IN_REPLY_TO = 0x0C1F, 0x5D01, 0x1035, 0x1042
EMBEDDED_MESSAGE = 5


def _props(item) -> dict[int, object]:
    """Property tag -> value (str for string types, int for 32-bit ints, bytes otherwise)."""
    out: dict[int, object] = {}
    for rs in item.record_sets:
        for e in rs.entries:
            try:
                if e.value_type in (0x1E, 0x1F):
                    out.setdefault(e.entry_type, e.data_as_string)
                elif e.value_type == 0x03:
                    out.setdefault(e.entry_type, e.data_as_integer)
                else:
                    out.setdefault(e.entry_type, e.data)
            except Exception:          # one unreadable property does not spoil the item
                continue
    return out


def _text(data: bytes | None) -> str:
    return decode_bytes(data, "utf-8")[0] if data else ""


@register
class PstReader(Reader):
    name = "pst"
    extensions = (".pst", ".ost")
    mime_types = ("application/vnd.ms-outlook-pst",)

    @classmethod
    def score(cls, source: Source) -> int:
        sniffed = source.head(4) == MAGIC
        return (20 if sniffed else 0) or super().score(source)

    def read(self, source: Source) -> Iterator[ParsedDocument]:
        import pypff
        store = pypff.file()
        try:
            if source.path and source.data is None:
                store.open(source.path)
            else:
                store.open_file_object(io.BytesIO(source.read()))
            root = store.get_root_folder()
        except Exception as exc:
            raise IngestError("corrupt_pst", f"{type(exc).__name__}: {exc}") from None
        try:
            yield from self._folder(root, [], source)
        finally:
            store.close()

    def _folder(self, folder, path: list[str], source: Source) -> Iterator[ParsedDocument]:
        for i in range(folder.number_of_sub_messages):
            try:
                yield self._message(folder.get_sub_message(i), "/".join(path), source)
            except Exception as exc:       # a damaged item: record it, keep walking
                yield ParsedDocument(doc_id=f"E{sha256(f'{source.name}/{path}/{i}'.encode())[:12].upper()}",
                                     text="", source_format="pst", status="partial",
                                     reason=f"corrupt_item: {type(exc).__name__}", meta={"folder": "/".join(path)})
        for i in range(folder.number_of_sub_folders):
            sub = folder.get_sub_folder(i)
            yield from self._folder(sub, path + [sub.name or f"folder{i}"], source)

    def _message(self, item, folder: str, source: Source) -> ParsedDocument:
        props, headers = _props(item), item.transport_headers or ""
        hdr = raw_headers(email.parser.HeaderParser(policy=policy.default).parsestr(headers)) if headers else {}
        get = lambda name: decode_header(hdr[name][0]) if name in hdr else None   # noqa: E731
        rcpt = self._recipients(item)
        when = item.client_submit_time or item.delivery_time
        sender = item.sender_name
        address = props.get(SENDER_SMTP) or props.get(SENDER_EMAIL)
        if sender and isinstance(address, str) and "@" in address and address not in sender:
            sender = f"{sender} <{address}>"
        date_raw = get("date") or (when.isoformat() + "+00:00" if when else None)
        m = Message(
            sender=get("from") or sender, subject=get("subject") or item.subject,
            to=split_addresses(get("to")) if get("to") else rcpt[1],
            cc=split_addresses(get("cc")) if get("cc") else rcpt[2], bcc=rcpt[3],
            date=iso_date(get("date")) or (when.isoformat() + "+00:00" if when else None), date_raw=date_raw,
            message_id=get("message-id") or props.get(MESSAGE_ID), in_reply_to=get("in-reply-to") or props.get(IN_REPLY_TO))
        plain, html_raw, rtf = item.plain_text_body, item.html_body, item.rtf_body
        html = _text(html_raw) or None
        body = _text(plain) if plain and plain.strip() else html_to_text(html) if html else rtf_to_text(rtf) if rtf else ""
        files, skipped = self._attachments(item)
        key = b"\0".join([headers.encode("utf-8", "replace"), (item.subject or "").encode(), plain or b"",
                          html_raw or b"", str(when).encode(), str(item.identifier).encode()])
        meta = {"folder": folder, "pst_id": item.identifier, "source_name": f"{source.name}!{folder}/{item.identifier}"}
        member = Source(name=meta["source_name"], depth=source.depth, root=source.root or source.name, hint=source.hint)
        doc = build_document(m, body, html, files, member, "E" + sha256(key)[:12].upper(), "pst", meta)
        if skipped:                        # pypff gives no access to embedded-message attachments
            m.attachments += skipped
            doc.meta["unextracted_attachments"] = skipped
        return doc

    @staticmethod
    def _recipients(item) -> dict[int, list[str]]:
        out: dict[int, list[str]] = {1: [], 2: [], 3: []}
        table = item.recipients
        for rs in (table.record_sets if table is not None else []):
            p = {e.entry_type: e for e in rs.entries}
            name = p[DISPLAY_NAME].data_as_string if DISPLAY_NAME in p else ""
            addr = next((p[t].data_as_string for t in (SMTP_ADDRESS, EMAIL_ADDRESS) if t in p), "")
            kind = p[RCPT_TYPE].data_as_integer if RCPT_TYPE in p else 1
            name = (name or "").strip("'\" ")
            out.setdefault(kind, []).append(f"{name} <{addr}>" if name and addr and name != addr else name or addr)
        return out

    @staticmethod
    def _attachments(item) -> tuple[list[tuple[str, bytes, str]], list[str]]:
        files, skipped = [], []
        for n in range(item.number_of_attachments):
            att = item.get_attachment(n)
            p = _props(att)
            name = next((p[t] for t in (LONG_FILENAME, FILENAME, DISPLAY_NAME) if isinstance(p.get(t), str) and p[t]),
                        f"attachment{n + 1}")
            name = name.replace("/", "_").replace("!", "_")
            if p.get(ATTACH_METHOD) == EMBEDDED_MESSAGE:
                skipped.append(name if name.lower().endswith(".msg") else name + ".msg")
                continue
            data = att.read_buffer(att.size) if att.size else b""
            files.append((name, data, p.get(MIME_TAG) if isinstance(p.get(MIME_TAG), str) else "application/octet-stream"))
        return files, skipped
