"""dalil — an investigation workbench for released and leaked email archives.

The API the faces (`dalil.cli`, `dalil.web`) and other programs use: `Archive`, the types its
methods return and the errors they raise.
"""
import os

# One BLAS thread unless the user asks otherwise, set before numpy loads: query-time products are
# small, and BLAS threads spinning on a busy 2-core machine made one query encoding 174 ms instead
# of 2 ms (measured).  Bulk embedding runs in processes, one per core, for the same reason.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

from dalil.access import ROLES, User  # noqa: E402
from dalil.archive import Archive, DocumentView, default_db  # noqa: E402
from dalil.model import IngestError  # noqa: E402
from dalil.search.query import KNOWN as QUERY_FILTERS, QueryError, parse_query  # noqa: E402
from dalil.search.query import FILTER_KEYWORDS as QUERY_FILTER_KEYWORDS  # noqa: E402
from dalil.search.results import ResultSet, SearchHit, SearchResult  # noqa: E402

__version__ = "0.1.0"
__all__ = ["Archive", "ArticleError", "ClaimResult", "DocumentView", "Evidence", "IngestError", "IngestReport",
           "QUERY_FILTERS", "QUERY_FILTER_KEYWORDS", "QueryError", "parse_query", "ResultSet", "SearchHit", "SearchResult", "TraceReport", "default_db",
           "__version__", "ROLES", "User"]


def __getattr__(name: str):
    # The trace types are loaded on first use: importing the tracer (numpy, the claim and verdict
    # models) costs about 120 ms that `dalil status` or `dalil search` should not pay.
    if name == "IngestReport":        # the ingest pipeline, likewise: 0.15 s of every search
        from dalil.ingest.pipeline import IngestReport
        return IngestReport
    if name in ("ArticleError", "ClaimResult", "Evidence", "TraceReport"):
        from dalil.trace.article import ArticleError
        from dalil.trace.evidence import Evidence
        from dalil.trace.report import ClaimResult, TraceReport
        return {"ArticleError": ArticleError, "ClaimResult": ClaimResult, "Evidence": Evidence,
                "TraceReport": TraceReport}[name]
    raise AttributeError(f"module 'dalil' has no attribute {name!r}")
