"""The development tool (tools/dalil_dev) as a developer runs it, from the repository root."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "demo" / "collection"


def dalil_dev(*args):
    return subprocess.run([sys.executable, "-m", "tools.dalil_dev", *map(str, args)], capture_output=True,
                          text=True, cwd=ROOT, env=os.environ, timeout=300)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("dev") / "demo.db"
    r = subprocess.run([sys.executable, "-m", "dalil", "ingest", str(DEMO), "--db", str(db)],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    return db


def test_eval_of_ones_own_items(demo_db, tmp_path):
    """`eval --items FILE` scores a file of one's own; a line that is no item is one line of
    error that names it."""
    items = tmp_path / "items.jsonl"
    items.write_text('{"id": "x1", "lang": "en", "query": "Sri Lanka", "gold_doc_ids": ["C05764217"]}\n'
                     '{"id": "x2", "lang": "en"}\n', encoding="utf-8")
    r = dalil_dev("eval", "--db", demo_db, "--mode", "lexical", "--items", items)
    assert r.returncode != 0 and "line 2: not an item" in r.stderr
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1
    items.write_text('{"id": "x1", "lang": "en", "query": "Sri Lanka", "gold_doc_ids": ["NOPE"]}\n', encoding="utf-8")
    r = dalil_dev("eval", "--db", demo_db, "--mode", "lexical", "--items", items, "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["skipped"] == 1


def test_the_evaluation_folder_is_always_given(demo_db):
    """No folder is found from where the code lies: without one the commands stop and say so."""
    r = dalil_dev("eval", "--db", demo_db, "--mode", "lexical")
    assert r.returncode != 0 and "--eval-dir" in r.stderr and "Traceback" not in r.stderr
    r = dalil_dev("trace-eval", "--db", demo_db)
    assert r.returncode != 0 and "--eval-dir" in r.stderr and "Traceback" not in r.stderr


def test_eval_scores_the_demo(demo_db, tmp_path):
    """A gold document found first scores recall@1 = MRR = 1 (the demo's tanker e-mails)."""
    items = tmp_path / "items.jsonl"
    items.write_text('{"id": "t1", "lang": "en", "query": "diesel tanker Benghazi", '
                     '"gold_doc_ids": ["C09900001"]}\n', encoding="utf-8")
    r = dalil_dev("eval", "--db", demo_db, "--mode", "lexical", "--items", items, "--json")
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    scores = report["modes"]["lexical"]["table"]["items"]["all"]
    assert report["skipped"] == 0 and scores["n"] == 1 and scores["hit@5"] == 1.0
