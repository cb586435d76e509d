"""Login, sessions, API tokens and CSRF: who is asking, before any route runs.

`AccessGate` (ASGI middleware) decides for every request.  Without accounts (and without
`dalil serve --auth`) the server is the local single-user tool it always was: no login, the whole
archive.  With accounts, every page and API route needs a user:
  - `Authorization: Bearer <token>` (a `dalil user token`): the API without a browser; a missing,
    wrong or expired token is 401;
  - else the session cookie set by the login page (HttpOnly, SameSite=Strict, Secure over https,
    signed, 12 h); without one a page redirects to /login and an API route answers 401;
  - a state-changing request with a session (any method but GET/HEAD) must also carry the
    session's CSRF token (the `csrf` form field every form has, or an X-CSRF-Token header):
    403 without it, on top of `same_origin`.
The route then reads `archive_of(request)`: the archive scoped to that user (Archive.for_user),
the one place where access is enforced.  Admin-only routes call `require_admin`.
"""
from __future__ import annotations

import math
import os
import threading
import time
from typing import Any
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from dalil import Archive, User
from dalil.web.errors import ApiError, error_response
from dalil.web.limits import client_of

COOKIE = "dalil_session"
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"
OPEN = ("/login", "/static/")          # reachable without a login (the login page and its assets)
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
USERS_CHECK_SECONDS = 5.0              # how long "the archive has accounts" is taken as known
LOGIN_FAILURES_PER_MINUTE = 10         # wrong passwords per client address (a token bucket)


class Gate:
    """What the middleware keeps between requests: whether login is required, and one scoped
    archive per user (rebuilt when their role or grants change), so their caches last."""

    def __init__(self, archive: Archive, required: bool = False):
        self.archive, self.required = archive, required
        self._users: tuple[float, bool] = (0.0, False)
        self._scoped: dict[str, tuple[User, Archive]] = {}
        self._lock = threading.Lock()

    def login_required(self) -> bool:
        if self.required:
            return True
        at, known = self._users
        if time.monotonic() - at > USERS_CHECK_SECONDS:
            known = self.archive.has_users()
            self._users = (time.monotonic(), known)
        return known

    def scoped(self, user: User) -> Archive:
        with self._lock:
            kept = self._scoped.get(user.name)
            if kept is None or kept[0] != user:
                kept = (user, self.archive.for_user(user))
                self._scoped[user.name] = kept
            return kept[1]


def archive_of(request: Request) -> Archive:
    """The archive as the request's user sees it (the whole archive in single-user mode)."""
    return request.scope.get("dalil.archive") or request.app.state.archive


def user_of(request: Request) -> User | None:
    """The logged-in user (None in single-user mode)."""
    return request.scope.get("dalil.user")


def require_admin(request: Request) -> User | None:
    """ApiError 403 unless the user is an admin (or the server is in single-user mode)."""
    user = user_of(request)
    if user is not None and not user.is_admin:
        raise ApiError(403, "forbidden", "only an admin may see this")
    return user


def csrf_of(request: Request) -> str | None:
    """The CSRF token every form of this page must carry (None: no session, none needed)."""
    return request.scope.get("dalil.csrf")


def _is_api(path: str) -> bool:
    return path.startswith("/api/") or path == "/openapi.json"


class AccessGate:
    """ASGI middleware: authenticate, check CSRF, and hand the route its user's archive."""

    def __init__(self, app, gate: Gate):
        self.app, self.gate = app, gate

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        gate = self.gate
        if not await run_in_threadpool(gate.login_required):
            return await self.app(scope, receive, send)
        request = Request(scope, receive)
        path = scope["path"]
        if path.startswith(OPEN):
            return await self.app(scope, receive, send)
        archive = gate.archive
        header = request.headers.get("authorization")
        session = None
        if header is not None:
            kind, _, token = header.partition(" ")
            user = await run_in_threadpool(archive.user_for_token, token.strip()) \
                if kind.lower() == "bearer" else None
            if user is None:
                return await _refuse(scope, receive, send, 401, "unauthorized",
                                     "the token is wrong or expired (`dalil user token` makes a new one)")
        else:
            session = request.cookies.get(COOKIE)
            user = await run_in_threadpool(archive.user_for_session, session) if session else None
            if user is None:
                if _is_api(path):
                    return await _refuse(scope, receive, send, 401, "unauthorized",
                                         "log in first (or send Authorization: Bearer <token>)")
                target = path + (f"?{scope['query_string'].decode('latin-1')}" if scope.get("query_string") else "")
                response = RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
                return await response(scope, receive, send)
        if session is not None and scope["method"] not in SAFE_METHODS:
            body = await _body(receive)
            receive = _replay(body)
            token = request.headers.get(CSRF_HEADER) or await _form_field(scope, body, CSRF_FIELD)
            if not archive.check_csrf(session, token or ""):
                await run_in_threadpool(archive.record, user.name, "refused", path, "no or wrong CSRF token")
                return await _refuse(scope, receive, send, 403, "csrf",
                                     "this form is out of date or not from this site: reload the page and send it again")
        scope["dalil.user"] = user
        scope["dalil.archive"] = await run_in_threadpool(gate.scoped, user)
        if session is not None:
            scope["dalil.csrf"] = archive.csrf_token(session)
        return await self.app(scope, receive, send)


async def _refuse(scope, receive, send, status: int, code: str, message: str) -> None:
    headers = {"WWW-Authenticate": 'Bearer realm="dalil"'} if status == 401 else {}
    if _is_api(scope["path"]) or status == 401:
        response = error_response(status, code, message, headers)
    else:
        from dalil.web.templating import render
        response = render(Request(scope, receive), "error.html", status_code=status, message=message)
    await response(scope, receive, send)


async def _body(receive) -> bytes:
    """The whole request body (bounded by BodyLimit, outside this middleware)."""
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.request":
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                return b"".join(chunks)
        elif message["type"] == "http.disconnect":
            return b"".join(chunks)


def _replay(body: bytes):
    sent = False

    async def receive():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}
    return receive


async def _form_field(scope, body: bytes, name: str) -> str | None:
    """A field of a form body (urlencoded or multipart), read from a copy of the body."""
    request = Request(scope, _replay(body))
    kind = request.headers.get("content-type", "")
    if not kind.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        return None
    try:
        form = await request.form()
    except Exception:           # an unreadable form carries no token
        return None
    try:
        value = form.get(name)
        return value if isinstance(value, str) else None
    finally:
        await form.close()


# --- the login and logout routes --------------------------------------------------------------
def _next(value: str | None) -> str:
    """Where to go after logging in: a path of this site only (never `//host` or a URL)."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/"


async def login(request: Request) -> Response:
    """GET /login: the form; POST /login: check the name and password, set the session cookie."""
    from dalil.web.security import same_origin
    from dalil.web.templating import render
    archive: Archive = request.app.state.archive
    if request.method == "GET":
        return render(request, "login.html", next=_next(request.query_params.get("next")), failed=False)
    if not same_origin(request):
        raise ApiError(403, "cross_site", "this form was not sent from this site")
    form = await request.form()
    name, password = str(form.get("name", ""))[:64], str(form.get("password", ""))[:1024]
    target = _next(str(form.get("next", "")))
    await form.close()
    # Wrong passwords cost a token each: LOGIN_FAILURES_PER_MINUTE per address, then 429.
    rates, client = request.app.state.rates, client_of(request)
    wait = rates.take(client, "login")
    if wait:
        raise ApiError(429, "rate_limited", f"too many wrong passwords from this address; retry in {math.ceil(wait)} s",
                       headers={"Retry-After": str(math.ceil(wait))})
    user = await run_in_threadpool(archive.authenticate, name, password)
    if user is None:
        await run_in_threadpool(archive.record, name[:64] or "?", "login-failed", request.url.path)
        return render(request, "login.html", status_code=401, next=target, failed=True)
    rates.charge(client, "login", -1.0)         # a right password gives its token back
    session = await run_in_threadpool(archive.new_session, user)
    await run_in_threadpool(archive.record, user.name, "login")
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(COOKIE, session, max_age=_session_seconds(), httponly=True, samesite="strict",
                        secure=request.url.scheme == "https" or os.environ.get("DALIL_SECURE_COOKIE") == "1",
                        path="/")
    return response


def _session_seconds() -> int:
    return Archive.SESSION_SECONDS


async def logout(request: Request) -> Response:
    """POST /logout (with the CSRF token): the session cookie is dropped."""
    user = user_of(request)
    if user is not None:
        await run_in_threadpool(request.app.state.archive.record, user.name, "logout")
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
    return response


def audit_export(request: Request) -> Response:
    """GET /api/audit (admin): the audit log as JSON, or CSV with `format=csv`; `user`, `limit`."""
    require_admin(request)
    archive: Archive = request.app.state.archive
    fmt = request.query_params.get("format", "json")
    if fmt not in ("json", "csv"):
        raise ApiError(400, "bad_parameter", "format must be json or csv")
    raw = request.query_params.get("limit", "")
    if raw and not raw.isdigit():
        raise ApiError(400, "bad_parameter", "limit must be a positive integer")
    entries = archive.audit(limit=int(raw) if raw else None, user=request.query_params.get("user") or None)
    if fmt == "csv":
        return Response("".join(archive.audit_csv(entries)), media_type="text/csv; charset=utf-8", headers={
            "Content-Disposition": 'attachment; filename="dalil-audit.csv"', "Cache-Control": "no-store"})
    return JSONResponse({"entries": entries}, headers={"Cache-Control": "no-store"})


def me(request: Request) -> Response:
    """GET /api/me: who is logged in, their role and collections ({"user": null} without accounts)."""
    user = user_of(request)
    return JSONResponse({"user": user.to_dict() if user is not None else None})


def forbidden(request: Request, exc: Exception) -> Any:
    """A PermissionError from the archive (a reader changing kept work) as 403."""
    return ApiError(403, "forbidden", str(exc) or "not allowed")
