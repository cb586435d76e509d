"""Archive containers: zip, tar (plain, gz, bz2, xz) and 7z.

Members are streamed out under the root's `Budget` and yielded as `Source`s
named `outer.zip!inner/path.eml`; a nested archive is just another member.
Refused members are yielded as rejected Sources (see `dalil.ingest.safety`
for the contract), so one bad member never stops the others.
"""
from __future__ import annotations

import io
import lzma
import os
import tempfile
import tarfile
import zipfile
import zlib
from typing import Callable, Iterator

from dalil.ingest.base import Reader, register
from dalil.ingest.safety import Budget, check_size, copy_limited, member, rejected, unsafe_name
from dalil.model import IngestError, Source

_STREAM_ERRORS = (zipfile.BadZipFile, tarfile.TarError, zlib.error, lzma.LZMAError, EOFError, OSError, ValueError)


def _enter(source: Source) -> Budget:
    budget = Budget.of(source)
    if source.depth >= budget.max_depth:
        raise IngestError("budget_exceeded:depth", f"nesting depth {source.depth} >= {budget.max_depth}")
    check_size(source, limit=1 << 62)     # empty check only: containers stream, size is budgeted per member
    return budget


def _admit(parent: Source, budget: Budget, name: str, declared: int, packed: int | None) -> Source | None:
    """Checks made before inflating a member; a rejected Source, or None when it may be read."""
    budget.files += 1
    if unsafe_name(name):
        return rejected(parent, name, "unsafe_path", f"member name {name!r} escapes the archive root")
    if declared == 0:
        return rejected(parent, name, "empty_file")
    if packed and declared > budget.ratio_floor and declared / max(1, packed) > budget.max_ratio:
        return rejected(parent, name, "budget_exceeded:ratio", f"{declared} bytes from {packed}", declared)
    if budget.total_bytes + declared > budget.max_total_bytes:
        return rejected(parent, name, "budget_exceeded:total_bytes", f"{declared} bytes", declared)
    return None


def _emit(parent: Source, budget: Budget, name: str, opener: Callable[[], io.BufferedIOBase],
          declared: int, packed: int | None, packed_now: Callable[[], int] | None = None) -> Source:
    bad = _admit(parent, budget, name, declared, packed)
    if bad:
        return bad
    try:
        with opener() as fh:
            data, path, code = copy_limited(fh, budget, declared, packed_now or packed)
    except NotImplementedError as exc:          # e.g. an unsupported zip compression method
        return rejected(parent, name, "unsupported_compression", str(exc))
    except _STREAM_ERRORS as exc:
        return rejected(parent, name, "corrupt_archive", f"{type(exc).__name__}: {exc}")
    if code:
        return rejected(parent, name, code, f"declared {declared} bytes", declared)
    return member(parent, name, data=data, path=path, size=declared)


def _spent(parent: Source, budget: Budget, name: str) -> Source | None:
    code = budget.exceeded()
    return rejected(parent, name, code, "root budget spent; remaining members skipped") if code else None


def _open_bytes(source: Source):
    return open(source.path, "rb") if source.path and source.data is None else io.BytesIO(source.read())


@register
class ZipReader(Reader):
    name = "zip"
    extensions = (".zip",)
    mime_types = ("application/zip", "application/x-zip-compressed")
    container = True

    @classmethod
    def score(cls, source: Source) -> int:
        # Low on a bare sniff: DOCX/XLSX are zips too and their readers must win.
        return super().score(source) or (4 if source.head(4) in (b"PK\x03\x04", b"PK\x05\x06") else 0)

    def read(self, source: Source) -> Iterator[Source]:
        budget = _enter(source)
        raw = _open_bytes(source)
        try:
            zf = zipfile.ZipFile(raw)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
            raw.close()
            raise IngestError("corrupt_archive", str(exc)) from None
        except NotImplementedError as exc:      # a central directory asking for a zip version we cannot read
            raw.close()
            raise IngestError("unsupported_compression", str(exc)) from None
        with raw, zf:
            for info in zf.infolist():
                if info.filename.endswith("/"):     # ZipInfo.is_dir() fails on an empty name
                    continue
                stop = _spent(source, budget, info.filename)
                if stop:
                    yield stop
                    return
                if info.flag_bits & 0x1:
                    budget.files += 1
                    yield rejected(source, info.filename, "encrypted_archive", "password-protected member")
                    continue
                yield _emit(source, budget, info.filename, lambda i=info: zf.open(i),
                            info.file_size, info.compress_size)


class _Counting(io.RawIOBase):
    """Counts compressed bytes consumed, to judge a tar stream's compression ratio."""

    def __init__(self, fh):
        self.fh, self.count = fh, 0

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        data = self.fh.read(len(b))
        self.count += len(data)
        b[: len(data)] = data
        return len(data)


@register
class TarReader(Reader):
    name = "tar"
    extensions = (".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz")
    mime_types = ("application/x-tar", "application/x-gtar")
    container = True

    @classmethod
    def score(cls, source: Source) -> int:
        return super().score(source) or (6 if source.head(262)[257:262] == b"ustar" else 0)

    def read(self, source: Source) -> Iterator[Source]:
        budget = _enter(source)
        raw = _open_bytes(source)
        counted = _Counting(raw)
        try:
            tf = tarfile.open(fileobj=io.BufferedReader(counted), mode="r|*")   # stream: no seeking back
        # TypeError: tarfile's stream mode reading a gzip header cut inside its extra field
        # (`ord()` of an empty read; found by Atheris, tests/data/fuzz-regressions/tar-atheris-*).
        except (tarfile.TarError, OSError, EOFError, TypeError) as exc:
            raw.close()
            raise IngestError("corrupt_archive", f"{type(exc).__name__}: {exc}" if isinstance(exc, TypeError)
                              else str(exc)) from None
        with raw, tf:
            try:
                yield from self._members(source, budget, tf, counted)
            except _STREAM_ERRORS as exc:
                raise IngestError("corrupt_archive", f"{type(exc).__name__}: {exc}") from None

    def _members(self, source: Source, budget: Budget, tf: tarfile.TarFile, counted: _Counting) -> Iterator[Source]:
        for ti in tf:
            if ti.isdir():
                continue
            stop = _spent(source, budget, ti.name)
            if stop:
                yield stop
                return
            if not ti.isreg():
                budget.files += 1
                kind = ("symlink" if ti.issym() else "hardlink" if ti.islnk() else
                        "fifo" if ti.isfifo() else "device" if ti.ischr() or ti.isblk() else "special")
                yield rejected(source, ti.name, "unsafe_member", f"{kind} member")
                continue
            start = counted.count
            # A compressed stream has no per-member packed size: count what this member consumed.
            yield _emit(source, budget, ti.name, lambda t=ti: tf.extractfile(t), ti.size, None,
                        packed_now=lambda s=start: counted.count - s)


class _ScratchWriter:
    """py7zr writer for one member: a file in the root's private scratch dir, under budget."""

    def __init__(self, budget: Budget):
        self.budget, self.written, self.error = budget, 0, None
        fd, self.path = tempfile.mkstemp(dir=budget.scratch())
        self.fh = os.fdopen(fd, "w+b")

    def write(self, s) -> int:
        if self.error is None:
            self.written += len(s)
            self.budget.total_bytes += len(s)
            if self.budget.total_bytes > self.budget.max_total_bytes:
                self.error = "budget_exceeded:total_bytes"
            else:
                self.fh.write(s)
        return len(s)          # keep py7zr going; the member is refused afterwards

    def read(self, size=None) -> bytes:
        return self.fh.read(size)

    def seek(self, offset: int, whence: int = 0) -> int:
        return self.fh.seek(offset, whence)

    def flush(self) -> None:
        self.fh.flush()

    def size(self) -> int:
        return self.written

    def close(self) -> None:
        self.fh.close()


class _ScratchFactory:
    def __init__(self, budget: Budget):
        self.budget, self.products = budget, {}

    def create(self, filename: str):
        self.products[filename] = _ScratchWriter(self.budget)
        return self.products[filename]


@register
class SevenZipReader(Reader):
    name = "7z"
    extensions = (".7z",)
    mime_types = ("application/x-7z-compressed",)
    container = True

    @classmethod
    def score(cls, source: Source) -> int:
        return super().score(source) or (6 if source.head(6) == b"7z\xbc\xaf\x27\x1c" else 0)

    def read(self, source: Source) -> Iterator[Source]:
        import py7zr            # lazy: only 7z inputs pay for it

        budget = _enter(source)
        raw = _open_bytes(source)
        try:
            with raw, py7zr.SevenZipFile(raw, mode="r") as z:
                if z.needs_password():
                    raise IngestError("encrypted_archive", "password-protected 7z")
                infos = [i for i in z.list() if not i.is_directory]
                wanted = list(self._admitted(source, budget, infos))
                pending = [i.filename for i, bad in wanted if bad is None]
                factory = _ScratchFactory(budget)
                if pending:
                    # 7z is solid: members are decoded in one pass into the private scratch dir.
                    z.extract(targets=pending, factory=factory)
        except py7zr.PasswordRequired:
            raise IngestError("encrypted_archive", "password-protected 7z") from None
        except (py7zr.Bad7zFile, py7zr.DecompressionError, py7zr.UnsupportedCompressionMethodError,
                *_STREAM_ERRORS, KeyError, IndexError, TypeError) as exc:
            if "password" in str(exc).lower():
                raise IngestError("encrypted_archive", str(exc)) from None
            raise IngestError("corrupt_archive", f"{type(exc).__name__}: {exc}") from None
        for info, bad in wanted:
            if bad is not None:
                yield bad
                continue
            w = factory.products.get(info.filename)
            if w is None:
                yield rejected(source, info.filename, "corrupt_archive", "member missing from the decoded stream")
            elif w.error:
                yield rejected(source, info.filename, w.error, f"declared {info.uncompressed} bytes")
            else:
                yield member(source, info.filename, path=w.path, size=w.written)

    def _admitted(self, source: Source, budget: Budget, infos) -> Iterator[tuple]:
        for info in infos:
            code = budget.exceeded()
            if code:
                yield info, rejected(source, info.filename, code, "root budget spent")
                continue
            if info.is_symlink or not info.is_file:
                budget.files += 1
                yield info, rejected(source, info.filename, "unsafe_member", "symlink or special member")
                continue
            yield info, _admit(source, budget, info.filename, info.uncompressed, info.compressed)
