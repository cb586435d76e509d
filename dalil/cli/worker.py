"""`dalil worker`: run the queued tasks of a PostgreSQL archive (on any machine that reaches it)."""
from __future__ import annotations

import click

from dalil import Archive, default_db
from dalil.cli.common import db_option, open_archive


@click.command()
@db_option
@click.option("--concurrency", type=click.IntRange(min=1, max=64), default=1, show_default=True,
              help="Worker processes on this machine (a task reads in one process: one per core).")
@click.option("--until-empty", is_flag=True,
              help="Exit once no task waits or runs anywhere (each batch's post-ingest pass done).")
def worker(db, concurrency, until_empty):
    """Run queued tasks (`dalil ingest --queue`): ingest, then each batch's people, threads,
    duplicates and vectors; a task whose worker died is taken up again after DALIL_QUEUE_STALLED s."""
    path = db or default_db()
    if not Archive.is_server(path):
        raise click.ClickException(f"a queue needs a PostgreSQL archive (--db postgresql://…), not the SQLite "
                                   f"file {path}")
    archive = open_archive(db)
    try:
        archive.run_worker(until_empty=until_empty, concurrency=concurrency)
        if until_empty:
            s = archive.status()
            q = s.get("queue") or {"jobs": {}}
            click.echo(f"queue empty: {s['documents']} documents; jobs "
                       + ", ".join(f"{k} {v}" for k, v in q["jobs"].items() if v))
    finally:
        archive.close()
