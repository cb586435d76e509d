"""The HTTP protocol `dalil serve` runs uvicorn with: uvicorn's own, with Nagle's algorithm off and
a deadline for a request's headers.

With `--workers` above 1 uvicorn binds the listening socket itself (`socket.socket(family)`, so
its protocol number is 0) and asyncio then leaves TCP_NODELAY unset on the accepted connections:
a response written in two segments (headers, then body) waits for the client's delayed ACK,
about 40 ms on Linux, on every request of a keep-alive connection.  Setting TCP_NODELAY when the
connection is made removes that wait whatever the number of workers.

uvicorn closes an idle kept-alive connection after `timeout_keep_alive`, but a client that sends
headers a byte at a time (or connects and sends nothing) holds its connection for ever; here a
connection whose request headers are not complete within `Limits.header_seconds` is closed.
"""
from __future__ import annotations

import socket

from uvicorn.protocols.http.auto import AutoHTTPProtocol

from dalil.model import Limits


class NoDelayHTTPProtocol(AutoHTTPProtocol):
    header_seconds = Limits.from_env().header_seconds

    def connection_made(self, transport) -> None:
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            try:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:        # the peer already went away: nothing to speed up
                pass
        super().connection_made(transport)
        self._header_timer = None
        self._arm_header_deadline()

    def data_received(self, data: bytes) -> None:
        self._arm_header_deadline()
        super().data_received(data)
        if self._header_timer is not None and not self._waiting_for_headers():
            self._header_timer.cancel()          # the headers are in: the request's own limits apply
            self._header_timer = None

    def connection_lost(self, exc) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
        super().connection_lost(exc)

    def _waiting_for_headers(self) -> bool:
        return self.cycle is None or self.cycle.response_complete

    def _arm_header_deadline(self) -> None:
        # From the connection or the first byte of a request to the end of its headers, however
        # the bytes are spread out; an idle kept-alive connection is uvicorn's timeout_keep_alive.
        if self._header_timer is None and self._waiting_for_headers():
            self._header_timer = self.loop.call_later(self.header_seconds, self._header_deadline)

    def _header_deadline(self) -> None:
        self._header_timer = None
        if self._waiting_for_headers() and not self.transport.is_closing():
            self.transport.close()
