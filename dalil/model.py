"""The data model shared by readers, stores, search and trace.

Offsets: every `start`/`end` in these objects is a *character* offset into
`ParsedDocument.text`.  Stores also record UTF-8 byte offsets (see
`char_to_byte`) so a citation points at the raw bytes of the source.
"""
from __future__ import annotations

import hashlib
import os
from dataclasses import asdict, dataclass, field, fields
from functools import cached_property
from typing import Any


@dataclass
class Message:
    """One e-mail message: the top one of a document or one quoted/forwarded inside it."""
    index: int = 0                      # 0 = top block, then in reading order
    sender: str | None = None           # as written (OCR noise included)
    to: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    bcc: list[str] = field(default_factory=list)
    date: str | None = None             # ISO 8601 ("2009-04-13T11:09:00" or "2009-04-13")
    date_raw: str | None = None         # the text the date was parsed from
    subject: str | None = None
    attachments: list[str] = field(default_factory=list)
    importance: str | None = None
    body: str = ""
    start: int = 0                      # header block start in the document text
    end: int = 0                        # end of this message's body
    body_start: int = 0
    message_id: str | None = None
    in_reply_to: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Page:
    number: int                         # 1-based
    start: int
    end: int
    status: str = "text"                # text | blank | withheld
    exemptions: list[str] = field(default_factory=list)


@dataclass
class Passage:
    """A chunk of a document, the unit of dense retrieval and of citation."""
    doc_id: str
    seq: int
    page: int | None
    start: int
    end: int
    text: str


@dataclass
class ParsedDocument:
    doc_id: str
    text: str                           # decoded text (for FOIA: the raw file, byte for byte)
    source_format: str                  # reader name: foia, text, eml, mbox, pdf ...
    title: str | None = None
    case: str | None = None
    release: str | None = None          # release folder / collection name
    release_date: str | None = None     # ISO date
    disposition: str | None = None      # RELEASE IN FULL | RELEASE IN PART | None
    exemptions: list[str] = field(default_factory=list)
    classification: dict[str, Any] = field(default_factory=dict)
    pages: list[Page] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    lang: str | None = None
    parent_id: str | None = None        # for attachments / embedded documents
    parent_path: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    html: str | None = None             # original markup where the source had some
    children: list["Source"] = field(default_factory=list)   # attachments to ingest recursively
    status: str = "ok"                  # ok | partial (a reader may degrade gracefully)
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("children", None)
        return d


@dataclass(slots=True)
class PreparedDocument:
    """A parsed document reduced to the values the store writes: what a reader process sends
    back to the writer.  Plain tuples and strings pickle fast; message objects and a second copy
    of every body (what `ParsedDocument` carries) cost the writer more to unpickle than to store."""
    doc_id: str
    release: str | None
    status: str
    reason: str | None
    text: str
    html: str | None
    exemptions: list[str]
    document_row: tuple             # the documents-table values (store.sqlite.serialize)
    messages: list[tuple]
    pages: list[tuple]
    passages: list[tuple]           # (page, start, end, byte_start, byte_end)
    correspondents: list[tuple]     # (message index, role, raw, name, address)
    fts: tuple                      # (body, subject, sender, recipients, cc) as indexed


@dataclass
class Source:
    """An input handed to a reader: a file on disk or bytes (an archive member, an attachment)."""
    name: str                           # path, or "archive.zip!member/path"
    data: bytes | None = None
    path: str | None = None             # real file on disk, when there is one
    size: int = 0
    content_type: str | None = None     # declared MIME type (attachments)
    parent_id: str | None = None
    depth: int = 0
    root: str | None = None             # the top-level input this came from
    hint: dict[str, Any] = field(default_factory=dict)   # e.g. {"release": "HRCEmail_JuneWeb"}

    def read(self) -> bytes:
        if self.data is None:
            with open(self.path, "rb") as fh:   # type: ignore[arg-type]
                self.data = fh.read()
        return self.data

    def head(self, n: int = 4096) -> bytes:
        if self.data is not None:
            return self.data[:n]
        with open(self.path, "rb") as fh:        # type: ignore[arg-type]
            return fh.read(n)

    @cached_property
    def basename(self) -> str:
        return self.name.rsplit("!", 1)[-1].rsplit("/", 1)[-1]

    @cached_property
    def suffix(self) -> str:
        b = self.basename.lower()
        for multi in (".tar.gz", ".tar.bz2", ".tar.xz"):
            if b.endswith(multi):
                return multi
        return "." + b.rsplit(".", 1)[-1] if "." in b else ""


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def char_to_byte(text: str, offset: int) -> int:
    """UTF-8 byte offset of a character offset."""
    return byte_offsets(text, [offset])[offset]


def byte_offsets(text: str, offsets: list[int]) -> dict[int, int]:
    """UTF-8 byte offset of each character offset, in one pass over the text (a lone surrogate,
    which some damaged sources hold, counts as its three bytes)."""
    if text.isascii():
        return {o: o for o in offsets}
    out: dict[int, int] = {}
    pos = nbytes = 0
    for o in sorted(set(offsets)):
        nbytes += len(text[pos:o].encode("utf-8", "surrogatepass"))
        pos = o
        out[o] = nbytes
    return out


class IngestError(Exception):
    """A reader's refusal of one input, with a reason code (shown in the ledger)."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class Deadline:
    """When a request's time budget runs out (time.monotonic() seconds).  The search and trace
    pipelines look at it between their stages and claims, and stop there with what they have
    (`partial`), instead of a thread being killed."""
    at: float

    @classmethod
    def after(cls, seconds: float) -> "Deadline":
        import time
        return cls(time.monotonic() + seconds)

    def passed(self) -> bool:
        import time
        return time.monotonic() >= self.at


class StorageFull(Exception):
    """The disk holding the archive (or its vectors) is full: what was committed before stays, and
    the same command run again, once there is room, resumes where it stopped."""


def is_disk_full(exc: BaseException) -> bool:
    """Whether an error from the database engine or the file system means "no space left":
    ENOSPC, SQLite's SQLITE_FULL ("database or disk is full"), PostgreSQL's disk_full (53100)."""
    import errno
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return True
    text = str(exc)
    return "database or disk is full" in text or "No space left on device" in text \
        or getattr(exc, "sqlstate", None) == "53100"


@dataclass(frozen=True)
class Limits:
    """Bounds on what one query or one web request may ask (docs/web.md, "Limits").

    Each field is overridden by the environment variable DALIL_<FIELD NAME IN CAPITALS>, e.g.
    DALIL_MAX_QUERY_CHARS=2000; `dalil serve` options set the same variables for its workers."""
    max_query_chars: int = 1000          # characters in one query
    max_word_chars: int = 200            # characters in one word of a query
    max_query_terms: int = 32            # words (phrase words included) and filters in one query
    max_wildcards: int = 4               # prefix* terms in one query
    min_prefix_chars: int = 2            # characters before the * of a prefix term
    max_article_chars: int = 200_000     # characters of an article sent to trace (web)
    max_upload_bytes: int = 2 * 1024 * 1024   # bytes of a request body (web)
    body_seconds: float = 20.0           # to receive a whole request body (web)
    header_seconds: float = 10.0         # to receive a request's headers (web)
    request_seconds: float = 30.0        # of work for one request before a 503 (web)
    max_heavy: int = 16                  # searches and traces in progress per server process
    search_per_minute: int = 240         # searches per client per minute (web)
    trace_per_minute: int = 30           # traces per client per minute (web)
    work_seconds_per_minute: float = 20.0   # seconds of search and trace work per client per minute (web)
    max_heavy_per_client: int = 2        # searches and traces in progress per client address (web)
    max_trace_threads: int = 2           # traces running at once per server process (web)
    max_jobs: int = 2                    # long jobs (batch, big export, long trace) running per process (web)
    max_jobs_kept: int = 50              # jobs whose state and result are kept, finished ones dropped oldest first (web)
    job_seconds: float = 900.0           # of work for one job before it stops as failed (web)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> "Limits":
        """The defaults, overridden by any DALIL_<NAME> set in `environ` (os.environ by default);
        ValueError names the variable when one is not a positive number."""
        env = os.environ if environ is None else environ
        values = {}
        for f in fields(cls):
            raw = env.get("DALIL_" + f.name.upper())
            if raw is None or raw.strip() == "":
                continue
            kind = float if f.type in ("float", float) else int
            try:
                value = kind(raw)
            except ValueError:
                raise ValueError(f"DALIL_{f.name.upper()} must be a number, got {raw!r}") from None
            if value <= 0:
                raise ValueError(f"DALIL_{f.name.upper()} must be above 0, got {raw!r}")
            values[f.name] = value
        return cls(**values)
