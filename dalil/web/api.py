"""The JSON API.  Each endpoint returns the same JSON contract as the matching CLI command."""
from __future__ import annotations

from typing import Any, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse

from dalil import Archive, DocumentView, QueryError, TraceReport, parse_query
from dalil.model import Deadline, Limits
from dalil.web import insights
from dalil.web.article import article_text
from dalil.web.errors import ApiError
from dalil.web.limits import admit, limits_of, run_heavy
from dalil.web.auth import archive_of

MODES = ("lexical", "dense", "hybrid")


def _int_param(request: Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, "bad_parameter", f"{name} must be an integer, got {raw!r}") from None
    if not low <= value <= high:
        raise ApiError(400, "bad_parameter", f"{name} must be between {low} and {high}")
    return value


def search_params(request: Request) -> dict:
    """Validated search parameters: q, limit, offset and the optional mode and lang."""
    q = request.query_params.get("q", "").strip()
    if not q:
        raise ApiError(400, "bad_query", "bad query: empty query (give q=…)")
    check_query(q, limits_of(request))
    params = {"query": q, "limit": _int_param(request, "limit", 10, 1, 1000),
              "offset": _int_param(request, "offset", 0, 0, 1_000_000)}
    mode = request.query_params.get("mode")
    if mode:
        if mode not in MODES:
            raise ApiError(400, "bad_parameter", f"mode must be one of {', '.join(MODES)}")
        params["mode"] = mode
    lang = request.query_params.get("lang")
    if lang:
        params["lang"] = lang
    return params


def check_query(q: str, limits: Limits) -> None:
    """ApiError (400) for a query over its limits or malformed: checked before the client's rates
    are counted and before any search work."""
    try:
        parse_query(q, limits)
    except QueryError as exc:
        raise ApiError(400, "bad_query", f"bad query: {exc}") from None


def run_search(archive: Archive, params: dict, search: Callable[..., Any] | None = None) -> Any:
    """`search` (default `archive.search`) called with the request's parameters; a bad query or a
    mode the archive cannot serve becomes an ApiError (400)."""
    try:
        return (search or archive.search)(**params)
    except QueryError as exc:
        raise ApiError(400, "bad_query", f"bad query: {exc}") from None
    except RuntimeError as exc:
        if params.get("mode") in ("dense", "hybrid"):    # the archive has no vectors for this mode
            raise ApiError(400, "mode_unavailable", str(exc).splitlines()[0]) from None
        raise




async def api_search(request: Request) -> JSONResponse:
    """Search the archive; the body is the JSON contract of `dalil search --json`.  Runs on the
    searches' own thread pool (see dalil/web/app.py), within the limits of dalil/web/limits.py."""
    params = search_params(request)
    admit(request, "search")
    body = await run_heavy(request, "search", search_json, archive_of(request), params,
                           limiter=request.app.state.search_limiter, deadline=True)
    return JSONResponse(body)


def search_json(archive: Archive, params: dict, deadline: Deadline | None = None) -> dict:
    """The search's JSON; past `deadline` its later stages are left out and it says `"partial": true`."""
    return run_search(archive, {**params, "deadline": deadline} if deadline else params).to_dict()


def find_document(archive: Archive, doc_id: str) -> DocumentView:
    """The document `doc_id`, or ApiError (404)."""
    doc = archive.document(doc_id) if doc_id.strip() else None
    if doc is None:
        raise ApiError(404, "not_found", f"no document {doc_id}")
    return doc


def api_document(request: Request) -> JSONResponse:
    """One document; the JSON contract of `dalil show --json`."""
    doc = find_document(archive_of(request), request.path_params["doc_id"])
    return JSONResponse(doc.to_dict())


def api_duplicates(request: Request) -> JSONResponse:
    """Other documents carrying the same email."""
    archive = archive_of(request)
    doc = find_document(archive, request.path_params["doc_id"])
    return JSONResponse(insights.duplicates(archive, doc.doc_id))


def api_status(request: Request) -> JSONResponse:
    """Counts by status, release and format, and the failed inputs (`dalil status --json`)."""
    return JSONResponse(archive_of(request).status())


async def api_trace(request: Request) -> JSONResponse:
    """Trace an article (text or HTML in the body) to its sources; the JSON of `dalil trace --json`."""
    archive = archive_of(request)
    admit(request, "trace")
    text = await article_text(request)
    report = await run_heavy(request, "trace", run_trace, archive, text, deadline=True)
    return JSONResponse(report.to_dict())


def run_trace(archive: Archive, text: str, progress=None, deadline: Deadline | None = None) -> TraceReport:
    """The trace report of an article (the claims traced by `deadline`: `partial`), or ApiError
    (422) when the tracer refuses it; `progress(claims traced, claims)` as it goes."""
    try:
        return archive.trace(text, progress=progress, deadline=deadline)
    except ValueError as exc:     # the tracer's refusal of an input (no claims, garbage, …)
        raise ApiError(422, "bad_article", str(exc).splitlines()[0] if str(exc) else "unusable article") from None
