"""Claim tracing: find the source of each claim of an article in the archive and judge it."""
from dalil.trace.article import ArticleError
from dalil.trace.report import TraceReport
from dalil.trace.verdict import MODEL_PATH, decide

# decide and MODEL_PATH: the verdict procedure and its stored thresholds, for refitting them
# (tools/dalil_dev fit) from the features a trace report carries.
__all__ = ["ArticleError", "MODEL_PATH", "TraceReport", "decide", "trace"]


def trace(archive, data, name=None, **opts) -> TraceReport:
    """Trace an article (text, Markdown or saved HTML, as str or bytes) against `archive`."""
    from dalil.trace.tracer import Tracer
    tracer = getattr(archive, "_tracer", None)
    if tracer is None:
        tracer = archive._tracer = Tracer(archive)
    return tracer.trace(data, name=name, **opts)
