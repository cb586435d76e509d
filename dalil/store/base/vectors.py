"""Passages for the dense index: which are embedded, their text spans, name tables."""
from __future__ import annotations

from abc import ABC, abstractmethod   # noqa: F401  (abstract methods are added with their callers)
from typing import Any                  # noqa: F401


class VectorStore(ABC):
    """Typed methods of this concern; every backend implements all of them."""
