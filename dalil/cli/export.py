"""`dalil export`, `dalil cite` and `dalil batch`: results that leave the tool."""
from __future__ import annotations

import sys

import click

from dalil import Archive
from dalil.cli.common import db_option, emit_json, open_archive, progress

FORMATS = ("csv", "jsonl", "zip")


@click.command("export")
@click.argument("query", nargs=-1)
@db_option
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
              help="csv, jsonl or zip (default: from the -o file's extension, else csv).")
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False), required=True,
              help="File to write (- for standard output).")
@click.option("--person", default=None, help="Export the messages of this person (a form, address or name).")
@click.option("--thread", "thread", default=None, metavar="DOCID", help="Export the thread of this document.")
@click.option("--mode", type=click.Choice(["lexical", "dense", "hybrid"]), default=None,
              help="Ranking of a QUERY's hits (default: hybrid when vectors are built, else lexical).")
@click.option("--lang", default=None, help="Query language (default: detected).")
def export(query, db, fmt, output, person, thread, mode, lang):
    """Write every hit of QUERY (or a person's messages, or a thread) as CSV, JSONL or a ZIP of
    the documents' text with manifest.json."""
    if sum(bool(x) for x in (query, person, thread)) != 1:
        raise click.UsageError("give a QUERY, or --person NAME, or --thread DOCID (one of them)")
    fmt = fmt or next((f for f in FORMATS if output.lower().endswith("." + f)), "csv")
    archive = open_archive(db)
    try:
        result = archive.export(" ".join(query) if query else None, person=person, thread=thread,
                                mode=mode, lang=lang)
    except LookupError as exc:
        raise click.ClickException(str(exc).strip("'\"")) from None
    with progress("export", result.total) as tick, _open(output) as out:
        for chunk in archive.write_export(result, fmt, progress=lambda done, total: tick(done, None, total)):
            out.write(chunk)
    click.echo(f"{result.total} rows written to {output} ({fmt})", err=True)


class _open:
    """The output file in binary mode, or standard output for "-"."""

    def __init__(self, path: str):
        self.path = path

    def __enter__(self):
        self.fh = sys.stdout.buffer if self.path == "-" else open(self.path, "wb")
        return self.fh

    def __exit__(self, *exc) -> None:
        if self.path != "-":
            self.fh.close()


@click.command("cite")
@click.argument("doc_id")
@db_option
@click.option("--page", type=click.IntRange(1), default=None, help="Cite this page of the document.")
@click.option("--markdown", "as_markdown", is_flag=True, help="Print the Markdown form.")
@click.option("--json", "as_json", is_flag=True, help="Print {plain, markdown, url, fields}.")
def cite(doc_id, db, page, as_markdown, as_json):
    """A citation of DOC_ID to paste into an article: release, DocNo, case number, date, page,
    sender, subject, and the FOIA reading room link where the DocNo allows one."""
    c = open_archive(db).cite(doc_id, page=page)
    if c is None:
        raise click.ClickException(f"no document {doc_id}")
    if as_json:
        emit_json(c)
    else:
        click.echo(c["markdown"] if as_markdown else c["plain"])


@click.command("batch")
@click.argument("source", type=click.Path(dir_okay=False, allow_dash=True))
@db_option
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False), default="-",
              help="CSV file to write (default: standard output).")
@click.option("--top", type=click.IntRange(0, 100), default=5, show_default=True,
              help="Document ids listed for each query.")
@click.option("--mode", type=click.Choice(["lexical", "dense", "hybrid"]), default=None,
              help="Ranking (default: hybrid when vectors are built, else lexical).")
def batch(source, db, output, top, mode):
    """Search each query of a CSV file (SOURCE: its `query` column, else its first column; - for
    stdin) and write one CSV row per query: query, total, related, top."""
    if source == "-":
        text = sys.stdin.buffer.read().decode("utf-8-sig", errors="replace")
    else:
        try:
            with open(source, "rb") as fh:
                text = fh.read().decode("utf-8-sig", errors="replace")
        except OSError as exc:
            raise click.ClickException(f"cannot read {source}: {exc.strerror}") from None
    queries = Archive.read_queries(text)
    archive = open_archive(db)
    out_fh = sys.stdout if output == "-" else open(output, "w", encoding="utf-8", newline="")
    try:
        with progress("batch", len(queries)) as tick:
            for n, line in enumerate(Archive.batch_csv(archive.batch(queries, top=top, mode=mode))):
                out_fh.write(line)
                out_fh.flush()      # each answer is on disk as soon as it is known
                if n:
                    tick(n, None, len(queries))
    finally:
        if out_fh is not sys.stdout:
            out_fh.close()
    if output != "-":
        click.echo(f"{len(queries)} queries answered in {output}", err=True)
