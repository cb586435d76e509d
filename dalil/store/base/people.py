"""The people index: correspondent forms, persons, aliases, roles, message keys."""
from __future__ import annotations

from abc import ABC, abstractmethod   # noqa: F401  (abstract methods are added with their callers)
from typing import Any                  # noqa: F401


class PeopleStore(ABC):
    """Typed methods of this concern; every backend implements all of them."""
