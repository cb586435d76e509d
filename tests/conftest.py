"""Shared fixtures.  The real corpus is read from ../shared (never copied into the repo)."""
from __future__ import annotations

import os
import tarfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("DALIL_SHARED", ROOT.parent / "shared"))
CORPUS_TGZ = SHARED / "data" / "clinton-foia-text.tar.gz"
SAMPLES = SHARED / "data" / "samples"
EVAL = SHARED / "eval"
CACHE = Path(os.environ.get("DALIL_TEST_CACHE", "/tmp/dalil-test-cache"))


def _extract_corpus() -> Path:
    """Extract the corpus tarball once per machine into the test cache (read-only use)."""
    target = CACHE / "corpus"
    done = target / ".complete"
    if not done.exists():
        target.mkdir(parents=True, exist_ok=True)
        with tarfile.open(CORPUS_TGZ) as tf:
            tf.extractall(target, filter="data")
        done.write_text("ok")
    return target / "text"


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """Folder `text/` of the extracted corpus: text/<release>/<DocNo>.txt."""
    return _extract_corpus()


@pytest.fixture(scope="session")
def corpus_doc(corpus_dir):
    """Look up one corpus document's path by DocNo."""
    index = {p.stem: p for p in corpus_dir.glob("*/*.txt")}

    def get(doc_id: str) -> Path:
        return index[doc_id]
    return get


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    return SAMPLES


@pytest.fixture(scope="session")
def eval_dir() -> Path:
    return EVAL
