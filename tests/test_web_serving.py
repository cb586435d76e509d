"""How `dalil serve` serves: Nagle's algorithm off on every connection (uvicorn up to 0.3x left it
on when it bound the socket itself, as with --workers > 1; 0.55 no longer does, and dalil does
not depend on which), searches on their own small thread pool."""
from __future__ import annotations

import socket
import threading
import time

import httpx
import pytest
import uvicorn
from uvicorn.config import Config

from dalil.web.serving import NoDelayHTTPProtocol


async def _empty_app(scope, receive, send):
    if scope["type"] == "http":
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})


def _nodelay_of_accepted_connection(protocol_class) -> int:
    """TCP_NODELAY of the server side of a keep-alive connection to a real uvicorn server whose
    listening socket uvicorn bound itself (`Config.bind_socket`, as with --workers > 1)."""
    config = Config(_empty_app, host="127.0.0.1", port=0, http=protocol_class, lifespan="off",
                    log_level="warning")
    sock = config.bind_socket()
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        with httpx.Client() as client:
            r = client.get(f"http://127.0.0.1:{sock.getsockname()[1]}/")
            assert r.status_code == 204
            (conn,) = server.server_state.connections        # the client's connection, still open
            return conn.transport.get_extra_info("socket").getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
    finally:
        server.should_exit = True
        thread.join(10)


def test_dalil_protocol_turns_nagle_off():
    assert _nodelay_of_accepted_connection(NoDelayHTTPProtocol) != 0


@pytest.mark.parametrize("threads", [1, 3])
def test_search_threads_bound_the_search_pool(tmp_path, threads):
    from starlette.testclient import TestClient

    from dalil import Archive
    from dalil.web.app import create_app
    archive = Archive(str(tmp_path / "empty.db"))
    app = create_app(archive, search_threads=threads)
    with TestClient(app) as client:
        assert app.state.search_limiter.total_tokens == threads
        r = client.get("/api/search", params={"q": "libya"})
        assert r.status_code == 200 and r.json()["total"] == 0
        assert client.get("/api/search", params={"q": '"unbalanced'}).json()["error"]["code"] == "bad_query"
