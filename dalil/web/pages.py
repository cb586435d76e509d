"""The server-rendered pages: search, document, trace and archive status."""
from __future__ import annotations

import re
from urllib.parse import quote as quote_path

from starlette.requests import Request
from starlette.responses import Response

from dalil import QUERY_FILTERS, ClaimResult, DocumentView, Evidence, TraceReport
from dalil.model import Deadline
from dalil.web import insights
from dalil.web.api import check_query, run_search, run_trace
from dalil.web.article import article_text
from dalil.web.errors import ApiError
from dalil.web.limits import admit, limits_of, run_heavy
from dalil.web.render import clip_spans, shared_term_spans, timeline_svg
from dalil.web.security import iframe_document, safe_filename
from dalil.web.templating import render, ui_lang

PAGE_SIZE = 20
FILTER_TOKEN = re.compile(r'(?<!\S)-?(?:' + "|".join(QUERY_FILTERS) + r'):(?:"[^"]*"|\S+)')


async def search_page(request: Request) -> Response:
    """The search page; a search counts as a heavy request (dalil/web/limits.py)."""
    ctx = _search_context(request)
    if not ctx["q"]:
        return render(request, "search.html", **ctx)
    try:
        check_query(ctx["q"], limits_of(request))
    except ApiError as exc:
        return render(request, "search.html", status_code=400, error=exc.message, **ctx)
    admit(request, "search")
    # The page waits for a search place like the API, then runs on the shared thread pool (its
    # facets and timeline are more than a search).
    return await run_heavy(request, "search", _search_page, request, deadline=True)


def _search_context(request: Request) -> dict:
    return {"q": request.query_params.get("q", "").strip(), "mode": request.query_params.get("mode", ""),
            "lang": request.query_params.get("lang", ""),
            "modes": ("lexical", "hybrid", "dense") if request.app.state.archive.has_vectors() else ("lexical",)}


def _search_page(request: Request, deadline: Deadline | None = None) -> Response:
    ctx = _search_context(request)
    q = ctx["q"]
    archive = request.app.state.archive
    try:
        offset = max(0, int(request.query_params.get("offset", 0) or 0))
    except ValueError:
        offset = 0
    params = {"query": q, "limit": PAGE_SIZE, "offset": offset}
    if ctx["mode"] in ("lexical", "dense", "hybrid"):
        params["mode"] = ctx["mode"]
    if ctx["lang"]:
        params["lang"] = ctx["lang"]
    if deadline is not None:
        params["deadline"] = deadline
    try:
        found = run_search(archive, params, archive.search_set)
    except ApiError as exc:
        return render(request, "search.html", status_code=400, error=exc.message, **ctx)
    ui = ui_lang(request)
    result = found.result
    # The panels beside the results are stages too: left out once the budget has run out.
    panels = result.total and not (deadline is not None and deadline.passed())
    if result.total and not panels:
        result.partial = True
    months = insights.months(archive, found) if panels else {}
    return render(request, "search.html", result=result, offset=offset, page_size=PAGE_SIZE,
                  timeline=timeline_svg(months, q, _translator(ui), ui),
                  people=insights.top_correspondents(archive, found) if panels else [],
                  filters=FILTER_TOKEN.findall(q), facet_token=facet_token, refine=lambda token: _refine(q, token),
                  unfilter=lambda token: _unfilter(q, token), **ctx)


def _translator(ui: str):
    from dalil.web.i18n import Translator
    return Translator(ui)


def facet_token(field: str, value: str) -> str:
    """The query filter a facet value stands for."""
    if field == "year":
        return f"after:{value}-01-01 before:{int(value) + 1}-01-01"
    name = {"sender": "from", "release": "release", "exemption": "exemption", "lang": "lang"}[field]
    return f'{name}:"{value}"' if re.search(r'[\s:"]', value) else f"{name}:{value}"


def _refine(q: str, token: str) -> str:
    return q if token in q else f"{q} {token}"


def _unfilter(q: str, token: str) -> str:
    return re.sub(r"\s+", " ", q.replace(token, " ")).strip()


def document_page(request: Request) -> Response:
    archive = request.app.state.archive
    doc = archive.document(request.path_params["doc_id"])
    if doc is None:
        return render(request, "error.html", status_code=404, message_key="not_found")
    q = request.query_params.get("q", "").strip()
    spans: list[tuple[int, int]] = []
    if q:
        try:
            spans = insights.highlight_spans(archive, q, doc.text)
        except ValueError:
            spans = []
    pages = _pages(doc, spans)
    html_frame = iframe_document(doc.row["html"]) if doc.row.get("html") else None
    return render(request, "document.html", doc=doc, d=doc.to_dict(text=False), pages=pages, q=q,
                  hit_count=len(spans), html_frame=html_frame, cite=archive.cite(doc.doc_id),
                  dupes=insights.duplicates(archive, doc.doc_id)["duplicates"])


def _pages(doc: DocumentView, spans: list[tuple[int, int]]) -> list[dict]:
    text = doc.text
    rows = doc.row["pages"] or [{"number": 1, "start": 0, "end": len(text), "status": "text", "exemptions": []}]
    out, covered = [], 0
    for p in rows:
        start, end = p["start"], p["end"]
        out.append({"number": p["number"], "status": p["status"], "exemptions": p["exemptions"],
                    "text": text[start:end].strip("\f"), "spans": _shift_for_strip(text, start, end, spans)})
        covered = max(covered, end)
    if covered < len(text.rstrip("\f\n ")):   # text after the last page marker is still shown
        out.append({"number": len(rows) + 1, "status": "text", "exemptions": [], "text": text[covered:],
                    "spans": clip_spans(spans, covered, len(text))})
    return out


def _shift_for_strip(text: str, start: int, end: int, spans) -> list[tuple[int, int]]:
    lead = len(text[start:end]) - len(text[start:end].lstrip("\f"))
    return [(s - lead, e - lead) for s, e in clip_spans(spans, start, end) if s >= lead]


def original_file(request: Request) -> Response:
    doc = request.app.state.archive.document(request.path_params["doc_id"])
    if doc is None:
        return render(request, "error.html", status_code=404, message_key="not_found")
    name = safe_filename(doc.row.get("path") or "", fallback=safe_filename(doc.doc_id) + ".txt")
    return Response(doc.raw_bytes(), media_type="application/octet-stream",
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "Cache-Control": "no-store"})


async def trace_page(request: Request) -> Response:
    archive = request.app.state.archive
    if request.method == "GET":
        return render(request, "trace.html")
    try:
        admit(request, "trace")
        text = await article_text(request)
        report = await run_heavy(request, "trace", run_trace, archive, text, deadline=True)
    except ApiError as exc:
        page = render(request, "trace.html", status_code=exc.status,
                      error=exc.message if exc.code != "empty" else None, empty=exc.code == "empty")
        page.headers.update(exc.headers)
        return page
    return render(request, "trace.html", report=trace_view(report),
                  article=None if getattr(request.state, "article_file", None) else text)


def trace_view(report: TraceReport) -> dict:
    """The report's JSON with, for display, the matched spans on both sides and each claim's direction."""
    view = report.to_dict()
    view["notes"] = [str(n) for n in report.notes]
    for claim, result in zip(view["claims"], report.claims):
        lang = result.claim.lang
        claim["lang"] = lang if lang and lang != "und" else view["article"].get("lang")
        claim["spans"] = _matched_claim_spans(result) or shared_term_spans(
            claim["text"], " ".join(e["quote"] or "" for e in claim["evidence"]))
        # A claim not found shows its first evidence item only: the JSON lists a prefix of `evidence`.
        for ev, source in zip(claim["evidence"], result.evidence):
            ev["quote_spans"] = _matched_quote_spans(source) or shared_term_spans(ev["quote"] or "", claim["text"])
            ev["href"] = f"/documents/{quote_path(ev['doc_id'])}" + (f"#page-{ev['page']}" if ev["page"] else "")
    return view


def _matched_claim_spans(result: ClaimResult) -> list[tuple[int, int]]:
    """Where the claim's terms were matched in its first evidence item (the claim side)."""
    if not result.evidence:
        return []
    return [(t.start, t.end) for t, _ in result.evidence[0].matched]


def _matched_quote_spans(source: Evidence) -> list[tuple[int, int]]:
    """The matched spans of an evidence item that fall inside its quote, relative to the quote."""
    a, b = source.char_start, source.char_end
    return [(s - a, e - a) for _, (s, e) in source.matched if a <= s and e <= b]


def status_page(request: Request) -> Response:
    return render(request, "status.html", s=request.app.state.archive.status())
