"""Claim tracing: find the source of each claim of an article in the archive and judge it.

`Archive.trace` is the entry point; `Archive` builds one `Tracer` (dalil/trace/tracer.py) from
the parts it uses."""
from dalil.trace.article import ArticleError
from dalil.trace.report import TraceReport
from dalil.trace.verdict import MODEL_PATH, calibrated, calibration_group, decide

# decide, calibrated and MODEL_PATH: the verdict procedure, its confidence calibration and the
# stored model, for refitting them (tools/dalil_dev fit, calibrate) from the features a trace
# report carries.
__all__ = ["ArticleError", "MODEL_PATH", "TraceReport", "calibrated", "calibration_group", "decide"]

