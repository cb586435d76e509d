"""The pages of long work: the batch search upload, exports of big result sets, and the job
pages that follow them (dalil/web/jobs.py runs the jobs); the export of a trace report."""
from __future__ import annotations

import csv
import io
from typing import Any, Iterator
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response, StreamingResponse

from dalil import Archive
from dalil.web.api import MODES
from dalil.web.article import decode, read_limited
from dalil.web.errors import ApiError
from dalil.web.exports import BATCH_MAX_BYTES, BATCH_MAX_ROWS, FORMATS, check_batch, export_args
from dalil.web.jobs import Job, Jobs, public
from dalil.web.security import safe_filename
from dalil.web.templating import render, ui_lang
from dalil.web.auth import archive_of, user_of

# A result set up to this many rows downloads at once from its page's buttons (/api/export);
# a bigger one is exported by a job whose page shows its progress.
EXPORT_DIRECT_ROWS = 1000
BATCH_TOP = 5


def jobs_of(request: Request) -> Jobs:
    return request.app.state.jobs


def _to_job(request: Request, job_id: str) -> RedirectResponse:
    return RedirectResponse(f"/jobs/{job_id}?ui={ui_lang(request)}", status_code=303)


# --- batch search -----------------------------------------------------------------------------
def text_queries(text: str, csv_file: bool) -> list[str]:
    """The queries of an upload: a CSV file by its `query` (else first) column, as `dalil batch`
    reads it; a text file or the pasted list one query a line (a name with a comma stays whole)."""
    text = text.lstrip("\ufeff")
    if csv_file:
        return Archive.read_queries(text)
    return [line.strip() for line in text.splitlines() if line.strip()]


async def batch_page(request: Request) -> Response:
    """GET: the upload form.  POST (a multipart form: `queries` pasted, or a `file` .csv/.txt;
    `top`, `mode`): the batch starts as a job and the answer is its page."""
    archive: Archive = archive_of(request)
    modes = ("lexical", "hybrid", "dense") if archive.has_vectors() else ("lexical",)
    if request.method == "GET":
        return render(request, "batch.html", modes=modes, top=BATCH_TOP, max_rows=BATCH_MAX_ROWS)
    try:
        queries, top, mode = await _batch_form(request)
        check_batch(request, queries)
        job_id = start_batch(request, queries, top, mode)
    except ApiError as exc:
        page = render(request, "batch.html", status_code=exc.status, error=exc.message, modes=modes,
                      top=BATCH_TOP, max_rows=BATCH_MAX_ROWS)
        page.headers.update(exc.headers)
        return page
    return _to_job(request, job_id)


def start_batch(request: Request, queries: list[str], top: int, mode: str | None) -> str:
    """Start a batch job over checked `queries`; its id.  Each answer is on disk as it comes."""
    archive: Archive = archive_of(request)

    def work(job: Job) -> dict[str, Any]:
        with open(job.out, "w", encoding="utf-8", newline="") as fh:
            for n, line in enumerate(Archive.batch_csv(archive.batch(queries, top=top, mode=mode))):
                fh.write(line)
                job.progress(n, len(queries))
        return {"file": "dalil-batch.csv", "media": "text/csv; charset=utf-8", "rows": len(queries)}

    title = " · ".join(q[:40] for q in queries[:3]) + (" …" if len(queries) > 3 else "")
    return jobs_of(request).start(request, "batch", title, len(queries), work)


async def _batch_form(request: Request) -> tuple[list[str], int, str | None]:
    body = await read_limited(request, BATCH_MAX_BYTES)

    async def replay():
        return {"type": "http.request", "body": body, "more_body": False}

    form = await Request(request.scope, replay).form(max_files=1, max_fields=10)
    upload = form.get("file")
    if upload is not None and not isinstance(upload, str) and upload.filename:
        name = upload.filename.lower()
        queries = text_queries(decode(await upload.read()), csv_file=not name.endswith((".txt", ".text")))
    else:
        pasted = form.get("queries")
        queries = text_queries(pasted if isinstance(pasted, str) else "", csv_file=False)
    raw_top = str(form.get("top") or BATCH_TOP)
    if not raw_top.isdigit() or not 0 <= int(raw_top) <= 100:
        raise ApiError(400, "bad_parameter", "top must be a number from 0 to 100")
    mode = str(form.get("mode") or "") or None
    if mode and mode not in MODES:
        raise ApiError(400, "bad_parameter", f"mode must be one of {', '.join(MODES)}")
    return queries, int(raw_top), mode


# --- exports ----------------------------------------------------------------------------------
async def export_start(request: Request) -> Response:
    """POST (a form: q | person | person_id | thread, format, mode, lang): the export runs as a
    job, its file kept for download from the job's page."""
    form = await request.form(max_files=0, max_fields=10)
    fmt, kwargs, name = export_args(request, form)
    archive: Archive = archive_of(request)

    def work(job: Job) -> dict[str, Any]:
        export = archive.export(**kwargs)
        job.progress(0, export.total)
        with open(job.out, "wb") as fh:
            for chunk in archive.write_export(export, fmt, progress=lambda done, total: job.progress(done, total)):
                fh.write(chunk)
        return {"file": f"dalil-{name}.{fmt}", "media": FORMATS[fmt], "rows": export.total}

    title = f"{fmt.upper()} · {kwargs['query'] or kwargs['person'] or kwargs['thread'] or '#' + str(kwargs['person_id'])}"
    return _to_job(request, jobs_of(request).start(request, "export", title, None, work))


def _owner(request: Request) -> str | None:
    user = user_of(request)
    return user.name if user is not None else None


def export_links(params: dict[str, Any], total: int | None) -> dict[str, Any]:
    """What a page's export buttons do: download at once (`href` per format, /api/export) for a
    set of at most EXPORT_DIRECT_ROWS rows, else start an export job (a form to /export)."""
    params = {k: v for k, v in params.items() if v not in (None, "")}
    if total is not None and total <= EXPORT_DIRECT_ROWS:
        return {"direct": {f: "/api/export?" + urlencode({**params, "format": f}) for f in FORMATS}}
    return {"job": params}


# --- trace reports ----------------------------------------------------------------------------
def keep_trace(request: Request, view: dict[str, Any], passages: dict[str, dict[str, Any]]) -> str:
    """Keep a trace report answered at once as a finished job, so that its export buttons work."""
    return jobs_of(request).record("trace", view["article"].get("title") or "trace",
                                   {"report": view, "passages": passages, "rows": len(passages)},
                                   owner=_owner(request))


def trace_export(request: Request) -> Response:
    """The source documents of a kept trace report (`/jobs/<id>/export?format=`), streamed."""
    state = _state(request)
    if state["kind"] != "trace" or state["state"] != "done":
        raise ApiError(404, "not_found", "this job has no trace report")
    fmt = request.query_params.get("format", "csv")
    if fmt not in FORMATS:
        raise ApiError(400, "bad_parameter", f"format must be one of {', '.join(FORMATS)}")
    archive: Archive = archive_of(request)
    passages = state["result"]["passages"]
    export = archive.export(doc_ids=list(passages), passages=passages, label=state["title"])
    body: Iterator[bytes] = archive.write_export(export, fmt)
    name = safe_filename(state["title"], fallback="trace")[:60] or "trace"
    return StreamingResponse(body, media_type=FORMATS[fmt], headers={
        "Content-Disposition": f'attachment; filename="dalil-trace-{name}.{fmt}"',
        "X-Total-Count": str(export.total), "Cache-Control": "no-store"})


# --- job pages --------------------------------------------------------------------------------
def _state(request: Request) -> dict[str, Any]:
    state = jobs_of(request).get(request.path_params["job_id"])
    user = user_of(request)
    if state is not None and user is not None and state.get("owner") != user.name:
        state = None            # another user's job: as if there were none
    if state is None:
        raise ApiError(404, "not_found", "no such job (unknown, or dropped: only the latest jobs are kept)")
    return state


def api_job(request: Request) -> Response:
    """A job's state as JSON: id, kind, state (queued, running, done, failed), done, total, error,
    and the links to its page and its result."""
    return JSONResponse(public(_state(request)), headers={"Cache-Control": "no-store"})


def job_page(request: Request) -> Response:
    """A job's page: its progress while it runs (polled by app.js), then its result: a batch's
    table, an export's download, a trace report."""
    state = _state(request)
    job = public(state)
    result = state.get("result") or {}
    if state["state"] == "done" and state["kind"] == "trace":
        from dalil.web.pages import trace_report_page
        return trace_report_page(request, result["report"], job["id"])
    rows = []
    if state["state"] == "done" and state["kind"] == "batch":
        rows = _batch_rows(jobs_of(request), state["id"])
    return render(request, "job.html", job=job, rows=rows)


def _batch_rows(jobs: Jobs, job_id: str) -> list[dict[str, Any]]:
    try:
        text = jobs.result_path(job_id).read_text(encoding="utf-8")
    except OSError:
        return []
    return [{**r, "top": r["top"].split()} for r in csv.DictReader(io.StringIO(text))]


def job_result(request: Request) -> Response:
    """A finished job's result file, as an attachment."""
    state = _state(request)
    result = state.get("result") or {}
    path = jobs_of(request).result_path(state["id"])
    if state["state"] != "done" or not result.get("file") or not path.exists():
        raise ApiError(404, "not_found", "this job has no result file (yet)")
    return FileResponse(path, media_type=result["media"], filename=result["file"],
                        headers={"Cache-Control": "no-store"})
