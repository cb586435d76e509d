"""What one client or one request may take from the server (docs/web.md, "Limits").

A search or a trace is *heavy*.  It is admitted only while the client is within its rates
(token buckets per client address: requests of each kind a minute, and seconds of work a
minute; 429 and Retry-After beyond them) and has fewer than `max_heavy_per_client` heavy
requests in progress, and while fewer than `max_heavy` are in progress in the process (503 and
Retry-After beyond it, at once: the line of waiting requests is never longer than that).  An
admitted request waits for a place to run (FairSlots: fair queuing on the seconds each client's
work really took, so one client's costly queries wait while the others have their share) and gets
`request_seconds` in all: the search and trace pipelines get that deadline (`Deadline`) and,
once it has passed, begin no further stage or claim and answer what they have with
`"partial": true`.  A request still waiting for its turn at the deadline, or whose running stage
overruns it by more than GRACE, gets a 503.  A thread cannot be stopped, so a request over its
budget keeps its place until its thread ends: the bounds count work, not clients.  Request bodies are refused from their declared length before they are read (`BodyLimit`).
"""
from __future__ import annotations

import asyncio
import heapq
import itertools
import math
import threading
import time
from collections.abc import Callable
from typing import TypeVar

import anyio
import anyio.to_thread
from starlette.requests import Request

from dalil.model import Deadline, Limits
from dalil.web.errors import ApiError, error_response

T = TypeVar("T")
RETRY_BUSY = 2          # seconds a client is told to wait when the heavy requests are at their bound
MAX_CLIENTS = 10_000    # rate buckets kept before the full (idle) ones are dropped


GRACE_SECONDS = 5.0     # at least this long past the deadline for the stage running at it


def grace(budget: float) -> float:
    """Seconds past the deadline a running stage may take before the client gets a 503: one stage
    (the lexical ranking of a cold server, a dense encoding, a claim's evidence) takes up to a few
    seconds, and the first stage always runs, so that a partial answer has something in it."""
    return max(GRACE_SECONDS, budget / 2)


class RateLimiter:
    """Token buckets per (client, kind), refilled at `per_minute[kind]` a minute up to that many.
    A request of kind "search" or "trace" costs one token; kind "work" holds seconds of work,
    charged after the work is done, so a client that sent costly requests waits until its
    balance is positive again (the count of requests alone lets a few slow queries take a core)."""

    def __init__(self, per_minute: dict[str, float]):
        self.per_minute = per_minute
        self.buckets: dict[tuple[str, str], tuple[float, float]] = {}     # key → (tokens, when)
        self.lock = threading.Lock()

    def _level(self, key: tuple[str, str], now: float) -> float:
        rate = self.per_minute[key[1]]
        tokens, when = self.buckets.get(key, (float(rate), now))
        return min(float(rate), tokens + (now - when) * rate / 60.0)

    def take(self, client: str, kind: str, cost: float = 1.0, now: float | None = None) -> float:
        """0 when the client has `cost` tokens (and they are taken; cost 0 asks for a positive
        balance), else the seconds until it has."""
        now = time.monotonic() if now is None else now
        key = (client, kind)
        with self.lock:
            tokens = self._level(key, now)
            need = cost if cost > 0 else 1e-9
            if tokens < need:
                self.buckets[key] = (tokens, now)
                return (need - tokens) * 60.0 / self.per_minute[kind]
            if len(self.buckets) > MAX_CLIENTS:
                self._forget_idle(now)
            self.buckets[key] = (tokens - cost, now)
            return 0.0

    def charge(self, client: str, kind: str, amount: float) -> None:
        """Take `amount` tokens after the fact (the balance may go below zero)."""
        now = time.monotonic()
        key = (client, kind)
        with self.lock:
            self.buckets[key] = (self._level(key, now) - amount, now)

    def _forget_idle(self, now: float) -> None:
        # A bucket that has refilled carries no state worth keeping.
        self.buckets = {k: (t, w) for k, (t, w) in self.buckets.items() if self._level(k, now) < self.per_minute[k[1]]}


class HeavyGate:
    """The heavy requests in progress (waiting for a place or running), in all and per client,
    refused beyond their bounds rather than waited for."""

    def __init__(self, limit: int, per_client: int):
        self.limit, self.per_client = limit, per_client
        self.busy = 0
        self.by_client: dict[str, int] = {}
        self.lock = threading.Lock()

    def try_enter(self, client: str) -> str | None:
        """None when admitted (leave() must follow), else why not: "busy" or "client"."""
        with self.lock:
            if self.busy >= self.limit:
                return "busy"
            if self.by_client.get(client, 0) >= self.per_client:
                return "client"
            self.busy += 1
            self.by_client[client] = self.by_client.get(client, 0) + 1
            return None

    def leave(self, client: str) -> None:
        with self.lock:
            self.busy -= 1
            left = self.by_client.pop(client) - 1
            if left:
                self.by_client[client] = left


class FairSlots:
    """`capacity` places to run heavy work, shared between clients by start-time fair queuing:
    each client's requests carry a virtual start tag, the later of the queue's virtual time and
    the end of the client's previous work (its tag plus the seconds it really ran); the smallest
    tag goes next.  Every client so gets an equal share of the threads' time, whatever its
    requests cost: a client sending 4-second queries waits while the others run 4 seconds' worth
    of theirs, and an ordinary query is never stuck behind a line of costly ones.  Lives on the
    event loop; `release` is called there."""

    def __init__(self, capacity: int):
        self.capacity = capacity
        self.running = 0
        self.vtime = 0.0                         # tag of the latest request started
        self.finish: dict[str, float] = {}       # client → virtual end of its work so far
        self.waiting: list[list] = []            # heap of [tag, order, event, state]
        self.order = itertools.count()

    def tag(self, client: str) -> float:
        return max(self.vtime, self.finish.get(client, 0.0))

    async def acquire(self, client: str) -> float:
        """Wait for a place; the request's start tag (give it back to `release`)."""
        tag = self.tag(client)
        if self.running < self.capacity and not self.waiting:
            self.running += 1
        else:
            entry = [tag, next(self.order), anyio.Event(), "waiting"]
            heapq.heappush(self.waiting, entry)
            try:
                await entry[2].wait()
            except BaseException:                # cancelled (time budget, client gone)
                if entry[3] == "granted":
                    self.release(client, tag, 0.0)
                else:
                    entry[3] = "cancelled"
                raise
        self.vtime = max(self.vtime, tag)
        return tag

    def release(self, client: str, tag: float, seconds: float) -> None:
        """The place of a request that started at `tag` and ran `seconds` passes to the next."""
        if seconds:
            self.finish[client] = max(self.finish.get(client, 0.0), tag + seconds)
            if len(self.finish) > MAX_CLIENTS:   # a client behind the virtual time has no credit to keep
                self.finish = {c: f for c, f in self.finish.items() if f > self.vtime}
        while self.waiting:
            entry = heapq.heappop(self.waiting)
            if entry[3] == "waiting":
                entry[3] = "granted"             # the place passes on; `running` is unchanged
                entry[2].set()
                return
        self.running -= 1


def limits_of(request: Request) -> Limits:
    return request.app.state.limits


def client_of(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def admit(request: Request, kind: str) -> None:
    """ApiError 429 when the client has used its rate of `kind` (search, trace) requests or its
    seconds of work a minute."""
    rates: RateLimiter = request.app.state.rates
    client = client_of(request)
    wait = rates.take(client, "work", cost=0)
    what = f"{rates.per_minute['work']:g} s of search and trace work a minute"
    if not wait:
        wait = rates.take(client, kind)
        what = f"{rates.per_minute[kind]:g} {kind} requests a minute"
    if wait:
        retry = math.ceil(wait)
        raise ApiError(429, "rate_limited", f"this address used its {what} (the limit); retry in {retry} s",
                       headers={"Retry-After": str(retry)})


async def run_heavy(request: Request, queue: str, fn: Callable[..., T], *args,
                    limiter: anyio.CapacityLimiter | None = None, deadline: bool = False) -> T:
    """`fn(*args)` on a worker thread, once a place of `queue` ("search", "trace": FairSlots of
    app.state.slots) is free, within the heavy-request bounds and the time budget: ApiError 503
    with Retry-After when a bound is reached or the budget runs out.  The seconds of work are
    charged to the client's work rate; the place is held until the thread ends.  `deadline`: `fn`
    also gets `deadline=` (a Deadline at the end of the budget, counted from now) and is given
    GRACE more before the 503; a request whose turn comes after the grace gets the 503."""
    gate: HeavyGate = request.app.state.gate
    rates: RateLimiter = request.app.state.rates
    slots: FairSlots = request.app.state.slots[queue]
    client = client_of(request)
    budget = limits_of(request).request_seconds
    until = Deadline.after(budget)
    kwargs = {"deadline": until} if deadline else {}
    refused = gate.try_enter(client)
    if refused == "busy":
        raise ApiError(503, "busy", f"the server is at its limit of {gate.limit} searches and traces "
                       f"in progress; retry in {RETRY_BUSY} s", headers={"Retry-After": str(RETRY_BUSY)})
    if refused == "client":
        raise ApiError(429, "rate_limited", f"this address already has {gate.per_client} searches or traces "
                       f"in progress (the limit); retry in 1 s", headers={"Retry-After": "1"})
    loop = asyncio.get_running_loop()
    state = {"phase": "queued", "tag": 0.0}
    lock = threading.Lock()

    def work() -> T:
        with lock:
            if state["phase"] == "abandoned":      # the budget ran out before a thread was free
                raise TimeoutError
            # Its turn came so late that even the first stage would overrun the grace: 503.
            late = deadline and time.monotonic() >= until.at + grace(budget)
            state["phase"] = "late" if late else "running"
        t0 = time.perf_counter()
        try:
            if late:
                raise TimeoutError
            return fn(*args, **kwargs)
        finally:
            took = time.perf_counter() - t0
            rates.charge(client, "work", took)
            gate.leave(client)
            loop.call_soon_threadsafe(slots.release, client, state["tag"], took)

    with anyio.move_on_after(budget + (grace(budget) if deadline else 0.0)) as scope:
        try:
            state["tag"] = await slots.acquire(client)
        except BaseException:
            gate.leave(client)
            raise
        state["phase"] = "waiting"
        try:
            return await anyio.to_thread.run_sync(work, limiter=limiter, abandon_on_cancel=True)
        except TimeoutError:
            if state["phase"] != "late":
                raise
    if scope.cancelled_caught and state["phase"] != "running":
        with lock:
            if state["phase"] == "waiting":        # in the thread pool's line: work() may never run
                state["phase"] = "abandoned"
                gate.leave(client)
                slots.release(client, state["tag"], 0.0)
    retry = max(1, math.ceil(budget / 4))
    raise ApiError(503, "time_budget", f"the request needed more than {budget:g} s (the limit); "
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
