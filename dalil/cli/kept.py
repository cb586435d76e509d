"""Kept work: `dalil tag`, `star`, `note`, `tags`, saved searches (`save-search`, `saved
list|add|remove`) and `alerts`.  Everything is stored in the archive (dalil/store/base/annotations.py)."""
from __future__ import annotations

import click

from dalil import QueryError
from dalil.cli.common import db_option, emit_json, open_archive


def _apply(fn, *args):
    """Run one kept-work call; a missing document or a bad value is a one-line error."""
    try:
        return fn(*args)
    except LookupError as exc:
        raise click.ClickException(str(exc).strip("'\"")) from None
    except QueryError:
        raise                   # `dalil`'s own one line: "error: bad query: …"
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None


@click.command("tag")
@click.argument("doc_id")
@click.argument("tags", nargs=-1, required=True)
@click.option("--remove", is_flag=True, help="Take the tags away instead.")
@db_option
def tag(doc_id, tags, remove, db):
    """Tag document DOC_ID with TAGS (find them again with `dalil search tag:NAME`)."""
    archive = open_archive(db)
    for name in tags:
        changed = _apply(archive.tag, doc_id, name, remove)
        state = ("removed" if remove else "added") if changed else ("was not there" if remove else "already there")
        click.echo(f"{doc_id.upper()}: tag {name!r} {state}")


@click.command("star")
@click.argument("doc_id")
@click.option("--remove", is_flag=True, help="Take the star away.")
@db_option
def star(doc_id, remove, db):
    """Star document DOC_ID (find starred ones with `dalil search is:starred`)."""
    changed = _apply(open_archive(db).star, doc_id, not remove)
    click.echo(f"{doc_id.upper()}: {'unstarred' if remove else 'starred'}{'' if changed else ' (no change)'}")


@click.command("note")
@click.argument("doc_id")
@click.argument("text", nargs=-1)
@click.option("--clear", is_flag=True, help="Remove the document's note.")
@db_option
def note(doc_id, text, clear, db):
    """Write TEXT as the note of DOC_ID (replacing the one before); `-` reads it from standard input."""
    body = " ".join(text)
    if body == "-":
        body = click.get_text_stream("stdin").read()
    if not body.strip() and not clear:
        raise click.UsageError("give the note's TEXT (or --clear to remove it)")
    _apply(open_archive(db).note, doc_id, "" if clear else body)
    click.echo(f"{doc_id.upper()}: note {'removed' if clear else 'saved'}")


@click.command("tags")
@db_option
@click.option("--json", "as_json", is_flag=True)
def tags(db, as_json):
    """Every tag in use, with how many documents carry it."""
    found = open_archive(db).tags()
    if as_json:
        emit_json([{"tag": t, "documents": n} for t, n in found])
        return
    if not found:
        click.echo("no tags yet (`dalil tag DOCID TAG`)")
    for t, n in found:
        click.echo(f"{n:>6}  {t}")


def _save(db, name, query):
    saved = _apply(open_archive(db).save_search, name, " ".join(query))
    click.echo(f"saved search {saved['name']!r}: {saved['query']} "
               f"(alerts list documents added from now on: `dalil alerts`)")


@click.command("save-search")
@click.argument("name")
@click.argument("query", nargs=-1, required=True)
@db_option
def save_search(name, query, db):
    """Save QUERY under NAME; `dalil alerts` then lists new documents matching it after each ingest."""
    _save(db, name, query)


@click.group("saved")
def saved():
    """Saved searches: list, add, remove."""


@saved.command("list")
@db_option
@click.option("--json", "as_json", is_flag=True)
def saved_list(db, as_json):
    """Every saved search with the time its alerts were last seen."""
    found = open_archive(db).saved_searches()
    if as_json:
        emit_json(found)
        return
    if not found:
        click.echo("no saved searches (`dalil save-search NAME QUERY`)")
    for s in found:
        click.echo(f"{s['name']}: {s['query']}  (saved {s['created']}, seen {s['seen_at'] or 'never'})")


@saved.command("add")
@click.argument("name")
@click.argument("query", nargs=-1, required=True)
@db_option
def saved_add(name, query, db):
    """Save QUERY under NAME (as `dalil save-search`)."""
    _save(db, name, query)


@saved.command("remove")
@click.argument("name")
@db_option
def saved_remove(name, db):
    """Delete the saved search NAME."""
    if not open_archive(db).remove_saved_search(name):
        raise click.ClickException(f"no saved search named {name!r} (`dalil saved list`)")
    click.echo(f"removed saved search {name!r}")


@click.command("alerts")
@db_option
@click.option("--mark-seen", is_flag=True, help="Record these as seen: the next run lists only later documents.")
@click.option("--limit", type=click.IntRange(min=1), default=100, show_default=True,
              help="Documents listed per saved search (the count is of all of them).")
@click.option("--json", "as_json", is_flag=True)
def alerts(db, mark_seen, limit, as_json):
    """For each saved search, the documents added since its alerts were last seen that match it."""
    found = open_archive(db).alerts(mark_seen=mark_seen, limit=limit)
    if as_json:
        emit_json(found)
        return
    if not found:
        click.echo("no saved searches (`dalil save-search NAME QUERY`)")
    for a in found:
        click.echo(f"{a['name']}: {a['count']} new document{'' if a['count'] == 1 else 's'}  [{a['query']}]")
        for d in a["documents"]:
            click.echo(f"  {d['doc_id']}  {d['date'] or '????-??-??'}  {d['subject'] or '—'}")
        if a["count"] > len(a["documents"]):
            click.echo(f"  … and {a['count'] - len(a['documents'])} more (--limit)")
    if mark_seen and found:
        click.echo("marked as seen", err=True)


COMMANDS = (tag, star, note, tags, save_search, saved, alerts)
