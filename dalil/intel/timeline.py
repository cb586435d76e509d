"""Timeline and correspondence graph over the documents that match a search query.

A message quoted in several documents is counted once: blocks are deduplicated
on their thread key (sender person, minute, subject), as in `threads`.
"""
from __future__ import annotations

import csv
import io
import json
from collections import Counter
from typing import Any
from xml.etree import ElementTree as ET

from dalil.intel.people import WITHHELD, WITHHELD_NAME
from dalil.store.base import Store
from dalil.text.correspondents import correspondent_kind


def _distinct_messages(store: Store, doc_ids: list[str] | None) -> list[tuple]:
    """(message id, sender person, date) per distinct message of the documents (all when None)."""
    seen, out = set(), []
    for mid, person, minute, subject, date in store.keyed_messages(doc_ids):
        key = (person, minute, subject[:40]) if minute else mid
        if key in seen:
            continue
        seen.add(key)
        out.append((mid, person, date))
    return out


def timeline(store: Store, query: str | None, ids: list[str] | None) -> dict[str, Any]:
    """Messages per month of the documents `ids` (those matching `query`; None: all)."""
    msgs = _distinct_messages(store, ids)
    months = Counter(d[:7] for _, _, d in msgs if d and d[:4].isdigit() and "1990" <= d[:4] <= "2039")
    return {"query": query, "documents": len(ids) if ids is not None else None,
            "months": [{"month": m, "messages": n} for m, n in sorted(months.items())]}


def graph(store: Store, query: str | None, ids: list[str] | None) -> dict[str, Any]:
    """Who writes to whom: persons as nodes, sender→recipient (To and Cc) edges with counts."""
    msgs = {mid: person for mid, person, _ in _distinct_messages(store, ids)}
    edges: Counter[tuple[int, int]] = Counter()
    for mid, target in store.keyed_recipients(ids):
        if mid in msgs:
            source = msgs[mid] if msgs[mid] is not None else WITHHELD
            edges[(source, target if target is not None else WITHHELD)] += 1
    sent, received = Counter(), Counter()
    for (s, t), n in edges.items():
        sent[s] += n
        received[t] += n
    names = store.person_names()
    nodes = [{"id": p, "name": names.get(p, WITHHELD_NAME), "sent": sent[p], "received": received[p]}
             for p in sorted(set(sent) | set(received))]
    return {"query": query, "documents": len(ids) if ids is not None else None, "nodes": nodes,
            "edges": [{"source": s, "target": t, "weight": n} for (s, t), n in edges.most_common()]}


def people(store: Store, query: str | None, ids: list[str] | None, limit: int | None = None) -> dict[str, Any]:
    """Person records; with a query, counts and dates come from its matching documents `ids` only.
    Each has its kind: a person, or a mailing list, news feed or system sender."""
    out = []
    for pid, sent, received, first, last in store.person_counts(ids, limit):
        record = store.person_record(pid)
        forms = store.person_forms(pid, 25)
        name = record["name"] if record else WITHHELD_NAME
        out.append({"id": pid, "name": name, "kind": correspondent_kind(name), "forms": forms,
                    "sent": sent, "received": received, "first": first, "last": last})
    return {"query": query, "documents": len(ids) if ids is not None else None, "people": out}


# --- exports ---------------------------------------------------------------------------------
def to_gexf(g: dict[str, Any]) -> str:
    root = ET.Element("gexf", xmlns="http://gexf.net/1.3", version="1.3")
    graph_el = ET.SubElement(root, "graph", defaultedgetype="directed", mode="static")
    attrs = ET.SubElement(graph_el, "attributes", **{"class": "node"})
    ET.SubElement(attrs, "attribute", id="sent", title="sent", type="integer")
    ET.SubElement(attrs, "attribute", id="received", title="received", type="integer")
    nodes = ET.SubElement(graph_el, "nodes")
    for n in g["nodes"]:
        node = ET.SubElement(nodes, "node", id=str(n["id"]), label=n["name"])
        values = ET.SubElement(node, "attvalues")
        ET.SubElement(values, "attvalue", **{"for": "sent", "value": str(n["sent"])})
        ET.SubElement(values, "attvalue", **{"for": "received", "value": str(n["received"])})
    edges = ET.SubElement(graph_el, "edges")
    for i, e in enumerate(g["edges"]):
        ET.SubElement(edges, "edge", id=str(i), source=str(e["source"]), target=str(e["target"]),
                      weight=str(e["weight"]))
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")


def to_csv(g: dict[str, Any]) -> str:
    names = {n["id"]: n["name"] for n in g["nodes"]}
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["source_id", "source", "target_id", "target", "messages"])
    for e in g["edges"]:
        w.writerow([e["source"], names[e["source"]], e["target"], names[e["target"]], e["weight"]])
    return buf.getvalue()


def to_json(g: dict[str, Any]) -> str:
    return json.dumps(g, ensure_ascii=False, indent=2)
