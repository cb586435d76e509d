"""`dalil serve`."""
from __future__ import annotations

import ipaddress
import os

import click

from dalil.cli.common import db_option, open_archive


def is_loopback(host: str) -> bool:
    """Whether `host` names this machine only (localhost or a loopback address)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@click.command()
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", type=click.IntRange(1, 65535), default=8080, show_default=True)
@click.option("--public", is_flag=True, help="Allow binding beyond this machine (anyone who can reach it can read the archive).")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Server processes (each answers requests from its own thread pool).")
@click.option("--search-threads", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Threads per process that run searches (CPU-bound: add processes with --workers instead).")
def serve(db, host, port, public, workers, search_threads):
    """Serve the web interface and the JSON API (http://127.0.0.1:8080 by default)."""
    import uvicorn

    if not is_loopback(host) and not public:
        raise click.UsageError(f"--host {host} is reachable from other machines; add --public to allow it")
    archive = open_archive(db)
    path = os.path.abspath(archive.path)
    archive.close()
    if not is_loopback(host):
        click.secho(f"warning: serving {path} on {host}:{port} — anyone who can reach this address can "
                    f"read the whole archive; there is no login.", fg="red", err=True)
    click.echo(f"dalil: serving {path} at http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}/",
               err=True)
    os.environ["DALIL_DB"] = path
    os.environ["DALIL_SEARCH_THREADS"] = str(search_threads)
    # Worker processes inherit the one-BLAS-thread setting made when `dalil` was imported.
    uvicorn.run("dalil.web.app:app_from_env", factory=True, host=host, port=port, workers=workers,
                http="dalil.web.serving:NoDelayHTTPProtocol",
                log_level="warning", server_header=False, proxy_headers=False)
