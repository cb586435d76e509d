"""The Starlette application: pages, JSON API, static assets, security headers."""
from __future__ import annotations

import contextlib
import logging
import os
import secrets
from pathlib import Path

import anyio

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from dalil import Archive
from dalil.model import Limits
from dalil.web import api, auth, exports, insights, kept, pages, views, work
from dalil.web.jobs import Jobs
from dalil.web.errors import ApiError, error_response
from dalil.web.limits import BodyLimit, FairSlots, HeavyGate, RateLimiter
from dalil.web.openapi import SCHEMA
from dalil.web.security import HEADERS, SecurityHeaders
from dalil.web.templating import HERE, render

log = logging.getLogger("dalil.web")


def openapi(request: Request) -> JSONResponse:
    return JSONResponse(SCHEMA)


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/openapi.json"


async def on_api_error(request: Request, exc: ApiError):
    if _is_api(request):
        return error_response(exc.status, exc.code, exc.message, exc.headers)
    page = render(request, "error.html", status_code=exc.status, message=exc.message)
    page.headers.update(exc.headers)
    return page


async def on_http_error(request: Request, exc: HTTPException):
    if _is_api(request):
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return error_response(exc.status_code, code, str(exc.detail))
    return render(request, "error.html", status_code=exc.status_code, message=str(exc.detail))


async def on_forbidden(request: Request, exc: PermissionError):
    """The archive refused a change to this user (a reader tagging): 403, said once in the audit log."""
    return await on_api_error(request, auth.forbidden(request, exc))


async def on_crash(request: Request, exc: Exception):
    # The visitor gets an incident number, never the exception: its text can hold file paths,
    # SQL or document content.  The log has the whole traceback under the same number.
    incident = secrets.token_hex(4)
    log.exception("unhandled error %s on %s", incident, request.url.path)
    message = f"internal error (incident {incident}, details in the server log)"
    if _is_api(request):
        response = error_response(500, "internal", message)
    else:
        response = render(request, "error.html", status_code=500, message=message)
    # Starlette answers a crash from outside every middleware: the headers are set here.
    for name, value in HEADERS:
        response.headers[name.decode()] = value.decode()
    return response


def warm_up(archive: Archive) -> None:
    """Build the search caches (facet arrays, duplicate hashes, language model) before the
    first request, so that no visitor waits for them and concurrent first requests do not
    all build them at once."""
    steps = [lambda: archive.search("state", limit=1), lambda: archive.search("state", limit=1, mode="lexical")]
    first = archive.first_doc_id()
    if first:
        steps.append(lambda: insights.duplicates(archive, first))
    for step in steps:
        try:
            step()
        except Exception:      # an empty or partial archive still serves its pages
            log.warning("warm-up step failed", exc_info=True)


# Searches run on their own small thread pool (`--search-threads`, default 1 per process), not on
# the 40 threads shared by every other endpoint: a search is CPU work under the GIL, and eight
# of them interleaved in one process cost a third more CPU each (GIL hand-offs around every
# SQLite step) and finish later than the same eight taken in turn.  Parallelism comes from
# `--workers` (processes); trace and page requests keep the shared pool.
SEARCH_THREADS = 1


def create_app(db: str | Archive | None = None, search_threads: int | None = None,
               limits: Limits | None = None, jobs_dir: str | None = None, login: bool = False) -> Starlette:
    """The web application over one archive (opened read-only when given a path), within
    `limits` (default: Limits.from_env()); web jobs are kept in `jobs_dir` (default:
    Jobs.default_dir, shared by the worker processes of one archive).  Every route needs a login
    when the archive has accounts, or with `login` (`dalil serve --auth`): dalil/web/auth.py."""
    limits = limits or Limits.from_env()
    archive = db if isinstance(db, Archive) else Archive(db, readonly=True)
    threads = search_threads or int(os.environ.get("DALIL_SEARCH_THREADS") or SEARCH_THREADS)
    routes = [
        Route("/", pages.search_page),
        Route("/documents/{doc_id}", pages.document_page),
        Route("/documents/{doc_id}/original", pages.original_file),
        Route("/documents/{doc_id}/pages/{number}", pages.page_view),
        Route("/trace", pages.trace_page, methods=["GET", "POST"]),
        Route("/archive", pages.status_page),
        Route("/people", views.people_page),
        Route("/people/{person_id}", views.person_page),
        Route("/thread/{doc_id}", views.thread_page),
        Route("/timeline", views.timeline_page),
        Route("/graph", views.graph_page),
        Route("/graph/download", views.graph_download),
        Route("/dupes", views.dupes_page),
        Route("/dupes/{doc_id}", views.dupes_doc_page),
        Route("/api/search", api.api_search),
        Route("/api/documents/{doc_id}", api.api_document),
        Route("/api/documents/{doc_id}/duplicates", api.api_duplicates),
        Route("/api/trace", api.api_trace, methods=["POST"]),
        Route("/api/status", api.api_status),
        Route("/api/export", exports.api_export),
        Route("/api/cite/{doc_id}", exports.api_cite),
        Route("/api/batch", exports.api_batch, methods=["POST"]),
        *kept.ROUTES,
        Route("/batch", work.batch_page, methods=["GET", "POST"]),
        Route("/export", work.export_start, methods=["POST"]),
        Route("/jobs/{job_id}", work.job_page),
        Route("/jobs/{job_id}/result", work.job_result),
        Route("/jobs/{job_id}/export", work.trace_export),
        Route("/api/jobs/{job_id}", work.api_job),
        Route("/openapi.json", openapi),
        Route("/login", auth.login, methods=["GET", "POST"]),
        Route("/logout", auth.logout, methods=["POST"]),
        Route("/api/audit", auth.audit_export),
        Route("/api/me", auth.me),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]

    @contextlib.asynccontextmanager
    async def lifespan(app):
        app.state.search_limiter = anyio.CapacityLimiter(threads)
        # Searches take their threads in fair order; traces (seconds each, on the shared pool) too.
        app.state.slots = {"search": FairSlots(threads), "trace": FairSlots(limits.max_trace_threads)}
        await run_in_threadpool(warm_up, archive)
        yield

    app = Starlette(routes=routes, lifespan=lifespan, exception_handlers={
        ApiError: on_api_error, HTTPException: on_http_error, PermissionError: on_forbidden, Exception: on_crash})
    app.state.archive = archive
    app.state.limits = limits
    app.state.gate = HeavyGate(limits.max_heavy, limits.max_heavy_per_client)
    app.state.jobs = Jobs(Path(jobs_dir) if jobs_dir else Jobs.default_dir(str(archive.path)),
                          limits.max_jobs, limits.max_jobs_kept, limits.job_seconds)
    app.state.rates = RateLimiter({"search": limits.search_per_minute, "trace": limits.trace_per_minute,
                                   "work": limits.work_seconds_per_minute,
                                   "login": auth.LOGIN_FAILURES_PER_MINUTE})
    # Inside BodyLimit: the gate reads a form's CSRF field from a body already bounded.
    app.add_middleware(auth.AccessGate, gate=auth.Gate(archive, required=login))
    app.add_middleware(BodyLimit, limits=limits)
    app.add_middleware(SecurityHeaders)      # added last: outermost, so refusals carry the headers too
    return app


def app_from_env() -> Starlette:
    """Factory for multi-process serving: the archive path comes from $DALIL_DB."""
    return create_app(os.environ.get("DALIL_DB"), login=os.environ.get("DALIL_AUTH") == "1")
