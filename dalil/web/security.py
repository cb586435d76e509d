"""The untrusted-content rules: every response carries a strict Content-Security-Policy,
email HTML is sanitized with nh3 and shown only inside a sandboxed iframe whose own
policy blocks everything, downloads get safe names and are never sniffed."""
from __future__ import annotations

import html
import re
import unicodedata

import nh3

CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
       "frame-src 'self'; form-action 'self'; base-uri 'none'; connect-src 'self'; "
       "object-src 'none'; frame-ancestors 'none'")
# The policy inside the email iframe: nothing may load except inline data: images.
FRAME_CSP = "default-src 'none'; img-src data:; base-uri 'none'; form-action 'none'"

HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


class SecurityHeaders:
    """ASGI middleware adding the security headers to every HTTP response."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    (k, v) for k, v in HEADERS if k not in names]
            await send(message)

        await self.app(scope, receive, send_with_headers)


# Structural and text-level tags only: no forms, media, embeds, frames, meta, style or script.
_TAGS = {"a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "del", "div", "dl", "dt", "em",
         "font", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "li", "ol", "p", "pre", "q",
         "s", "small", "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead",
         "tr", "u", "ul"}
_ATTRS = {"*": {"title", "lang", "dir"}, "a": {"href"}, "img": {"src", "alt", "width", "height"},
          "td": {"colspan", "rowspan", "align"}, "th": {"colspan", "rowspan", "align"}, "font": {"color"}}


def _filter_attr(tag: str, attr: str, value: str) -> str | None:
    # Remote images are tracking beacons: only inline data: images survive.
    if tag == "img" and attr == "src":
        return value if value.strip().lower().startswith("data:image/") else None
    if attr == "href" and value.strip().lower().startswith("data:"):
        return None
    return value


def sanitize_email_html(markup: str) -> str:
    """Email HTML with scripts, handlers, styles, forms, meta refresh and remote loads removed."""
    return nh3.clean(markup, tags=_TAGS, attributes=_ATTRS, attribute_filter=_filter_attr,
                     clean_content_tags={"script", "style", "title", "head", "noscript", "template"},
                     url_schemes={"http", "https", "mailto", "data"}, link_rel="noopener noreferrer nofollow",
                     strip_comments=True)


def iframe_document(markup: str) -> str:
    """A complete document for an iframe's srcdoc: sanitized body under a block-everything policy."""
    return ('<!doctype html><html><head><meta charset="utf-8">'
            f'<meta http-equiv="Content-Security-Policy" content="{html.escape(FRAME_CSP)}">'
            '</head><body dir="auto">' + sanitize_email_html(markup) + "</body></html>")


_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def safe_filename(name: str, fallback: str = "document") -> str:
    """An ASCII file name safe in a Content-Disposition header and on any file system."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1].rsplit("!", 1)[-1]
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode()
    base = _UNSAFE_NAME.sub("_", base).strip("._")[:120]
    return base or fallback


def same_origin(request) -> bool:
    """Whether a state-changing request (a form POST) comes from this site's own pages.  A browser
    says where a request comes from: Sec-Fetch-Site, else Origin; another site's page may not
    tag, note or save through a visitor's browser.  A request carrying neither header does not
    come from a browser page (curl, a script), which could send any header anyway."""
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        return site in ("same-origin", "none")
    origin = request.headers.get("origin")
    return origin is None or origin == f"{request.url.scheme}://{request.url.netloc}"
