"""An archive as one user sees it: the single place where access is enforced.

`Archive.for_user(user)` gives a `ScopedArchive`.  It shares the archive's store, vectors and
caches, and adds the user's collections as a filter to every query its searchers run (so every
match, total, facet, related hit, dense neighbour and duplicate group is counted inside them), and
checks every document it is asked for by id.  The faces (CLI, web) call it like any Archive and
never filter anything themselves.  An admin's archive is scoped to every collection.

What it leaves out for a user who is not an admin:
  - the OCR spellings a search added ("expansions") and the concepts "no document holds": both are
    read from archive-wide term statistics, which would tell that a word exists elsewhere;
  - a trace's evidence from documents out of scope; a claim whose best evidence was such a
    document is reported `not_found` (needs review) with the visible evidence kept;
  - person records' counts and dates are counted over the granted documents only.
"""
from __future__ import annotations

import copy
import dataclasses
import json
import threading
from typing import TYPE_CHECKING, Any

from dalil.access import User
from dalil.archive import Archive, DocumentView, _doc_id

if TYPE_CHECKING:
    from dalil.intel.people import Person
    from dalil.search.dense import VectorIndex
    from dalil.search.export import Export
    from dalil.search.hybrid import HybridSearcher
    from dalil.search.lexical import LexicalSearcher
    from dalil.search.results import ResultSet, SearchResult
    from dalil.store import Store
    from dalil.trace.report import TraceReport


class ScopedArchive(Archive):
    """`Archive` restricted to the collections granted to `user` (see the module's docstring)."""

    def __init__(self, base: Archive, user: User):       # noqa: super().__init__ would reopen the store
        self.base, self.user = base, user
        self.path, self.readonly, self.store = base.path, base.readonly, base.store
        # An admin sees every collection: no filter, but the same audit log.
        self.scope = None if user.is_admin else ("collections", json.dumps(sorted(user.collections)), False)
        self._lexical = self._hybrid = self._tracer = None
        self._from: tuple[Any, Any] | None = None
        self._visible: tuple[int, frozenset[str]] | None = None
        self._counts: tuple[int, dict[int, tuple]] | None = None
        self._lock = threading.Lock()

    # --- the shared parts, and the scoped searchers built over them ----------------------------
    @property
    def vectors(self) -> "VectorIndex":
        return self.base.vectors

    @property
    def kept_store(self) -> "Store":
        return self.base.kept_store

    def _searchers(self) -> tuple["LexicalSearcher", "HybridSearcher"]:
        # Copies of the archive's own searchers (their caches shared), rebuilt when those are:
        # after an ingest or a vector build.
        lexical, hybrid = self.base.lexical, self.base.hybrid
        if self.scope is None:
            return lexical, hybrid
        with self._lock:
            if self._from != (lexical, hybrid):
                scoped = copy.copy(lexical)
                scoped.scope, scoped._scope_mask = self.scope, None
                h = copy.copy(hybrid)
                h.lexical = scoped
                self._lexical, self._hybrid, self._tracer = scoped, h, None
                self._from = (lexical, hybrid)
            return self._lexical, self._hybrid

    @property
    def lexical(self) -> "LexicalSearcher":
        return self._searchers()[0]

    @property
    def hybrid(self) -> "HybridSearcher":
        return self._searchers()[1]

    def for_user(self, user: User) -> "Archive":
        return self.base.for_user(user)

    # --- what the user may see ---------------------------------------------------------------
    def visible_ids(self) -> frozenset[str]:
        """The doc_ids of the granted collections (read again when documents are added)."""
        n = self.store.max_doc_row()
        if self._visible is None or self._visible[0] != n:
            self._visible = (n, frozenset(self.store.collection_doc_ids(list(self.user.collections))))
        return self._visible[1]

    def visible(self, doc_id: str) -> bool:
        return self.scope is None or _doc_id(doc_id) in self.visible_ids()

    def _only(self, doc_ids: list[str]) -> list[str]:
        if self.scope is None:
            return list(doc_ids)
        seen = self.visible_ids()
        return [d for d in doc_ids if d in seen]

    def _scope(self, query: str | None, doc_ids: list[str] | None) -> list[str] | None:
        found = super()._scope(query, doc_ids)
        if self.scope is None:
            return found
        return sorted(self.visible_ids()) if found is None else self._only(found)

    def _existing(self, doc_id: str) -> str:
        doc = super()._existing(doc_id)
        if not self.visible(doc):
            raise LookupError(f"no document {doc}")
        return doc

    def _may_edit(self) -> None:
        if not self.user.can_edit:
            raise PermissionError(f"{self.user.name} is a reader: only an editor or an admin changes kept work")

    # --- reads ----------------------------------------------------------------------------------
    def search(self, query: str, limit: int = 10, offset: int = 0, mode: str | None = None,
               lang: str | None = None, **options: Any) -> "SearchResult":
        result = super().search(query, limit=limit, offset=offset, mode=mode, lang=lang, **options)
        self.record(self.user.name, "search", query, f"{result.total} found")
        return result if self.scope is None else _quiet(result)

    def search_set(self, query: str, *args: Any, **kwargs: Any) -> "ResultSet":
        found = super().search_set(query, *args, **kwargs)
        if self.scope is not None:
            _quiet(found.result)
        self.record(self.user.name, "search", query, f"{found.result.total} found")
        return found

    def document(self, doc_id: str) -> DocumentView | None:
        if not self.visible(doc_id):
            return None
        doc = super().document(doc_id)
        if doc is not None:
            self.record(self.user.name, "open", doc.doc_id)
        return doc

    def mentions(self, doc_id: str) -> list[dict[str, Any]]:
        return super().mentions(doc_id) if self.visible(doc_id) else []

    def cite(self, doc_id: str, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        return super().cite(doc_id, *args, **kwargs) if self.visible(doc_id) else None

    def thread(self, doc_id: str) -> dict[str, Any] | None:
        if not self.visible(doc_id):
            return None
        found = super().thread(doc_id)
        if found is not None and self.scope is not None:
            seen = self.visible_ids()
            found["messages"] = [{**m, "also_in": [d for d in m["also_in"] if d in seen]}
                                 for m in found["messages"] if m["doc_id"] in seen]
        return found

    def dupes(self, doc_id: str) -> dict[str, Any] | None:
        if not self.visible(doc_id):
            return None
        found = super().dupes(doc_id)
        if found is not None:
            found["duplicates"] = [d for d in found["duplicates"] if self.visible(d["doc_id"])]
        return found

    def same_header_documents(self, doc_id: str):
        if not self.visible(doc_id):
            return None
        found = super().same_header_documents(doc_id)
        if found is None:
            return None
        text, others = found
        return text, [o for o in others if self.visible(o[0])]

    def duplicates_of(self, doc_ids: list[str]) -> dict[str, list[str]]:
        found = super().duplicates_of(self._only(doc_ids))
        return {d: self._only(xs) for d, xs in found.items()}

    def _person_counts(self) -> dict[int, tuple]:
        n = self.store.max_doc_row()
        if self._counts is None or self._counts[0] != n:
            rows = self.store.person_counts(sorted(self.visible_ids()), None) if self.visible_ids() else []
            self._counts = (n, {r[0]: r for r in rows})
        return self._counts[1]

    def _person_in_scope(self, found: "Person | None") -> "Person | None":
        if found is None or self.user.is_admin:
            return found
        row = self._person_counts().get(found.id)
        if row is None:
            return None
        _, sent, received, first, last = row
        return dataclasses.replace(found, sent=sent, received=received, first=first, last=last)

    def person(self, name_or_form: str) -> "Person | None":
        return self._person_in_scope(super().person(name_or_form))

    def person_by_id(self, person_id: int) -> "Person | None":
        return self._person_in_scope(super().person_by_id(person_id))

    def status(self) -> dict[str, Any]:
        if self.user.is_admin:
            return super().status()
        s = self.store.collection_status(list(self.user.collections))
        return {**s, "by_status": {}, "failures": [], "collections": list(self.user.collections)}

    def trace(self, text_or_html: str | bytes, **opts: Any) -> "TraceReport":
        report = super().trace(text_or_html, **opts)
        self.record(self.user.name, "trace", (report.article.title or "")[:200], f"{len(report.claims)} claims")
        if self.user.is_admin:
            return report
        from dalil.trace.verdict import Verdict
        seen = self.visible_ids()
        for claim in report.claims:
            kept = [e for e in claim.evidence if e.doc_id in seen]
            for e in kept:
                e.duplicates = [d for d in e.duplicates if d in seen]
            if claim.evidence and claim.evidence[0].doc_id not in seen:
                claim.verdict = Verdict("not_found", 0.0, "no source found in the collections you can see",
                                        needs_review=True)
            claim.evidence = kept
        return report

    def export(self, query: str | None = None, person: str | None = None, thread: str | None = None,
               doc_ids: list[str] | None = None, *args: Any, **kwargs: Any) -> "Export":
        if query is not None or thread is not None:
            found = super().export(query, person, thread, doc_ids, *args, **kwargs)
        elif person is not None or kwargs.get("person_id") is not None:
            from dalil.search.export import documents_export
            who = self.person(person) if person is not None else self.person_by_id(kwargs["person_id"])
            if who is None:
                raise LookupError(f"no person {person if person is not None else '#' + str(kwargs['person_id'])!r}")
            found = documents_export(self.store, self._only(self.store.person_doc_ids(who.id)), label=who.name)
        else:
            found = super().export(doc_ids=self._only([_doc_id(d) for d in doc_ids or []]),
                                   passages=kwargs.get("passages"), label=kwargs.get("label", ""))
        self.record(self.user.name, "export", query or person or thread or str(kwargs.get("person_id") or "")
                    or ",".join((doc_ids or [])[:20]), f"{found.total} documents")
        return found

    def batch(self, queries, top: int = 5, mode: str | None = None):
        for answer in super().batch(queries, top=top, mode=mode):
            self.record(self.user.name, "search", answer["query"], f"batch, {answer['total']} found")
            yield answer

    # --- kept work --------------------------------------------------------------------------------
    def tag(self, doc_id: str, tag: str, remove: bool = False) -> bool:
        self._may_edit()
        changed = super().tag(doc_id, tag, remove)
        self.record(self.user.name, "untag" if remove else "tag", _doc_id(doc_id), tag)
        return changed

    def star(self, doc_id: str, on: bool = True) -> bool:
        self._may_edit()
        changed = super().star(doc_id, on)
        self.record(self.user.name, "star" if on else "unstar", _doc_id(doc_id))
        return changed

    def mark_read(self, doc_id: str, read: bool = True) -> bool:
        # Read marks are shared kept work: a reader's reading leaves them as they are.
        return super().mark_read(doc_id, read) if self.user.can_edit else False

    def note(self, doc_id: str, text: str) -> None:
        self._may_edit()
        super().note(doc_id, text)
        self.record(self.user.name, "note", _doc_id(doc_id), text[:200])

    def annotations(self, doc_ids: list[str]) -> dict[str, dict[str, Any]]:
        return super().annotations(self._only([_doc_id(d) for d in doc_ids]))

    def read_documents(self, doc_ids: list[str]) -> set[str]:
        return super().read_documents(self._only(list(doc_ids)))

    def tags(self) -> list[tuple[str, int]]:
        if self.scope is None:
            return super().tags()
        counted = [(t, len(self.store.filter_rows([("tag", t, False), self.scope]))) for t, _ in super().tags()]
        return sorted([(t, n) for t, n in counted if n], key=lambda tn: (-tn[1], tn[0]))

    def save_search(self, name: str, query: str) -> dict[str, Any]:
        self._may_edit()
        saved = super().save_search(name, query)
        self.kept_store.set_saved_owner(saved["name"], self.user.name)
        self.record(self.user.name, "save-search", saved["name"], query)
        return saved

    def saved_searches(self) -> list[dict[str, Any]]:
        """The user's own saved searches (an admin's: all of them)."""
        owners = self.kept_store.saved_owners()
        return [s for s in super().saved_searches()
                if self.user.is_admin or owners.get(s["name"]) == self.user.name]

    def remove_saved_search(self, name: str) -> bool:
        self._may_edit()
        if not any(s["name"] == " ".join(name.split()) for s in self.saved_searches()):
            return False
        self.record(self.user.name, "remove-search", name)
        return super().remove_saved_search(name)

    def alerts(self, mark_seen: bool = False, limit: int = 100) -> list[dict[str, Any]]:
        if mark_seen:
            self._may_edit()
        return super().alerts(mark_seen=mark_seen, limit=limit)

    def close(self) -> None:
        """The archive it scopes stays open: it belongs to whoever opened it."""


def _quiet(result: "SearchResult") -> "SearchResult":
    """A scoped search's result without what archive-wide term statistics tell (module docstring)."""
    result.expansions = {}
    result.missing = []
    return result
