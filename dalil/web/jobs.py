"""Long work started from the web (a batch search, the export of a big result set, the trace of a
long article) runs as a *job*: the request starts it on its own thread and answers at once with
the job's page, which polls `/api/jobs/<id>` (state, done, total) until the result is ready.

Each job is a JSON file (and its result file) in one directory per archive, so every worker
process of `dalil serve --workers N` answers for every job, whichever process runs it.  Bounds
(dalil.model.Limits): `max_jobs` running per process (503 beyond, at once), one per client
address (429), each holding a heavy-request place of the HeavyGate while it runs; `job_seconds` of
work before a job stops as failed; `max_jobs_kept` jobs on disk, the oldest finished ones dropped
first.  A job id is 16 random URL-safe characters: it is the only key to a job's result.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import secrets
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Callable

from starlette.requests import Request

from dalil.web.auth import user_of
from dalil.web.errors import ApiError
from dalil.web.limits import RETRY_BUSY, admit, client_of, limits_of

log = logging.getLogger("dalil.web")
JOB_ID = re.compile(r"[A-Za-z0-9_-]{16}")
WRITE_EVERY = 0.25          # seconds between two writes of a running job's progress


class JobStopped(Exception):
    """A job over its time limit (raised from its progress callback, between two items)."""


class Job:
    """A running job as its work sees it: `progress(done, total)` (which also stops a job over its
    time limit) and `out`, the file its result is written to."""

    def __init__(self, registry: "Jobs", state: dict[str, Any], deadline: float):
        self.registry, self.state, self.deadline = registry, state, deadline
        self.out = registry.result_path(state["id"])
        self.last = 0.0

    def progress(self, done: int, total: int | None = None) -> None:
        self.state["done"] = int(done)
        if total is not None:
            self.state["total"] = int(total)
        now = time.monotonic()
        if now > self.deadline:
            raise JobStopped
        if now - self.last >= WRITE_EVERY:
            self.last = now
            self.registry.save(self.state)


class Jobs:
    """The job registry of one archive: a directory of `<id>.json` state files and `<id>.out` results."""

    def __init__(self, root: Path, max_running: int, keep: int, seconds: float):
        self.root = Path(root)
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.max_running, self.keep, self.seconds = max_running, keep, seconds
        self.running: dict[str, str] = {}        # job id → client, in this process
        self.lock = threading.Lock()

    @staticmethod
    def default_dir(location: str) -> Path:
        """$DALIL_JOBS_DIR, else a directory of the system's temporary folder named after the
        archive (the same for every worker process of one server)."""
        given = os.environ.get("DALIL_JOBS_DIR")
        if given:
            return Path(given)
        key = hashlib.sha256(os.path.abspath(location).encode() if "://" not in location
                             else location.encode()).hexdigest()[:16]
        return Path(tempfile.gettempdir()) / f"dalil-jobs-{os.getuid()}-{key}"

    # --- files ------------------------------------------------------------------------------
    def state_path(self, job_id: str) -> Path:
        return self.root / f"{job_id}.json"

    def result_path(self, job_id: str) -> Path:
        return self.root / f"{job_id}.out"

    def save(self, state: dict[str, Any]) -> None:
        # Written aside and renamed: a reader never sees half a file.
        tmp = self.root / f".{state['id']}.{threading.get_ident()}.tmp"
        tmp.write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, self.state_path(state["id"]))

    def get(self, job_id: str) -> dict[str, Any] | None:
        """A job's state, or None (unknown id, or dropped)."""
        if not JOB_ID.fullmatch(job_id or ""):
            return None
        try:
            return self._alive(json.loads(self.state_path(job_id).read_text(encoding="utf-8")))
        except (OSError, ValueError):
            return None

    def _alive(self, state: dict[str, Any]) -> dict[str, Any]:
        """A job still `running` well past its time limit belonged to a server that stopped: failed."""
        if state.get("state") in ("queued", "running") and time.time() - state["created"] > self.seconds + 60:
            state.update(state="failed", error="the server stopped while the job ran")
        return state

    def _prune(self) -> None:
        """Drop the oldest finished jobs beyond `keep - 1`, making room for one more."""
        states = []
        for path in self.root.glob("*.json"):
            try:
                states.append(self._alive(json.loads(path.read_text(encoding="utf-8"))))
            except (OSError, ValueError):
                continue
        finished = sorted((s for s in states if s.get("state") in ("done", "failed")), key=lambda s: s["created"])
        for s in finished[:max(0, len(states) - self.keep + 1)]:
            for path in (self.state_path(s["id"]), self.result_path(s["id"])):
                path.unlink(missing_ok=True)

    def _new(self, kind: str, title: str, total: int | None, state: str) -> dict[str, Any]:
        self._prune()
        return {"id": secrets.token_urlsafe(12), "kind": kind, "title": title, "state": state, "done": 0,
                "total": total, "created": time.time(), "finished": None, "error": None, "result": None}

    # --- work -------------------------------------------------------------------------------
    def record(self, kind: str, title: str, result: dict[str, Any], owner: str | None = None) -> str:
        """Keep the result of work already done (a trace answered at once) as a finished job
        (`owner`: the user it belongs to, who alone may see it)."""
        state = self._new(kind, title, None, "done")
        state.update(finished=time.time(), result=result, owner=owner)
        self.save(state)
        return state["id"]

    def start(self, request: Request, kind: str, title: str, total: int | None,
              work: Callable[[Job], dict[str, Any]], rate: str = "search") -> str:
        """Start `work(job)` on its own thread (its return value becomes the job's `result`); the
        job's id.  ApiError 429/503 when the client or the server is at its bound."""
        admit(request, rate)
        gate = request.app.state.gate
        client = client_of(request)
        with self.lock:
            if len(self.running) >= self.max_running:
                raise ApiError(503, "busy", f"the server is at its limit of {self.max_running} jobs running; "
                               f"retry in {RETRY_BUSY * 5} s", headers={"Retry-After": str(RETRY_BUSY * 5)})
            if client in self.running.values():
                raise ApiError(429, "rate_limited", "this address already has a job running (the limit is one); "
                               "wait for it to finish", headers={"Retry-After": "5"})
            refused = gate.try_enter(client)
            if refused:
                raise ApiError(503 if refused == "busy" else 429, "busy" if refused == "busy" else "rate_limited",
                               "the server is at its limit of searches, traces and jobs in progress; "
                               f"retry in {RETRY_BUSY} s", headers={"Retry-After": str(RETRY_BUSY)})
            state = self._new(kind, title, total, "queued")
            user = user_of(request)
            state["owner"] = user.name if user is not None else None
            self.running[state["id"]] = client
        self.save(state)
        seconds = min(self.seconds, limits_of(request).job_seconds)
        threading.Thread(target=self._run, args=(state, work, client, gate, seconds),
                         name=f"dalil-job-{kind}", daemon=True).start()
        return state["id"]

    def _run(self, state: dict[str, Any], work: Callable[[Job], dict[str, Any]], client: str,
             gate, seconds: float) -> None:
        job = Job(self, state, time.monotonic() + seconds)
        state["state"] = "running"
        self.save(state)
        try:
            state["result"] = work(job)
            state["state"] = "done"
            if state["total"] is not None:
                state["done"] = state["total"]
        except JobStopped:
            state["state"], state["error"] = "failed", f"the job needed more than {seconds:g} s of work (the limit)"
        except ApiError as exc:                         # the work's own refusal (an unusable article)
            state["state"], state["error"] = "failed", exc.message
        except (ValueError, LookupError) as exc:       # a bad query or an unknown person: said, not logged
            state["state"], state["error"] = "failed", (str(exc).splitlines() or ["failed"])[0].strip("'\"")
        except Exception:
            incident = secrets.token_hex(4)
            log.exception("job %s failed (incident %s)", state["id"], incident)
            state["state"], state["error"] = "failed", f"internal error (incident {incident}, details in the server log)"
        finally:
            # The places are given back before the end is written: whoever sees the job ended
            # may start the next one.
            gate.leave(client)
            with self.lock:
                self.running.pop(state["id"], None)
            state["finished"] = time.time()
            self.save(state)


def public(state: dict[str, Any]) -> dict[str, Any]:
    """A job as `/api/jobs/<id>` shows it: no result body, links instead."""
    jid = state["id"]
    result = state.get("result") or {}
    url = None
    if state["state"] == "done":
        url = f"/jobs/{jid}/result" if result.get("file") else f"/jobs/{jid}"
    return {"id": jid, "kind": state["kind"], "title": state["title"], "state": state["state"],
            "done": state["done"], "total": state["total"], "error": state["error"],
            "seconds": round((state["finished"] or time.time()) - state["created"], 1),
            "page": f"/jobs/{jid}", "result": url, "rows": result.get("rows")}
