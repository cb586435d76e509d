"""Results that leave the tool, over HTTP: exports of a result set (streamed), citations, batch search."""
from __future__ import annotations

from typing import Iterator

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse

from dalil import Archive, QueryError
from dalil.web.api import MODES, _int_param, check_query
from dalil.web.article import decode, read_limited
from dalil.web.errors import ApiError
from dalil.web.limits import admit, limits_of, run_heavy
from dalil.web.security import safe_filename
from dalil.web.auth import archive_of

FORMATS = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson; charset=utf-8",
           "zip": "application/zip"}
BATCH_MAX_BYTES = 1024 * 1024
BATCH_MAX_ROWS = 1000


def export_args(request: Request, p) -> tuple[str, dict, str]:
    """(format, keyword arguments of `Archive.export`, file name stem) of an export request's
    parameters `p` (a query string or a form): one of q, person, person_id, thread."""
    fmt = p.get("format", "csv")
    if fmt not in FORMATS:
        raise ApiError(400, "bad_parameter", f"format must be one of {', '.join(FORMATS)}")
    q, person, thread = p.get("q", "").strip(), p.get("person", "").strip(), p.get("thread", "").strip()
    person_id = p.get("person_id", "").strip()
    if sum(bool(x) for x in (q, person, person_id, thread)) != 1:
        raise ApiError(400, "bad_query", "give one of q=…, person=…, person_id=… or thread=…")
    if person_id and not person_id.isdigit():
        raise ApiError(400, "bad_parameter", "person_id must be the number of a person (as in /people/<id>)")
    mode = p.get("mode") or None
    if mode and mode not in MODES:
        raise ApiError(400, "bad_parameter", f"mode must be one of {', '.join(MODES)}")
    if q:
        check_query(q, limits_of(request))
    kwargs = {"query": q or None, "person": person or None, "thread": thread or None, "mode": mode,
              "lang": p.get("lang") or None, "person_id": int(person_id) if person_id else None}
    name = safe_filename(q or person or thread or f"person-{person_id}", fallback="export")[:60] or "export"
    return fmt, kwargs, name


async def api_export(request: Request) -> Response:
    """Every hit of `q` (or the messages of `person` or `person_id`, or the thread of `thread`)
    as CSV, JSONL or a ZIP of the documents' text with manifest.json, streamed: memory stays
    bounded whatever the size.  The row count is in the `X-Total-Count` header."""
    fmt, kwargs, name = export_args(request, request.query_params)
    mode = kwargs["mode"]
    # The ranking behind an export is a search: the same rates, places and time budget.
    admit(request, "search")
    archive: Archive = archive_of(request)
    try:
        export = await run_heavy(request, "search", lambda: archive.export(**kwargs))
    except QueryError as exc:
        raise ApiError(400, "bad_query", f"bad query: {exc}") from None
    except LookupError as exc:
        raise ApiError(404, "not_found", str(exc).strip("'\"")) from None
    except RuntimeError as exc:
        if mode in ("dense", "hybrid"):
            raise ApiError(400, "mode_unavailable", str(exc).splitlines()[0]) from None
        raise
    # A sync iterator: Starlette pulls each chunk on a worker thread, so the store's reads never
    # block the event loop, and a client that stops reading stops the export.
    body: Iterator[bytes] = archive.write_export(export, fmt)
    return StreamingResponse(body, media_type=FORMATS[fmt], headers={
        "Content-Disposition": f'attachment; filename="dalil-{name}.{fmt}"',
        "X-Total-Count": str(export.total), "Cache-Control": "no-store"})


def api_cite(request: Request) -> Response:
    """A citation of a document (`page`, or a character range `start`/`end`): JSON {plain,
    markdown, url, fields}, or `format=text` / `format=markdown` for the citation alone."""
    page = _int_param(request, "page", 0, 0, 100_000) or None
    start = _int_param(request, "start", -1, -1, 10**9)
    end = _int_param(request, "end", -1, -1, 10**9)
    c = archive_of(request).cite(request.path_params["doc_id"], page=page,
                                       start=start if start >= 0 else None, end=end if end >= 0 else None)
    if c is None:
        raise ApiError(404, "not_found", f"no document {request.path_params['doc_id']}")
    fmt = request.query_params.get("format", "json")
    if fmt == "text":
        return PlainTextResponse(c["plain"])
    if fmt == "markdown":
        return PlainTextResponse(c["markdown"], media_type="text/markdown; charset=utf-8")
    if fmt != "json":
        raise ApiError(400, "bad_parameter", "format must be json, text or markdown")
    return JSONResponse(c)


async def api_batch(request: Request) -> Response:
    """Batch search: a CSV of queries (raw body, or a multipart upload `file`; at most 1 MB and
    1,000 queries, else 413) → CSV of query, total, related, top (`top=N` ids, default 5); with
    `job=1`, a job (202 and its JSON) whose result is that CSV."""
    top = _int_param(request, "top", 5, 0, 100)
    mode = request.query_params.get("mode") or None
    if mode and mode not in MODES:
        raise ApiError(400, "bad_parameter", f"mode must be one of {', '.join(MODES)}")
    body = await read_limited(request, BATCH_MAX_BYTES)
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    text = await _uploaded_csv(request, body) if ctype == "multipart/form-data" else decode(body)
    queries = Archive.read_queries(text.lstrip("\ufeff"))
    check_batch(request, queries)
    if request.query_params.get("job") == "1":
        # As a job: 202 at once with the job (Location: /api/jobs/<id>), whatever the list's length.
        from dalil.web.jobs import public
        from dalil.web.work import jobs_of, start_batch
        job_id = start_batch(request, queries, top, mode)
        return JSONResponse(public(jobs_of(request).get(job_id)), status_code=202,
                            headers={"Location": f"/api/jobs/{job_id}"})
    archive: Archive = archive_of(request)

    def answer() -> str:
        return "".join(Archive.batch_csv(archive.batch(queries, top=top, mode=mode)))

    # A batch is many searches: it takes a search place and the request's time budget (a list
    # longer than the budget allows belongs to `dalil batch`, which has no budget).
    admit(request, "search")
    try:
        out = await run_heavy(request, "search", answer)
    except QueryError as exc:
        raise ApiError(400, "bad_query", f"bad query: {exc}") from None
    return Response(out, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="dalil-batch.csv"'})


def check_batch(request: Request, queries: list[str]) -> None:
    """ApiError when a batch has no query (400), more than BATCH_MAX_ROWS (413), or a query over
    the query limits (400), before any search runs."""
    if not queries:
        raise ApiError(400, "empty", "no query in the uploaded list")
    if len(queries) > BATCH_MAX_ROWS:
        raise ApiError(413, "too_large", f"{len(queries)} queries; at most {BATCH_MAX_ROWS} per batch")
    for q in queries:
        try:
            check_query(q, limits_of(request))
        except ApiError as exc:
            raise ApiError(exc.status, exc.code, f"{q[:60]!r}: {exc.message}") from None


async def _uploaded_csv(request: Request, body: bytes) -> str:
    async def replay():
        return {"type": "http.request", "body": body, "more_body": False}

    form = await Request(request.scope, replay).form(max_files=1, max_fields=10)
    upload = form.get("file")
    if upload is not None and not isinstance(upload, str):
        return decode(await upload.read())
    text = form.get("queries")
    return text if isinstance(text, str) else ""
