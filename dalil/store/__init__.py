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


def display_name(path_or_url: str) -> str:
    """The path or URL as shown to a user (a URL's password masked)."""
    if is_server_url(path_or_url):
        from dalil.store.postgres import redact
        return redact(path_or_url)
    return path_or_url
