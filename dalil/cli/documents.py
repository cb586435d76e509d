"""`dalil ingest`, `status` and `show`."""
from __future__ import annotations

import sys

import click

from dalil import Archive, default_db
from dalil.cli.common import db_option, emit_json, open_archive, progress


@click.command()
@click.argument("paths", nargs=-1, required=False, type=click.Path())
@db_option
@click.option("--workers", type=int, default=None, help="Reader processes (default: 2, or 1 on a 1-core machine).")
@click.option("--retry-failed", is_flag=True, help="Read again only the inputs that failed before.")
@click.option("--ocr", type=click.Choice(["never", "auto", "always"]), default="auto", show_default=True,
              help="OCR pages: never, only where there is no usable text layer, or always.")
@click.option("--ocr-lang", default=None, help="Tesseract languages, e.g. ara+eng (default: chosen per page).")
@click.option("--index/--no-index", "build_vectors", default=False,
              help="Also build the dense vectors for cross-lingual search.")
@click.option("--max-document-bytes", type=click.IntRange(min=1), default=None,
              help="Record larger inputs as skipped (too large) instead of reading them "
                   "(default: $DALIL_MAX_DOCUMENT_BYTES, else 20 MB; mailboxes (mbox, pst) and archives are "
                   "read message by message and member by member).")
@click.option("--queue", "queued", is_flag=True,
              help="Only put the work in the queue of a PostgreSQL archive; `dalil worker` does it.")
@click.option("--wait", is_flag=True, help="With --queue: show the progress until the workers are done.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def ingest(paths, db, workers, retry_failed, ocr, ocr_lang, build_vectors, max_document_bytes, queued, wait,
           as_json):
    """Read files, folders and .zip/.tar/.tar.gz/.7z archives into the archive."""
    if not paths and not retry_failed:
        raise click.UsageError("give at least one PATH (or --retry-failed)")
    if wait and not queued:
        raise click.UsageError("--wait goes with --queue")
    if queued:
        _enqueue(paths, db, retry_failed, ocr, ocr_lang, build_vectors, max_document_bytes, wait, as_json)
        return
    archive = open_archive(db, must_exist=False)
    # The total: a folder's walk and a zip's directory cost little; a tar is read through once
    # more (seconds for a large release), so only for a terminal's bar — on a pipe, an unchanged
    # release must cost little more than its hash.
    total = Archive.estimate_inputs(list(paths), read_tars=sys.stderr.isatty()) if paths else None
    with progress("ingest", total) as tick:
        report = archive.ingest(list(paths), workers=workers, retry_failed=retry_failed,
                                progress=tick, ocr=ocr, ocr_lang=ocr_lang,
                                max_document_bytes=max_document_bytes)
    if build_vectors:
        with progress("vectors", archive.vectors_pending()) as tick:
            archive.build_vectors(progress=lambda done, total: tick(done, None, total))
    if as_json:
        emit_json(report.to_dict())
        return
    click.echo(f"{report.added} documents added; inputs: {report.ok} ok, {report.duplicate} duplicate, "
               f"{report.failed} failed, {report.skipped} skipped, {report.unchanged} unchanged "
               f"({report.seconds:.1f} s)")
    for f in report.failures[:20]:
        click.echo(f"  failed: {f['path']}: {f['reason']}", err=True)
    if len(report.failures) > 20:
        click.echo(f"  … and {len(report.failures) - 20} more (see `dalil status`)", err=True)
    if report.added and archive.saved_searches():
        news = [a for a in archive.alerts(limit=0) if a["count"]]
        click.echo(f"alerts: {sum(a['count'] for a in news)} new documents match {len(news)} saved "
                   f"search{'' if len(news) == 1 else 'es'} (`dalil alerts` lists them)")


def _enqueue(paths, db, retry_failed, ocr, ocr_lang, build_vectors, max_document_bytes, wait, as_json):
    """`ingest --queue`: enqueue, say what was enqueued, and (with --wait) follow the batch."""
    path = db or default_db()
    if not Archive.is_server(path):
        raise click.ClickException(f"a queue needs a PostgreSQL archive (--db postgresql://…), not the SQLite "
                                   f"file {path}: run `dalil ingest` without --queue")
    if retry_failed:
        raise click.UsageError("--retry-failed runs in one process: drop --queue")
    archive = open_archive(db, must_exist=False)
    out = archive.enqueue(list(paths), build_vectors=build_vectors, ocr=ocr, ocr_lang=ocr_lang,
                          max_document_bytes=max_document_bytes)
    if not as_json:
        click.echo(f"batch {out['batch']}: {out['tasks']} tasks enqueued for {out['inputs']} inputs"
                   + (f" ({out['already_queued']} already in the queue)" if out["already_queued"] else "")
                   + f"; run `dalil worker --db {Archive.display_name(path)}` on any machine that reaches it")
    if wait:
        out["batch_state"] = watch_batch(archive, out["batch"], quiet=as_json)
    if as_json:
        emit_json(out)


def watch_batch(archive, batch: str | None, quiet: bool = False) -> dict | None:
    """Print the progress of a batch (the last one when None) until its post-ingest pass is done
    or its tasks failed; returns its last state."""
    import time
    every = Archive.queue_poll_seconds()
    last = None
    while True:
        state = archive.queue_state() or {"batches": [], "jobs": {}}
        rows = [b for b in state["batches"] if batch is None or b["batch"] == batch]
        row = rows[-1] if rows else None
        if row is None:
            return None
        line = (f"batch {row['batch']}: {row['done']}/{row['tasks'] if row['tasks'] is not None else '?'} tasks done"
                f", {row['added']} documents added, {row['failed']} failed; jobs: {state['jobs'].get('todo', 0)} "
                f"waiting, {state['jobs'].get('doing', 0)} running, workers {state.get('workers', 0)}"
                + ("; post-ingest done" if row["finished"] else ""))
        if line != last and not quiet:
            click.echo(line, err=True)
            last = line
        if row["finished"]:
            return row
        time.sleep(every)


@click.command()
@db_option
@click.option("--json", "as_json", is_flag=True)
@click.option("--watch", is_flag=True, help="Follow the queue's last batch until it is done (PostgreSQL).")
def status(db, as_json, watch):
    """Counts by status, release and format, every failed input with its reason, and the queue."""
    archive = open_archive(db)
    if watch:
        watch_batch(archive, None)
    s = archive.status()
    if as_json:
        emit_json(s)
        return
    click.echo(f"{s['documents']} documents, {s['messages']} messages")
    click.echo("inputs: " + ", ".join(f"{k} {v}" for k, v in s["by_status"].items()))
    click.echo("by release:")
    for release, n in s["by_release"].items():
        click.echo(f"  {release:<32} {n:>7}")
    click.echo("by format:")
    for fmt, n in s["by_format"].items():
        click.echo(f"  {fmt:<32} {n:>7}")
    if s["failures"]:
        click.echo(f"failures ({len(s['failures'])}):")
        for f in s["failures"]:
            click.echo(f"  {f['path']}: {f['reason']}")
    if "queue" in s:
        q = s["queue"]
        click.echo("queue: " + ", ".join(f"{k} {v}" for k, v in q["jobs"].items() if v)
                   + f"; workers alive {q['workers']}")
        for b in q["batches"][-5:]:
            click.echo(f"  batch {b['batch']}: {b['done']}/{b['tasks']} tasks, {b['added']} documents added"
                       + (f", {b['failed']} failed" if b["failed"] else "")
                       + (", post-ingest done" if b["finished"] else ""))
        for f in q["failures"]:
            click.echo(f"  failed task (job {f['job']}, {f['attempts']} attempts): {f['reason']}")


@click.command()
@click.argument("doc_id")
@db_option
@click.option("--json", "as_json", is_flag=True)
def show(doc_id, db, as_json):
    """Show one document: metadata, each message with its headers, page-marked text."""
    doc = open_archive(db).document(doc_id)
    if doc is None:
        raise click.ClickException(f"no document {doc_id}")
    d = doc.to_dict()
    if as_json:
        emit_json(d)
        return
    click.secho(f"{d['doc_id']}  {d['release'] or ''}  {d['case'] or ''}", bold=True)
    click.echo(f"{d['disposition'] or 'no release marker'}  exemptions: {', '.join(d['exemptions']) or '-'}"
               f"  pages: {d['pages']}  released: {d['release_date'] or '-'}")
    for i, m in enumerate(d["messages"]):
        click.secho(f"\n── message {i + 1}", fg="cyan")
        for label, value in (("From", m["from"]), ("To", "; ".join(m["to"])), ("Cc", "; ".join(m["cc"])),
                             ("Date", f"{m['date'] or '?'}  ({m['date_raw'] or ''})"), ("Subject", m["subject"])):
            if value:
                click.echo(f"{label + ':':<9}{value}")
    click.secho("\n── text", fg="cyan")
    for n, page in enumerate(d["text"].split("\f")[: max(d["pages"], 1)], start=1):
        click.secho(f"[page {n}]", fg="yellow")
        click.echo(page.rstrip())
