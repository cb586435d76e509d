"""Input safety: per-root budgets and the checks every reader runs on untrusted input.

Contract for containers (zip, tar, 7z ...) and the pipeline
-----------------------------------------------------------
* A container's `read(source)` yields member `Source`s.  Each member carries
  `depth = parent.depth + 1`, `root = parent.root or parent.name`, a name
  `parent!member/path`, and the parent's `hint` (so OCR options and the
  root's `Budget` travel down to nested containers).
* A member that is refused is still yielded, as a `Source` with no data and
  `hint["error"] = <reason code>` (and `hint["detail"]`).  The pipeline must
  record it as failed with that code and *not* pick a reader for it; see
  `is_rejected()`.  The other members keep coming.
* When the container as a whole cannot be read (corrupt, encrypted headers,
  nesting too deep) its `read()` raises `IngestError(code)`, possibly after
  some members were already yielded; those stay valid.
* After a root-level budget (bytes, files, time) is spent the container yields
  one rejected member with `budget_exceeded:<which>` and stops.
* Members are held in memory up to `spill_bytes`; larger ones are written to a
  private scratch directory owned by the root's `Budget` (never next to the
  user's files) and removed by `Budget.close()` (or at interpreter exit).

The pipeline should create one `Budget` per root input, put it in
`source.hint["budget"]`, and close it when the root is done.  A container that
finds none creates its own and hands it to its members.

Reason codes: budget_exceeded:{depth,total_bytes,files,ratio,time},
unsafe_path, unsafe_member, encrypted_archive, corrupt_archive, empty_file,
too_large.
"""
from __future__ import annotations

import os
import posixpath
import re
import shutil
import tempfile
import time
import weakref
from dataclasses import dataclass, field
from typing import BinaryIO, Callable

from dalil.model import IngestError, Source

GiB = 1 << 30
MiB = 1 << 20


@dataclass
class Budget:
    max_depth: int = 5
    max_total_bytes: int = 2 * GiB
    max_files: int = 100_000
    max_ratio: float = 200.0
    ratio_floor: int = 1 * MiB          # the ratio limit only applies to members above this size
    max_seconds: float = 3600.0
    max_file_bytes: int = 1 * GiB       # whole-file readers refuse larger inputs (too_large)
    spill_bytes: int = 64 * MiB         # larger members go to the scratch dir, not memory
    total_bytes: int = 0
    files: int = 0
    started: float = field(default_factory=time.monotonic)
    _scratch: str | None = None

    @classmethod
    def of(cls, source: Source) -> "Budget":
        """The budget travelling with a source; a fresh one (from hint overrides) if none."""
        b = source.hint.get("budget")
        if isinstance(b, Budget):
            return b
        overrides = {k: v for k, v in (source.hint.get("budget_limits") or {}).items()
                     if k in cls.__dataclass_fields__ and not k.startswith("_")}
        b = cls(**overrides)
        source.hint["budget"] = b
        return b

    def exceeded(self) -> str | None:
        """The first root-level budget that leaves no room for another member, as a reason code."""
        if self.total_bytes > self.max_total_bytes:
            return "budget_exceeded:total_bytes"
        if self.files >= self.max_files:        # checked before admitting one more
            return "budget_exceeded:files"
        if time.monotonic() - self.started > self.max_seconds:
            return "budget_exceeded:time"
        return None

    def scratch(self) -> str:
        if self._scratch is None:
            self._scratch = tempfile.mkdtemp(prefix="dalil-scratch-")
            weakref.finalize(self, shutil.rmtree, self._scratch, True)
        return self._scratch

    def close(self) -> None:
        if self._scratch:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None

    def __enter__(self) -> "Budget":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def is_rejected(source: Source) -> bool:
    return bool(source.hint.get("error"))


def source_size(source: Source) -> int:
    if source.data is not None:
        return len(source.data)
    if source.path:
        try:
            return os.path.getsize(source.path)      # sparse files: metadata only, nothing read
        except OSError as exc:
            raise IngestError("unreadable", str(exc)) from None
    return source.size


def check_size(source: Source, limit: int | None = None) -> int:
    """Refuse empty inputs and, for readers that load the whole file, oversized ones."""
    size = source_size(source)
    if size == 0:
        raise IngestError("empty_file", source.basename)
    limit = limit if limit is not None else Budget.of(source).max_file_bytes
    if size > limit:
        raise IngestError("too_large", f"{size} bytes > {limit}")
    return size


def read_all(source: Source, limit: int | None = None) -> bytes:
    check_size(source, limit)
    return source.read()


_DRIVE = re.compile(r"^[A-Za-z]:")


def unsafe_name(name: str) -> bool:
    """Member names that would land outside an extraction root: absolute, drive, or `..`."""
    n = name.replace("\\", "/")
    if n.startswith("/") or _DRIVE.match(n) or "\x00" in n:
        return True
    return ".." in n.split("/") or posixpath.normpath(n).startswith("..")


def member(parent: Source, name: str, data: bytes | None = None, path: str | None = None,
           size: int = 0, **error) -> Source:
    """A member Source of a container; pass error=<code>, detail=... for a refused member."""
    hint = {k: v for k, v in parent.hint.items() if k not in ("error", "detail", "doc_id")}
    if error:
        hint.update(error)
    return Source(name=f"{parent.name}!{name}", data=data, path=path,
                  size=size or (len(data) if data is not None else 0),
                  parent_id=parent.parent_id, depth=parent.depth + 1,
                  root=parent.root or parent.name, hint=hint)


def rejected(parent: Source, name: str, code: str, detail: str = "", size: int = 0) -> Source:
    return member(parent, name, size=size, error=code, detail=detail)


def copy_limited(fh: BinaryIO, budget: Budget, declared: int, packed: int | Callable[[], int] | None) -> tuple[bytes | None, str | None, str | None]:
    """Stream one member out of an archive under the budget.

    Returns (data, path, error_code).  Reads at most the declared size (+1 to
    catch a lying header) and stops as soon as the root's byte budget or the
    member's compression ratio is exceeded, so a bomb is never inflated fully.
    """
    room = budget.max_total_bytes - budget.total_bytes
    cap = min(declared, room) + 1
    out: BinaryIO | None = None
    chunks: list[bytes] = []
    got, path = 0, None
    try:
        while got < cap:
            chunk = fh.read(min(1 * MiB, cap - got))
            if not chunk:
                break
            got += len(chunk)
            budget.total_bytes += len(chunk)
            if packed and got > budget.ratio_floor and got / max(1, _value(packed)) > budget.max_ratio:
                return None, None, "budget_exceeded:ratio"
            if out is None and got > budget.spill_bytes:
                fd, path = tempfile.mkstemp(dir=budget.scratch())
                out = os.fdopen(fd, "wb")
                out.write(b"".join(chunks))
                chunks = []
                out.write(chunk)
            elif out is not None:
                out.write(chunk)
            else:
                chunks.append(chunk)
    finally:
        if out is not None:
            out.close()
    if got > room:
        _drop(path)
        return None, None, "budget_exceeded:total_bytes"
    if got > declared:
        _drop(path)
        return None, None, "corrupt_archive"       # more data than the header said
    return (None if path else b"".join(chunks)), path, None


def _value(packed: int | Callable[[], int]) -> int:
    return packed() if callable(packed) else packed


def _drop(path: str | None) -> None:
    if path:
        os.unlink(path)
