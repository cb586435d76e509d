"""Reading an article from a request body, within a size limit: raw text or HTML, JSON
`{"text": …}`, or a multipart form with a `text` field or an uploaded `file`."""
from __future__ import annotations

import json

import anyio
from charset_normalizer import from_bytes
from starlette.requests import Request

from dalil.web.errors import ApiError
from dalil.web.limits import limits_of


async def read_limited(request: Request, limit: int | None = None) -> bytes:
    """The request body, or ApiError: 413 when it is (or, chunked, becomes) larger than `limit`
    (default: the upload limit), 408 when the client takes longer than the body deadline to send it."""
    limits = limits_of(request)
    limit = min(limit, limits.max_upload_bytes) if limit else limits.max_upload_bytes
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise ApiError(413, "too_large", f"request body of {declared} bytes is over the limit of {limit} bytes")
    chunks, size = [], 0
    with anyio.move_on_after(limits.body_seconds) as scope:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise ApiError(413, "too_large", f"request body is over the limit of {limit} bytes")
            chunks.append(chunk)
    if scope.cancelled_caught:
        raise ApiError(408, "too_slow", f"request body not received within {limits.body_seconds:g} s (the limit)",
                       headers={"Connection": "close"})
    return b"".join(chunks)


def decode(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        best = from_bytes(data).best()
        return str(best) if best is not None else data.decode("utf-8", "replace")


async def article_text(request: Request) -> str:
    """The article in the request, or ApiError (400 empty or malformed, 413 too large, 422 wrong shape)."""
    body = await read_limited(request)
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype == "application/json":
        try:
            payload = json.loads(body or b"null")
        except ValueError as exc:
            raise ApiError(400, "bad_json", f"body is not valid JSON: {exc}") from None
        text = payload.get("text", payload.get("html")) if isinstance(payload, dict) else None
        if not isinstance(text, str):
            raise ApiError(422, "bad_body", 'JSON body must be {"text": "<article text or HTML>"}')
    elif ctype in ("multipart/form-data", "application/x-www-form-urlencoded"):
        text = await _form_text(request, body)
    else:
        text = decode(body)
    if not text.strip():
        raise ApiError(400, "empty", "the article is empty")
    limit = limits_of(request).max_article_chars
    if len(text) > limit:
        raise ApiError(413, "too_large", f"article of {len(text)} characters is over the limit of {limit} characters")
    return text


async def _form_text(request: Request, body: bytes) -> str:
    async def replay():
        return {"type": "http.request", "body": body, "more_body": False}

    form = await Request(request.scope, replay).form(max_files=1, max_fields=10)
    upload = form.get("file")
    if upload is not None and not isinstance(upload, str) and upload.filename:
        request.state.article_file = upload.filename
        return decode(await upload.read())
    text = form.get("text")
    return text if isinstance(text, str) else ""
