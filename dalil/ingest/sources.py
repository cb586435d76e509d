"""Turn the user's PATH arguments into a stream of `Source`s.

Folders are walked in sorted order (a folder a reader claims, such as a
Maildir, is handed over whole); archives are containers whose members are
streamed one at a time, never extracted next to the user's files.  A member a
container refuses (unsafe path, budget exceeded...) arrives as a Source whose
`hint["error"]` carries the reason, so it is recorded, not dropped.
"""
from __future__ import annotations

import os
import tarfile
import zipfile
from typing import Iterator

from dalil.ingest.base import pick
from dalil.model import IngestError, Source


def iter_inputs(paths: list[str], hint: dict | None = None) -> Iterator[Source]:
    """Top-level inputs: files, claimed folders; unclaimed folders are walked."""
    for raw in paths:
        path = os.path.abspath(raw)
        if not os.path.exists(path):
            yield _error_source(path, "not_found", "no such file or folder")
        elif os.path.isdir(path):
            yield from _walk(path, path, hint or {})
        else:
            yield _file_source(path, path, hint or {})


def _walk(folder: str, root: str, hint: dict) -> Iterator[Source]:
    claimed = _claimed_folder(folder, root, hint)
    if claimed is not None:
        yield claimed
        return
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        yield _error_source(folder, "unreadable", str(exc))
        return
    for entry in entries:
        if entry.is_symlink():
            yield _error_source(entry.path, "unsafe_member", "symbolic link not followed")
        elif entry.is_dir():
            yield from _walk(entry.path, root, hint)
        elif entry.is_file():
            yield _file_source(entry.path, root, hint)
        else:
            yield _error_source(entry.path, "unsafe_member", "not a regular file")


def _claimed_folder(folder: str, root: str, hint: dict) -> Source | None:
    src = Source(name=folder, path=folder, root=root, hint=dict(hint))
    try:
        pick(src)
        return src
    except IngestError:
        return None


def _file_source(path: str, root: str, hint: dict) -> Source:
    try:
        size = os.path.getsize(path)
    except OSError:
        size = 0
    return Source(name=path, path=path, size=size, root=root, hint=dict(hint))


def _error_source(path: str, code: str, detail: str) -> Source:
    return Source(name=path, path=None, root=path, hint={"error": code, "detail": detail})


def estimate_count(paths: list[str], read_tars: bool = True) -> int | None:
    """Inputs expected, for the progress bar's ETA (None when unknown or too costly to learn).
    A folder's walk and a zip's directory are cheap; a tar has no directory, so counting its
    members reads it through once more (`read_tars`)."""
    total = 0
    for raw in paths:
        if os.path.isdir(raw):
            total += sum(len(files) for _, _, files in os.walk(raw))
        elif zipfile.is_zipfile(raw):
            try:                     # is_zipfile reads only the end record: the directory may still be broken
                with zipfile.ZipFile(raw) as zf:
                    total += sum(1 for i in zf.infolist() if not i.is_dir())
            except (zipfile.BadZipFile, NotImplementedError, OSError, ValueError, EOFError, IndexError):
                return None
        elif raw.endswith((".tar", ".tgz", ".tar.gz", ".tar.bz2", ".tar.xz")):
            if not read_tars or os.path.getsize(raw) >= 2**30:
                return None
            try:
                with tarfile.open(raw, "r|*") as tf:
                    total += sum(1 for m in tf if m.isfile())
            # TypeError: tarfile's stream mode reading a gzip header cut inside its extra field
            # (`ord()` of an empty read; found by Atheris).
            except (tarfile.TarError, OSError, EOFError, TypeError):
                return None
        else:
            total += 1
    return total or None
