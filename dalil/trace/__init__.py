"""Claim tracing: find the source of each claim of an article in the archive and judge it.

`Archive.trace` is the entry point; `Archive` builds one `Tracer` (dalil/trace/tracer.py) from
the parts it uses."""
from dalil.trace.article import ArticleError
from dalil.trace.report import TraceReport
from dalil.trace.verdict import MODEL_PATH, decide

# decide and MODEL_PATH: the verdict procedure and its stored thresholds, for refitting them
# (tools/dalil_dev fit) from the features a trace report carries.
__all__ = ["ArticleError", "MODEL_PATH", "TraceReport", "decide"]

