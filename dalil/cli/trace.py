"""`dalil trace`."""
from __future__ import annotations

import sys

import click

from dalil.cli.common import db_option, emit_json, open_archive, progress


@click.command("trace")
@click.argument("source", type=str)
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--markdown", "as_markdown", is_flag=True, help="Print the report as Markdown.")
@click.option("--html", "html_out", type=click.Path(dir_okay=False), default=None,
              help="Write a self-contained HTML report to this file.")
@click.option("--ui", "ui_base", default=None, help="Web UI base URL for document links in the HTML.")
@click.option("--export", "export_out", type=click.Path(dir_okay=False), default=None,
              help="Write the report's source documents to this .csv, .jsonl or .zip file.")
@click.option("--max-claims", type=int, default=50, show_default=True, help="Trace at most this many claims.")
def trace_cmd(source, db, as_json, as_markdown, html_out, ui_base, export_out, max_claims):
    """Find the source of each claim of an article (FILE, or - for stdin) and judge it."""
    from dalil import ArticleError      # the trace types load on first use (see dalil/__init__.py)
    if source == "-":
        data, name = sys.stdin.buffer.read(), None
    else:
        try:
            with open(source, "rb") as fh:
                data = fh.read()
        except OSError as exc:
            raise click.ClickException(f"cannot read {source}: {exc.strerror}") from None
        name = source
    archive = open_archive(db)
    try:
        with progress("trace") as tick:
            report = archive.trace(data, name=name, max_claims=max_claims,
                                   progress=lambda done, total: tick(done, None, total))
    except ArticleError as exc:
        raise click.ClickException(str(exc)) from None
    if html_out:
        with open(html_out, "w", encoding="utf-8") as fh:
            fh.write(report.to_html(ui_base_url=ui_base, cite=archive.cite))
    if export_out:
        fmt = next((f for f in ("jsonl", "zip") if export_out.lower().endswith("." + f)), "csv")
        with open(export_out, "wb") as fh:
            for chunk in archive.write_export(archive.export_trace(report), fmt):
                fh.write(chunk)
    if as_json:
        emit_json(report.to_dict())
    elif as_markdown or not (html_out or export_out):
        click.echo(report.to_markdown())
