"""Fuzzed readers and query parser (Hypothesis).

Every reader gets mutations of valid inputs (byte flips, truncations, insertions, deletions, a wrong
header, duplicated or zeroed spans, another format's bytes under its name) and random bytes, through
the ingest pipeline as `dalil ingest` runs it.  Properties (tests/fuzz_support.py): no exception
escapes; a failure is recorded with a reason code and not as a hidden reader crash; texts are valid
str that SQLite stores; offsets lie inside their text; nothing is written outside the input's folder.

Reproducible: derandomized, no example database.  DALIL_FUZZ_SCALE=<n> multiplies the examples
per reader (the long mode used when Atheris is not available; see docs/reliability.md).
Inputs that once broke a property are kept in tests/data/fuzz-regressions/ and replayed.
"""
from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dalil import Archive
from dalil.search.query import Query, QueryError, parse_query
from fuzz_support import REGRESSIONS, check, formats, mutate, pipeline_harness, run_input

SCALE = float(os.environ.get("DALIL_FUZZ_SCALE", "1"))
# Examples per reader: about 60 s for the whole file on two shared cores (msg and pst parse slowly).
EXAMPLES = {"msg": 15, "pst": 30, "maildir": 40, "pdf": 40, "docx": 40, "zip": 40, "tar": 40, "7z": 40}
DEFAULT_EXAMPLES = 50
OPS = ("flip", "truncate", "insert", "delete", "header", "duplicate", "zero")


def fuzz_settings(n: int) -> settings:
    return settings(max_examples=max(1, int(n * SCALE)), deadline=timedelta(seconds=10), derandomize=True,
                    database=None, print_blob=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture])


def edits():
    return st.lists(st.tuples(st.sampled_from(OPS), st.integers(0, 1 << 20), st.integers(0, 4096),
                              st.binary(max_size=64)), max_size=5)


def inputs(name: str):
    """Mutated seeds of the format, other formats' seeds under its name, and random bytes."""
    fmt = formats()[name]
    others = [s for f in formats().values() if f.name != name for s in f.seeds[:2]]
    choices = [st.binary(max_size=4096), st.builds(mutate, st.sampled_from(others), edits())]
    if fmt.seeds:
        choices.insert(0, st.builds(mutate, st.sampled_from(fmt.seeds), edits()))
    return st.one_of(*choices)


@pytest.mark.parametrize("name", sorted(formats()))
def test_reader_survives_fuzzed_input(name, tmp_path):
    harness = pipeline_harness(formats()[name], tmp_path)

    @fuzz_settings(EXAMPLES.get(name, DEFAULT_EXAMPLES))
    @given(data=inputs(name))
    def run(data: bytes) -> None:
        harness(data)

    run()


def test_unmutated_seeds_are_read(tmp_path):
    """The seeds themselves read without failure, so the mutations start from valid inputs."""
    for name, fmt in formats().items():
        for seed in fmt.seeds[:2]:
            outcomes = run_input(fmt, seed, tmp_path)
            check(outcomes, tmp_path)
            assert any(o.docs for o in outcomes), name


def _regressions() -> list[Path]:
    return sorted(p for p in REGRESSIONS.glob("*") if p.is_file() and p.name != "README.md")


@pytest.mark.parametrize("path", _regressions(), ids=lambda p: p.name)
def test_regression_inputs_replay(path, tmp_path):
    """Every input that once broke a property, named `<format>-<what>.<ext>`."""
    fmt = formats()[path.name.split("-", 1)[0]]
    check(run_input(fmt, path.read_bytes(), tmp_path), tmp_path)


def test_ledger_records_every_failure_with_a_reason(tmp_path):
    """Through a real archive: one ingest of fuzzed inputs of every format finishes, and each
    failure is in the ledger with its reason."""
    import random
    rng = random.Random(25)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    n = 0
    for name, fmt in sorted(formats().items()):
        if fmt.folder or not fmt.seeds:
            continue
        for k in range(3):
            ops = [(rng.choice(OPS), rng.randrange(1 << 16), rng.randrange(64), rng.randbytes(8)) for _ in range(3)]
            data = mutate(rng.choice(fmt.seeds), ops) if k else rng.randbytes(300)
            stem = "C05739545" if name == "foia" and k == 0 else f"{name}-{k}"
            (inbox / f"{stem}{fmt.suffix}").write_bytes(data)
            n += 1
    archive = Archive(str(tmp_path / "a.db"))
    report = archive.ingest([str(inbox)], workers=1, build_intel=False, ocr="never")
    failed = archive.store.failed_inputs()
    assert report.ok + report.failed + report.duplicate >= n
    assert len(failed) >= report.failed
    assert all(f["reason"] and f["reason"].split(":")[0] for f in failed)
    assert not [f for f in failed if f["reason"].startswith("reader_error")]
    archive.close()


QUERY_PIECES = ['"', "(", ")", "OR", "AND", "NOT", "-", "*", ":", "from:", "to:", "cc:", "subject:", "doc:",
                "release:", "exemption:", "after:", "before:", "lang:", "2011-02-01", "2011-13-45", "B1",
                "sullivan", "قذافي", "كلمة*", "Ω", "\u200f", "\x00", "’", "C05739545", "x" * 300, "  ", "\n"]


def _check_query(text: str) -> None:
    try:
        q = parse_query(text)
    except QueryError as exc:
        assert str(exc) and "\n" not in str(exc)      # one line, fit to show as it is
        return
    assert isinstance(q, Query)
    for atom in q.positive_atoms() + q.negatives + q.filters:
        assert isinstance(atom.value, str)


@fuzz_settings(200)
@given(st.text(max_size=300))
def test_query_parser_random_text(text):
    _check_query(text)


@fuzz_settings(200)
@given(st.lists(st.sampled_from(QUERY_PIECES), max_size=12), st.lists(st.sampled_from(["", " "]), max_size=12))
def test_query_parser_structured(pieces, seps):
    text = "".join(p + (seps[i] if i < len(seps) else " ") for i, p in enumerate(pieces))
    _check_query(text)

