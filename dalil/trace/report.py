"""The trace report: JSON contract, Markdown, and a self-contained HTML page."""
from __future__ import annotations

import html
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable
from urllib.parse import quote

from dalil.trace.article import Article
from dalil.trace.claims import Claim
from dalil.trace.evidence import Evidence
from dalil.trace.terms import Term
from dalil.trace.verdict import Verdict

RTL_LANGS = {"ar", "fa", "ur", "he"}
_COLORS = {"supported": "#1a7f37", "partly_supported": "#9a6700", "contradicted": "#cf222e",
           "not_found": "#57606a"}


@dataclass
class ClaimResult:
    claim: Claim
    terms: list[Term]
    evidence: list[Evidence]
    verdict: Verdict

    def to_dict(self) -> dict:
        c, v = self.claim, self.verdict
        return {"text": c.text, "start": c.start, "end": c.end, "kind": c.kind, "verdict": v.label,
                "confidence": float(v.confidence), "needs_review": bool(v.needs_review),
                "explanation": v.explanation, "facts": v.facts,
                "evidence": [e.to_dict() for e in self.evidence] if v.label != "not_found" else
                [e.to_dict() for e in self.evidence[:1]],
                "metadata_checks": v.metadata_checks}


@dataclass
class TraceReport:
    article: Article
    claims: list[ClaimResult]
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    skipped: list[dict] = field(default_factory=list)    # {text, reason}: sentences not traced
    partial: bool = False            # the time budget ran out before every claim was traced
    claims_found: int = 0            # claims extracted (those traced are `claims`)

    def to_dict(self) -> dict:
        a = self.article
        return {"article": {"lang": a.lang, "title": a.title, "date": a.date},
                "claims": [c.to_dict() for c in self.claims], "skipped": self.skipped,
                "partial": self.partial, "claims_found": self.claims_found or len(self.claims)}

    # --- Markdown -------------------------------------------------------------------------
    def to_markdown(self) -> str:
        a = self.article
        out = [f"# Trace: {a.title or 'article'}", "",
               f"Language: {a.lang}" + (f" · date: {a.date}" if a.date else "") +
               f" · {len(self.claims)} claims", ""]
        out += [f"> {n}" for n in self.notes]
        for i, c in enumerate(self.claims, 1):
            v = c.verdict
            review = " · needs review" if v.needs_review else ""
            out += ["", f"## {i}. {v.label.replace('_', ' ')} ({v.confidence:.2f}){review}", "", f"> {c.claim.text}", "",
                    v.explanation, ""]
            out += _facts_markdown(v.facts)
            for e in c.evidence[:3]:
                dup = f" (also in {', '.join(e.duplicates)})" if e.duplicates else ""
                quote = " ".join(e.quote.split())
                out.append(f"- **{e.doc_id}** {e.release or ''}, page {e.page}, bytes {e.byte_start}–{e.byte_end}"
                           f"{dup}: “{quote}”")
            for m in v.metadata_checks:
                out.append(f"- {m['field']}: claimed {m['claimed']!r}, found {m['found']!r} — "
                           f"{m['status'].replace('_', ' ')}")
        if self.skipped:
            out += ["", "## Not traced", ""]
            out += [f"- {' '.join(k['text'].split())} — {k['reason']}" for k in self.skipped]
        return "\n".join(out) + "\n"

    # --- HTML -----------------------------------------------------------------------------
    def to_html(self, ui_base_url: str | None = None,
                cite: Callable[..., dict | None] | None = None) -> str:
        """A self-contained HTML report.  `cite(doc_id, page=…)` (`Archive.cite`) puts a "cite"
        box with the citation on every traced passage; without it, with `ui_base_url`, a link
        to the cite box of the document's page."""
        a = self.article
        direction = "rtl" if a.lang in RTL_LANGS else "ltr"
        title = html.escape(a.title or "Trace report")
        body = [f"<h1 dir=\"{direction}\" lang=\"{html.escape(a.lang)}\">{title}</h1>",
                f"<p class=\"meta\">Language {html.escape(a.lang)}"
                + (f" · {html.escape(str(a.date))}" if a.date else "")
                + f" · {len(self.claims)} claims traced</p>"]
        body += [f"<p class=\"note\">{html.escape(n)}</p>" for n in self.notes]
        for i, c in enumerate(self.claims, 1):
            body.append(self._claim_html(i, c, ui_base_url, cite))
        if self.skipped:
            body.append("<section class=\"skipped\"><h2>Not traced</h2><ul>" + "".join(
                f"<li><span dir=\"auto\">{html.escape(k['text'])}</span> — {html.escape(k['reason'])}</li>"
                for k in self.skipped) + "</ul></section>")
        return (f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title>"
                f"<style>{report_css()}</style></head><body>{''.join(body)}</body></html>")

    def _claim_html(self, i: int, c: ClaimResult, base: str | None,
                    cite: Callable[..., dict | None] | None = None) -> str:
        v = c.verdict
        lang = c.claim.lang if c.claim.lang != "und" else self.article.lang
        direction = "rtl" if lang in RTL_LANGS else "ltr"
        claim_spans = [(t.start, t.end) for t, _ in c.evidence[0].matched] if c.evidence else []
        claim_html = _highlight(c.claim.text, claim_spans)
        ev_html = []
        for e in (c.evidence[:3] if v.label != "not_found" else c.evidence[:1]):
            spans = [(s - e.char_start, t - e.char_start) for _, (s, t) in e.matched
                     if e.char_start <= s and t <= e.char_end]
            name = html.escape(e.doc_id)
            link = (f"<a href=\"{html.escape(base.rstrip('/'))}/documents/{name}\">{name}</a>" if base else name)
            dups = (" · also in " + ", ".join(html.escape(d) for d in e.duplicates)) if e.duplicates else ""
            ev_html.append(f"<div class=\"ev\"><div class=\"cite\">{link} · {html.escape(e.release or '')} · page "
                           f"{e.page} · bytes {e.byte_start}–{e.byte_end} · score {e.score:.2f}{dups}</div>"
                           f"<blockquote lang=\"en\" dir=\"ltr\">{_highlight(e.quote, spans)}</blockquote>"
                           f"{_cite_html(e, base, cite)}</div>")
        checks = "".join(f"<li class=\"{_CHECK_CLASS[m['status']]}\">{html.escape(m['field'])}: "
                         f"{html.escape(str(m['claimed']))} → {html.escape(str(m['found']))} "
                         f"({html.escape(m['status'].replace('_', ' '))})</li>"
                         for m in v.metadata_checks)
        color = _COLORS.get(v.label, "#57606a")
        return (f"<section class=\"claim\"><h2><span class=\"badge\" style=\"background:{color}\">"
                f"{html.escape(v.label.replace('_', ' '))}</span> claim {i} · confidence {v.confidence:.2f}"
                + (" · <span class=\"review\">needs review</span>" if v.needs_review else "") + "</h2>"
                f"<div class=\"row\"><div class=\"col\"><p class=\"text\" lang=\"{html.escape(lang)}\" "
                f"dir=\"{direction}\">{claim_html}</p><p class=\"why\">{html.escape(v.explanation)}</p>"
                + _facts_html(v.facts)
                + (f"<ul class=\"checks\">{checks}</ul>" if checks else "")
                + f"</div><div class=\"col\">{''.join(ev_html) or '<p>No evidence.</p>'}</div></div></section>")


def _cite_html(e: Evidence, base: str | None, cite: Callable[..., dict | None] | None) -> str:
    """The "cite" box of a traced passage: its citation, plain and Markdown, or a link to the
    document page's cite box."""
    c = cite(e.doc_id, page=e.page) if cite else None
    if c:
        return (f"<details class=\"cite\"><summary>cite</summary><pre>{html.escape(c['plain'])}</pre>"
                f"<pre>{html.escape(c['markdown'])}</pre></details>")
    if base:        # the document page's cite box
        href = f"{base.rstrip('/')}/documents/{quote(e.doc_id)}#cite"
        return f"<p class=\"cite\"><a href=\"{html.escape(href)}\">cite</a></p>"
    return ""


_CHECK_CLASS = {"ok": "ok", "differs": "bad", "not_checked": "unchecked"}


def _fact_lines(facts: dict) -> list[tuple[str, str]]:
    """(heading, line) for each aligned, missing and conflicting fact, in that order."""
    out = [("aligned", f"{f['claim']} = {f['source']} ({f['where']})") for f in facts.get("aligned", [])]
    out += [("missing", f"{f['claim']} ({f['kind']}{', core' if f['core'] else ''})") for f in facts.get("missing", [])]
    out += [("conflicting", f"{f['kind']}: the article says {f['claim']}, the source says {f['source']}")
            for f in facts.get("conflicting", [])]
    return out


def _facts_markdown(facts: dict) -> list[str]:
    lines = _fact_lines(facts)
    out = []
    for head in ("aligned", "missing", "conflicting"):
        items = [line for h, line in lines if h == head]
        out.append(f"- {head.capitalize()}: " + ("; ".join(items) if items else "none"))
    passage = facts.get("passage")
    if passage:
        out.append(f"- Passage: {passage['doc_id']}, page {passage['page']}, bytes {passage['start']}–{passage['end']}")
    return out + [""]


def _facts_html(facts: dict) -> str:
    lines = _fact_lines(facts)
    rows = []
    for head in ("aligned", "missing", "conflicting"):
        items = [html.escape(line) for h, line in lines if h == head]
        rows.append(f"<dt>{head}</dt><dd dir=\"auto\">{'; '.join(items) if items else 'none'}</dd>")
    return f"<dl class=\"facts\">{''.join(rows)}</dl>"


def _highlight(text: str, spans: list[tuple[int, int]]) -> str:
    """Escape `text`, wrapping the given (start, end) spans in <mark>."""
    out, pos = [], 0
    for s, e in sorted(set((max(0, s), min(len(text), e)) for s, e in spans)):
        if s < pos or s >= e:
            continue
        out.append(html.escape(text[pos:s]))
        out.append(f"<mark>{html.escape(text[s:e])}</mark>")
        pos = e
    out.append(html.escape(text[pos:]))
    return "".join(out)


CSS = Path(__file__).with_name("data") / "report.css"


@lru_cache(maxsize=1)
def report_css() -> str:
    """data/report.css, read once: the style of the HTML report."""
    return CSS.read_text(encoding="utf-8")
