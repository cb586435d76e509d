"""`dalil serve`."""
from __future__ import annotations

import ipaddress
import os

import click

from dalil import Archive
from dalil.cli.common import db_option, open_archive
from dalil.model import Limits

# `dalil serve` options that set a limit (docs/web.md, "Limits"); each is also DALIL_<NAME>.
LIMIT_OPTIONS = ("max_upload_bytes", "max_article_chars", "request_seconds", "max_heavy",
                 "search_per_minute", "trace_per_minute", "work_seconds_per_minute", "max_query_chars")
MAX_CONNECTIONS = 256      # open connections per process before uvicorn answers 503


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
@click.option("--max-upload-bytes", type=click.IntRange(1), help="Largest request body [2097152].")
@click.option("--max-article-chars", type=click.IntRange(1), help="Longest article to trace [200000].")
@click.option("--request-seconds", type=click.FloatRange(0.1), help="Work per request before a 503 [30].")
@click.option("--max-heavy", type=click.IntRange(1), help="Searches and traces in progress per process [16].")
@click.option("--search-per-minute", type=click.IntRange(1), help="Searches per client address a minute [240].")
@click.option("--trace-per-minute", type=click.IntRange(1), help="Traces per client address a minute [30].")
@click.option("--work-seconds-per-minute", type=click.FloatRange(0.1),
              help="Seconds of search and trace work per client address a minute [20].")
@click.option("--max-query-chars", type=click.IntRange(1), help="Longest query [1000].")
@click.option("--auth", is_flag=True,
              help="Require a login even while the archive has no accounts (it does whenever it has any).")
@click.option("--secure-cookie", is_flag=True,
              help="Mark the session cookie Secure although requests arrive over http (behind a TLS proxy).")
@click.option("--max-connections", type=click.IntRange(1), default=MAX_CONNECTIONS, show_default=True,
              help="Open connections per process; beyond them uvicorn answers 503.")
def serve(db, host, port, public, workers, search_threads, auth, secure_cookie, max_connections, **limits):
    """Serve the web interface and the JSON API (http://127.0.0.1:8080 by default), within the
    limits of docs/web.md (options below, or DALIL_<NAME> environment variables)."""
    import uvicorn

    if not is_loopback(host) and not public:
        raise click.UsageError(f"--host {host} is reachable from other machines; add --public to allow it")
    for name in LIMIT_OPTIONS:       # the workers read their limits from the environment
        if limits.get(name) is not None:
            os.environ["DALIL_" + name.upper()] = str(limits[name])
    try:
        Limits.from_env()        # a bad DALIL_<NAME> value stops here with one line
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    archive = open_archive(db)
    # A server URL is passed on as it is (made absolute, it would name a file).
    path = archive.path if "://" in archive.path else os.path.abspath(archive.path)
    shown = Archive.display_name(path)
    login = auth or archive.has_users()
    archive.close()
    if login and not auth:
        click.echo("dalil: the archive has accounts: every page and API route needs a login", err=True)
    elif auth and not login:
        click.secho("warning: --auth and no account yet: create one with `dalil user add NAME --role admin`",
                    fg="yellow", err=True)
    if not is_loopback(host) and not login:
        click.secho(f"warning: serving {shown} on {host}:{port} — anyone who can reach this address can "
                    f"read the whole archive; there is no login.", fg="red", err=True)
    click.echo(f"dalil: serving {shown} at http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}/",
               err=True)
    os.environ["DALIL_DB"] = path
    if auth:
        os.environ["DALIL_AUTH"] = "1"
    if secure_cookie:
        os.environ["DALIL_SECURE_COOKIE"] = "1"
    os.environ["DALIL_SEARCH_THREADS"] = str(search_threads)
    # Worker processes inherit the one-BLAS-thread setting made when `dalil` was imported.
    # Slow clients: 5 s to start the next request on a kept-alive connection, header_seconds to
    # send a request's headers (dalil.web.serving), body_seconds to send its body (dalil.web.limits).
    uvicorn.run("dalil.web.app:app_from_env", factory=True, host=host, port=port, workers=workers,
                http="dalil.web.serving:NoDelayHTTPProtocol", timeout_keep_alive=5,
                limit_concurrency=max_connections, h11_max_incomplete_event_size=16 * 1024,
                log_level="warning", server_header=False, proxy_headers=False)
