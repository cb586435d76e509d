"""`dalil check`: is the archive sound?  One line per problem, with its repair."""
from __future__ import annotations

import sys

import click

from dalil import Archive, default_db
from dalil.cli.common import db_option, emit_json


@click.command()
@db_option
@click.option("--full", is_flag=True, help="Also compare every index of the file with its table (slower).")
@click.option("--repair", is_flag=True,
              help="Rebuild the full-text index from the documents and drop rows whose document is gone.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def check(db, full, repair, as_json):
    """Check the archive's integrity: file, full-text index, orphan rows, vector index.
    Exit code 0 when sound, 1 when a problem remains."""
    path = db or default_db()
    report = Archive.check_file(path, full=full, repair=repair)
    if as_json:
        emit_json(report)
    else:
        for what, n in report["repaired"].items():
            click.echo(f"repaired: {what.replace('_', ' ')}: {n}")
        for p in report["problems"]:
            fix = f" — repair: {p['repair']}" if p["repair"] else ""
            click.echo(f"problem: {p['check']}: {p['diagnosis']}{fix}", err=True)
        if report["ok"]:
            c = report["counts"]
            click.echo(f"ok: {path}: {c['documents']} documents, {c['fulltext_rows']} full-text rows, "
                       f"{c['passages']} passages, {c.get('vectors', 0)} vectors")
    sys.exit(0 if report["ok"] else 1)
