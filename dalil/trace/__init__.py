"""Claim tracing: find the source of each claim of an article in the archive and judge it.

`Archive.trace` is the entry point; `Archive` builds one `Tracer` (dalil/trace/tracer.py) from
the parts it uses."""
from dalil.trace.article import ArticleError
from dalil.trace.report import TraceReport

__all__ = ["ArticleError", "TraceReport"]
