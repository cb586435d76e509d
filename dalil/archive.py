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
from typing import Any, Callable

from dalil.ingest.pipeline import IngestReport, Ingestor
from dalil.search.lexical import LexicalSearcher
from dalil.search.results import SearchResult
from dalil.store.sqlite import SQLiteStore


def default_db() -> str:
    return os.environ.get("DALIL_DB") or "dalil.db"


class Archive:
    def __init__(self, path: str | None = None, readonly: bool = False):
        self.path = path or default_db()
        if readonly and not os.path.exists(self.path):
            raise FileNotFoundError(f"no archive at {self.path} (run `dalil ingest` first)")
        self.store = SQLiteStore(self.path, readonly=readonly)
        self._lexical: LexicalSearcher | None = None

    # --- ingest -------------------------------------------------------------------
    def ingest(self, paths: list[str] | str, workers: int | None = None, retry_failed: bool = False,
               progress: Callable[[int, int], None] | None = None, build_intel: bool = True,
               **options: Any) -> IngestReport:
        """Read files, folders and archives into the archive; returns counts by status.
        When documents were added, people and duplicate clusters are rebuilt (`build_intel`)."""
        if isinstance(paths, str):
            paths = [paths]
        hint = {k: v for k, v in options.items() if v is not None}
        report = Ingestor(self.store, workers=workers, hint=hint, progress=progress).run(
            list(paths), retry_failed=retry_failed)
        self._lexical = None
        if report.added and build_intel:
            report.intel = self.build_intel()
        return report

    @staticmethod
    def estimate_inputs(paths: list[str]) -> int | None:
        """Inputs expected under `paths`, for a progress bar's ETA (None when unknown or too costly)."""
        from dalil.ingest.sources import estimate_count
        return estimate_count(paths)

    def build_intel(self) -> dict[str, Any]:
        """Rebuild people, message keys and duplicate clusters (run after each ingest)."""
        from dalil.intel import build_intel
        return build_intel(self.store)

    # --- people, threads, duplicates (dalil/intel) ---------------------------------
    def has_people(self) -> bool:
        """Whether people and duplicates have been built (`build_intel`)."""
        return self.store.has_people()

    def people(self, query: str | None = None, limit: int | None = None) -> dict[str, Any]:
        from dalil.intel.timeline import people
        return people(self.store, query, limit=limit)

    def person(self, name_or_form: str) -> "Person | None":
        """The person a form, address, alias or (Latin or Arabic) name denotes, or None."""
        from dalil.intel.lookup import person
        return person(self.store, name_or_form)

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

    def duplicates_of(self, doc_ids: list[str]) -> dict[str, list[str]]:
        from dalil.intel.dupes import duplicates_of
        return duplicates_of(self.store, doc_ids)

    def timeline(self, query: str | None) -> dict[str, Any]:
        from dalil.intel.timeline import timeline
        return timeline(self.store, query)

    def graph(self, query: str | None) -> dict[str, Any]:
        from dalil.intel.timeline import graph
        return graph(self.store, query)

    @staticmethod
    def format_graph(graph: dict[str, Any], fmt: str) -> str:
        """A graph from `graph()` written as "json", "csv" or "gexf" (Gephi's format)."""
        from dalil.intel.timeline import to_csv, to_gexf, to_json
        return {"json": to_json, "csv": to_csv, "gexf": to_gexf}[fmt](graph)

    # --- read ---------------------------------------------------------------------
    def search(self, query: str, limit: int = 10, offset: int = 0, mode: str | None = None,
               lang: str | None = None, **options: Any) -> SearchResult:
        """mode: "hybrid" (default when vectors are built), "lexical" or "dense"; lang: query
        language (default: detected).  See dalil/search/hybrid.py."""
        return self.hybrid.search(query, limit=limit, offset=offset, mode=mode, lang=lang,
                                  facets=options.get("facets", True))

    def trace(self, text_or_html: str | bytes, **opts: Any) -> "TraceReport":
        """Trace each claim of an article (text, Markdown or saved HTML) to its sources; see dalil/trace."""
        from dalil.trace import trace
        return trace(self, text_or_html, **opts)

    def build_vectors(self, progress: Callable[[int, int], None] | None = None,
                      workers: int = 2) -> dict[str, Any]:
        """Embed the passages added since the last build (dense cross-lingual search)."""
        from dalil.search.bridge import NameTable, WordVocabulary
        report = self.vectors.build(self.store, progress=progress, workers=workers)
        names = NameTable(self.vectors.dir / "names.json")
        report["name_documents"] = names.update(self.store.db)
        report["vocabulary_added"] = WordVocabulary(self.vectors.dir).update(names, workers=workers)
        self._hybrid = None
        return report

    def has_vectors(self) -> bool:
        """Whether the dense vectors are built (the "dense" and "hybrid" modes need them)."""
        return self.vectors.exists()

    @property
    def vectors(self) -> "VectorIndex":
        from dalil.search.dense import VectorIndex
        if getattr(self, "_vectors", None) is None:
            self._vectors = VectorIndex(self.path)
        return self._vectors

    @property
    def hybrid(self) -> "HybridSearcher":
        from dalil.search.hybrid import HybridSearcher
        h = getattr(self, "_hybrid", None)
        if h is None or h.lexical is not self.lexical:
            h = self._hybrid = HybridSearcher(self.store, self.lexical, self.vectors)
        return h

    @property
    def lexical(self) -> LexicalSearcher:
        if self._lexical is None:
            self._lexical = LexicalSearcher(self.store)
        return self._lexical

    def document(self, doc_id: str) -> "DocumentView | None":
        row = self.store.document(doc_id.strip().upper().replace("CO5", "C05"))
        return DocumentView(row) if row else None

    def status(self) -> dict[str, Any]:
        return self.store.status()

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
        try:
            held = self.vectors.passages_held()
        except (OSError, ValueError) as exc:
            return [_problem("vectors", f"a vector index file is unreadable: {_one_line(exc)}", rebuild)]
        expected = self.store.passages_up_to(int(manifest.get("last_passage_id", 0)))
        if held != expected:
            return [_problem("vectors", f"the vector index holds {held} passages, the archive {expected} up to "
                             "the last one indexed", rebuild)]
        return []

    def close(self) -> None:
        self.store.close()


RESTORE = "restore the archive from a backup, or salvage its rows with `sqlite3 DB .recover | sqlite3 NEW.db`, " \
          "then `dalil check --repair --db NEW.db`"
REPAIR = "`dalil check --repair`"


def _problem(check: str, diagnosis: str, repair: str | None) -> dict[str, Any]:
    return {"check": check, "diagnosis": diagnosis, "repair": repair}


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def _check_report(problems: list[dict[str, Any]], counts: dict[str, int],
                  repaired: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"ok": not problems, "problems": problems, "counts": counts, "repaired": repaired or {}}


def _doc_id(doc_id: str) -> str:
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
