"""What every command shares: the `--db` option, opening the archive, JSON output, progress bars."""
from __future__ import annotations

import json
import os
import sys
import time
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
    """Progress with a total: a rich bar with rate and ETA on a terminal; on a pipe, a plain
    "label N/M" line on stderr every few seconds once the job has run two seconds (a short job
    stays silent).  The context value is `tick(done, _added=None, total=None)`."""

    EVERY = 5.0      # seconds between two plain lines
    QUIET = 2.0      # a job shorter than this prints nothing on a pipe

    def __init__(self, label: str, total: int | None = None):
        self.label = label
        self.total = total
        self.bar = None
        # A log that wants every count (or a test on a fast machine) sets these to 0.
        self.every = _seconds("DALIL_PROGRESS_EVERY", self.EVERY)
        self.quiet = _seconds("DALIL_PROGRESS_AFTER", self.QUIET)

    def __enter__(self) -> Callable[..., None]:
        self.t0 = self.last = time.perf_counter()
        self.done, self.printed = 0, None
        if not sys.stderr.isatty():
            return self.line
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                                   TimeElapsedColumn, TimeRemainingColumn)
        self.bar = Progress(TextColumn(f"[bold]{self.label}"), BarColumn(), MofNCompleteColumn(),
                            TextColumn("{task.fields[rate]}"), TimeElapsedColumn(), TimeRemainingColumn(),
                            transient=False)
        self.bar.start()
        self.task = self.bar.add_task(self.label, total=self.total, rate="")
        return self.tick

    def tick(self, done: int, _added: int | None = None, total: int | None = None) -> None:
        """`done` items so far; `total` when the caller knows it better than the estimate."""
        rate = done / max(time.perf_counter() - self.t0, 1e-6)
        self.total = total or self.total
        self.bar.update(self.task, completed=done, total=self.total, rate=f"{rate:,.0f}/s")

    def line(self, done: int, _added: int | None = None, total: int | None = None) -> None:
        """The plain form of `tick` for a pipe or a log file."""
        self.total, self.done = total or self.total, done
        now = time.perf_counter()
        if now - self.t0 >= self.quiet and now - self.last >= self.every:
            self.last = now
            self._print()

    def _print(self) -> None:
        self.printed = (self.done, self.total)
        click.echo(f"{self.label} {self.done}/{self.total if self.total is not None else '?'}", err=True)

    def __exit__(self, *exc) -> None:
        if self.bar:
            self.bar.stop()
        elif self.printed is not None and not exc[0] and self.printed != (self.done, self.total):
            self._print()       # a job that printed progress ends on its last count


def _seconds(name: str, default: float) -> float:
    """A number of seconds from the environment, or `default` (a bad value gives a one-line error)."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return max(0.0, float(value))
    except ValueError:
        raise click.ClickException(f"{name} must be a number of seconds, not {value!r}") from None
