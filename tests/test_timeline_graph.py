"""Timeline and correspondence graph for a query, and their exports."""
from __future__ import annotations

import csv
import io
import json
from xml.etree import ElementTree as ET

import pytest
from click.testing import CliRunner

from dalil.cli import main


@pytest.fixture(scope="module")
def archive(intel_archive):
    return intel_archive


def test_timeline_counts_months(archive):
    t = archive.timeline("libya")
    months = [m["month"] for m in t["months"]]
    assert months == sorted(months) and all(len(m) == 7 and m[4] == "-" for m in months)
    assert sum(m["messages"] for m in t["months"]) > 20
    assert "2011-03" in months                      # the Libya intervention
    narrow = archive.timeline("libya after:2012-01-01")
    # documents dated 2012 on; their quoted blocks may be older, but fewer months remain
    assert narrow["months"] and narrow["months"][-1]["month"] >= "2012-01"
    assert sum(m["messages"] for m in narrow["months"]) < sum(m["messages"] for m in t["months"])
    assert narrow["documents"] < t["documents"]


def test_graph_edges_between_resolved_people(archive):
    g = archive.graph("libya")
    names = {n["id"]: n["name"] for n in g["nodes"]}
    edges = {(names[e["source"]], names[e["target"]]): e["weight"] for e in g["edges"]}
    assert edges.get(("Sidney Blumenthal", "Hillary Clinton"), 0) >= 3
    assert all(e["weight"] >= 1 for e in g["edges"])
    assert "H" not in names.values()               # aliases are resolved to the person


def test_graph_exports(archive):
    runner = CliRunner()
    gexf = runner.invoke(main, ["graph", "libya", "--format", "gexf", "--db", archive.path])
    assert gexf.exit_code == 0, gexf.output
    root = ET.fromstring(gexf.output.strip().encode())
    ns = {"g": "http://gexf.net/1.3"}
    assert root.findall(".//g:node", ns) and root.findall(".//g:edge", ns)
    out = runner.invoke(main, ["graph", "libya", "--format", "csv", "--db", archive.path])
    rows = list(csv.reader(io.StringIO(out.output)))
    assert rows[0] == ["source_id", "source", "target_id", "target", "messages"] and len(rows) > 2
    js = json.loads(runner.invoke(main, ["graph", "libya", "--json", "--db", archive.path]).output)
    assert js["nodes"] and js["edges"]


def test_timeline_cli_json_and_bad_query(archive):
    runner = CliRunner()
    out = runner.invoke(main, ["timeline", "benghazi", "--json", "--db", archive.path])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["months"] and set(data["months"][0]) == {"month", "messages"}
    bad = runner.invoke(main, ["timeline", '"unbalanced', "--db", archive.path])
    assert bad.exit_code != 0
