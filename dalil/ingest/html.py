"""Saved web pages and HTML bodies: main text via trafilatura, all visible text as fallback."""
from __future__ import annotations

from typing import Iterator

import lxml.html
from lxml import etree

from dalil.ingest.base import Reader, register
from dalil.ingest.safety import read_all
from dalil.ingest.text import decode, doc_id_for
from dalil.model import IngestError, ParsedDocument, Source

MIN_PAGE_CHARS = 1000
_INVISIBLE = ("script", "style", "noscript", "template", "head")
_BLOCK = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "blockquote", "pre", "section"}


def visible_text(tree) -> str:
    """Every visible text node, with line breaks at block elements."""
    for bad in tree.xpath("|".join(f"//{t}" for t in _INVISIBLE)):
        bad.drop_tree()
    out: list[str] = []
    for el in tree.iter():
        if isinstance(el.tag, str) and el.tag in _BLOCK:
            out.append("\n")
        if isinstance(el.tag, str) and el.text:
            out.append(el.text)
        if el.tail:
            out.append(el.tail)
    lines = (" ".join(line.split()) for line in "".join(out).splitlines())
    return "\n".join(line for line in lines if line)


def _title(tree) -> str | None:
    t = tree.findtext(".//title")
    return " ".join(t.split()) or None if t else None


def html_to_text(markup: str) -> tuple[str, str | None, str]:
    """(text, title, method).  trafilatura keeps the main content; short mails need all text."""
    try:
        tree = lxml.html.document_fromstring(markup)
    except (etree.ParserError, ValueError) as exc:
        raise IngestError("corrupt_html", str(exc)) from None
    title = _title(tree)
    main = None
    try:
        import trafilatura
        main = trafilatura.extract(markup, include_comments=False, include_tables=True, favor_recall=True)
    except Exception:        # trafilatura's own parsing bugs must not lose the document
        main = None
    everything = visible_text(tree)
    # Short pages (most e-mail bodies) have no boilerplate to remove, and trafilatura would
    # break lines at inline tags; use it only on page-sized input, and only when it keeps a fair share.
    if main and len(everything) >= MIN_PAGE_CHARS and len(main) >= 0.3 * len(everything):
        return main, title, "trafilatura"
    return everything, title, "visible_text"


@register
class HtmlReader(Reader):
    name = "html"
    extensions = (".html", ".htm", ".xhtml")
    mime_types = ("text/html", "application/xhtml+xml")

    @classmethod
    def score(cls, source: Source) -> int:
        head = source.head(1024).lstrip().lower()
        sniff = head.startswith((b"<!doctype html", b"<html")) or b"<html" in head
        return super().score(source) or (7 if sniff else 0)

    def read(self, source: Source) -> Iterator[ParsedDocument]:
        markup, encoding = decode(read_all(source))
        if not markup.strip():
            raise IngestError("empty_file", "no markup")
        text, title, method = html_to_text(markup)
        yield ParsedDocument(doc_id=doc_id_for(source), text=text, source_format="html", title=title,
                             release=source.hint.get("release"), html=markup, parent_id=source.parent_id,
                             parent_path=source.name if source.depth else None,
                             meta={"encoding": encoding, "extraction": method})
