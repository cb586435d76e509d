"""The OpenAPI 3.1 description of the JSON API, served at /openapi.json (kept in data/openapi.json)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SCHEMA: dict[str, Any] = json.loads((Path(__file__).parent / "data" / "openapi.json").read_text(encoding="utf-8"))
