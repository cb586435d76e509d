"""Kept work from the command line, on real corpus documents: tags, stars and notes found again
with tag:/is: and carried by exports; saved searches whose alerts list exactly the documents a
later ingest added that match them."""
from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RELEASE = "HRC_Email_296"


def dalil(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "dalil", *map(str, args)], capture_output=True, text=True,
                          input=stdin, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=300)


def ok(*args, stdin=None) -> str:
    r = dalil(*args, stdin=stdin)
    assert r.returncode == 0, r.stderr
    return r.stdout


def one_line_error(r) -> str:
    assert r.returncode != 0 and "Traceback" not in r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    return lines[0]


@pytest.fixture(scope="module")
def db(two_ingests, tmp_path_factory):
    path = tmp_path_factory.mktemp("kept") / "dalil.db"
    ok("ingest", two_ingests[0], "--db", path)
    return path


def search_ids(db, query) -> list[str]:
    return [h["doc_id"] for h in json.loads(ok("search", query, "--db", db, "--json", "--mode", "lexical",
                                               "--limit", "500"))["hits"]]


def test_tags_stars_notes_are_found_and_exported(db, two_ingests):
    docs = sorted(p.stem for p in two_ingests[0].glob("*.txt"))
    a, b, c = docs[3], docs[10], docs[20]
    assert "tag 'Benghazi Files' added" in ok("tag", a, "Benghazi Files", "تقارير", "--db", db)
    assert "already there" in ok("tag", a, "benghazi   files", "--db", db)    # case and spaces folded
    ok("tag", b.lower(), "benghazi files", "--db", db)                         # a DocNo as typed
    ok("tag", c, "to check", "--db", db)
    ok("tag", c, "to check", "--remove", "--db", db)
    ok("star", b, "--db", db)
    ok("note", a, "Ask", "the", "desk", "about", "page", "2", "--db", db)
    ok("note", c, "-", "--db", db, stdin="سؤال عن الصفحة الثانية\n")

    assert sorted(search_ids(db, 'tag:"benghazi files"')) == sorted([a, b])
    assert search_ids(db, "tag:تقارير") == [a]
    assert search_ids(db, 'tag:"Benghazi Files" is:starred') == [b]
    assert sorted(search_ids(db, "is:noted")) == sorted([a, c])
    assert search_ids(db, 'tag:"to check"') == []
    everything = search_ids(db, f"release:{RELEASE}")
    assert set(search_ids(db, f"release:{RELEASE} -is:starred")) == set(everything) - {b}
    listed = json.loads(ok("tags", "--db", db, "--json"))
    assert listed == [{"tag": "benghazi files", "documents": 2}, {"tag": "تقارير", "documents": 1}]

    out = db.parent / "kept.csv"
    ok("export", 'tag:"benghazi files"', "-o", out, "--db", db)
    rows = {r["doc_id"]: r for r in csv.DictReader(io.StringIO(out.read_text(encoding="utf-8")))}
    assert set(rows) == {a, b}
    assert rows[a]["tags"] == "benghazi files; تقارير" and rows[a]["starred"] == "False"
    assert rows[a]["note"] == "Ask the desk about page 2" and rows[b]["starred"] == "True" and rows[b]["note"] == ""
    jsonl = db.parent / "kept.jsonl"
    ok("export", "is:noted", "-o", jsonl, "--db", db)
    notes = {r["doc_id"]: r for r in map(json.loads, jsonl.read_text(encoding="utf-8").splitlines())}
    assert notes[c]["note"] == "سؤال عن الصفحة الثانية" and notes[c]["tags"] == [] and notes[a]["starred"] is False


def test_kept_work_errors_are_one_line(db):
    assert "no document C99999999" in one_line_error(dalil("tag", "C99999999", "x", "--db", db))
    assert "bad tag" in one_line_error(dalil("tag", "C05739865", 'quote"d', "--db", db))
    assert "bad query" in one_line_error(dalil("search", "is:important", "--db", db))
    assert "bad tag" in one_line_error(dalil("search", "tag:" + "x" * 65, "--db", db))
    assert "no saved search" in one_line_error(dalil("saved", "remove", "nothing-here", "--db", db))
    assert "bad query" in one_line_error(dalil("save-search", "broken", '"unclosed', "--db", db))
    assert "note too long" in one_line_error(dalil("note", "C05739865", "-", "--db", db, stdin="x" * 20_001))


def test_alerts_list_exactly_the_new_matching_documents(two_ingests, tmp_path):
    db = tmp_path / "fresh.db"
    ok("ingest", two_ingests[0], "--db", db)
    saved = {"benghazi": "benghazi", "sullivan": "from:sullivan", "libya-press": "libya press"}
    for name, query in saved.items():
        ok("save-search", name, *query.split(), "--db", db)
    assert "exists" in one_line_error(dalil("saved", "add", "benghazi", "anything", "--db", db))
    listed = json.loads(ok("saved", "list", "--db", db, "--json"))
    assert [(s["name"], s["query"]) for s in listed] == sorted(saved.items())
    before = json.loads(ok("alerts", "--db", db, "--json"))
    assert [a["count"] for a in before] == [0, 0, 0]     # nothing is new before the next ingest

    report = ok("ingest", two_ingests[1], "--db", db)
    later = {p.stem for p in two_ingests[1].glob("*.txt")}
    alerts = {a["name"]: a for a in json.loads(ok("alerts", "--db", db, "--json", "--limit", "500"))}
    assert set(alerts) == set(saved)
    for name, query in saved.items():
        expected = later & set(search_ids(db, query))           # every match of the whole archive now
        got = [d["doc_id"] for d in alerts[name]["documents"]]
        assert sorted(got) == sorted(expected) and alerts[name]["count"] == len(expected), name
        dates = [d["date"] or "" for d in alerts[name]["documents"]]
        assert dates == sorted(dates, reverse=True)             # newest first
    assert alerts["benghazi"]["count"] > 3 and alerts["sullivan"]["count"] > 0
    total = sum(a["count"] for a in alerts.values())
    assert re.search(rf"alerts: {total} new documents match \d saved searches", report)

    text = ok("alerts", "--db", db, "--mark-seen", "--limit", "2")
    assert f"benghazi: {alerts['benghazi']['count']} new documents" in text and "more (--limit)" in text
    assert [a["count"] for a in json.loads(ok("alerts", "--db", db, "--json"))] == [0, 0, 0]
    ok("saved", "remove", "sullivan", "--db", db)
    assert [a["name"] for a in json.loads(ok("alerts", "--db", db, "--json"))] == ["benghazi", "libya-press"]


def test_an_archive_from_before_kept_work_reads_and_exports_read_only(db, tmp_path):
    """An archive of the schema before kept work, opened read-only (as `dalil serve` opens it):
    search and export work with empty kept columns; opened writable, it is migrated and takes tags."""
    import shutil
    import sqlite3

    from dalil import Archive
    old = tmp_path / "old.db"
    shutil.copy(db, old)
    with sqlite3.connect(old) as conn:
        # Kept work is migration 4; migration 5 (mentioned entities) came after it.
        for table in ("doc_tags", "doc_flags", "doc_notes", "saved_searches", "mentions", "mention_keys",
                      "mentions_done"):
            conn.execute(f"DROP TABLE {table}")
        # ... and what migrations 6 (correspondents' places) and 7 (users and access) added
        for sql in ("ALTER TABLE correspondents DROP COLUMN pos", "DROP INDEX documents_collection",
                    "ALTER TABLE documents DROP COLUMN collection", "DROP TABLE users", "DROP TABLE user_grants",
                    "DROP TABLE user_tokens", "DROP TABLE audit"):
            conn.execute(sql)
        conn.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'")
    archive = Archive(str(old), readonly=True)
    try:
        rows = list(archive.export("benghazi", mode="lexical").rows())
        assert rows and all(r["tags"] == [] and r["starred"] is False and r["note"] is None for r in rows)
        assert archive.store.saved_searches() == [] and archive.store.tag_counts() == []
    finally:
        archive.close()
    doc = rows[0]["doc_id"]
    ok("tag", doc, "after-upgrade", "--db", old)
    assert search_ids(old, "tag:after-upgrade") == [doc]


def test_saved_searches_are_capped(db, tmp_path):
    """Every saved search is matched on each `alerts`: past 200 a new one is refused in one line."""
    import shutil

    from dalil import Archive
    from dalil.archive import MAX_SAVED_SEARCHES
    copy = tmp_path / "cap.db"
    shutil.copy(db, copy)
    archive = Archive(str(copy))
    try:
        for s in archive.saved_searches():
            archive.remove_saved_search(s["name"])
        for i in range(MAX_SAVED_SEARCHES):
            archive.save_search(f"watch {i}", f"libya doc:C05{i:03d}*")
    finally:
        archive.close()
    assert "at most 200 saved searches" in one_line_error(dalil("save-search", "one more", "libya", "--db", copy))
    ok("saved", "remove", "watch 7", "--db", copy)
    ok("save-search", "one more", "libya", "--db", copy)
