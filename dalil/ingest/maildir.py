"""Maildir folders (cur/new/tmp) with Maildir++ subfolders (".Sent Items.Archive").

The folder is walked directly rather than through `mailbox.Maildir` so the
folder path and the flags in each file name (":2,FS") end up in `doc.meta`.
Files in tmp/ are deliveries in progress and are skipped.
"""
from __future__ import annotations

import os
from typing import Iterator

from dalil.ingest.base import Reader, register
from dalil.ingest.mail_common import email_doc_id, message_to_document, parse_bytes
from dalil.model import IngestError, ParsedDocument, Source

FLAGS = {"D": "draft", "F": "flagged", "P": "passed", "R": "replied", "S": "seen", "T": "trashed"}


def parse_flags(filename: str) -> list[str]:
    """Flag names from the info suffix of a Maildir file name ("...:2,FS" -> flagged, seen)."""
    _, sep, info = filename.rpartition(":2,")
    if not sep:
        _, sep, info = filename.rpartition("!2,")      # the separator some Windows tools use
    return [FLAGS[c] for c in sorted(set(info)) if c in FLAGS] if sep else []


def _subdirs(path: str) -> list[str]:
    try:
        return sorted(e.name for e in os.scandir(path) if e.is_dir())
    except OSError:
        return []


@register
class MaildirReader(Reader):
    name = "maildir"

    @classmethod
    def is_maildir(cls, path: str | None) -> bool:
        """A directory with cur/ or new/ (tmp/ may be missing), or with Maildir++ ".X" folders."""
        if not path or not os.path.isdir(path):
            return False
        subs = set(_subdirs(path))
        # Only mail folders inside: a project folder that happens to hold "new/" is not a Maildir.
        if any(s not in ("cur", "new", "tmp") and not s.startswith(".") for s in subs):
            return False
        if "cur" in subs or "new" in subs:
            return True
        return any(s.startswith(".") and {"cur", "new"} & set(_subdirs(os.path.join(path, s))) for s in subs)

    @classmethod
    def score(cls, source: Source) -> int:
        return 60 if source.data is None and cls.is_maildir(source.path) else 0

    def folders(self, root: str) -> Iterator[tuple[str, str]]:
        """(folder path, directory): the inbox itself, then Maildir++ subfolders."""
        yield "INBOX", root
        for sub in _subdirs(root):
            if sub.startswith(".") and sub not in (".", ".."):
                yield "/".join(p for p in sub[1:].split(".") if p), os.path.join(root, sub)

    def read(self, source: Source) -> Iterator[ParsedDocument]:
        if not self.is_maildir(source.path):
            raise IngestError("not_maildir", f"{source.name!r} has no cur/ or new/ folder")
        for folder, path in self.folders(source.path):      # type: ignore[arg-type]
            for sub in ("cur", "new"):
                box = os.path.join(path, sub)
                for fname in sorted(os.listdir(box)) if os.path.isdir(box) else []:
                    full = os.path.join(box, fname)
                    if fname.startswith(".") or not os.path.isfile(full):
                        continue
                    with open(full, "rb") as fh:
                        data = fh.read()
                    rel = os.path.relpath(full, source.path)
                    member = Source(name=f"{source.name}!{rel}", data=data, path=full, size=len(data),
                                    depth=source.depth, root=source.root or source.name, hint=source.hint)
                    meta = {"folder": folder, "flags": parse_flags(fname), "maildir_subdir": sub}
                    yield message_to_document(parse_bytes(data), member, email_doc_id(data), "maildir", meta)
