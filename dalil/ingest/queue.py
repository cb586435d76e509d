"""An ingest cut into queued tasks (`dalil ingest --queue`, `dalil worker`): what a task holds, and
how a worker runs one.

The inputs are walked in the order of a one-process ingest and cut into tasks of up to
TASK_FILES files or TASK_BYTES bytes (a file larger than that, an archive or a mailbox larger than
that, is a task of its own: its members are read by the worker that takes it).  Each task is
keyed by the content hashes of its files and PIPELINE_VERSION: the same files enqueued twice are
one task, and a task done once is not done again (dalil/store/postgres/queue.py keeps the keys).
Workers on other machines must see the inputs at the same absolute paths (a shared mount).
"""
from __future__ import annotations

import os
from typing import Any, Iterator

from dalil.ingest.pipeline import Ingestor, IngestReport, _container_claims, _expand, _hash_file, _is_mbox
from dalil.ingest.sources import iter_inputs
from dalil.model import Source, sha256

# Bump when reading or preparing a document changes what the archive stores for the same bytes:
# a task of another version is another task (and a worker refuses a task of another version).
PIPELINE_VERSION = "1"
TASK_FILES = 100           # ~1-2 s of reading for a worker: small enough to spread, large enough
TASK_BYTES = 4_000_000     # that the per-task costs (a transaction, a job) stay small
# Members of an archive or a mailbox per task: each task opens the container and reads up to its
# range (a .tar.gz is decompressed from its start), so ranges are larger than file tasks.
TASK_MEMBERS = 1000


class InputMissing(RuntimeError):
    """A task's input is not on this worker's disk (not shared, or deleted since it was enqueued)."""


class OtherPipeline(RuntimeError):
    """The task was enqueued by a dalil whose pipeline version differs from this worker's."""


def plan(paths: list[str], hint: dict[str, Any] | None = None) -> Iterator[dict[str, Any]]:
    """The ingest tasks for `paths`: {"key", "version", "items": [{"path", "root", "size", "hash"}
    or {"path", "root", "error", "detail"}], "inputs"}; each file is hashed once here."""
    per_task = _setting("DALIL_QUEUE_TASK_FILES", TASK_FILES)
    items: list[dict[str, Any]] = []
    size = 0
    for source in iter_inputs(paths, hint or {}):
        ranges = _container_ranges(source)
        if ranges:
            if items:
                yield _task(items)
                items, size = [], 0
            for item in ranges:
                yield _task([item])
            continue
        item = _item(source)
        alone = item.get("size", 0) >= TASK_BYTES or "hash" not in item
        if items and (alone or size + item.get("size", 0) > TASK_BYTES or len(items) >= per_task):
            yield _task(items)
            items, size = [], 0
        items.append(item)
        size += item.get("size", 0)
        if alone:
            yield _task(items)
            items, size = [], 0
    if items:
        yield _task(items)


def _setting(name: str, default: int) -> int:
    value = os.environ.get(name)
    if not value:
        return default
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"{name} must be a whole number, not {value!r}")
    return int(value)


def _container_ranges(source: Source) -> list[dict[str, Any]]:
    """An archive or a mailbox as tasks of TASK_MEMBERS of its leaves each (its members, in the
    order a one-process ingest reads them: the container's own row first), so several workers
    share it; each worker opens the container and reads its range.  [] for any other input."""
    if source.hint.get("error") or not source.path or not os.path.isfile(source.path):
        return []
    try:
        if not (_is_mbox(source) or _container_claims(source)):
            return []
        h = _hash_file(source.path)
    except OSError:
        return []
    leaves = sum(1 for _ in _expand(Source(name=source.name, path=source.path, size=source.size,
                                           root=source.root, hint=dict(source.hint))))
    if leaves <= 1:
        return []                   # a format built on a container (a .docx): one document
    per = _setting("DALIL_QUEUE_TASK_MEMBERS", TASK_MEMBERS)
    return [{"path": source.path, "root": source.root, "size": source.size, "hash": h, "start": start,
             "count": min(per, leaves - start), "container": True} for start in range(0, leaves, per)]


def _item(source: Source) -> dict[str, Any]:
    if source.hint.get("error"):
        return {"path": source.name, "root": source.root, "error": source.hint["error"],
                "detail": source.hint.get("detail", "")}
    item = {"path": source.path, "root": source.root, "size": source.size}
    if source.path and os.path.isfile(source.path):
        try:
            item["hash"] = _hash_file(source.path)
        except OSError as exc:
            return {"path": source.path, "root": source.root, "error": "unreadable", "detail": str(exc)}
    return item


def _task(items: list[dict[str, Any]]) -> dict[str, Any]:
    # Keyed by what is read: each file's path and content, and the pipeline that reads them.  An
    # item without a hash (a folder a reader takes whole, a path in error) is keyed by its path.
    signature = "\n".join(f"{i['path']}\t{i.get('hash', i.get('error', 'folder'))}\t{i.get('start', '')}\t{i.get('count', '')}"
                          for i in items)
    return {"key": sha256(f"{PIPELINE_VERSION}\n{signature}".encode("utf-8", "surrogatepass")),
            "version": PIPELINE_VERSION, "items": items}


def run_task(store: Any, task: dict[str, Any], hint: dict[str, Any] | None = None,
             before_write: Any = None) -> IngestReport:
    """Read and write one task's inputs on `store`, without committing (the caller commits them
    with the task's done mark).  A missing input fails the task (another worker, or a retry
    once the share is back, may find it); a bad one is a `failed` ledger row, as in any ingest."""
    if task.get("version") != PIPELINE_VERSION:
        raise OtherPipeline(f"task enqueued by pipeline version {task.get('version')!r}, this worker runs "
                            f"{PIPELINE_VERSION!r}: run workers of the dalil that enqueued it")
    sources = []
    for item in task["items"]:
        if "error" in item:
            sources.append(Source(name=item["path"], root=item["root"],
                                  hint={"error": item["error"], "detail": item["detail"]}))
            continue
        if not os.path.exists(item["path"]):
            raise InputMissing(f"input not found on this worker: {item['path']}")
        sources.append(Source(name=item["path"], path=item["path"], size=item.get("size", 0), root=item["root"],
                              hint=dict(hint or {})))
    ingestor = Ingestor(store, workers=1, hint=hint or {})
    ingestor.before_write = before_write
    first = task["items"][0]
    if first.get("container"):          # one range of a container's leaves
        return ingestor.run_sources(sources, first["start"], first["count"])
    return ingestor.run_sources(sources)


def containers(task: dict[str, Any]) -> list[tuple[str, str]]:
    """(path, content hash) of the container a task reads a range of: completed once every range
    of its batch is written (the post-ingest pass)."""
    return [(i["path"], i["hash"]) for i in task["items"] if i.get("container")]
