"""The SQLite connection: one file in WAL mode, one connection per thread, versioned migrations."""
from __future__ import annotations

import os
import sqlite3
import threading
from contextlib import closing

from dalil.store.sqlite.schema import MIGRATIONS, SCHEMA_VERSION


def upgrade(path: str) -> tuple[int, int]:
    """`dalil db upgrade` on a SQLite file (which also migrates on open); returns (before, after)."""
    before = 0
    if os.path.exists(path):
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            if db.execute("SELECT 1 FROM sqlite_master WHERE name='meta'").fetchone():
                row = db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
                before = int(row[0]) if row else 0
    store = SQLiteConnection(path)
    after = store.schema_version
    store.close()
    return before, after


class SQLiteConnection:
    def __init__(self, path: str, readonly: bool = False):
        self.path = path
        self._local = threading.local()
        self.readonly = readonly
        self._has_failed: bool | None = None       # any failed ledger row? (known after the first add)
        if not readonly:
            self._migrate()

    # One connection per thread: the web server answers from a thread pool.
    @property
    def db(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            uri = f"file:{self.path}?mode=ro" if self.readonly else f"file:{self.path}"
            conn = sqlite3.connect(uri, uri=True, check_same_thread=False, timeout=30)
            conn.row_factory = sqlite3.Row
            if not self.readonly:
                conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA cache_size=-65536")
            conn.execute("PRAGMA mmap_size=1073741824")
            self._local.conn = conn
        return conn

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    def _migrate(self) -> None:
        db = self.db
        db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
        row = db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        version = int(row[0]) if row else 0
        if version > SCHEMA_VERSION:
            raise RuntimeError(f"archive schema v{version} is newer than this dalil (v{SCHEMA_VERSION})")
        for number, statements in enumerate(MIGRATIONS[version:], start=version + 1):
            try:
                with db:
                    for sql in statements:
                        db.execute(sql)
                    db.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", (str(number),))
            except sqlite3.OperationalError as exc:
                if exc.sqlite_errorcode & 0xFF != sqlite3.SQLITE_READONLY:
                    raise
                # A file this process may not write (a read-only mount) is read as it is: its
                # migrations wait for a writable open, and what they add (kept work) is absent.
                return

    @property
    def schema_version(self) -> int:
        return int(self.db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0])
