"""dalil — an investigation workbench for released and leaked email archives."""
import os

# One BLAS thread unless the user asks otherwise, set before numpy loads: query-time products are
# small, and BLAS threads spinning on a busy 2-core machine made one query encoding 174 ms instead
# of 2 ms (measured).  Bulk embedding runs in processes, one per core, for the same reason.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

from dalil.archive import Archive  # noqa: E402
from dalil.search.results import ResultSet, SearchHit, SearchResult  # noqa: E402

__version__ = "0.1.0"
__all__ = ["Archive", "ResultSet", "SearchHit", "SearchResult", "__version__"]
