"""The pages over the intelligence views of the API: people, a person, a thread, the timeline and
correspondents graph of a query, and duplicate copies.  Each is a thin layer over `Archive`."""
from __future__ import annotations

import math
import re
from urllib.parse import quote as quote_path

from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from dalil.web.api import check_query
from dalil.web.i18n import Translator
from dalil.web.limits import limits_of
from dalil.web.render import timeline_svg
from dalil.web.security import safe_filename
from dalil.web.templating import render, ui_lang
from dalil.web.work import export_links
from dalil.web.auth import archive_of

PEOPLE_LIMIT = 200
GRAPH_NODES = 30
GRAPH_SIZE = 600


def _q(request: Request) -> str:
    """The page's query, refused (400) over the query limits before any work, as on the search page."""
    q = request.query_params.get("q", "").strip()
    if q:
        check_query(q, limits_of(request))
    return q


def _months(timeline: dict) -> dict[str, int]:
    return {m["month"]: m["messages"] for m in timeline["months"] if re.match(r"\d{4}-\d{2}$", m["month"])}


def people_page(request: Request) -> Response:
    """Every person of the people index (or those of the documents matching `q`), busiest first."""
    q = _q(request)
    found = archive_of(request).people(q or None, limit=PEOPLE_LIMIT)
    return render(request, "people.html", q=q, people=found["people"], limit=PEOPLE_LIMIT)


def person_page(request: Request) -> Response:
    """One person: forms, counts, top correspondents and messages sent per month."""
    archive = archive_of(request)
    raw = request.path_params["person_id"]
    person = archive.person_by_id(int(raw)) if raw.isdigit() else None
    if person is None:
        return render(request, "error.html", status_code=404, message_key="not_found")
    query = f"from:#{person.id}"      # every form of theirs (dalil.search.persons), this person only
    graph = archive.graph(query)
    names = {n["id"]: n["name"] for n in graph["nodes"]}
    weight: dict[int, int] = {}
    for e in graph["edges"]:
        if person.id in (e["source"], e["target"]):
            other = e["target"] if e["source"] == person.id else e["source"]
            if other != person.id:
                weight[other] = weight.get(other, 0) + e["weight"]
    top = sorted(weight.items(), key=lambda kv: (-kv[1], names.get(kv[0], "")))[:15]
    ui = ui_lang(request)
    chart = timeline_svg(_months(archive.timeline(query)), query, Translator(ui), ui)
    return render(request, "person.html", p=person, query=query, chart=chart,
                  exports=export_links({"person_id": person.id}, person.sent + person.received),
                  correspondents=[{"id": pid, "name": names.get(pid, str(pid)), "n": n} for pid, n in top])


def thread_page(request: Request) -> Response:
    """The messages of a document's thread in order, each with the confidence of its link."""
    found = archive_of(request).thread(request.path_params["doc_id"])
    if found is None:
        return render(request, "error.html", status_code=404, message_key="not_found")
    return render(request, "thread.html", th=found, exports=export_links({"thread": found["doc_id"]}, len(found["messages"])))


def timeline_page(request: Request) -> Response:
    """Messages per month of the documents matching `q`; each bar opens that month's search."""
    q = _q(request)
    ui = ui_lang(request)
    found = archive_of(request).timeline(q) if q else None
    chart = timeline_svg(_months(found), q, Translator(ui), ui) if found else Markup("")
    return render(request, "timeline.html", q=q, tl=found, chart=chart)


def graph_page(request: Request) -> Response:
    """The correspondents graph of `q`: the busiest people on a circle, edges by weight."""
    q = _q(request)
    graph = archive_of(request).graph(q) if q else None
    svg, shown = graph_svg(graph, Translator(ui_lang(request))) if graph else (Markup(""), [])
    return render(request, "graph.html", q=q, graph=graph, svg=svg, shown=shown)


def graph_download(request: Request) -> Response:
    """The correspondents graph of `q` as GEXF (Gephi) or CSV."""
    q = _q(request)
    fmt = request.query_params.get("format", "gexf")
    if not q or fmt not in ("gexf", "csv"):
        return render(request, "error.html", status_code=400, message_key="graph_need_query")
    archive = archive_of(request)
    body = archive.format_graph(archive.graph(q), fmt)
    name = safe_filename(f"graph-{q}", fallback="graph")[:60] + f".{fmt}"
    media = "application/xml" if fmt == "gexf" else "text/csv"
    return Response(body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})


def graph_svg(graph: dict, t: Translator) -> tuple[Markup, list[dict]]:
    """A deterministic circular layout of the GRAPH_NODES busiest people (sent + received, then
    name) with the edges between them; returns the SVG and the nodes drawn."""
    nodes = sorted(graph["nodes"], key=lambda n: (-(n["sent"] + n["received"]), n["name"]))[:GRAPH_NODES]
    if not nodes:
        return Markup(""), []
    size, centre = GRAPH_SIZE, GRAPH_SIZE / 2
    radius = centre - 110
    pos = {}
    for i, n in enumerate(nodes):
        angle = 2 * math.pi * i / len(nodes) - math.pi / 2
        pos[n["id"]] = (centre + radius * math.cos(angle), centre + radius * math.sin(angle), angle)
    edges = [e for e in graph["edges"] if e["source"] in pos and e["target"] in pos and e["source"] != e["target"]]
    peak_edge = max((e["weight"] for e in edges), default=1)
    peak_node = max(n["sent"] + n["received"] for n in nodes) or 1
    parts = [f'<svg class="graph-chart" viewBox="0 0 {size} {size}" role="img" aria-labelledby="graph-desc" '
             f'xmlns="http://www.w3.org/2000/svg">',
             f'<desc id="graph-desc">{escape(t("graph_desc", n=len(nodes), e=len(edges)))}</desc>']
    for e in sorted(edges, key=lambda e: e["weight"]):
        (x1, y1, _), (x2, y2, _) = pos[e["source"]], pos[e["target"]]
        w = 0.5 + 5 * e["weight"] / peak_edge
        parts.append(f'<line class="edge" x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
                     f'stroke-width="{w:.1f}"><title>{e["weight"]}</title></line>')
    for n in nodes:
        x, y, angle = pos[n["id"]]
        r = 3 + 9 * math.sqrt((n["sent"] + n["received"]) / peak_node)
        label = escape(t("graph_node", name=n["name"], sent=n["sent"], received=n["received"]))
        right = math.cos(angle) >= 0
        tx = x + (r + 4) * (1 if right else -1)
        anchor = "start" if right else "end"
        parts.append(f'<a href="/people/{n["id"]}" aria-label="{label}"><title>{label}</title>'
                     f'<circle class="node" cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}"/>'
                     f'<text class="name" x="{tx:.1f}" y="{y + 4:.1f}" text-anchor="{anchor}">'
                     f'{escape(n["name"][:24])}</text></a>')
    parts.append("</svg>")
    return Markup("".join(parts)), nodes


def dupes_page(request: Request) -> Response:
    """The duplicates entry page: a document id goes to its copies."""
    doc = request.query_params.get("doc", "").strip()
    if doc:
        return RedirectResponse(f"/dupes/{quote_path(doc)}?ui={ui_lang(request)}", status_code=303)
    return render(request, "dupes.html", found=None, copies=[])


def dupes_doc_page(request: Request) -> Response:
    """A document and one of its copies in other releases side by side (`?with=` picks the copy,
    default the most similar), with the differences of every copy, redactions marked."""
    archive = archive_of(request)
    found = archive.dupes(request.path_params["doc_id"])
    if found is None:
        return render(request, "error.html", status_code=404, message_key="not_found")
    others = [d["doc_id"] for d in found["duplicates"]]
    chosen = request.query_params.get("with", "").strip().upper()
    ids = [found["doc_id"]] + ([chosen] if chosen in others else others[:1])
    copies = []
    for doc_id in ids:
        doc = archive.document(doc_id)
        if doc is not None:
            d = doc.to_dict(text=False)
            copies.append({"doc_id": doc_id, "release": d.get("release"), "disposition": d.get("disposition"),
                           "exemptions": d.get("exemptions"), "text": doc.text})
    return render(request, "dupes.html", found=found, copies=copies, redaction=is_redaction)


def is_redaction(difference: str) -> bool:
    """Whether a difference line from `Archive.dupes` is about what was withheld (exemptions or
    disposition) rather than about the text."""
    return difference.startswith(("exemptions:", "disposition:"))
