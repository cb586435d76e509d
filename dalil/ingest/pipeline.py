"""The ingest pipeline: sources → readers (in worker processes) → store, with a ledger.

- Content-hash idempotent: an input already in the ledger with the same path,
  member and content is skipped; the same content under another name is a
  `duplicate` row pointing at the first document.
- Resumable: documents and their ledger rows are committed together, batch by
  batch, so an interrupted ingest resumes where it stopped.
- Never stops on bad input: a reader's IngestError becomes a `failed` row with
  its reason code; any other exception is recorded as `reader_error`; a worker
  that dies is replaced and its inputs retried one by one.
"""
from __future__ import annotations

import os
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator

from dalil.ingest.base import is_refusal, pick, ranked, readers
from dalil.ingest.mbox import MboxReader
from dalil.ingest.sources import iter_inputs
from dalil.model import IngestError, PreparedDocument, Source, sha256

MAX_DEPTH = 5
BATCH_BYTES = 2_000_000
BATCH_COUNT = 200
WHOLE_READ_LIMIT = 64 * 2**20
MAX_DOCUMENT_BYTES = 20 * 2**20   # default; DALIL_MAX_DOCUMENT_BYTES or the `max_document_bytes` hint
SPLIT_READERS = ("mbox", "pst")  # one file of many messages: each message is its own document
COMMIT_SECONDS = 1.0           # each commit is a resume point


@dataclass
class IngestReport:
    added: int = 0                 # documents added
    ok: int = 0                    # inputs read
    duplicate: int = 0
    failed: int = 0
    skipped: int = 0               # inputs not read (too large)
    unchanged: int = 0             # inputs already in the archive
    seconds: float = 0.0
    bytes: int = 0
    failures: list[dict[str, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return self.__dict__ | {"docs_per_s": round(self.added / self.seconds, 1) if self.seconds else None}


@dataclass
class Outcome:
    """What happened to one input (or to one attachment/member read inside a worker)."""
    path: str
    member: str
    root: str | None
    content_hash: str | None
    size: int
    reader: str | None = None
    status: str = "ok"
    reason: str | None = None
    docs: list[PreparedDocument] = field(default_factory=list)
    raw: bytes | None = None        # original bytes, kept when the text is not their UTF-8 decoding


def split_name(source: Source) -> tuple[str, str]:
    path, _, member = source.name.partition("!")
    return path, member


# --- worker side ------------------------------------------------------------------------
def read_source(source: Source, content_hash: str | None = None) -> list[Outcome]:
    """Read one source with its reader (attachments recursively). Never raises."""
    from dalil.ingest.prepare import prepare
    path, member = split_name(source)
    if source.hint.get("error"):
        return [Outcome(path, member, source.root, None, source.size, status="failed",
                        reason=f"{source.hint['error']}: {source.hint.get('detail', '')}".rstrip(": "))]
    out = Outcome(path, member, source.root, content_hash, source.size)
    extra: list[Outcome] = []
    try:
        if source.depth > MAX_DEPTH:
            raise IngestError("budget_exceeded:depth", f"nested deeper than {MAX_DEPTH}")
        # The reader chosen while expanding: popped, so attachments (which inherit hints) choose their own.
        first = _reader_named(source.hint.pop("reader", None))
        candidates = [first] if first else []
        candidates += [c for c in ranked(source) if c is not first]
        if not candidates:
            raise IngestError("unsupported_format", f"no reader for {source.basename!r}")
        for n, reader_cls in enumerate(candidates):
            out.reader = reader_cls.name
            try:
                items = list(reader_cls().read(source))
                break
            except IngestError as exc:
                # A name or type that lies (an S/MIME blob called .msg): the next reader may know it.
                if not is_refusal(exc) or n == len(candidates) - 1:
                    raise
        for item in items:
            if isinstance(item, Source):
                item.depth = max(item.depth, source.depth + 1)
                item.root = item.root or source.root
                extra.extend(read_source(item, _hash_of(item)))
                continue
            item.parent_id = item.parent_id or source.parent_id
            out.docs.append(prepare(item))
            for child in item.children:
                child.parent_id = child.parent_id or item.doc_id
                child.depth = max(child.depth, source.depth + 1)
                child.root = child.root or source.root
                extra.extend(read_source(child, _hash_of(child)))
            item.children = []
        if out.docs and any(d.status == "partial" for d in out.docs):
            out.status = "partial"
            out.reason = next(d.reason for d in out.docs if d.status == "partial")
        if source.data is not None and out.docs and out.docs[0].text.encode("utf-8", "surrogatepass") != source.data \
                and reader_cls.name in ("foia", "text", "binary"):
            out.raw = source.data
    except IngestError as exc:
        out.status, out.reason, out.docs = "failed", str(exc), []
    except Exception as exc:     # a reader bug must not stop the ingest: record it
        out.status, out.reason, out.docs = "failed", f"reader_error: {type(exc).__name__}: {exc}"[:500], []
    return [out] + extra


def _reader_named(name: str | None):
    if not name:
        return None
    return next((r for r in readers() if r.name == name), None)


def _hash_of(source: Source) -> str | None:
    if source.data is None and source.path is None:
        return None                 # a member its container refused: nothing to hash
    try:
        return sha256(source.read()) if source.path is None or os.path.isfile(source.path) else None
    except OSError:
        return None


def read_batch(batch: list[tuple[Source, str | None]]) -> list[Outcome]:
    results: list[Outcome] = []
    for source, h in batch:
        results.extend(read_source(source, h))
    return results


# --- main side --------------------------------------------------------------------------
def leaf_sources(paths: list[str], hint: dict | None = None) -> Iterator[Source]:
    """Expand top-level containers (archives) here so their members spread over the workers."""
    for source in iter_inputs(paths, hint):
        yield from _expand(source)


def max_document_bytes(hint: dict) -> int:
    """The size above which one input is recorded as skipped instead of read."""
    value = hint.get("max_document_bytes") or os.environ.get("DALIL_MAX_DOCUMENT_BYTES")
    return int(value) if value else MAX_DOCUMENT_BYTES


def _too_large(source: Source) -> str | None:
    """Why the source is skipped unread: larger than the limit and read as one document.
    Decided from the file or member size and a sniff of its first bytes, before any read."""
    limit = max_document_bytes(source.hint)
    if source.size <= limit or (source.path and os.path.isdir(source.path)):
        return None
    try:
        reader_cls = pick(source)
    except IngestError:
        reader_cls = None
    if reader_cls and (reader_cls.container or reader_cls.name in SPLIT_READERS):
        return None                        # read member by member / message by message
    if reader_cls and reader_cls.name == "pdf" and source.data is None and source.path:
        return None                        # pdfium reads the file page by page; its text is capped
    return f"too large ({source.size} bytes > limit {limit})"


def _expand(source: Source) -> Iterator[Source]:
    if source.hint.get("error"):
        yield source
        return
    skip = _too_large(source)
    if skip:
        source.hint["skip"] = skip
        yield source
        return
    if source.data is None and source.path and source.size < min(WHOLE_READ_LIMIT, max_document_bytes(source.hint)) \
            and os.path.isfile(source.path):
        try:
            source.read()             # read once: sniffing and hashing then work from memory
        except OSError as exc:
            yield Source(name=source.name, root=source.root, hint={"error": "unreadable", "detail": str(exc)})
            return
    if source.path and os.path.isdir(source.path):
        yield source
        return
    if _is_mbox(source):
        yield from _expand_mbox(source)
        return
    if not _container_claims(source):
        yield source                  # a leaf: its reader is chosen in the worker
        return
    try:
        reader_cls = pick(source)     # a container claims it; a format built on one (docx) may win
    except IngestError:
        yield source
        return
    source.hint["reader"] = reader_cls.name
    if not reader_cls.container:
        yield source
        return
    yield Source(name=source.name, path=source.path, size=source.size, root=source.root,
                 hint={**source.hint, "container": reader_cls.name})
    try:
        for member in reader_cls().read(source):
            if isinstance(member, Source):
                member.root = member.root or source.root or source.name
                # Options travel to members; the container's own reader choice does not.
                merged = {**source.hint, **member.hint}
                member.hint = {k: v for k, v in merged.items() if k not in ("reader", "container")}
                yield from _expand(member)
    except IngestError as exc:
        yield Source(name=source.name + "!", root=source.root, hint={"error": exc.code, "detail": exc.detail})
    except Exception as exc:
        yield Source(name=source.name + "!", root=source.root,
                     hint={"error": "reader_error", "detail": f"{type(exc).__name__}: {exc}"[:300]})


def _is_mbox(source: Source) -> bool:
    try:
        return MboxReader.score(source) >= 12 and pick(source) is MboxReader   # sniffed, not only named
    except (IngestError, OSError):
        return False


def _expand_mbox(source: Source) -> Iterator[Source]:
    """An mbox is cut here, message by message from a file on disk (never read whole), and its
    messages spread over the workers like an archive's members: memory holds a few batches."""
    yield Source(name=source.name, path=source.path, size=source.size, root=source.root,
                 hint={**source.hint, "container": "mbox"})
    try:
        limit = max_document_bytes(source.hint)
        for member in MboxReader.messages(source):
            member.hint.pop("reader", None)
            # A message is a leaf of a known reader: no sniffing (an mbox may hold 50,000 of them).
            if member.size > limit:
                member.hint["skip"] = f"too large ({member.size} bytes > limit {limit})"
            yield member
    except IngestError as exc:
        yield Source(name=source.name + "!", root=source.root, hint={"error": exc.code, "detail": exc.detail})


def _container_claims(source: Source) -> bool:
    for cls in readers():
        if cls.container:
            try:
                if cls.score(source) > 0:
                    return True
            except Exception:
                continue
    return False


class Ingestor:
    def __init__(self, store, workers: int | None = None, hint: dict | None = None,
                 progress: Callable[[int], None] | None = None):
        self.store = store
        self.workers = workers or max(1, min(2, os.cpu_count() or 1))
        self.hint = hint or {}
        self.progress = progress
        self.report = IngestReport()
        self._last_commit = time.perf_counter()
        self.commit_every: float | None = COMMIT_SECONDS   # None: the caller commits (a queued task)
        self.before_write: Callable[[], None] | None = None  # called once, before the first write

    def run(self, paths: list[str], retry_failed: bool = False) -> IngestReport:
        t0 = time.perf_counter()
        if retry_failed:
            paths = self._failed_paths(paths)
        self._opened: list[tuple[str, str]] = []
        batches = self._batches(self._leaves(paths))
        if self.workers == 1:
            for batch in batches:
                self._write(read_batch(batch))
        else:
            self._run_pool(batches)
        for path, h in self._opened:          # every member written: the next run may skip it whole
            self.store.complete_container(path, h)
        self.store.finish_ingest()
        self.store.commit()
        self.report.seconds = time.perf_counter() - t0
        return self.report

    def run_sources(self, sources: list[Source], start: int = 0, count: int | None = None) -> IngestReport:
        """Read top-level `sources` in this process and write them without committing: a queued
        task (dalil/ingest/queue.py) commits them with its own mark, in one transaction.  With
        `count`, only the leaves start…start+count-1 (members of one container, in the order a
        one-process ingest reads them); the container is then completed by the caller, once every
        range is written."""
        from itertools import islice
        t0 = time.perf_counter()
        self.commit_every = None
        self._opened = []
        leaves = self._leaves_of(sources)
        if count is not None:
            leaves = islice(leaves, start, start + count)
        for batch in self._batches(leaves):
            self._write(read_batch(batch))
        for path, h in self._opened if count is None else ():
            self.store.complete_container(path, h)
        self.report.seconds = time.perf_counter() - t0
        return self.report

    def _leaves(self, paths: list[str]) -> Iterator[Source]:
        return self._leaves_of(iter_inputs(paths, self.hint))

    def _leaves_of(self, sources: Iterable[Source]) -> Iterator[Source]:
        """`leaf_sources`, except that a container file (an archive, an mbox) completed before with
        the same content is skipped whole: a re-ingest of an unchanged release reads and hashes
        the file once instead of opening each member."""
        for source in sources:
            h = self._container_hash(source)
            if h is not None:
                members = self.store.container_inputs(source.path, h)
                if members is not None:
                    self.report.unchanged += max(members, 1)     # 1: a file read as one document
                    self.report.bytes += source.size
                    self._tick()
                    continue
                self._opened.append((source.path, h))
            yield from _expand(source)

    @staticmethod
    def _container_hash(source: Source) -> str | None:
        if source.hint.get("error") or not source.path or not os.path.isfile(source.path):
            return None
        try:
            if not (_is_mbox(source) or _container_claims(source)):
                return None
            return _hash_file(source.path)
        except OSError:
            return None

    def _failed_paths(self, paths: list[str]) -> list[str]:
        failed = {f["path"].split("!")[0] for f in self.store.failed_inputs()}
        roots = {os.path.abspath(p) for p in paths} if paths else None
        return sorted(p for p in failed if roots is None or any(p.startswith(r) for r in roots))

    def _run_pool(self, batches: Iterator[list[tuple[Source, str | None]]]) -> None:
        pool = ProcessPoolExecutor(self.workers)
        inflight: list[tuple[Any, list]] = []
        try:
            for batch in batches:
                inflight.append((pool.submit(read_batch, batch), batch))
                while len(inflight) >= self.workers * 2:
                    pool = self._collect(pool, inflight.pop(0))
            while inflight:
                pool = self._collect(pool, inflight.pop(0))
        finally:
            pool.shutdown(cancel_futures=True)

    def _collect(self, pool: ProcessPoolExecutor, item) -> ProcessPoolExecutor:
        future, batch = item
        try:
            self._write(future.result())
            return pool
        except BrokenProcessPool:
            # A reader crashed its process (e.g. a native library on a corrupt file): retry one by one.
            pool.shutdown(cancel_futures=True)
            for source, h in batch:
                solo = ProcessPoolExecutor(1)
                try:
                    self._write(solo.submit(read_batch, [(source, h)]).result())
                except BrokenProcessPool:
                    path, member = split_name(source)
                    self._write([Outcome(path, member, source.root, h, source.size, status="failed",
                                         reason="worker_crashed: the reader process died on this input")])
                finally:
                    solo.shutdown()
            return ProcessPoolExecutor(self.workers)

    def _batches(self, sources: Iterator[Source]) -> Iterator[list[tuple[Source, str | None]]]:
        batch: list[tuple[Source, str | None]] = []
        size = 0
        for source in sources:
            todo = self._admit(source)
            if todo is None:
                continue
            batch.append(todo)
            size += source.size or len(source.data or b"")
            if size >= BATCH_BYTES or len(batch) >= BATCH_COUNT:
                yield batch
                batch, size = [], 0
        if batch:
            yield batch

    def _admit(self, source: Source) -> tuple[Source, str | None] | None:
        """Hash the input and decide: skip (unchanged), record a duplicate, or read it."""
        path, member = split_name(source)
        if source.hint.get("container"):
            self._write([Outcome(path, member, source.root, None, source.size, reader=source.hint["container"])],
                        counts=False)
            return None
        if source.hint.get("skip"):
            self._write([Outcome(path, member, source.root, None, source.size, status="skipped",
                                 reason=source.hint["skip"])])
            return None
        if source.hint.get("error") or (source.path and os.path.isdir(source.path)):
            return source, None
        try:
            if source.data is None and source.size > max_document_bytes(source.hint):
                h = _hash_file(source.path)          # large files: hashed in chunks, read by their reader
            else:
                h = sha256(source.read())
        except OSError as exc:
            return Source(name=source.name, root=source.root, hint={"error": "unreadable", "detail": str(exc)}), None
        self.report.bytes += source.size or len(source.data or b"")
        if self.store.seen_input(path, member, h):
            self.report.unchanged += 1
            self._tick()
            return None
        return source, h

    def _write(self, outcomes: list[Outcome], counts: bool = True) -> None:
        store = self.store
        if self.before_write is not None:
            self.before_write()
            self.before_write = None
        for o in outcomes:
            doc_ids = []
            for doc in o.docs:
                # Same content read as the same document before: a duplicate input, not a new document.
                first = store.doc_with_hash(doc.doc_id, o.content_hash) if o.content_hash else None
                if first:
                    o.status, o.reason = "duplicate", f"same content as {first}"
                    doc_ids.append(first)
                    continue
                doc_ids.append(store.add_document(doc, o.content_hash, o.path + (f"!{o.member}" if o.member else ""),
                                                  o.raw if len(o.docs) == 1 else None))
            if o.status == "duplicate":
                doc_ids = doc_ids[:1]
            store.add_ledger({"path": o.path, "member": o.member, "root": o.root, "content_hash": o.content_hash,
                              "size": o.size, "reader": o.reader, "status": o.status, "reason": o.reason,
                              "doc_id": doc_ids[0] if doc_ids else None,
                              "release": o.docs[0].release if o.docs else None})
            if not counts:
                continue
            self.report.added += 0 if o.status == "duplicate" else len(doc_ids)
            if o.status == "failed":
                self.report.failed += 1
                self.report.failures.append({"path": o.path + (f"!{o.member}" if o.member else ""),
                                             "reason": o.reason or ""})
            elif o.status == "duplicate":
                self.report.duplicate += 1
            elif o.status == "skipped":
                self.report.skipped += 1
            else:
                self.report.ok += 1
            self._tick()
        # Commit about once a second: each commit is a resume point, and fewer commits write less.
        if self.commit_every is not None and time.perf_counter() - self._last_commit >= self.commit_every:
            store.commit()
            self._last_commit = time.perf_counter()

    def _tick(self) -> None:
        if self.progress:
            self.progress(self.report.ok + self.report.failed + self.report.duplicate + self.report.unchanged
                          + self.report.skipped)


def _hash_file(path: str) -> str:
    import hashlib
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
