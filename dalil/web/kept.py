"""Kept work on the web: the tags, star and note of a document (edited on its page, which marks
it read), read marks in search results, saved searches and their alerts (/alerts).

Every change is a form POST answered with a redirect (303) to the page it came from; a POST
from another site's page is refused (`same_origin`).  The archive stays read-only for the
server; kept work goes to `Archive.kept_store`."""
from __future__ import annotations

import logging
from typing import Any
from urllib.parse import parse_qs, quote, urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from dalil import Archive
from dalil.web.article import read_limited
from dalil.web.errors import ApiError
from dalil.web.security import same_origin
from dalil.web.templating import render
from dalil.web.auth import archive_of

log = logging.getLogger("dalil.web")
FORM_BYTES = 64 * 1024          # a note of 20,000 characters, percent-encoded Arabic included
ALERTS_SHOWN = 50               # documents listed per saved search on /alerts


def document_kept(archive: Archive, doc_id: str) -> dict[str, Any] | None:
    """The document's kept work for its page, after marking it read (opening it is reading it);
    None when the server cannot write to the archive (a read-only file or database role): the
    page is then shown without it."""
    try:
        archive.mark_read(doc_id)
        kept = archive.annotations([doc_id]).get(doc_id) or {}
    except Exception:       # the backend's own error type: sqlite3 or psycopg
        log.warning("kept work unavailable (the archive cannot be written?)", exc_info=True)
        return None
    return {"tags": kept.get("tags") or [], "starred": bool(kept.get("starred")), "note": kept.get("note") or "",
            "noted_at": kept.get("noted_at")}


def read_of(archive: Archive, hits: list) -> set[str]:
    """The doc_ids of a result page already read (and of their copies)."""
    ids = [h.doc_id for h in hits] + [d for h in hits for d in (h.duplicates or [])]
    try:
        return archive.read_documents(ids) if ids else set()
    except Exception:       # as in `document_kept`: results are shown without read marks
        log.warning("read marks unavailable (the archive cannot be written?)", exc_info=True)
        return set()


async def _form(request: Request) -> dict[str, str]:
    """The POSTed form's fields (first value each), after the same-origin check."""
    if not same_origin(request):
        raise ApiError(403, "cross_site", "refused: this change was not sent from one of this site's pages")
    body = await read_limited(request, FORM_BYTES)
    try:
        fields = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=20)
    except (UnicodeDecodeError, ValueError):
        raise ApiError(400, "bad_form", "the form could not be read") from None
    return {k: v[0] for k, v in fields.items()}


def _ui(request: Request) -> str:
    ui = request.query_params.get("ui")
    return f"?ui={quote(ui)}" if ui else ""


async def annotate(request: Request) -> Response:
    """POST /documents/{doc_id}/kept: action tag|untag|star|unstar|note|unread, with `value`."""
    form = await _form(request)
    archive: Archive = archive_of(request)
    doc_id = request.path_params["doc_id"]
    action, value = form.get("action", ""), form.get("value", "")
    calls = {"tag": lambda: [archive.tag(doc_id, t) for t in value.split(",") if t.strip()],
             "untag": lambda: archive.tag(doc_id, value, remove=True),
             "star": lambda: archive.star(doc_id), "unstar": lambda: archive.star(doc_id, on=False),
             "note": lambda: archive.note(doc_id, value), "unread": lambda: archive.mark_read(doc_id, read=False)}
    if action not in calls:
        raise ApiError(400, "bad_action", f"unknown action {action!r}")
    try:
        await run_in_threadpool(calls[action])
    except LookupError:
        raise ApiError(404, "not_found", f"no document {doc_id}") from None
    except ValueError as exc:
        raise ApiError(400, "bad_value", str(exc)) from None
    if action == "unread":      # back to the page would mark it read again: back to the search
        return RedirectResponse("/" + _ui(request), status_code=303)
    return RedirectResponse(f"/documents/{quote(doc_id)}{_ui(request)}#kept", status_code=303)


async def save_search(request: Request) -> Response:
    """POST /saved: save the search `q` under `name` (the search page's "save this search")."""
    form = await _form(request)
    archive: Archive = archive_of(request)
    q, name = form.get("q", "").strip(), form.get("name", "").strip() or form.get("q", "").strip()
    try:
        await run_in_threadpool(archive.save_search, name, q)
    except ValueError as exc:       # a taken name, a bad query (QueryError is a ValueError)
        raise ApiError(400, "bad_saved_search", str(exc)) from None
    return RedirectResponse("/alerts" + _ui(request), status_code=303)


async def remove_saved(request: Request) -> Response:
    """POST /saved/remove: delete the saved search `name`."""
    form = await _form(request)
    if not await run_in_threadpool(archive_of(request).remove_saved_search, form.get("name", "")):
        raise ApiError(404, "not_found", f"no saved search named {form.get('name', '')!r}")
    return RedirectResponse("/alerts" + _ui(request), status_code=303)


async def mark_seen(request: Request) -> Response:
    """POST /alerts/seen: record every saved search's alerts as seen."""
    await _form(request)
    await run_in_threadpool(archive_of(request).alerts, True, 0)
    return RedirectResponse("/alerts" + _ui(request), status_code=303)


def alerts_page(request: Request) -> Response:
    """GET /alerts: each saved search with the documents added since its alerts were last seen."""
    archive: Archive = archive_of(request)
    found = archive.alerts(limit=ALERTS_SHOWN)
    for a in found:
        a["href"] = "/?" + urlencode({"q": a["query"]})
    return render(request, "alerts.html", alerts=found, shown=ALERTS_SHOWN,
                  new_total=sum(a["count"] for a in found))


ROUTES = [
    Route("/alerts", alerts_page),
    Route("/alerts/seen", mark_seen, methods=["POST"]),
    Route("/saved", save_search, methods=["POST"]),
    Route("/saved/remove", remove_saved, methods=["POST"]),
    Route("/documents/{doc_id}/kept", annotate, methods=["POST"]),
]
