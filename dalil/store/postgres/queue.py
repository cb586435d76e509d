"""The work queue of a PostgreSQL archive: Procrastinate's jobs, plus dalil's bookkeeping (migration 9).

Procrastinate (a maintained library that keeps its queue in PostgreSQL: no broker to run) stores
the jobs, hands each to one worker (`SELECT … FOR UPDATE SKIP LOCKED`), retries a failed one,
and records the heartbeat of each worker, from which a job whose worker died is found and put
back in the queue.  dalil adds, in its own tables:
- `queue_batches`: one row per `dalil ingest --queue` (its tasks, its options);
- `queue_done`: one row per task done, written in the same transaction as the task's documents,
  so a task run again (enqueued twice, or retried after its worker died between its commit and
  Procrastinate's "succeeded") finds it and changes nothing;
- `queue_failures`: each failed attempt with its reason (Procrastinate keeps no reason);
- `queue_schema`: the version of Procrastinate's schema in place (`dalil db upgrade` applies its
  migrations, through Procrastinate's schema API, when a newer Procrastinate is installed).

What a task does is not known here: the worker is given a `handler(kind, args)` (Archive's).
"""
from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

import psycopg

from dalil.store.postgres.connection import redact

log = logging.getLogger("dalil.queue")

QUEUE = "dalil"
INGEST = "dalil.ingest"
POST_INGEST = "dalil.post_ingest"
POST_LOCK = "dalil:post-ingest"        # one post-ingest pass at a time, whatever the batch
ATTEMPTS = 3                           # a task failing this many times stays failed, with its reason
_WRITE_LOCK = 0x64616C6977             # pg_advisory_xact_lock: one task writes its documents at a time
_SCHEMA_LOCK = 0x64616C6971            # two `dalil db upgrade` never apply Procrastinate's schema at once


class QueueError(RuntimeError):
    """The queue cannot be used as asked (its schema missing or older than this Procrastinate)."""


def _seconds(name: str, default: float) -> float:
    value = os.environ.get(name)
    if not value:
        return default
    try:
        return max(0.1, float(value))
    except ValueError:
        raise QueueError(f"{name} must be a number of seconds, not {value!r}") from None


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _version_of(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in text.split("_")[0].split(".")[:3])


def installed_version() -> str:
    import procrastinate
    return procrastinate.__version__


def queue_schema_version(conn: psycopg.Connection) -> str | None:
    """The Procrastinate version whose schema is in this database (None: no queue schema yet)."""
    if conn.execute("SELECT to_regclass('queue_schema')").fetchone()[0] is None:
        return None
    row = conn.execute("SELECT version FROM queue_schema WHERE component='procrastinate'").fetchone()
    return row[0] if row else None


def upgrade_queue(conn: psycopg.Connection) -> tuple[str | None, str]:
    """Apply Procrastinate's schema (a fresh database) or its migrations newer than the version in
    place, with Procrastinate's own SQL; returns (version before, version after).  `conn` is in
    autocommit and the archive's migrations (9: `queue_schema`) are applied."""
    from procrastinate.schema import SchemaManager
    target = installed_version()
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
        before = queue_schema_version(conn)
        if before is None and conn.execute("SELECT to_regclass('procrastinate_jobs')").fetchone()[0] is None:
            conn.execute(SchemaManager.get_schema())
        elif before is not None and _version_of(before) < _version_of(target):
            # Procrastinate's migrations are SQL files named by the version that brought them
            # (`03.04.00_01_pre_….sql`); in a stopped queue, "pre" and "post" apply back to back.
            for path in sorted(Path(SchemaManager.get_migrations_path()).glob("*.sql")):
                if _version_of(before) < _version_of(path.name) <= _version_of(target):
                    conn.execute(path.read_text(encoding="utf-8"))
        elif before is not None and _version_of(before) > _version_of(target):
            raise QueueError(f"the queue's schema is Procrastinate {before}, newer than the installed {target}")
        conn.execute("INSERT INTO queue_schema VALUES ('procrastinate', %s) ON CONFLICT (component) "
                     "DO UPDATE SET version = excluded.version", (target,))
    return before, target


class PostgresQueue:
    """The queue of the archive at `url`; `store` is the archive's PostgresStore (a task's
    documents and its `queue_done` row are written on the store's connection, in one transaction)."""

    def __init__(self, url: str, store: Any, create: bool = True):
        self.url = url
        self.create = create
        self.store = store
        self.heartbeat = _seconds("DALIL_QUEUE_HEARTBEAT", 10.0)
        self.stalled = _seconds("DALIL_QUEUE_STALLED", 30.0)      # no heartbeat for this long: worker dead
        self.retry_wait = _seconds("DALIL_QUEUE_RETRY", 10.0)      # before a failed task runs again
        self._app = None
        self._handler: Callable[[str, dict[str, Any]], Any] | None = None
        self._working = False
        self._check_schema()

    def _check_schema(self) -> None:
        with psycopg.connect(self.url, autocommit=True) as conn:
            version = queue_schema_version(conn)
            self.exists = version is not None or self.create
            if version is None and self.create:
                upgrade_queue(conn)        # a fresh archive gets its queue, as it gets its tables
            elif version is None:
                return
            elif _version_of(version) != _version_of(installed_version()):
                raise QueueError(f"the queue's schema is Procrastinate {version}, this dalil runs "
                                 f"{installed_version()}: run `dalil db upgrade --db {redact(self.url)}`")

    # --- the Procrastinate app ----------------------------------------------------------------
    @property
    def app(self):
        if self._app is None:
            import procrastinate
            app = procrastinate.App(connector=procrastinate.PsycopgConnector(
                conninfo=self.url, min_size=1, max_size=2))
            # Procrastinate retries a task `max_attempts` times after its first run.
            retry = procrastinate.RetryStrategy(max_attempts=ATTEMPTS - 1, wait=int(self.retry_wait))
            for name in (INGEST, POST_INGEST):
                app.task(name=name, queue=QUEUE, retry=retry, pass_context=True)(self._runner(name))
            self._app = app
        return self._app

    def _runner(self, name: str) -> Callable[..., Any]:
        def run(context: Any, **args: Any) -> Any:
            job = context.job
            try:
                return self._handler(name, args)
            except Exception as exc:
                self._rollback()
                attempt = job.attempts + 1
                reason = f"{type(exc).__name__}: {exc}"[:1000]
                self.record_failure(job.id, name, args, attempt, reason)
                log.error("job %s (%s) failed, attempt %s of %s: %s", job.id, name, attempt, ATTEMPTS, reason)
                if attempt >= ATTEMPTS and name == INGEST:
                    # The batch goes on without it (its inputs can be enqueued again): mark it done,
                    # failed, so the post-ingest pass of the rest still runs.
                    self.task_done(args["batch"], args["key"], 0, failed=True)
                    self.store.commit()
                    self.after_task(args["batch"])
                raise
        run.__name__ = name.replace(".", "_")
        return run

    def _rollback(self) -> None:
        try:
            self.store.db.rollback()
        except psycopg.Error:
            pass

    # --- enqueue --------------------------------------------------------------------------------
    def new_batch(self, batch: str, options: dict[str, Any]) -> None:
        """Record a batch before its tasks are deferred (`tasks` unknown yet: none can complete it)."""
        self.store.db.execute("INSERT INTO queue_batches (batch, options, created) VALUES (%s, %s::jsonb, %s)",
                              (batch, json.dumps(options), _now()))
        self.store.commit()

    def defer_ingest(self, tasks: list[dict[str, Any]]) -> list[bool]:
        """Defer ingest tasks (args with `key`); False for each already waiting in the queue (its
        queueing lock: the same content and pipeline version enqueued twice is one job)."""
        from procrastinate.exceptions import AlreadyEnqueued
        out = []
        with self.app.open():
            task = self.app.tasks[INGEST]
            for args in tasks:
                try:
                    # `lock`: a duplicate deferred while the first runs waits for it, then finds it done.
                    task.configure(queueing_lock=f"ingest:{args['key']}", lock=f"ingest:{args['key']}").defer(**args)
                    out.append(True)
                except AlreadyEnqueued:
                    out.append(False)
        return out

    def close_batch(self, batch: str, tasks: int, inputs: int, options: dict[str, Any]) -> None:
        """Give the batch its number of tasks (and `options` learnt while cutting them), then
        start its post-ingest pass if they are all done."""
        self.store.db.execute("UPDATE queue_batches SET tasks=%s, inputs=%s, options = options || %s::jsonb "
                              "WHERE batch=%s", (tasks, inputs, json.dumps(options), batch))
        self.store.commit()
        self.after_task(batch)

    def defer_post(self, batch: str) -> None:
        from procrastinate.exceptions import AlreadyEnqueued
        try:
            job = self.app.tasks[POST_INGEST].configure(queueing_lock=f"post:{batch}", lock=POST_LOCK)
            if self._working:
                job.defer(batch=batch, key=f"post:{batch}")     # inside a task: the worker's app is open
            else:
                with self.app.open():
                    job.defer(batch=batch, key=f"post:{batch}")
        except AlreadyEnqueued:
            pass

    # --- inside a task --------------------------------------------------------------------------
    def done_before(self, key: str) -> bool:
        """Whether a task with this key (content and pipeline version) was done, in any batch."""
        return self.store.db.execute("SELECT 1 FROM queue_done WHERE key=%s AND NOT failed LIMIT 1",
                                     (key,)).fetchone() is not None

    def lock_writes(self) -> None:
        """Hold the archive's write lock until the task's transaction ends: tasks read in parallel,
        and write one at a time, so a document id or a duplicate is decided as in one process."""
        self.store.db.execute("SELECT pg_advisory_xact_lock(%s)", (_WRITE_LOCK,))

    def task_done(self, batch: str, key: str, added: int, failed: bool = False) -> None:
        """Mark the task done in its batch (on the store's connection: committed with its documents)."""
        self.store.db.execute("INSERT INTO queue_done (batch, key, added, failed, at) VALUES (%s,%s,%s,%s,%s) "
                              "ON CONFLICT (batch, key) DO UPDATE SET failed = excluded.failed AND queue_done.failed",
                              (batch, key, added, failed, _now()))

    def after_task(self, batch: str) -> None:
        """Defer the batch's post-ingest pass when its last task is done.  Run after each task's
        commit, also by a task found done before: a worker that died between the two is retried
        and defers it then (the queueing lock and the pass's `finished` mark keep it to one)."""
        row = self.store.db.execute(
            "SELECT b.tasks, b.finished, (SELECT count(*) FROM queue_done d WHERE d.batch=b.batch) "
            "FROM queue_batches b WHERE b.batch=%s", (batch,)).fetchone()
        self.store.commit()
        if row and row[0] is not None and row[1] is None and row[2] >= row[0]:
            self.defer_post(batch)

    def batch(self, batch: str) -> dict[str, Any] | None:
        """A batch's options, tasks, documents added by its tasks and whether its post-ingest ran."""
        row = self.store.db.execute(
            "SELECT options, tasks, finished, (SELECT coalesce(sum(added), 0) FROM queue_done d "
            "WHERE d.batch=b.batch) FROM queue_batches b WHERE batch=%s", (batch,)).fetchone()
        self.store.commit()
        if row is None:
            return None
        return {"options": row[0], "tasks": row[1], "finished": row[2], "added": int(row[3])}

    def finish_batch(self, batch: str) -> None:
        self.store.db.execute("UPDATE queue_batches SET finished=%s WHERE batch=%s AND finished IS NULL",
                              (_now(), batch))

    def record_failure(self, job: int, task: str, args: dict[str, Any], attempt: int, reason: str) -> None:
        # Its own connection: the task's transaction is rolled back, the failure must stay.
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute("INSERT INTO queue_failures (job, task, batch, key, attempt, reason, at) "
                         "VALUES (%s,%s,%s,%s,%s,%s,%s)",
                         (job, task, args.get("batch"), args.get("key"), attempt, reason, _now()))

    # --- state ------------------------------------------------------------------------------------
    def state(self, failures: int = 50) -> dict[str, Any] | None:
        """Jobs by state, the batches with their progress, and the tasks failed for good (with the
        reason of their last attempt); None when the archive has no queue."""
        if not self.exists:
            return None
        db = self.store.db
        counts = {s: 0 for s in ("todo", "doing", "succeeded", "failed", "cancelled", "aborted")}
        for status, n in db.execute("SELECT status::text, count(*) FROM procrastinate_jobs WHERE queue_name=%s "
                                    "GROUP BY 1", (QUEUE,)):
            counts[status] = n
        batches = [{"batch": b, "tasks": t, "inputs": i, "done": d, "failed": f, "added": a, "created": c,
                    "finished": fin}
                   for b, t, i, d, f, a, c, fin in db.execute(
                       "SELECT b.batch, b.tasks, b.inputs, count(d.key), count(d.key) FILTER (WHERE d.failed), "
                       "coalesce(sum(d.added), 0), b.created, b.finished FROM queue_batches b "
                       "LEFT JOIN queue_done d ON d.batch = b.batch GROUP BY b.batch ORDER BY b.created, b.batch")]
        failed = [{"job": j, "task": t, "batch": b, "attempts": a, "reason": r, "at": at}
                  for j, t, b, a, r, at in db.execute(
                      "SELECT DISTINCT ON (f.job) f.job, f.task, f.batch, f.attempt, f.reason, f.at "
                      "FROM queue_failures f JOIN procrastinate_jobs j ON j.id = f.job "
                      "WHERE j.status = 'failed' ORDER BY f.job, f.attempt DESC LIMIT %s", (failures,))]
        workers = db.execute("SELECT count(*) FROM procrastinate_workers WHERE last_heartbeat > now() - "
                             "make_interval(secs => %s)", (self.stalled,)).fetchone()[0]
        db.commit()
        return {"jobs": counts, "workers": workers, "batches": [dict(b, added=int(b["added"])) for b in batches],
                "failures": failed}

    def pending(self) -> int:
        """Jobs waiting or running (a retry scheduled later counts)."""
        n = self.store.db.execute("SELECT count(*) FROM procrastinate_jobs WHERE queue_name=%s AND "
                                  "status IN ('todo', 'doing')", (QUEUE,)).fetchone()[0]
        self.store.commit()
        return n

    # --- the worker -------------------------------------------------------------------------------
    def work(self, handler: Callable[[str, dict[str, Any]], Any], until_empty: bool = False,
             name: str | None = None) -> int:
        """Run tasks with `handler` until stopped (SIGINT, SIGTERM) or, with `until_empty`, until no
        task waits or runs anywhere; returns the number of jobs this worker ran."""
        self._handler = handler
        self._working = True
        # Procrastinate logs each job with all its arguments (a task lists its files): dalil logs
        # one line per failed attempt instead, with its reason (also kept in queue_failures).
        logging.getLogger("procrastinate").setLevel(logging.CRITICAL)
        if not log.handlers:
            handler_ = logging.StreamHandler()
            handler_.setFormatter(logging.Formatter("%(asctime)s dalil worker: %(message)s", "%H:%M:%S"))
            log.addHandler(handler_)
            log.propagate = False
        try:
            return asyncio.run(self._work(until_empty, name or f"dalil-{os.getpid()}"))
        finally:
            self._working = False

    async def _work(self, until_empty: bool, name: str) -> int:
        from procrastinate.worker import Worker
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        current: list[Worker] = []

        def on_signal() -> None:
            stop.set()
            for w in current:
                w.stop()

        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, on_signal)
        ran = 0
        async with self.app.open_async():
            watcher = asyncio.create_task(self._retry_stalled_forever(stop))
            try:
                while not stop.is_set():
                    worker = Worker(self.app, queues=[QUEUE], name=name, concurrency=1, wait=not until_empty,
                                    listen_notify=not until_empty, install_signal_handlers=False,
                                    update_heartbeat_interval=self.heartbeat, stalled_worker_timeout=self.stalled,
                                    fetch_job_polling_interval=min(5.0, self.heartbeat))
                    current[:] = [worker]
                    await worker.run()
                    ran += 1
                    if not until_empty or await self._drained():
                        break
                    # Jobs still run elsewhere (their end may defer a post-ingest pass) or wait for a
                    # retry: look again shortly, putting back those of dead workers meanwhile.
                    await asyncio.sleep(min(1.0, self.heartbeat))
            finally:
                watcher.cancel()
                for sig in (signal.SIGINT, signal.SIGTERM):
                    loop.remove_signal_handler(sig)
        return ran

    async def _drained(self) -> bool:
        await self._retry_stalled()
        rows = await self.app.connector.execute_query_one_async(
            "SELECT count(*) AS n FROM procrastinate_jobs WHERE queue_name = 'dalil' AND status IN ('todo', 'doing')")
        return rows["n"] == 0

    async def _retry_stalled_forever(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await asyncio.sleep(self.heartbeat)
            try:
                await self._retry_stalled()
            except Exception:       # the database briefly away: the next round tries again
                pass

    async def _retry_stalled(self) -> None:
        """Put back in the queue the jobs of workers whose heartbeat stopped (killed, machine lost):
        Procrastinate finds them; each is retried once, by whichever worker sees it first."""
        jobs = await self.app.job_manager.get_stalled_jobs(queue=QUEUE, seconds_since_heartbeat=self.stalled)
        for job in jobs:
            try:
                await self.app.job_manager.retry_job(job)
            except Exception:       # another worker put it back first
                pass
        await self.app.job_manager.prune_stalled_workers(self.stalled)


def wait_seconds() -> float:
    """How often `dalil ingest --queue --wait` and `dalil status --watch` look at the queue."""
    return _seconds("DALIL_QUEUE_POLL", 2.0)
