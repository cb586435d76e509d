"""The server-rendered pages: search, document, trace and archive status."""
from __future__ import annotations

import re
from urllib.parse import quote as quote_path

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from dalil import QUERY_FILTER_KEYWORDS, QUERY_FILTERS, Archive, ClaimResult, DocumentView, Evidence, TraceReport
from dalil.model import Deadline
from dalil.web import insights, kept
from dalil.web.api import check_query, run_search, run_trace
from dalil.web.article import article_text
from dalil.web.errors import ApiError
from dalil.web.limits import admit, limits_of, run_heavy
from dalil.web.render import char_range, clip_spans, shared_term_spans, timeline_svg
from dalil.web.security import iframe_document, safe_filename
from dalil.web.templating import render, ui_lang
from dalil.web.auth import archive_of

PAGE_SIZE = 20
# Every filter keyword, English or Arabic (longest first, so that no keyword stops inside another).
FILTER_TOKEN = re.compile(r'(?<!\S)-?(?:' + "|".join(sorted(map(re.escape, QUERY_FILTER_KEYWORDS), key=len, reverse=True))
                          + r'):(?:"[^"]*"|\S+)')


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
            "modes": ("lexical", "hybrid", "dense") if archive_of(request).has_vectors() else ("lexical",)}


def _search_page(request: Request, deadline: Deadline | None = None) -> Response:
    ctx = _search_context(request)
    q = ctx["q"]
    archive = archive_of(request)
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
    from dalil.web.work import export_links
    exports = export_links({"q": q, "mode": ctx["mode"], "lang": ctx["lang"]}, result.total + result.related_total)
    return render(request, "search.html", result=result, offset=offset, page_size=PAGE_SIZE, exports=exports,
                  timeline=timeline_svg(months, q, _translator(ui), ui),
                  people=insights.top_correspondents(archive, found) if panels else [],
                  filters=FILTER_TOKEN.findall(q), facet_token=facet_token, person_token=person_token,
                  refine=lambda token: _refine(q, token),
                  unfilter=lambda token: _unfilter(q, token), read=kept.read_of(archive, result.hits), **ctx)


def _translator(ui: str):
    from dalil.web.i18n import Translator
    return Translator(ui)


def facet_token(field: str, value: str) -> str:
    """The query filter a facet value stands for."""
    if field == "year":
        return f"after:{value}-01-01 before:{int(value) + 1}-01-01"
    name = {"sender": "from", "release": "release", "exemption": "exemption", "lang": "lang",
            "mentions_person": "mentions", "mentions_org": "mentions", "mentions_place": "mentions"}[field]
    return f'{name}:"{value}"' if re.search(r'[\s:"]', value) else f"{name}:{value}"


def person_token(facet: str, person_id: int) -> str:
    """The query filter a person facet value stands for: that one person (dalil.search.persons),
    so that the link opens exactly the documents the facet counted."""
    return f"{ {'sender': 'from', 'recipient': 'to'}[facet]}:#{int(person_id)}"


def _refine(q: str, token: str) -> str:
    return q if token in q else f"{q} {token}"


def _unfilter(q: str, token: str) -> str:
    return re.sub(r"\s+", " ", q.replace(token, " ")).strip()


def _document_context(request: Request):
    """The document of the path, the hits of `q` in its text, and the cited passage of
    `start`/`end` (UTF-8 byte offsets of the stored text, as trace reports and snippets give
    them): (doc, q, spans, cited) where cited is {start, end, chars, ok}; None for no document."""
    archive = archive_of(request)
    doc = archive.document(request.path_params["doc_id"])
    if doc is None:
        return None
    q = request.query_params.get("q", "").strip()
    spans: list[tuple[int, int]] = []
    if q:
        try:
            spans = insights.highlight_spans(archive, q, doc.text)
        except ValueError:
            spans = []
    cited = None
    start, end = request.query_params.get("start", ""), request.query_params.get("end", "")
    if start.isdigit() and end.isdigit():
        chars = char_range(doc.text, int(start), int(end))
        cited = {"start": int(start), "end": int(end), "chars": chars, "ok": chars is not None,
                 "params": f"start={int(start)}&end={int(end)}"}
    return doc, q, spans, cited


def document_page(request: Request) -> Response:
    found = _document_context(request)
    if found is None:
        return render(request, "error.html", status_code=404, message_key="not_found")
    doc, q, spans, cited = found
    archive = archive_of(request)
    pages = _pages(doc, spans, cited["chars"] if cited else None)
    html_frame = iframe_document(doc.row["html"]) if doc.row.get("html") else None
    return render(request, "document.html", doc=doc, d=doc.to_dict(text=False), pages=pages, q=q,
                  hit_count=len(spans), html_frame=html_frame, cite=archive.cite(doc.doc_id),
                  dupes=insights.duplicates(archive, doc.doc_id)["duplicates"], kept=kept.document_kept(archive, doc.doc_id),
                  mentions=archive.mentions(doc.doc_id)[:60], cited=_cited_view(cited, pages))


def page_view(request: Request) -> Response:
    """One page of a document alone (its number, status, codes and text), with the hits of `q`
    and the cited passage of `start`/`end` marked, and links to the pages before and after."""
    found = _document_context(request)
    raw = request.path_params["number"]
    if found is None or not raw.isdigit():
        return render(request, "error.html", status_code=404, message_key="not_found")
    doc, q, spans, cited = found
    pages = _pages(doc, spans, cited["chars"] if cited else None)
    page = next((p for p in pages if p["number"] == int(raw)), None)
    if page is None:
        return render(request, "error.html", status_code=404, message_key="not_found")
    return render(request, "page.html", doc=doc, d=doc.to_dict(text=False), p=page, q=q, count=len(pages),
                  cited=_cited_view(cited, [page]))


def _cited_view(cited: dict | None, pages: list[dict]) -> dict | None:
    """The cited passage as the templates show it: its byte range, the pages it is on, whether
    it is inside the document, and the link parameters that keep it marked."""
    if cited is None:
        return None
    return {**cited, "pages": [p["number"] for p in pages if p.get("cited")]}


def _pages(doc: DocumentView, spans: list[tuple[int, int]], cited: tuple[int, int] | None = None) -> list[dict]:
    """The document's text page by page, each with the hits and the piece of the cited range on
    it (relative to the page's shown text); the first piece carries the id "cited"."""
    text = doc.text
    rows = doc.row["pages"] or [{"number": 1, "start": 0, "end": len(text), "status": "text", "exemptions": []}]
    out, covered = [], 0
    for p in rows:
        start, end = p["start"], p["end"]
        out.append({"number": p["number"], "status": p["status"], "exemptions": p["exemptions"],
                    "text": text[start:end].strip("\f"), "spans": _shift_for_strip(text, start, end, spans),
                    "cited": _cited_piece(text, start, end, cited)})
        covered = max(covered, end)
    if covered < len(text.rstrip("\f\n ")):   # text after the last page marker is still shown
        out.append({"number": len(rows) + 1, "status": "text", "exemptions": [], "text": text[covered:],
                    "spans": clip_spans(spans, covered, len(text)),
                    "cited": next(iter(clip_spans([cited], covered, len(text))), None) if cited else None})
    first = next((p for p in out if p["cited"]), None)
    for p in out:
        p["cited_id"] = "cited" if p is first else None
    return out


def _cited_piece(text: str, start: int, end: int, cited: tuple[int, int] | None) -> tuple[int, int] | None:
    """The part of the cited range on the page [start, end), relative to its shown (stripped) text."""
    if not cited:
        return None
    segment = text[start:end]
    lead, shown = len(segment) - len(segment.lstrip("\f")), len(segment.strip("\f"))
    for s, e in clip_spans([cited], start, end):
        s, e = max(s - lead, 0), min(e - lead, shown)
        if s < e:
            return s, e
    return None


def _shift_for_strip(text: str, start: int, end: int, spans) -> list[tuple[int, int]]:
    lead = len(text[start:end]) - len(text[start:end].lstrip("\f"))
    return [(s - lead, e - lead) for s, e in clip_spans(spans, start, end) if s >= lead]


def original_file(request: Request) -> Response:
    doc = archive_of(request).document(request.path_params["doc_id"])
    if doc is None:
        return render(request, "error.html", status_code=404, message_key="not_found")
    name = safe_filename(doc.row.get("path") or "", fallback=safe_filename(doc.doc_id) + ".txt")
    return Response(doc.raw_bytes(), media_type="application/octet-stream",
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "Cache-Control": "no-store"})


# An article longer than this is traced as a job (its page shows the claims traced so far):
# its claims can take longer than one request's time budget.
TRACE_JOB_CHARS = 1500


async def trace_page(request: Request) -> Response:
    archive = archive_of(request)
    if request.method == "GET":
        return render(request, "trace.html")
    from dalil.web.work import jobs_of, keep_trace
    try:
        text = await article_text(request)
        if len(text) > TRACE_JOB_CHARS:
            def work(job) -> dict:
                report = run_trace(archive, text, progress=job.progress)
                passages = Archive.trace_passages(report)
                return {"report": trace_view(report), "passages": passages, "rows": len(passages)}
            title = text.strip().splitlines()[0][:80]
            job_id = jobs_of(request).start(request, "trace", title, None, work, rate="trace")
            return RedirectResponse(f"/jobs/{job_id}?ui={ui_lang(request)}", status_code=303)
        admit(request, "trace")
        report = await run_heavy(request, "trace", run_trace, archive, text, deadline=True)
    except ApiError as exc:
        page = render(request, "trace.html", status_code=exc.status,
                      error=exc.message if exc.code != "empty" else None, empty=exc.code == "empty")
        page.headers.update(exc.headers)
        return page
    view = trace_view(report)
    job_id = keep_trace(request, view, Archive.trace_passages(report))
    return trace_report_page(request, view, job_id,
                             article=None if getattr(request.state, "article_file", None) else text)


def trace_report_page(request: Request, view: dict, job_id: str, article: str | None = None) -> Response:
    """The trace page with a report, its export buttons on the kept report `job_id`."""
    exports = {f: f"/jobs/{job_id}/export?format={f}" for f in ("csv", "jsonl", "zip")}
    return render(request, "trace.html", report=view, article=article, exports=exports)


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
            # The passage opens marked: in the whole text, and alone on its page.
            doc, cited = f"/documents/{quote_path(ev['doc_id'])}", f"start={ev['start']}&end={ev['end']}"
            ev["href"] = f"{doc}?{cited}#cited"
            ev["page_href"] = f"{doc}/pages/{ev['page']}?{cited}#cited" if ev["page"] else None
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
    return render(request, "status.html", s=archive_of(request).status())
