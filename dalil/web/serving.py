"""The HTTP protocol `dalil serve` runs uvicorn with: uvicorn's own, with Nagle's algorithm off.

With `--workers` above 1 uvicorn binds the listening socket itself (`socket.socket(family)`, so
its protocol number is 0) and asyncio then leaves TCP_NODELAY unset on the accepted connections:
a response written in two segments (headers, then body) waits for the client's delayed ACK,
about 40 ms on Linux, on every request of a keep-alive connection.  Setting TCP_NODELAY when the
connection is made removes that wait whatever the number of workers.
"""
from __future__ import annotations

import socket

from uvicorn.protocols.http.auto import AutoHTTPProtocol


class NoDelayHTTPProtocol(AutoHTTPProtocol):
    def connection_made(self, transport) -> None:
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            try:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:        # the peer already went away: nothing to speed up
                pass
        super().connection_made(transport)
