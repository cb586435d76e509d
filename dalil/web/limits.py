"""What one client or one request may take from the server (docs/web.md, "Limits").

A search or a trace is *heavy*: it is admitted only while the client is within its rate
(token bucket per client address and kind: 429 and Retry-After beyond it), while fewer than
`max_heavy` heavy requests are in progress in this process (503 and Retry-After beyond it,
at once rather than queued, so a flood cannot build a backlog), and it gets `request_seconds`
of work before the client receives a 503.  A thread cannot be stopped, so a request over its
budget keeps its place in the count until its thread ends: the bound counts work, not clients.
Request bodies are refused from their declared length before they are read (`BodyLimit`).
"""
from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from typing import TypeVar

import anyio
import anyio.to_thread
from starlette.requests import Request

from dalil.model import Limits
from dalil.web.errors import ApiError, error_response

T = TypeVar("T")
RETRY_BUSY = 2          # seconds a client is told to wait when the heavy requests are at their bound
MAX_CLIENTS = 10_000    # rate buckets kept before the full (idle) ones are dropped


class RateLimiter:
    """Token buckets per (client, kind): `per_minute` requests a minute, bursts up to that many."""

    def __init__(self, per_minute: dict[str, int]):
        self.per_minute = per_minute
        self.buckets: dict[tuple[str, str], tuple[float, float]] = {}     # key → (tokens, when)
        self.lock = threading.Lock()

    def take(self, client: str, kind: str, now: float | None = None) -> float:
        """0 when the request may go ahead (a token is taken), else the seconds until one is free."""
        rate = self.per_minute[kind]
        now = time.monotonic() if now is None else now
        with self.lock:
            tokens, when = self.buckets.get((client, kind), (float(rate), now))
            tokens = min(float(rate), tokens + (now - when) * rate / 60.0)
            if tokens < 1.0:
                self.buckets[(client, kind)] = (tokens, now)
                return (1.0 - tokens) * 60.0 / rate
            if len(self.buckets) > MAX_CLIENTS:
                self._forget_idle(now)
            self.buckets[(client, kind)] = (tokens - 1.0, now)
            return 0.0

    def _forget_idle(self, now: float) -> None:
        # A bucket that has refilled carries no state worth keeping.
        self.buckets = {k: (t, w) for k, (t, w) in self.buckets.items()
                        if t + (now - w) * self.per_minute[k[1]] / 60.0 < self.per_minute[k[1]]}


class HeavyGate:
    """A count of the heavy requests in progress, refused beyond `limit` (never waited for)."""

    def __init__(self, limit: int):
        self.limit = limit
        self.busy = 0
        self.lock = threading.Lock()

    def try_enter(self) -> bool:
        with self.lock:
            if self.busy >= self.limit:
                return False
            self.busy += 1
            return True

    def leave(self) -> None:
        with self.lock:
            self.busy -= 1


def limits_of(request: Request) -> Limits:
    return request.app.state.limits


def admit(request: Request, kind: str) -> None:
    """ApiError 429 when the client has used its rate of `kind` (search, trace) requests."""
    client = request.client.host if request.client else "unknown"
    wait = request.app.state.rates.take(client, kind)
    if wait:
        per = request.app.state.rates.per_minute[kind]
        raise ApiError(429, "rate_limited", f"over {per} {kind} requests a minute from this address; "
                       f"retry in {math.ceil(wait)} s", headers={"Retry-After": str(math.ceil(wait))})


async def run_heavy(request: Request, fn: Callable[..., T], *args, limiter: anyio.CapacityLimiter | None = None) -> T:
    """`fn(*args)` on a worker thread within the heavy-request bound and the time budget:
    ApiError 503 with Retry-After when the bound is reached or the budget runs out."""
    gate: HeavyGate = request.app.state.gate
    budget = limits_of(request).request_seconds
    if not gate.try_enter():
        raise ApiError(503, "busy", f"the server is at its limit of {gate.limit} searches and traces "
                       f"in progress; retry in {RETRY_BUSY} s", headers={"Retry-After": str(RETRY_BUSY)})
    state = {"phase": "waiting"}
    lock = threading.Lock()

    def work() -> T:
        with lock:
            if state["phase"] == "abandoned":      # the budget ran out before a thread was free
                raise TimeoutError
            state["phase"] = "running"
        try:
            return fn(*args)
        finally:
            gate.leave()

    with anyio.move_on_after(budget) as scope:
        return await anyio.to_thread.run_sync(work, limiter=limiter, abandon_on_cancel=True)
    if scope.cancelled_caught:
        with lock:
            if state["phase"] == "waiting":
                state["phase"] = "abandoned"
                gate.leave()
    retry = max(1, math.ceil(budget / 4))
    raise ApiError(503, "time_budget", f"the request needed more than {budget:g} s of work (the limit); "
                   f"retry in {retry} s", headers={"Retry-After": str(retry)})


class BodyLimit:
    """ASGI middleware: a body declared larger than `max_upload_bytes` gets 413 before it is read."""

    def __init__(self, app, limits: Limits):
        self.app = app
        self.limits = limits

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            declared = dict(scope["headers"]).get(b"content-length", b"")
            limit = self.limits.max_upload_bytes
            if declared.isdigit() and int(declared) > limit:
                response = error_response(413, "too_large", f"request body of {int(declared)} bytes is over "
                                          f"the limit of {limit} bytes")
                response.headers["Connection"] = "close"      # the unread body is not waited for
                return await response(scope, receive, send)
        await self.app(scope, receive, send)
