"""Conversations rebuilt from message blocks across documents."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from dalil.cli import main
from dalil.intel.threads import _minute, normalize_subject


@pytest.fixture(scope="module")
def archive(intel_archive):
    return intel_archive


def test_subject_and_minute_keys():
    assert normalize_subject("RE: Fw: Schedule") == "schedule"
    assert normalize_subject("Re; FW: H: Syria.") == "h syria"
    assert _minute("2009-05-04T09:40:58") == "2009-05-04T09:41"
    assert _minute("2009-05-04T09:40:12") == "2009-05-04T09:40"
    assert _minute("2009-05-04") is None


def test_schedule_thread_spans_documents_in_order(archive):
    result = archive.thread("C05758458")
    msgs = result["messages"]
    docs = {m["doc_id"] for m in msgs}
    assert {"C05758458", "C05758459", "C05761167"} <= docs
    dates = [m["date"] for m in msgs if m["date"]]
    assert dates == sorted(dates)
    own = [m for m in msgs if m["doc_id"] == "C05758458"]
    assert own and all(m["confidence"] == 1.0 for m in own)
    linked = [m for m in msgs if m["doc_id"] != "C05758458"]
    assert linked and all(0 < m["confidence"] < 1.0 for m in linked)
    assert {"Hillary Clinton", "Lona Valmoro"} <= {m["from"] for m in msgs}
    # the same block printed in several documents is listed once
    keys = [(m["from"], (m["date"] or "")[:16]) for m in msgs if m["date"]]
    assert len(keys) == len(set(keys))


def test_thread_within_one_document(archive):
    msgs = archive.thread("C05794214")["messages"]
    assert [m["from"] for m in msgs][-2:] == ["Sidney Blumenthal", "Hillary Clinton"]


def test_thread_cli(archive):
    runner = CliRunner()
    out = runner.invoke(main, ["thread", "c05758458", "--json", "--db", archive.path])
    assert out.exit_code == 0, out.output
    m = json.loads(out.output)["messages"][0]
    assert set(m) >= {"doc_id", "from", "date", "subject", "confidence"}
    bad = runner.invoke(main, ["thread", "nonsense", "--db", archive.path])
    assert bad.exit_code != 0 and "no document" in bad.output and "Traceback" not in bad.output
