"""`dalil search` and `dalil index`."""
from __future__ import annotations

import click

from dalil.cli.common import db_option, emit_json, open_archive, progress


@click.command()
@click.argument("query", nargs=-1, required=True)
@db_option
@click.option("--limit", type=click.IntRange(1, 1000), default=10, show_default=True)
@click.option("--offset", type=click.IntRange(0), default=0)
@click.option("--mode", type=click.Choice(["lexical", "dense", "hybrid"]), default=None,
              help="Ranking (default: hybrid when vectors are built, else lexical).")
@click.option("--lang", default=None, help="Query language (default: detected).")
@click.option("--json", "as_json", is_flag=True, help="Print the JSON contract.")
def search(query, db, limit, offset, mode, lang, as_json):
    """Search the archive: words, "phrases", OR, -exclusion, prefix*, and filters
    from: to: cc: subject: doc: release: exemption: after:YYYY-MM-DD before:YYYY-MM-DD lang: mentions:.
    from:/to:/cc: name a person in all their forms; from:="Sid" is the literal form only."""
    archive = open_archive(db)
    options = {k: v for k, v in (("mode", mode), ("lang", lang)) if v}
    # Facets are in the JSON only: the text output does not print them (nor pay for them).
    result = archive.search(" ".join(query), limit=limit, offset=offset, facets=as_json, **options)
    if as_json:
        emit_json(result.to_dict())
        return
    mode = f"  [{result.mode}, {result.lang}]" if result.lang else ""
    if result.no_exact:
        click.echo(f"no document contains {' '.join(result.missing) or result.query}{mode}")
    else:
        click.echo(f"{result.total} document{'' if result.total == 1 else 's'} contain{'s' if result.total == 1 else ''} "
                   f"{result.query} ({result.took_ms:.0f} ms){mode}")
    if result.expansions:
        click.echo("also matched OCR spellings: " + "; ".join(
            f"{t} → {', '.join(v)}" for t, v in result.expansions.items()))
    for person in result.people:      # from:blumenthal read as a person: say whom, and how many forms
        click.echo(person.describe())
    kind = None
    for i, hit in enumerate(result.hits, start=offset + 1):
        if hit.match != kind and (kind or hit.match == "related"):
            click.secho(f"\nRelated in meaning ({result.related_total} documents)" if hit.match == "related"
                        else "\nContaining the words", bold=True)
        kind = hit.match
        click.secho(f"\n{i:>3}. {hit.doc_id}", bold=True, nl=False)
        click.echo(f"  {hit.date or '????-??-??'}  p.{hit.page or '-'}  {hit.sender or ''}")
        if hit.subject:
            click.echo(f"     {hit.subject}")
        click.echo("     " + _highlight(hit.snippet, hit.highlights))
        if hit.matched_terms:
            click.echo(f"     matched: {', '.join(hit.matched_terms)}")
        if hit.duplicates:
            click.echo(f"     same email also in: {', '.join(hit.duplicates)}")


def _highlight(snippet: str, spans: list[tuple[int, int]]) -> str:
    out, pos = [], 0
    for s, e in spans:
        out.append(snippet[pos:s])
        out.append(click.style(snippet[s:e], bold=True, fg="yellow"))
        pos = e
    out.append(snippet[pos:])
    return "".join(out)


@click.command()
@db_option
@click.option("--workers", type=click.IntRange(1, 64), default=2, show_default=True,
              help="Embedding processes.")
@click.option("--rebuild", is_flag=True, help="Drop the vectors and embed every passage again.")
def index(db, workers, rebuild):
    """Build the dense vectors for cross-lingual search (only passages added since the last build)."""
    archive = open_archive(db)
    # The total comes from the store before the model loads, so the bar never reads "N/?".
    with progress("vectors", archive.vectors_pending(rebuild)) as tick:
        report = archive.build_vectors(progress=lambda done, total: tick(done, None, total), workers=workers,
                                       rebuild=rebuild)
    click.echo(f"{report['added']} passages embedded, {report['total']} in the index"
               + ((" (rebuilt)" if rebuild else " (rebuilt: the model changed)") if report["rebuilt"] else ""))
