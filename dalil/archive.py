"""The Python API.  The CLI and the web server are thin layers over this class.

    from dalil import Archive
    archive = Archive("dalil.db")
    archive.ingest(["release.tar.gz"])
    result = archive.search("sullivan libya", limit=10)
    result.to_dict()
    archive.document("C05765907")
"""
from __future__ import annotations

import os
import re
import threading
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator

from dalil.model import Deadline, Limits, StorageFull, is_disk_full
from dalil.search.lexical import LexicalSearcher
from dalil.search.query import parse_query
from dalil.search.results import ResultSet, SearchResult
from dalil.store import (Store, display_name, is_server_url, open_queue, open_store, store_exists, upgrade_queue,
                         upgrade_store)

if TYPE_CHECKING:
    from dalil.ingest.pipeline import IngestReport
    from dalil.intel.people import Person
    from dalil.search.export import Export
    from dalil.search.dense import VectorIndex
    from dalil.search.hybrid import HybridSearcher
    from dalil.trace.report import TraceReport
    from dalil.trace.tracer import Tracer


def default_db() -> str:
    """The archive to open: $DALIL_DB (a file path or a postgresql:// URL), then ./dalil.db."""
    return os.environ.get("DALIL_DB") or "dalil.db"


class Archive:
    def __init__(self, path: str | None = None, readonly: bool = False):
        self.path = path or default_db()
        self.readonly = readonly
        if readonly and not is_server_url(self.path) and not os.path.exists(self.path):
            raise FileNotFoundError(f"no archive at {self.path} (run `dalil ingest` first)")
        self.store = open_store(self.path, readonly=readonly)
        self._lexical: LexicalSearcher | None = None
        self._vectors: VectorIndex | None = None
        self._hybrid: HybridSearcher | None = None
        self._tracer: "Tracer | None" = None
        self._kept: Store | None = None
        self._kept_lock = threading.Lock()
        self._queue = None
        self._queue_view = None      # the queue as `status` reads it: never created by a read

    # --- ingest -------------------------------------------------------------------
    def ingest(self, paths: list[str] | str, workers: int | None = None, retry_failed: bool = False,
               progress: Callable[[int, int], None] | None = None, build_intel: bool = True,
               **options: Any) -> IngestReport:
        """Read files, folders and archives into the archive; returns counts by status.
        When documents were added, people and duplicate clusters are rebuilt (`build_intel`)."""
        if isinstance(paths, str):
            paths = [paths]
        hint = {k: v for k, v in options.items() if v is not None}
        # Imported here: the ingest pipeline (multiprocessing, the parsers) cost a search 0.15 s.
        from dalil.ingest.pipeline import Ingestor
        with self._disk_full_said("ingest"):
            report = Ingestor(self.store, workers=workers, hint=hint, progress=progress).run(
                list(paths), retry_failed=retry_failed)
            self._lexical = self._tracer = None
            # A backend still being built (PostgreSQL, phase 1) has no people index yet: skip the pass.
            # It also runs when an earlier pass was killed before it finished (nothing added this time).
            if build_intel and self.store.implements("people", "threads", "duplicates") and \
                    (report.added or self.store.intel_stale()):
                report.intel = self.build_intel()
        return report

    @contextmanager
    def _disk_full_said(self, command: str) -> Iterator[None]:
        """A full disk as one StorageFull saying what stays and how to go on, not an engine error."""
        try:
            yield
        except StorageFull:
            raise
        except Exception as exc:
            if not is_disk_full(exc):
                raise
            raise StorageFull(f"the disk holding {display_name(self.path)} is full ({_one_line(exc)}): what was "
                              f"committed before stays and the archive is usable; free some space, then run "
                              f"the same `dalil {command}` again to go on where it stopped") from exc

    @staticmethod
    def exists(path: str | None = None) -> bool:
        """Whether an archive is at `path` (default: $DALIL_DB, then ./dalil.db): a SQLite file, or a
        PostgreSQL database holding dalil's schema."""
        return store_exists(path or default_db())

    @staticmethod
    def display_name(path: str | None = None) -> str:
        """The archive's path or URL as shown to a user (a URL's password masked)."""
        return display_name(path or default_db())

    @staticmethod
    def upgrade_schema(path: str | None = None) -> dict[str, Any]:
        """Apply the missing schema migrations (`dalil db upgrade`); returns the versions before and after."""
        before, after = upgrade_store(path or default_db())
        queue = upgrade_queue(path or default_db())        # PostgreSQL: Procrastinate's tables
        return {"before": before, "after": after} | ({"queue": {"before": queue[0], "after": queue[1]}} if queue else {})

    @staticmethod
    def estimate_inputs(paths: list[str], read_tars: bool = True) -> int | None:
        """Inputs expected under `paths`, for a progress bar's ETA (None when unknown or too costly;
        a tar is counted only with `read_tars`: that reads it through once more)."""
        from dalil.ingest.sources import estimate_count
        return estimate_count(paths, read_tars)

    def build_intel(self) -> dict[str, Any]:
        """Rebuild people, message keys and duplicate clusters (run after each ingest)."""
        from dalil.intel import build_intel
        with self._disk_full_said("build-intel"):
            return build_intel(self.store)

    # --- people, threads, duplicates (dalil/intel) ---------------------------------
    def has_people(self) -> bool:
        """Whether people and duplicates have been built (`build_intel`)."""
        return self.store.has_people()

    def people(self, query: str | None = None, limit: int | None = None,
               doc_ids: list[str] | None = None) -> dict[str, Any]:
        """Person records; with a query, counted over the documents matching it (or over
        `doc_ids`, the matches of a result set already found: `ResultSet.matching`)."""
        from dalil.intel.timeline import people
        return people(self.store, query, self._scope(query, doc_ids), limit=limit)

    def person(self, name_or_form: str) -> "Person | None":
        """The person a form, address, alias or (Latin or Arabic) name denotes, or None."""
        from dalil.intel.lookup import person
        return person(self.store, name_or_form)

    def person_by_id(self, person_id: int) -> "Person | None":
        """The person with this id in the people index, or None."""
        from dalil.intel.lookup import load_person
        return load_person(self.store, person_id)

    def same_person(self, a: str, b: str) -> tuple[bool, float]:
        """(same?, confidence) for two correspondent forms or names."""
        from dalil.intel.lookup import same_person
        return same_person(self.store, a, b)

    def thread(self, doc_id: str) -> dict[str, Any] | None:
        from dalil.intel.threads import thread
        return thread(self.store, _doc_id(doc_id))

    def dupes(self, doc_id: str) -> dict[str, Any] | None:
        from dalil.intel.dupes import dupes
        return dupes(self.store, _doc_id(doc_id))

    def same_header_documents(self, doc_id: str) -> tuple[str, list[tuple[str, str | None, str]]] | None:
        """The document's text and (doc_id, release, text) of the others with its subject, date and
        sender (None when it does not exist or has no subject): candidates for an exact copy."""
        return self.store.same_header_documents(doc_id)

    def duplicates_of(self, doc_ids: list[str]) -> dict[str, list[str]]:
        from dalil.intel.dupes import duplicates_of
        return duplicates_of(self.store, doc_ids)

    def timeline(self, query: str | None, doc_ids: list[str] | None = None) -> dict[str, Any]:
        """Messages per month of the documents matching the query (or of `doc_ids`, as `people`)."""
        from dalil.intel.timeline import timeline
        return timeline(self.store, query, self._scope(query, doc_ids))

    def graph(self, query: str | None) -> dict[str, Any]:
        from dalil.intel.timeline import graph
        return graph(self.store, query, self._scope(query, None))

    def _scope(self, query: str | None, doc_ids: list[str] | None) -> list[str] | None:
        """The doc_ids a query selects for the people and message views (None: no query, all):
        the documents holding every concept of the query (`search`'s exact matches)."""
        if doc_ids is not None:
            return doc_ids
        if not query or not query.strip():
            return None
        # The exact matches of `search`, in any language: the same documents its facets count.
        rows = self.hybrid.exact_rows(query)
        return list(self.store.doc_ids_of(rows).values()) if rows else []

    @staticmethod
    def format_graph(graph: dict[str, Any], fmt: str) -> str:
        """A graph from `graph()` written as "json", "csv" or "gexf" (Gephi's format)."""
        from dalil.intel.timeline import to_csv, to_gexf, to_json
        return {"json": to_json, "csv": to_csv, "gexf": to_gexf}[fmt](graph)

    # --- read ---------------------------------------------------------------------
    def search(self, query: str, limit: int = 10, offset: int = 0, mode: str | None = None,
               lang: str | None = None, **options: Any) -> SearchResult:
        """mode: "hybrid" (default when vectors are built), "lexical" or "dense"; lang: query
        language (default: detected).  See dalil/search/hybrid.py.  A query over the limits of
        Limits.from_env() (length, words, terms, wildcards) raises QueryError before any work."""
        parse_query(query, Limits.from_env())
        return self.hybrid.search(query, limit=limit, offset=offset, mode=mode, lang=lang,
                                  facets=options.get("facets", True), deadline=options.get("deadline"))

    def rank(self, query: str, mode: str | None = None, depth: int | None = None,
             limit: int | None = None) -> list[list[str]]:
        """The documents a query ranks, best first, as doc_id groups (a hit, then the other copies
        of its email), without the snippets and facets `search` builds: for scripts that only
        need the order.  Mode "lexical" here is the lexical side of the hybrid fusion (all-terms
        matches, then the bag of native and bridged terms), not `search(mode="lexical")`, whose
        all-terms-must-match semantics find almost nothing for a sentence-long query.  `depth`:
        candidates taken from each ranking (default 100); `limit`: at most this many groups."""
        from dalil.search.hybrid import DEPTH
        h = self.hybrid
        fused = h.rank(query, mode=mode, depth=depth or DEPTH).fused
        groups = h.collapse([d for d, _ in fused])[:limit]
        names = self.store.doc_ids_of([d for g in groups for d in g])
        return [[names[d] for d in g] for g in groups]

    def search_set(self, query: str, limit: int = 10, offset: int = 0, mode: str | None = None,
                   lang: str | None = None, facets: bool = True, deadline: Deadline | None = None) -> ResultSet:
        """`search`, with the documents of the whole result set and those matching the query's
        terms (`ResultSet`): what a page's panels count, from the page's own ranking."""
        return self.hybrid.search_set(query, limit=limit, offset=offset, mode=mode, lang=lang, facets=facets,
                                      deadline=deadline)

    def months_of(self, rows: list[int]) -> dict[str, int]:
        """'YYYY-MM' → documents of a result set (`ResultSet.rows`) dated in that month."""
        return self.store.months_of(rows)

    def correspondents_of(self, rows: list[int], limit: int = 10) -> list[tuple[str, int, int]]:
        """(correspondent as written, documents, sent) of those in most documents of a result set."""
        return self.store.correspondents_of(rows, limit)

    def highlight_spans(self, query: str, text: str) -> list[tuple[int, int]]:
        """Where the words of `query` occur in a text, as search highlights them."""
        from dalil.search.query import parse_query
        from dalil.search.snippets import find_matches
        _, marks, _ = self.lexical.build(parse_query(query))
        if not marks:
            return []
        return find_matches(text, re.compile("|".join(f"(?:{m})" for m in marks), re.I))

    def trace(self, text_or_html: str | bytes, **opts: Any) -> "TraceReport":
        """Trace each claim of an article (text, Markdown or saved HTML) to its sources; see dalil/trace."""
        return self.tracer.trace(text_or_html, **opts)

    @property
    def tracer(self) -> "Tracer":
        """The claim tracer, built once (again after an ingest or a vector build) from the parts
        it uses: the store, search, the passage vectors, people resolution and term statistics."""
        from dalil.trace.evidence import Retriever
        from dalil.trace.tracer import Tracer
        if self._tracer is None:
            self._tracer = Tracer(self.store, Retriever(self.hybrid, self.vectors), self.vectors,
                                  self.person, self.same_person, self.lexical.spelling.df)
        return self._tracer

    # --- exports, citations, batch search (dalil/search/export.py) ----------------------
    def export(self, query: str | None = None, person: str | None = None, thread: str | None = None,
               doc_ids: list[str] | None = None, mode: str | None = None, lang: str | None = None,
               passages: dict[str, dict[str, Any]] | None = None, label: str = "",
               person_id: int | None = None) -> "Export":
        """A result set to write out (`write_export`): every hit of `query` in ranked order (no
        cap), the messages of `person` (any form or name; or of the person numbered `person_id`
        in the people index), the documents of the thread of
        `thread` (a doc_id), or the documents `doc_ids` (with `passages`, doc_id → {page, snippet,
        match, score}, as `trace_passages` gives them).  `.total` is known before any row is read."""
        from dalil.search.export import documents_export, search_export
        if query is not None:
            return search_export(self.hybrid, query, mode=mode, lang=lang)
        if person is not None or person_id is not None:
            found = self.person(person) if person is not None else self.person_by_id(person_id)
            if found is None:
                raise LookupError(f"no person {person if person is not None else '#' + str(person_id)!r} "
                                  "(run `dalil build-intel` if people are not built)")
            return documents_export(self.store, self.store.person_doc_ids(found.id), label=found.name)
        if thread is not None:
            conv = self.thread(thread)
            if conv is None:
                raise LookupError(f"no document {thread}")
            return documents_export(self.store, [m["doc_id"] for m in conv["messages"]], label=conv["doc_id"])
        return documents_export(self.store, [_doc_id(d) for d in doc_ids or []], label=label, passages=passages)

    def export_trace(self, report: "TraceReport") -> "Export":
        """The source documents of a trace report, one row per document (its first cited passage:
        page, quote as snippet, the claim's verdict as match, the evidence score)."""
        passages = self.trace_passages(report)
        return self.export(doc_ids=list(passages), passages=passages, label=report.article.title or "trace")

    @staticmethod
    def trace_passages(report: "TraceReport") -> dict[str, dict[str, Any]]:
        """doc_id → the first passage a trace report cites in it (page, quote as snippet, the
        claim's verdict as match, score): plain values, kept to export the report later."""
        passages: dict[str, dict[str, Any]] = {}
        for claim in report.claims:
            for ev in claim.evidence[:3] if claim.verdict.label != "not_found" else claim.evidence[:1]:
                passages.setdefault(ev.doc_id, {"page": ev.page, "snippet": " ".join(ev.quote.split()),
                                                "match": claim.verdict.label, "score": round(float(ev.score), 4)})
        return passages

    @staticmethod
    def write_export(export: "Export", fmt: str,
                     progress: Callable[[int, int], None] | None = None) -> Iterator[bytes]:
        """An export as "csv", "jsonl" or "zip" (one .txt per document and manifest.json), as a
        stream of byte chunks; `progress(rows written, total)`."""
        from dalil.search.export import write
        return write(export, fmt, progress)

    def cite(self, doc_id: str, page: int | None = None, start: int | None = None,
             end: int | None = None) -> dict[str, Any] | None:
        """A citation of a document or of a passage (its page, or its character range): {plain,
        markdown, url, fields}; `url` searches the State Department FOIA reading room for the
        DocNo.  None when there is no such document."""
        from dalil.search.export import citation
        doc = self.store.document(_doc_id(doc_id))
        return citation(doc, page=page, start=start, end=end) if doc else None

    def batch(self, queries: Iterable[str], top: int = 5, mode: str | None = None) -> Iterator[dict[str, Any]]:
        """One answer per query, in order: {query, total, related, top}.  `total`: documents
        matching all the query's terms (the lexical count); `related`: what a hybrid or dense
        ranking adds beyond those (None in lexical mode); `top`: the best `top` doc_ids."""
        from dalil.search.query import parse_query
        for query in queries:
            result = self.search(query, limit=top, mode=mode, facets=False)
            if result.mode == "lexical":
                total, related = result.total, None
            else:
                total = len(self.lexical.matches(parse_query(query)).rows)
                related = max(0, result.total - total)
            yield {"query": query, "total": total, "related": related, "top": [h.doc_id for h in result.hits]}

    @staticmethod
    def read_queries(text: str) -> list[str]:
        """The queries of a batch file (CSV: its `query` column, else its first column)."""
        from dalil.search.export import read_queries
        return read_queries(text)

    @staticmethod
    def batch_csv(answers: Iterable[dict[str, Any]]) -> Iterator[str]:
        """`batch` answers as CSV lines (query, total, related, top), the header first."""
        from dalil.search.export import batch_csv
        return batch_csv(answers)

    def vectors_pending(self) -> int:
        """Passages the next `build_vectors` will embed (all of them when the model changed)."""
        return self.vectors.pending(self.store)

    def build_vectors(self, progress: Callable[[int, int], None] | None = None,
                      workers: int = 2) -> dict[str, Any]:
        """Embed the passages added since the last build (dense cross-lingual search)."""
        from dalil.search.bridge import NameTable, WordVocabulary
        with self._disk_full_said("index"):
            report = self.vectors.build(self.store, progress=progress, workers=workers)
            names = NameTable(self.vectors.dir / "names.json")
            report["name_documents"] = names.update(self.store)
            report["vocabulary_added"] = WordVocabulary(self.vectors.dir).update(names, workers=workers)
        self._hybrid = self._tracer = None
        return report

    def has_vectors(self) -> bool:
        """Whether the dense vectors are built (the "dense" and "hybrid" modes need them)."""
        return self.vectors.exists()

    @property
    def vectors(self) -> "VectorIndex":
        from dalil.search.dense import VectorIndex
        if self._vectors is None:
            self._vectors = VectorIndex(self.path)
        return self._vectors

    @property
    def hybrid(self) -> "HybridSearcher":
        from dalil.search.hybrid import HybridSearcher
        h = self._hybrid
        if h is None or h.lexical is not self.lexical:
            h = self._hybrid = HybridSearcher(self.store, self.lexical, self.vectors)
        return h

    @property
    def lexical(self) -> LexicalSearcher:
        if self._lexical is None:
            self._lexical = LexicalSearcher(self.store)
        return self._lexical

    # --- mentioned entities (dalil/intel/mentions.py) -----------------------------------
    def mentions_pending(self) -> int:
        """Documents the next `build_mentions` will read."""
        from dalil.intel.mentions import RECOGNIZER
        return self.store.mentions_pending(RECOGNIZER)

    def build_mentions(self, progress: Callable[[int, int], None] | None = None, rebuild: bool = False,
                       limit: int | None = None) -> dict[str, int]:
        """Find the people, organisations and places named in the bodies of the documents not
        read yet (all with `rebuild`, at most `limit`): {documents, mentions, pending}."""
        from dalil.intel.mentions import build_mentions
        return build_mentions(self.store, progress=progress, rebuild=rebuild, limit=limit)

    def mentions(self, doc_id: str) -> list[dict[str, Any]]:
        """The entities a document mentions: {kind, label, form, n, person, place}, most frequent first."""
        from dalil.intel.mentions import mentions_of
        return mentions_of(self.store, _doc_id(doc_id))

    def document(self, doc_id: str) -> "DocumentView | None":
        row = self.store.document(_doc_id(doc_id))
        return DocumentView(row) if row else None

    def status(self) -> dict[str, Any]:
        """Counts by status, release and format, the failed inputs; on a PostgreSQL archive with a
        queue, also `queue`: jobs by state, batches with their progress, tasks failed for good."""
        s = self.store.status()
        state = self.queue_state()
        if state is not None:
            s["queue"] = state
        return s

    # --- the work queue (PostgreSQL; dalil/ingest/queue.py, dalil/store/postgres/queue.py) ------
    @property
    def queue(self):
        """The archive's work queue (a one-line QueueUnavailable on a SQLite file)."""
        if self._queue is None:
            self._queue = open_queue(self.path, self.store)
        return self._queue

    @staticmethod
    def is_server(path: str | None = None) -> bool:
        """Whether the archive at `path` (default: $DALIL_DB, then ./dalil.db) is a PostgreSQL database."""
        return is_server_url(path or default_db())

    @staticmethod
    def queue_poll_seconds() -> float:
        """How often a progress display looks at the queue ($DALIL_QUEUE_POLL, default 2 s)."""
        from dalil.store.postgres.queue import wait_seconds
        return wait_seconds()

    def enqueue(self, paths: list[str] | str, build_vectors: bool = False, **options: Any) -> dict[str, Any]:
        """`dalil ingest --queue`: cut the inputs into ingest tasks and put them in the queue (a
        worker, `run_worker`, reads them); returns the batch, its tasks and inputs, and how many
        tasks were in the queue already (the same files and pipeline, not done yet)."""
        import uuid

        from dalil.ingest.queue import containers, plan
        if isinstance(paths, str):
            paths = [paths]
        queue = self.queue
        hint = {k: v for k, v in options.items() if v is not None}
        batch = uuid.uuid4().hex[:12]
        queue.new_batch(batch, {"hint": hint, "index": build_vectors})
        planned = deferred = inputs = 0
        chunk: list[dict[str, Any]] = []
        opened: list[tuple[str, str]] = []
        for task in plan(paths, hint):
            chunk.append(task | {"batch": batch, "hint": hint})
            inputs += sum(i.get("count", 1) for i in task["items"])
            opened += [c for c in containers(task) if c not in opened]
            if len(chunk) >= 200:
                planned, deferred = planned + len(chunk), deferred + sum(queue.defer_ingest(chunk))
                chunk = []
        if chunk:
            planned, deferred = planned + len(chunk), deferred + sum(queue.defer_ingest(chunk))
        queue.close_batch(batch, deferred, inputs, {"containers": opened})
        return {"batch": batch, "tasks": deferred, "inputs": inputs, "already_queued": planned - deferred}

    def run_worker(self, until_empty: bool = False, concurrency: int = 1) -> int:
        """`dalil worker`: run queued tasks (ingest, then each batch's post-ingest pass) until
        stopped or, with `until_empty`, until no task waits or runs; `concurrency` processes."""
        import multiprocessing
        self.queue                  # the queue's schema checked before any process starts
        ctx = multiprocessing.get_context("spawn")
        others = [ctx.Process(target=_work_in_process, args=(self.path, until_empty), daemon=False)
                  for _ in range(max(1, concurrency) - 1)]
        for p in others:
            p.start()
        try:
            return self.queue.work(self._run_task, until_empty)
        finally:
            for p in others:
                if not until_empty:
                    p.terminate()       # this one was stopped (SIGINT, SIGTERM): the others stop too, gracefully
                p.join()

    def queue_state(self) -> dict[str, Any] | None:
        """The queue's jobs by state, its batches and failures (None: the archive has no queue)."""
        if not is_server_url(self.path):
            return None
        q = self._queue or self._queue_view
        if q is None or not q.exists:         # looked for again until a queue is there
            q = self._queue_view = open_queue(self.path, self.store, create=False)
        return q.state()

    def _run_task(self, name: str, args: dict[str, Any]) -> dict[str, Any]:
        """What a queued task does (the queue calls it in a worker): ingest one task's inputs, or
        a batch's post-ingest pass (spelling index, people, threads, duplicates, vectors)."""
        from dalil.ingest.queue import run_task
        queue = self.queue
        batch = args["batch"]
        if name == "dalil.ingest":
            added = 0
            if not queue.done_before(args["key"]):
                with self._disk_full_said("worker"):
                    added = run_task(self.store, args, args.get("hint"), before_write=queue.lock_writes).added
            queue.task_done(batch, args["key"], added)
            self.store.commit()         # the documents and the done mark together
            queue.after_task(batch)
            return {"added": added}
        info = queue.batch(batch)
        if info is None or info["finished"]:
            return {"skipped": True}    # run before (a duplicate job, or a retry after its commit)
        with self._disk_full_said("worker"):
            for path, content_hash in info["options"].get("containers", []):
                self.store.complete_container(path, content_hash)   # every range written: skipped whole next time
            self.store.finish_ingest()
            self.store.commit()
            out: dict[str, Any] = {}
            if self.store.implements("people", "threads", "duplicates") and \
                    (info["added"] or self.store.intel_stale()):
                out["intel"] = self.build_intel()
            if info["options"].get("index"):
                out["vectors"] = self.build_vectors()
        queue.finish_batch(batch)
        self.store.commit()
        self._lexical = self._tracer = None
        return out

    def first_doc_id(self) -> str | None:
        """The id of some document of the archive (for warming caches), or None when it is empty."""
        return self.store.first_doc_id()

    # --- integrity (`dalil check`) ---------------------------------------------------
    @classmethod
    def check_file(cls, path: str, full: bool = False, repair: bool = False) -> dict[str, Any]:
        """`check()` of the archive at `path`, including the failures of opening it at all."""
        if not os.path.isfile(path):
            return _check_report([_problem("file", f"no archive file at {path}", None)], {})
        with open(path, "rb") as fh:
            head = fh.read(16)
        if head != b"SQLite format 3\x00":
            what = "is empty" if not head else "does not start with the SQLite header"
            return _check_report([_problem("file", f"{path} {what}: not a dalil archive, or truncated or "
                                           "overwritten from its first page", RESTORE)], {})
        try:
            archive = cls(path, readonly=not repair)
        except Exception as exc:        # a damaged file fails where it is first read
            return _check_report([_problem("storage", _one_line(exc), RESTORE)], {})
        try:
            return archive.check(full=full, repair=repair)
        finally:
            archive.close()

    def check(self, full: bool = False, repair: bool = False) -> dict[str, Any]:
        """Integrity of the archive: the engine's own check (`full`: every index against its table),
        the full-text index against the documents, rows whose document is gone, the vector index
        against the passages.  Each problem has a one-line diagnosis and, where there is one, a
        repair; `repair` runs the repairs that need no input (full-text rebuild, orphan rows dropped)
        and checks again.  Returns {"ok", "problems", "counts", "repaired"}."""
        problems, counts = self._problems(full)
        if not repair or not problems:
            return _check_report(problems, counts)
        if any(p["check"] in ("storage", "schema") for p in problems):
            return _check_report(problems, counts, {"refused": "the file itself is damaged: restore it first"})
        repaired: dict[str, Any] = {}
        store = self.store
        orphans = {k: v for k, v in counts.items() if k.endswith("_orphans") and k != "fulltext_orphans" and v}
        if orphans:
            repaired["rows_dropped"] = {t: n for t, n in store.drop_orphans().items() if n}
        # Stray rows of a contentless index cannot be deleted one by one: the index is rebuilt whole.
        damaged = bool(counts.get("fulltext_orphans") or store.fulltext_problems())
        todo = store.all_doc_ids() if damaged else store.unindexed_documents()
        if damaged:
            store.clear_fulltext()
        if todo:
            from dalil.ingest.reindex import fulltext_fields
            for doc_id in todo:
                store.index_fulltext(doc_id, fulltext_fields(store.document(doc_id)))
            store.finish_ingest()
            store.commit()
            repaired["fulltext_rebuilt" if damaged else "fulltext_added"] = len(todo)
        self._lexical = None
        problems, counts = self._problems(full)
        return _check_report(problems, counts, repaired)

    def _problems(self, full: bool) -> tuple[list[dict[str, Any]], dict[str, int]]:
        store = self.store
        storage = store.storage_problems(full=full)
        if storage:
            more = f" (and {len(storage) - 1} more)" if len(storage) > 1 else ""
            return [_problem("storage", f"the file is damaged: {storage[0]}{more}", RESTORE)], {}
        try:
            counts = store.integrity_counts()
        except Exception as exc:        # tables missing or unreadable: not an archive of this dalil
            return [_problem("schema", f"not a complete dalil archive: {_one_line(exc)}", RESTORE)], {}
        problems = [_problem("fulltext", f"the full-text index is damaged: {line}", REPAIR)
                    for line in store.fulltext_problems()[:1]]
        if counts["fulltext_missing"]:
            problems.append(_problem("fulltext", f"{counts['fulltext_missing']} of {counts['documents']} documents "
                                     "are missing from the full-text index (search cannot find them)", REPAIR))
        if counts["fulltext_orphans"]:
            problems.append(_problem("fulltext", f"{counts['fulltext_orphans']} full-text rows have no document "
                                     "(search may return ids that do not exist)", REPAIR))
        for key, n in counts.items():
            if key.endswith("_orphans") and key != "fulltext_orphans" and n:
                table = key[:-len("_orphans")]
                fix = REPAIR + (" (then `dalil ingest` the inputs again to restore their documents)"
                                if table == "ledger" else "")
                problems.append(_problem("orphans", f"{n} {table} rows belong to no document", fix))
        problems += self._vector_problems(counts)
        return problems, counts

    def _vector_problems(self, counts: dict[str, int]) -> list[dict[str, Any]]:
        rebuild = f"remove {self.vectors.dir} and run `dalil index --db {self.path}`"
        try:
            manifest = self.vectors.manifest()
        except (OSError, ValueError) as exc:
            return [_problem("vectors", f"the vector index manifest is unreadable: {_one_line(exc)}", rebuild)]
        if manifest is None:
            counts["vectors"] = 0
            return []
        counts["vectors"] = int(manifest.get("count", 0))
        missing = [s for s in manifest.get("shards", []) for kind in ("vec", "ids", "doc")
                   if not (self.vectors.dir / f"{kind}-{s}.npy").is_file()]
        if missing:
            return [_problem("vectors", f"{len(missing)} vector index files are missing (first: {missing[0]})",
                             rebuild)]
        damaged = self.vectors.damaged_files()
        if damaged:
            more = f" (and {len(damaged) - 1} more)" if len(damaged) > 1 else ""
            return [_problem("vectors", f"a vector index file is damaged: {damaged[0]}{more}", rebuild)]
        try:
            held = self.vectors.passages_held()
        except (OSError, ValueError) as exc:
            return [_problem("vectors", f"a vector index file is unreadable: {_one_line(exc)}", rebuild)]
        expected = self.store.passages_up_to(int(manifest.get("last_passage_id", 0)))
        if held != expected:
            return [_problem("vectors", f"the vector index holds {held} passages, the archive {expected} up to "
                             "the last one indexed", rebuild)]
        return []

    # --- kept work: tags, stars, notes, read marks, saved searches and their alerts ----------
    @property
    def kept_store(self) -> Store:
        """Where kept work is written: the archive's store, or, for an archive opened read-only
        (as the web server opens it), a second, writable store opened on first use, so that
        a reader's tags and notes are kept while the documents stay read-only."""
        if not self.readonly:
            return self.store
        with self._kept_lock:
            if self._kept is None:
                self._kept = open_store(self.path)
            return self._kept

    def _existing(self, doc_id: str) -> str:
        """The doc_id as stored; LookupError when there is no such document."""
        doc = _doc_id(doc_id)
        if not self.store.rows_of_doc_ids([doc]):
            raise LookupError(f"no document {doc}")
        return doc

    def tag(self, doc_id: str, tag: str, remove: bool = False) -> bool:
        """Tag a document (or remove the tag); True when that changed something.  A tag is
        case-folded (`tag:NAME` finds it); ValueError for a tag that cannot be one."""
        from dalil.search.query import TAG_CHARS, normalize_tag
        name = normalize_tag(tag)
        if name is None:
            raise ValueError(f"bad tag {tag!r}: letters, digits, - _ . / and spaces, up to {TAG_CHARS}")
        return self.kept_store.set_tag(self._existing(doc_id), name, not remove, _now())

    def star(self, doc_id: str, on: bool = True) -> bool:
        """Star a document (`is:starred` finds it) or take the star away; True when that changed something."""
        return self.kept_store.set_flag(self._existing(doc_id), "starred", on, _now())

    def mark_read(self, doc_id: str, read: bool = True) -> bool:
        """Mark a document read (the web does when it is opened) or unread; True when that changed something."""
        return self.kept_store.set_flag(self._existing(doc_id), "read", read, _now())

    def note(self, doc_id: str, text: str) -> None:
        """Write the document's note (replacing the one before; empty text removes it)."""
        text = text.strip()
        if len(text) > NOTE_CHARS:
            raise ValueError(f"note too long: {len(text)} characters (the limit is {NOTE_CHARS})")
        self.kept_store.set_note(self._existing(doc_id), text, _now())

    def annotations(self, doc_ids: list[str]) -> dict[str, dict[str, Any]]:
        """doc_id → {tags, starred, read, note, noted_at} of those of `doc_ids` that have any."""
        return self.kept_store.annotations_of([_doc_id(d) for d in doc_ids])

    def read_documents(self, doc_ids: list[str]) -> set[str]:
        """Those of `doc_ids` already read."""
        return self.kept_store.flagged("read", list(doc_ids))

    def tags(self) -> list[tuple[str, int]]:
        """(tag, documents) of every tag in use, most used first."""
        return self.kept_store.tag_counts()

    def save_search(self, name: str, query: str) -> dict[str, Any]:
        """Save a search; its alerts list the documents added from now on that match it.
        ValueError when the name is empty or taken; QueryError for a query search refuses."""
        name = " ".join(name.split())
        if not name or len(name) > SAVED_NAME_CHARS:
            raise ValueError(f"a saved search needs a name of 1 to {SAVED_NAME_CHARS} characters")
        query = query.strip()
        parse_query(query, Limits.from_env())
        if len(self.saved_searches()) >= MAX_SAVED_SEARCHES:
            raise ValueError(f"at most {MAX_SAVED_SEARCHES} saved searches: remove one first")
        if not self.kept_store.add_saved_search(name, query, self.store.max_doc_row(), _now()):
            raise ValueError(f"a saved search named {name!r} exists (remove it first)")
        return next(s for s in self.saved_searches() if s["name"] == name)

    def saved_searches(self) -> list[dict[str, Any]]:
        """Every saved search by name: {name, query, seen_row, created, seen_at}."""
        return self.kept_store.saved_searches()

    def remove_saved_search(self, name: str) -> bool:
        """Delete a saved search; False when there is none by that name."""
        return self.kept_store.remove_saved_search(" ".join(name.split()))

    def alerts(self, mark_seen: bool = False, limit: int = 100) -> list[dict[str, Any]]:
        """For each saved search, the documents added since its alerts were last seen that match
        it (its exact matches, as `search` counts them, in any language), newest first: {name,
        query, seen_row, count, documents: [{doc_id, date, sender, subject, release}] (at most
        `limit`)}.  `mark_seen`: record that these were seen (the next call lists only later ones)."""
        top = self.store.max_doc_row()      # read first: a document added meanwhile waits for next time
        out = []
        for saved in self.saved_searches():
            rows = [r for r in self.hybrid.exact_rows(saved["query"]) if saved["seen_row"] < r <= top]
            # Read in chunks: a first release can bring tens of thousands of matches.
            found = [h for i in range(0, len(rows), 5000) for h in self.store.hit_rows(rows[i:i + 5000]).values()]
            hits = sorted(found, key=lambda h: (h[4] or "", h[1]), reverse=True)
            out.append({"name": saved["name"], "query": saved["query"], "seen_row": saved["seen_row"],
                        "count": len(rows),
                        "documents": [{"doc_id": h[1], "date": (h[4] or "")[:10] or None, "sender": h[3],
                                       "subject": h[2], "release": h[5]} for h in hits[:limit]]})
            if mark_seen:
                self.kept_store.mark_saved_seen(saved["name"], top, _now())
        return out

    def digest(self) -> dict[str, Any]:
        """Canonical checksums of the archive's content: {"tables": {table: "<rows>:<sha256>", ...,
        "all": ...}, "vectors": "<vectors>:<sha256>" or None}.  Surrogate row ids, timestamps and
        build steps are left out: two archives of the same inputs built by any path (a clean run,
        or runs killed and resumed) have the same digests."""
        from dalil.search.bridge import NameTable, WordVocabulary
        keys = {pid: (doc_id, seq) for pid, doc_id, seq in self.store.passage_keys()}
        names = NameTable(self.vectors.dir / "names.json").load()["terms"] if self.vectors.exists() else None
        return {"tables": self.store.content_digest(), "vectors": self.vectors.digest(keys),
                "names": _json_digest(names) if names is not None else None,
                "vocabulary": WordVocabulary(self.vectors.dir).digest()}

    def close(self) -> None:
        self.store.close()
        if self._kept is not None:
            self._kept.close()


def _work_in_process(path: str, until_empty: bool) -> None:
    """One more worker process of `Archive.run_worker(concurrency=N)`."""
    archive = Archive(path)
    try:
        archive.queue.work(archive._run_task, until_empty)
    finally:
        archive.close()


NOTE_CHARS = 20_000           # a note is a reader's paragraph, not a document
SAVED_NAME_CHARS = 100
MAX_SAVED_SEARCHES = 200     # every one is matched on each `alerts` (and each /alerts page)


def _now() -> str:
    """The time kept work is recorded at: UTC, ISO 8601, to the second."""
    from datetime import datetime, timezone
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


RESTORE = "restore the archive from a backup, or salvage its rows with `sqlite3 DB .recover | sqlite3 NEW.db`, " \
          "then `dalil check --repair --db NEW.db`"
REPAIR = "`dalil check --repair`"


def _problem(check: str, diagnosis: str, repair: str | None) -> dict[str, Any]:
    return {"check": check, "diagnosis": diagnosis, "repair": repair}


def _json_digest(value: Any) -> str:
    import hashlib
    import json
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def _check_report(problems: list[dict[str, Any]], counts: dict[str, int],
                  repaired: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"ok": not problems, "problems": problems, "counts": counts, "repaired": repaired or {}}


def _doc_id(doc_id: str) -> str:
    """A document id as a user types it: spaces and case ignored, `CO5` (letter O) read as `C05`."""
    return doc_id.strip().upper().replace("CO5", "C05")


class DocumentView:
    """A stored document; `.to_dict()` is the JSON contract of `dalil show --json`."""

    def __init__(self, row: dict[str, Any]):
        self.row = row

    def __getattr__(self, name: str) -> Any:
        try:
            return self.row[name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def text(self) -> str:
        return self.row["text"]

    def raw_bytes(self) -> bytes:
        """The original input, byte for byte."""
        return self.row["raw"] if self.row.get("raw") is not None else self.row["text"].encode("utf-8")

    def body(self, message: dict[str, Any]) -> str:
        """A message's body as the parser cut it: page stamps, release markers and margin codes
        (the reader's drop spans) removed, so a body running across a page break reads on."""
        from dalil.text.cleaning import clean_text
        start, end = message["body_start"] or 0, message["end"] or 0
        if end <= start:
            return ""
        drops = [tuple(d) for d in self.row["meta"].get("drop_spans", [])]
        return clean_text(self.row["text"], drops, start, end).strip("\n") if drops \
            else self.row["text"][start:end]

    def to_dict(self, text: bool = True) -> dict[str, Any]:
        r = self.row
        out = {
            "doc_id": r["doc_id"], "case": r["case_no"], "release": r["release"],
            "release_date": r["release_date"], "disposition": r["disposition"],
            "exemptions": r["exemptions"], "pages": r["n_pages"],
            "messages": [{"from": m["sender"], "to": m["recipients"], "cc": m["cc"],
                          "date": m["date"], "date_raw": m["date_raw"], "subject": m["subject"],
                          "body": self.body(m),
                          "attachments": m["attachments"]} for m in r["messages"]],
            "title": r["title"], "source_format": r["source_format"], "lang": r["lang"],
            "classification": r["classification"], "parent_id": r["parent_id"],
            "children": r["children"], "path": r["path"],
            "page_status": [{"page": p["number"], "status": p["status"], "exemptions": p["exemptions"],
                             "start": p["byte_start"], "end": p["byte_end"]} for p in r["pages"]],
        }
        if text:
            out["text"] = r["text"]
        return out
