"""The PostgreSQL connection: one psycopg 3 pool per store, one pooled connection per thread,
versioned migrations recorded in `schema_version`."""
from __future__ import annotations

import os
import threading
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg_pool import ConnectionPool

from dalil.store.postgres import schema

# Each thread keeps its connection until the store is closed (the web server answers from a thread
# pool; the ingest writer holds one transaction between commits): the pool bounds them.
POOL_MAX = int(os.environ.get("DALIL_PG_POOL", "16"))
_MIGRATION_LOCK = 0x64616C696C      # pg_advisory_xact_lock key: two processes never migrate at once


class SchemaError(RuntimeError):
    """The database's schema is not the one this dalil needs (missing, older or newer)."""


def redact(url: str) -> str:
    """The URL without its password, for messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return urlunsplit(parts._replace(netloc=netloc))


def schema_version(conn: psycopg.Connection) -> int:
    """The last migration applied to this database (0 when it has no dalil schema)."""
    if conn.execute("SELECT to_regclass('schema_version')").fetchone()[0] is None:
        return 0
    return conn.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()[0]


def migrate(conn: psycopg.Connection, target: int | None = None) -> tuple[int, int]:
    """Apply the missing migrations up to `target` (default: all); returns (before, after).
    Each migration is one transaction; an advisory lock keeps concurrent upgrades apart."""
    migrations = schema.MIGRATIONS
    target = len(migrations) if target is None else target
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
        conn.execute("CREATE TABLE IF NOT EXISTS schema_version ("
                     "version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())")
    before = schema_version(conn)
    if before > len(migrations):
        raise SchemaError(f"database schema v{before} is newer than this dalil (v{len(migrations)})")
    for number in range(before + 1, target + 1):
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
            if schema_version(conn) >= number:       # another process applied it meanwhile
                continue
            for sql in migrations[number - 1]:
                conn.execute(sql)
            conn.execute("INSERT INTO schema_version (version) VALUES (%s)", (number,))
    return before, max(before, schema_version(conn))


def upgrade(url: str) -> tuple[int, int]:
    """`dalil db upgrade`: bring the database at `url` to this dalil's schema; returns (before, after)."""
    with psycopg.connect(url, autocommit=True) as conn:
        return migrate(conn)


def exists(url: str) -> bool:
    """Whether the database at `url` holds a dalil schema."""
    with psycopg.connect(url, autocommit=True) as conn:
        return schema_version(conn) > 0


class PostgresConnection:
    def __init__(self, path: str, readonly: bool = False):
        self.path = path
        self.readonly = readonly
        self._local = threading.local()
        self._lock = threading.Lock()
        self._pool: ConnectionPool | None = None
        self._conns: list[psycopg.Connection] = []
        self._has_failed: bool | None = None       # any failed ledger row? (known after the first add)
        self._check_schema()

    def _check_schema(self) -> None:
        # A fresh database is set up on first write, as a new SQLite file is; an older schema is
        # upgraded only on request (`dalil db upgrade`): workers on several machines share it.
        with psycopg.connect(self.path, autocommit=True) as conn:
            version = schema_version(conn)
            latest = len(schema.MIGRATIONS)
            if version == 0 and not self.readonly:
                migrate(conn)
            elif version == 0:
                raise SchemaError(f"no dalil archive in {redact(self.path)} (run `dalil ingest` first)")
            elif version < latest:
                raise SchemaError(f"database schema v{version} is older than this dalil (v{latest}): "
                                  f"run `dalil db upgrade --db {redact(self.path)}`")
            elif version > latest:
                raise SchemaError(f"database schema v{version} is newer than this dalil (v{latest})")

    @property
    def pool(self) -> ConnectionPool:
        with self._lock:
            if self._pool is None:
                # Readers run in autocommit with the server refusing writes: no transaction stays
                # open between requests.  The writer commits explicitly (each commit a resume point).
                options = "-c default_transaction_read_only=on" if self.readonly else ""
                self._pool = ConnectionPool(self.path, min_size=1, max_size=POOL_MAX, open=True,
                                            kwargs={"autocommit": self.readonly, "options": options},
                                            check=ConnectionPool.check_connection, name="dalil")
            return self._pool

    @property
    def db(self) -> psycopg.Connection:
        """This thread's connection (taken from the pool on first use)."""
        conn = getattr(self._local, "conn", None)
        if conn is None or conn.closed:
            conn = self.pool.getconn()
            with self._lock:
                self._conns.append(conn)
            self._local.conn = conn
        return conn

    def close(self) -> None:
        """Give every thread's connection back (uncommitted work is rolled back) and close the pool."""
        with self._lock:
            pool, conns = self._pool, self._conns
            self._pool, self._conns = None, []
        self._local = threading.local()
        if pool is None:
            return
        for conn in conns:
            if not conn.closed:
                conn.rollback()     # said here: the pool would log a warning for each open transaction
            pool.putconn(conn)
        pool.close()

    @property
    def schema_version(self) -> int:
        return schema_version(self.db)
