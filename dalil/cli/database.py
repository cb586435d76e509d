"""`dalil db upgrade`: the archive's schema."""
from __future__ import annotations

import click

from dalil import Archive
from dalil.cli.common import db_option, emit_json


@click.group("db")
def db_group() -> None:
    """The archive's database: schema migrations."""


@db_group.command("upgrade")
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print the versions as JSON.")
def upgrade(db, as_json):
    """Apply the schema migrations this dalil needs (a new version never loses data)."""
    result = Archive.upgrade_schema(db)
    if as_json:
        emit_json(result)
    elif result["before"] == result["after"]:
        click.echo(f"schema v{result['after']}: up to date")
    else:
        click.echo(f"schema upgraded from v{result['before']} to v{result['after']}")
    queue = result.get("queue")
    if queue and not as_json:
        click.echo(f"queue schema: Procrastinate {queue['after']}" +
                   (" (up to date)" if queue["before"] == queue["after"] else
                    f" (was {queue['before'] or 'none'})"))
