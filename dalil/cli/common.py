"""What every command shares: the `--db` option, opening the archive, JSON output, progress bars."""
from __future__ import annotations

import json
import sys
from typing import Any, Callable

import click

from dalil import Archive, default_db

db_option = click.option("--db", "db", default=None, metavar="FILE|URL",
                         help="Archive file or postgresql:// URL (default: $DALIL_DB, then ./dalil.db).")


def open_archive(db: str | None, must_exist: bool = True) -> Archive:
    """The archive at `db` (default: $DALIL_DB, then ./dalil.db); a one-line error when it is missing."""
    path = db or default_db()
    if must_exist and not Archive.exists(path):
        shown = Archive.display_name(path)
        raise click.ClickException(f"no archive at {shown} (run `dalil ingest PATH --db {shown}` first)")
    return Archive(path)


def emit_json(data: Any) -> None:
    """Print `data` as the indented UTF-8 JSON every `--json` option gives."""
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


class progress:
    """A rich progress bar with rate and ETA on a terminal; nothing on a pipe."""

    def __init__(self, label: str, total: int | None = None):
        self.label = label
        self.total = total
        self.bar = None

    def __enter__(self) -> Callable[..., None] | None:
        if not sys.stderr.isatty():
            return None
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                                   TimeElapsedColumn, TimeRemainingColumn)
        self.bar = Progress(TextColumn(f"[bold]{self.label}"), BarColumn(), MofNCompleteColumn(),
                            TextColumn("{task.fields[rate]}"), TimeElapsedColumn(), TimeRemainingColumn(),
                            transient=False)
        self.bar.start()
        self.task = self.bar.add_task(self.label, total=self.total, rate="")
        import time
        self.t0 = time.perf_counter()
        return self.tick

    def tick(self, done: int, _added: int | None = None, total: int | None = None) -> None:
        """`done` items so far; `total` when the caller knows it better than the estimate."""
        import time
        rate = done / max(time.perf_counter() - self.t0, 1e-6)
        self.bar.update(self.task, completed=done, total=total or self.total, rate=f"{rate:,.0f}/s")

    def __exit__(self, *exc) -> None:
        if self.bar:
            self.bar.stop()
