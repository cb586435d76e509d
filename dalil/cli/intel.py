"""`dalil people`, `thread`, `dupes`, `timeline`, `graph` and `build-intel`."""
from __future__ import annotations

import click

from dalil import Archive
from dalil.cli.common import db_option, emit_json, open_archive, progress


def _intel_archive(db: str | None) -> Archive:
    archive = open_archive(db)
    if not archive.has_people():
        raise click.ClickException("people and duplicates are not built yet (run `dalil build-intel`)")
    return archive


@click.command("build-intel")
@db_option
@click.option("--json", "as_json", is_flag=True)
def build_intel(db, as_json):
    """Rebuild people, message keys and duplicate clusters (`dalil ingest` does it too)."""
    report = open_archive(db).build_intel()
    if as_json:
        emit_json(report)
        return
    p, d = report["people"], report["duplicates"]
    click.echo(f"{p['persons']} people from {p['forms']} forms ({report['seconds']['people']} s); "
               f"{d['clusters']} duplicate clusters over {d['clustered_documents']} documents, "
               f"{d['pairs']} pairs, {d['copy_pairs']} copy pairs ({report['seconds']['duplicates']} s)")


@click.command()
@click.argument("query", nargs=-1)
@db_option
@click.option("--limit", type=click.IntRange(1), default=None, help="At most this many people.")
@click.option("--json", "as_json", is_flag=True)
def people(query, db, limit, as_json):
    """People (all, or those in the documents matching QUERY) with their forms and counts."""
    result = _intel_archive(db).people(" ".join(query) or None, limit=limit if as_json else (limit or 50))
    if _no_match(result, as_json):
        return
    if as_json:
        emit_json(result)
        return
    for p in result["people"]:
        kind = f"  [{p['kind']}]" if p.get("kind", "person") != "person" else ""   # a list or feed, not a person
        click.secho(f"{p['id']:>6}  {p['name']}{kind}", bold=True, nl=False)
        click.echo(f"  sent {p['sent']}, received {p['received']}, {p['first'] or '?'} … {p['last'] or '?'}")
        click.echo("        " + " · ".join(p["forms"][:6]) + (" …" if len(p["forms"]) > 6 else ""))


@click.command()
@click.argument("doc_id")
@db_option
@click.option("--json", "as_json", is_flag=True)
def thread(doc_id, db, as_json):
    """The conversation DOC_ID belongs to, oldest message first, across documents."""
    result = _intel_archive(db).thread(doc_id)
    if result is None:
        raise click.ClickException(f"no document {doc_id}")
    if as_json:
        emit_json(result)
        return
    for m in result["messages"]:
        mark = "*" if m["doc_id"] == result["doc_id"] else " "
        click.echo(f"{mark} {(m['date'] or '????-??-??')[:16]:<16}  {m['doc_id']}  {m['from'][:28]:<28} "
                   f"{(m['subject'] or '')[:60]}  ({m['confidence']:.2f})")


@click.command()
@click.argument("doc_id")
@db_option
@click.option("--json", "as_json", is_flag=True)
def dupes(doc_id, db, as_json):
    """Other releases of the same e-mail, with similarity and what differs."""
    result = _intel_archive(db).dupes(doc_id)
    if result is None:
        raise click.ClickException(f"no document {doc_id}")
    if as_json:
        emit_json(result)
        return
    if not result["duplicates"]:
        click.echo(f"{result['doc_id']}: no duplicates")
    for d in result["duplicates"]:
        click.secho(f"{d['doc_id']}  similarity {d['similarity']:.3f}  {d['release'] or ''}", bold=True)
        for line in d["differences"] or ["no difference beyond OCR noise"]:
            click.echo(f"    {line}")


@click.command()
@click.argument("query", nargs=-1, required=True)
@db_option
@click.option("--json", "as_json", is_flag=True)
def timeline(query, db, as_json):
    """Messages per month in the documents matching QUERY."""
    result = _intel_archive(db).timeline(" ".join(query))
    if _no_match(result, as_json):
        return
    if as_json:
        emit_json(result)
        return
    top = max((m["messages"] for m in result["months"]), default=1)
    for m in result["months"]:
        click.echo(f"{m['month']}  {m['messages']:>6}  " + "█" * max(1, round(40 * m["messages"] / top)))


@click.command()
@click.argument("query", nargs=-1, required=True)
@db_option
@click.option("--format", "fmt", type=click.Choice(["json", "csv", "gexf"]), default="json", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Same as --format json.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write to this file instead of standard output.")
def graph(query, db, fmt, as_json, output):
    """Who writes to whom in the documents matching QUERY (persons resolved, edge counts)."""
    g = _intel_archive(db).graph(" ".join(query))
    if _no_match(g, as_json):
        return
    text = Archive.format_graph(g, "json" if as_json else fmt)
    if output:
        with open(output, "w", encoding="utf-8") as fh:
            fh.write(text)
        click.echo(f"{len(g['nodes'])} people, {len(g['edges'])} edges → {output}", err=True)
    else:
        click.echo(text)


def _no_match(result: dict, as_json: bool) -> bool:
    """Says "no match" (one line) when a query selected no document; JSON output stays JSON
    (its `documents` is 0)."""
    if result.get("documents") == 0 and not as_json:
        click.echo(f"no match: no document contains {result['query']}")
        return True
    return False


@click.command()
@click.argument("doc_id", required=False)
@db_option
@click.option("--rebuild", is_flag=True, help="Forget the mentions found so far and read every document again.")
@click.option("--limit", type=click.IntRange(1), default=None, help="Read at most this many documents now.")
@click.option("--json", "as_json", is_flag=True)
def mentions(doc_id, db, rebuild, limit, as_json):
    """Find the people, organisations and places named in message bodies (only documents not read
    yet); with DOC_ID, list the entities that document mentions."""
    if doc_id is not None:
        archive = open_archive(db)
        if archive.document(doc_id) is None:
            raise click.ClickException(f"no document {doc_id}")
        found = archive.mentions(doc_id)
        if as_json:
            emit_json({"doc_id": doc_id, "mentions": found})
            return
        if not found:
            click.echo(f"{doc_id}: no mentions found (run `dalil mentions` to read the documents)")
        for m in found:
            linked = f"  [person {m['person']}]" if m["person"] is not None else ""
            form = f"  (as “{m['form']}”)" if m["form"] != m["label"] else ""
            click.echo(f"{m['kind']:<7} {m['n']:>3}  {m['label']}{form}{linked}")
        return
    archive = open_archive(db, must_exist=True)
    # The total comes from the store before the model loads, so the bar never reads "N/?".
    total = archive.status()["documents"] if rebuild else archive.mentions_pending()
    with progress("mentions", min(total, limit or total)) as tick:
        report = archive.build_mentions(progress=lambda done, n: tick(done, None, n), rebuild=rebuild, limit=limit)
    if as_json:
        emit_json(report)
        return
    click.echo(f"{report['documents']} documents read, {report['mentions']} mentioned entities found"
               + (f"; {report['pending']} documents left" if report["pending"] else ""))
