"""Full-text search: term statistics, BM25 ranking, the OCR spelling vocabulary, facets over a set of documents."""
from __future__ import annotations

from abc import ABC, abstractmethod   # noqa: F401  (abstract methods are added with their callers)
from typing import Any                  # noqa: F401


class FullTextStore(ABC):
    """Typed methods of this concern; every backend implements all of them."""
