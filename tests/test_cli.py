"""The `dalil` command as a user runs it: subprocesses over the shipped demo collection and real corpus files."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "demo" / "collection"


def dalil(*args, env=None, cwd=None):
    e = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "dalil", *map(str, args)], capture_output=True, text=True,
                          env=e, cwd=cwd, timeout=300)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("cli") / "demo.db"
    r = dalil("ingest", DEMO, "--db", db)
    assert r.returncode == 0, r.stderr
    return db


def test_ingest_is_quiet_on_a_pipe(tmp_path):
    r = dalil("ingest", DEMO, "--db", tmp_path / "d.db")
    assert r.returncode == 0
    lines = r.stdout.strip().splitlines()
    assert len(lines) == 1 and re.match(r"\d+ documents added; inputs: \d+ ok", lines[0])
    assert "\r" not in r.stderr and "━" not in r.stderr


def test_search_json_contract(demo_db):
    r = dalil("search", "tanker", "Benghazi", "--db", demo_db, "--json", "--mode", "lexical")
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert d["query"] == "tanker Benghazi" and d["total"] == 2
    assert {h["doc_id"] for h in d["hits"]} == {"C09900001", "C09900002"}
    for h in d["hits"]:
        assert set(h) >= {"doc_id", "score", "subject", "from", "date", "page", "snippet"}
        assert h["date"] == "2011-06-14" and h["page"] == 1
    assert d["facets"]["release"] == {"DemoRelease_2024": 2}


def test_show_json_contract(demo_db):
    r = dalil("show", "C09900002", "--db", demo_db, "--json")
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert set(d) >= {"doc_id", "case", "release", "release_date", "disposition", "exemptions", "pages",
                      "messages", "text"}
    assert d["case"] == "F-2099-00042" and d["release_date"] == "2024-03-15"
    assert d["disposition"] == "RELEASE IN PART" and d["exemptions"] == ["B6"] and d["pages"] == 1
    assert [m["from"] for m in d["messages"]] == ["Okafor, Daniel <OkaforD@state.gov>",
                                                  "Harlow, Miriam T <HarlowMT@state.gov>"]
    top, quoted = d["messages"]
    assert top["date"] == "2011-06-14T16:05:00" and top["date_raw"] == "Tuesday, June 14, 2011 4:05 PM"
    assert quoted["cc"] == ["Benali, Yasmine"] and quoted["subject"] == "Port of Tartus fuel shipment"
    assert "Raised with the panel" in top["body"] and "UNCLASSIFIED" not in top["body"]


def test_status_json_contract(demo_db, tmp_path):
    r = dalil("status", "--db", demo_db, "--json")
    d = json.loads(r.stdout)
    assert d["documents"] == 7 and d["messages"] >= 8
    assert d["by_status"] == {"ok": 7, "duplicate": 0, "failed": 0}
    assert d["by_release"]["DemoRelease_2024"] == 4 and d["failures"] == []


def test_db_defaults_to_env_then_cwd(demo_db, tmp_path):
    r = dalil("status", "--json", env={"DALIL_DB": str(demo_db)})
    assert json.loads(r.stdout)["documents"] == 7
    r = dalil("status", "--json", cwd=tmp_path, env={"DALIL_DB": ""})
    assert r.returncode != 0 and "no archive at dalil.db" in r.stderr


@pytest.mark.parametrize("args,needle", [
    (["search", '"unbalanced'], "unbalanced quote"),
    (["search", "frm:someone"], "unknown filter frm:"),
    (["search", "after:2011-02-30"], "bad date"),
    (["show", "C00000000"], "no document C00000000"),
])
def test_errors_are_one_line_without_traceback(demo_db, args, needle):
    r = dalil(*args, "--db", demo_db)
    assert r.returncode != 0
    assert needle in r.stderr
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_show_text_is_page_marked(demo_db):
    r = dalil("show", "C09900001", "--db", demo_db)
    assert r.returncode == 0 and "[page 1]" in r.stdout and "From:" in r.stdout


def test_readme_main_command_finds_english_sources_of_an_arabic_query(tmp_path):
    """The README's first command: ingest the demo with vectors, search it in Arabic."""
    db = tmp_path / "demo.db"
    assert dalil("ingest", DEMO, "--db", db, "--index").returncode == 0
    r = dalil("search", "ناقلة الديزل بنغازي", "--db", db, "--json")
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert d["mode"] == "hybrid" and d["lang"] == "ar"
    top = [h["doc_id"] for h in d["hits"][:3]]
    assert {"C09900001", "C09900002"} <= set(top)
