"""The `dalil` command: a thin layer over `dalil.Archive`.

Every command takes `--db FILE` or `--db postgresql://…` (default: $DALIL_DB, then ./dalil.db).  Errors
are one line on stderr with a non-zero exit, never a traceback (set
DALIL_DEBUG=1 to see one).  Each family of commands is a module of this package,
registered on `main` below.
"""
from __future__ import annotations

import os
import sys

import click

from dalil import QueryError
from dalil.model import StorageFull
from dalil.cli import check, database, documents, export, intel, kept, search, serve, trace, worker


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="dalil")
def main() -> None:
    """dalil — search released email archives in any language and trace claims to their sources."""


for _command in (documents.ingest, documents.status, documents.show, check.check,
                 search.search, search.index,
                 trace.trace_cmd,
                 export.export, export.cite, export.batch,
                 intel.build_intel, intel.people, intel.thread, intel.dupes, intel.timeline, intel.graph,
                 intel.mentions,
                 serve.serve,
                 database.db_group, *kept.COMMANDS, worker.worker):
    main.add_command(_command)


def run() -> None:
    """Entry point with one-line errors."""
    try:
        main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("interrupted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except StorageFull as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except QueryError as exc:
        click.echo(f"error: bad query: {exc}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
    except Exception as exc:    # never a traceback for the user
        if os.environ.get("DALIL_DEBUG"):
            raise
        click.echo(f"error: {type(exc).__name__}: {exc}", err=True)
        sys.exit(1)
