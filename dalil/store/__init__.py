"""Storage: the `Store` interface (base/) and its backends (sqlite/, postgres/).

`open_store` picks the backend from the string: a `postgresql://` URL is a PostgreSQL database,
anything else the path of a SQLite file.
"""
from __future__ import annotations

import os

from dalil.store.base import Store

_SERVER_SCHEMES = ("postgresql://", "postgres://")


def is_server_url(path_or_url: str) -> bool:
    """Whether this names a PostgreSQL database rather than a SQLite file."""
    return path_or_url.startswith(_SERVER_SCHEMES)


def open_store(path_or_url: str, readonly: bool = False) -> Store:
    """The store at a SQLite path or a PostgreSQL URL (the server backend needs the `server` extra)."""
    if is_server_url(path_or_url):
        from dalil.store.postgres import PostgresStore
        return PostgresStore(path_or_url, readonly=readonly)
    from dalil.store.sqlite import SQLiteStore
    return SQLiteStore(path_or_url, readonly=readonly)


def store_exists(path_or_url: str) -> bool:
    """Whether an archive is there: the SQLite file exists, or the database has a dalil schema."""
    if is_server_url(path_or_url):
        from dalil.store.postgres import exists
        return exists(path_or_url)
    return os.path.exists(path_or_url)


def upgrade_store(path_or_url: str) -> tuple[int, int]:
    """Bring the archive's schema to this dalil's version; returns (version before, version after)."""
    if is_server_url(path_or_url):
        from dalil.store.postgres import upgrade
        return upgrade(path_or_url)
    from dalil.store.sqlite import upgrade
    return upgrade(path_or_url)


def upgrade_queue(path_or_url: str) -> tuple[str | None, str] | None:
    """Bring a PostgreSQL archive's queue schema (Procrastinate's) to the installed Procrastinate;
    returns (version before, version after), None for a SQLite file (it has no queue)."""
    if not is_server_url(path_or_url):
        return None
    import psycopg

    from dalil.store.postgres.queue import upgrade_queue as upgrade_pg_queue
    with psycopg.connect(path_or_url, autocommit=True) as conn:
        return upgrade_pg_queue(conn)


def open_queue(path_or_url: str, store: Store, create: bool = True):
    """The work queue of the PostgreSQL archive `store` (dalil/store/postgres/queue.py); a SQLite
    archive has none: one process ingests it (`dalil ingest` without --queue)."""
    if not is_server_url(path_or_url):
        raise QueueUnavailable(f"a queue needs a PostgreSQL archive (--db postgresql://…), not the SQLite file "
                               f"{path_or_url}: run `dalil ingest` without --queue")
    from dalil.store.postgres.queue import PostgresQueue
    return PostgresQueue(path_or_url, store, create=create)


class QueueUnavailable(ValueError):
    """The archive is a SQLite file: its ingest runs in one process, without a queue."""


def display_name(path_or_url: str) -> str:
    """The path or URL as shown to a user (a URL's password masked)."""
    if is_server_url(path_or_url):
        from dalil.store.postgres import redact
        return redact(path_or_url)
    return path_or_url
