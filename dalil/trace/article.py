"""Read an article: plain text, Markdown or a saved web page → body text, title, date, language."""
from __future__ import annotations

import html as htmllib
import re
import threading
from dataclasses import dataclass

from dalil.text.lang import detect_lang

_EXTRACTING = threading.Lock()       # the duplicate filter below is one per process
MAX_BYTES = 8 * 1024 * 1024       # larger inputs are cut here (and the report says so)
_HTML_SNIFF = re.compile(rb"<\s*(?:!doctype\s+html|html|head|body|article|div|p)\b", re.I)
_MD_MARKUP = [
    (re.compile(r"^\s{0,3}#{1,6}\s*", re.M), ""),            # headings
    (re.compile(r"!\[[^\]]*\]\([^)]*\)"), ""),                # images
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),            # links keep their text
    (re.compile(r"(\*\*|__)(.+?)\1"), r"\2"),                 # bold
    (re.compile(r"^\s{0,3}>\s?", re.M), ""),                  # block quotes
]


class ArticleError(ValueError):
    """Input that cannot be traced; the message is fit to show as it is."""


@dataclass
class Article:
    text: str
    lang: str
    title: str | None = None
    author: str | None = None
    date: str | None = None
    source_format: str = "text"       # text | markdown | html
    truncated: bool = False


def read_article(data: str | bytes, name: str | None = None) -> Article:
    """An `Article` from raw input (bytes from a file or stdin, or a str posted to the API)."""
    truncated = False
    if isinstance(data, str):
        raw = data.encode("utf-8", "surrogatepass")
    else:
        raw = data
    if len(raw) > MAX_BYTES:
        raw, truncated = raw[:MAX_BYTES], True
    if not raw.strip():
        raise ArticleError("the article is empty")
    if _looks_binary(raw):
        raise ArticleError("the input is not text (binary data); give a .txt, .md or saved .html article")
    text = raw.decode("utf-8", "replace") if not isinstance(data, str) or truncated else data
    suffix = (name or "").lower().rsplit(".", 1)[-1] if name and "." in name else ""
    if suffix in ("html", "htm", "xhtml") or (suffix not in ("txt", "md") and _HTML_SNIFF.search(raw[:4096])):
        art = _from_html(text)
    elif suffix in ("md", "markdown"):
        body = text
        for rx, repl in _MD_MARKUP:
            body = rx.sub(repl, body)
        art = Article(text=body.strip(), lang="und", source_format="markdown")
    else:
        art = Article(text=text.strip(), lang="und")
    if not art.text.strip():
        raise ArticleError("the article has no readable text")
    art.truncated = truncated
    art.lang = detect_lang(art.text[:5000])
    return art


def _looks_binary(raw: bytes) -> bool:
    head = raw[:8192]
    if b"\x00" in head:
        return True
    bad = head.decode("utf-8", "replace").count("\ufffd")
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    return (bad + controls) > max(8, len(head) // 20)


def _from_html(markup: str) -> Article:
    """Main text and metadata with trafilatura (drops menus, comments, teasers); a tag-stripping
    fallback keeps pages trafilatura rejects (very short ones) traceable."""
    import trafilatura
    from trafilatura.deduplication import LRU_TEST

    with _EXTRACTING:
        # trafilatura's duplicate filter remembers every segment the process has read: the same
        # page read a third time lost its body to it (and fell back to the whole page with its
        # menus).  Emptied per page, it drops only the segments a page repeats.
        LRU_TEST.clear()
        body = trafilatura.extract(markup, include_comments=False, include_tables=False,
                                   favor_precision=True, deduplicate=True) or ""
    meta = trafilatura.extract_metadata(markup)
    title = getattr(meta, "title", None) if meta else None
    author = getattr(meta, "author", None) if meta else None
    date = getattr(meta, "date", None) if meta else None
    if not body.strip():
        body = _strip_tags(markup)
    body = _drop_repeated_title(body, title)
    return Article(text=body.strip(), lang="und", title=title, author=author, date=date,
                   source_format="html")


_SCRIPTS = re.compile(r"<(script|style|nav|header|footer|aside|form|noscript)\b.*?</\1\s*>", re.I | re.S)
_BLOCK = re.compile(r"</?(?:p|div|br|li|h[1-6]|tr|section|article)\b[^>]*>", re.I)
_TAG = re.compile(r"<[^>]+>")


def _strip_tags(markup: str) -> str:
    s = _SCRIPTS.sub(" ", markup)
    s = _BLOCK.sub("\n", s)
    s = htmllib.unescape(_TAG.sub(" ", s))
    lines = [re.sub(r"[ \t]+", " ", ln).strip() for ln in s.splitlines()]
    return "\n".join(ln for ln in lines if ln)


def _drop_repeated_title(body: str, title: str | None) -> str:
    if not title:
        return body
    lines = body.splitlines()
    while lines and lines[0].strip() == title.strip():
        lines.pop(0)
    return "\n".join(lines)
