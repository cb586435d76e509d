"""Accounts and the audit log: `dalil user add|list|grant|revoke|token|passwd|role` and `dalil audit`.

Whoever can write the archive (its file, or its PostgreSQL database) manages its accounts: these
commands need no login.  Passwords are read from the terminal (twice), or from stdin with
`--password-stdin` for scripts; they are stored as argon2 hashes (dalil/access.py)."""
from __future__ import annotations

import sys

import click

from dalil import ROLES, Archive
from dalil.cli.common import db_option, emit_json, open_archive


def _apply(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except LookupError as exc:
        raise click.ClickException(str(exc).strip("'\"")) from None
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("password", hide_input=True, confirmation_prompt=True)


def _archive(db) -> Archive:
    return open_archive(db)


@click.group("user")
def user_group() -> None:
    """Accounts: who may log in to `dalil serve`, with which role and which collections."""


@user_group.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), default="reader", show_default=True,
              help="reader: reads and searches; editor: also tags, notes, saves searches; admin: everything.")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin.")
@click.option("--grant", "grants", multiple=True, metavar="COLLECTION", help="Grant a collection (repeatable).")
@db_option
def add(name, role, password_stdin, grants, db):
    """Create the account NAME (the archive then asks every web visitor to log in)."""
    archive = _archive(db)
    _apply(archive.add_user, name, role, _password(password_stdin))
    for collection in grants:
        _apply(archive.grant, name, collection)
    click.echo(f"user {name} added ({role})" + (f", granted {', '.join(grants)}" if grants else ""))


@user_group.command("list")
@db_option
@click.option("--json", "as_json", is_flag=True)
def list_users(db, as_json):
    """Every account with its role and collections, and the archive's collections."""
    archive = _archive(db)
    users, collections = archive.users(), archive.collections()
    if as_json:
        emit_json({"users": users, "collections": [{"name": c, "documents": n} for c, n in collections]})
        return
    for u in users:
        click.echo(f"{u['name']:<24} {u['role']:<7} {', '.join(u['collections']) or '-'}")
    click.echo("collections: " + (", ".join(f"{c} ({n})" for c, n in collections) or "none"))


@user_group.command("grant")
@click.argument("name")
@click.argument("collections", nargs=-1, required=True)
@db_option
def grant(name, collections, db):
    """Let user NAME see COLLECTIONS."""
    archive = _archive(db)
    for c in collections:
        changed = _apply(archive.grant, name, c)
        click.echo(f"{name}: {c} {'granted' if changed else 'was granted already'}")


@user_group.command("revoke")
@click.argument("name")
@click.argument("collections", nargs=-1, required=True)
@db_option
def revoke(name, collections, db):
    """Take COLLECTIONS away from user NAME (their open sessions lose them at once)."""
    archive = _archive(db)
    for c in collections:
        changed = _apply(archive.grant, name, c, on=False)
        click.echo(f"{name}: {c} {'revoked' if changed else 'was not granted'}")


@user_group.command("token")
@click.argument("name")
@click.option("--days", type=int, default=90, show_default=True, help="Days the token is valid.")
@click.option("--label", default="", help="What the token is for (shown by `dalil user list --json`).")
@db_option
@click.option("--json", "as_json", is_flag=True)
def token(name, days, label, db, as_json):
    """A new API token for NAME (`Authorization: Bearer TOKEN`); printed once, only its hash is kept."""
    found = _apply(_archive(db).new_token, name, days=days, label=label)
    if as_json:
        emit_json(found)
    else:
        click.echo(found["token"])
        click.echo(f"valid until {found['expires']}", err=True)


@user_group.command("passwd")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin.")
@db_option
def passwd(name, password_stdin, db):
    """Set the password of NAME."""
    _apply(_archive(db).set_password, name, _password(password_stdin))
    click.echo(f"password of {name} changed")


@user_group.command("role")
@click.argument("name")
@click.argument("role", type=click.Choice(ROLES))
@db_option
def role(name, role, db):
    """Change the role of NAME."""
    _apply(_archive(db).set_role, name, role)
    click.echo(f"{name} is now {role}")


@click.command("audit")
@db_option
@click.option("--user", "who", default=None, help="Only this user's actions.")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Only the last N entries.")
@click.option("--json", "as_json", is_flag=True, help="As a JSON list.")
@click.option("--csv", "as_csv", is_flag=True, help="As CSV (at, user, action, target, detail).")
def audit(db, who, limit, as_json, as_csv):
    """The audit log: who searched, opened, exported and changed what, oldest first."""
    archive = _archive(db)
    entries = archive.audit(limit=limit, user=who)
    if as_json:
        click.echo(archive.audit_json(entries))
    elif as_csv:
        for line in archive.audit_csv(entries):
            click.echo(line, nl=False)
    else:
        for e in entries:
            click.echo(f"{e['at']}  {e['user']:<16} {e['action']:<13} {e['target']}"
                       + (f"  ({e['detail']})" if e["detail"] else ""))


COMMANDS = (user_group, audit)
