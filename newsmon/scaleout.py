"""Many machines crawl, one database: scheduling, leases, workers and ingest over Redis.

    schedule (cron, one host) ──► newsmon:due (sorted set of source names)
    worker (any number of hosts) ── lease a due source and its hosts (TTL, renewed while crawling)
        ── crawl it with the same spider and pipelines as `newsmon crawl`
        ── push articles, run counters and URL states ──► newsmon:results (stream)
    ingest (the database host) ── consumer group on the stream ──► SQLite (upsert_article), XACK after COMMIT

Leases are redis-py locks (``SET NX PX`` plus Lua scripts to extend and release
only one's own token): one worker per source and per host at a time, so
politeness holds across machines; a worker that dies stops renewing and its
lease expires after ``lease_ttl`` seconds. A source leaves the due set only when
its crawl completed, so an expired lease leaves it there for the next worker.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import signal
import socket
import threading
import time
import uuid
from dataclasses import MISSING, asdict, dataclass, field, fields as dataclass_fields
from datetime import datetime, timezone
from urllib.parse import urlparse

from crawler.sources import Source, parse_source

logger = logging.getLogger(__name__)

PREFIX = "newsmon:"
DUE = PREFIX + "due"
SOURCES = PREFIX + "sources"
LAST_DONE = PREFIX + "last_done"
WORKERS = PREFIX + "workers"
SEEDED = PREFIX + "seeded"
DEAD = PREFIX + "dead"
LEASE = PREFIX + "lease:"
GROUP = "ingest"

#: Seconds a lease lives without renewal; renewed every third of it while crawling.
DEFAULT_LEASE_TTL = 60.0


class ScaleoutError(RuntimeError):
    """Redis is unreachable or not usable for newsmon's queues."""


def connect(url: str):
    """The shared client settings (retries across a Redis restart); redis is imported only here."""
    try:
        from crawler.redis_sink import connect as connect_redis
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise ScaleoutError("the redis module is not installed: pip install 'newsmon[redis]'") from exc
    client = connect_redis(url)
    try:
        client.ping()
    except Exception as exc:  # noqa: BLE001 - any failure here means "cannot use this Redis"
        raise ScaleoutError(f"{url}: cannot reach Redis: {exc}") from None
    return client


def _now() -> float:
    return time.time()


def source_definition(source: Source) -> str:
    """The source as its sources-file table (JSON), so workers need no copy of the file.

    Keys left at their default are left out, as in a sources file: some are refused unless
    their companion is set (``telegram_base`` without ``telegram``, ``url`` beside ``url_template``)."""
    defaults = {f.name: f.default if f.default is not MISSING else f.default_factory()
                for f in dataclass_fields(Source) if f.default is not MISSING or f.default_factory is not MISSING}
    table = {k: v for k, v in _toml_table(asdict(source)).items() if not (k in defaults and v == _toml_value(defaults[k]))}
    return json.dumps(table, ensure_ascii=False)


def _toml_value(value):
    return _toml_table(value) if isinstance(value, dict) else list(value) if isinstance(value, tuple) else value


def _toml_table(table: dict) -> dict:
    """``table`` as TOML would hold it: no None (TOML has no null), lists for tuples, nested alike."""
    return {k: _toml_value(v) for k, v in table.items() if v is not None}


def source_from_definition(text: str) -> Source:
    return parse_source(json.loads(text), where="source from Redis")


def lease_names(source: Source) -> list[str]:
    """The source itself and every host (with port: two servers on one machine are two sites) it reaches."""
    hosts = {urlparse(u).netloc.lower() for u in (*source.start_urls, *source.feeds, *source.sitemaps)}
    hosts.update(d.lower() for d in source.allowed_domains)
    return sorted([f"{LEASE}source:{source.name}", *(f"{LEASE}host:{h}" for h in hosts if h)])


# -- schedule ---------------------------------------------------------------


def schedule(client, sources: list[Source], *, now: float | None = None) -> list[str]:
    """Publish the sources' definitions and queue those due; returns the names queued now.

    A source is due when its last completed crawl is older than ``interval_minutes``.
    Sources no longer in the file are withdrawn.
    """
    now = now if now is not None else _now()
    enabled = [s for s in sources if s.enabled]
    names = {s.name for s in enabled}
    pipe = client.pipeline(transaction=True)
    for source in enabled:
        pipe.hset(SOURCES, source.name, source_definition(source))
    stale = [name for name in client.hkeys(SOURCES) if name not in names]
    if stale:
        pipe.hdel(SOURCES, *stale)
        pipe.zrem(DUE, *stale)
    pipe.execute()
    last_done = dict(zip([s.name for s in enabled], client.hmget(LAST_DONE, [s.name for s in enabled]) if enabled else []))
    queued = []
    for source in enabled:
        done = last_done.get(source.name)
        if done is not None and now - float(done) < source.interval_minutes * 60:
            continue
        if client.zadd(DUE, {source.name: now}, nx=True):
            queued.append(source.name)
    return queued


# -- leases -----------------------------------------------------------------


@dataclass
class Lease:
    """The locks a worker holds for one source; renewed by the worker's heartbeat thread."""

    source: Source
    locks: list = field(default_factory=list)

    def renew(self, ttl: float) -> bool:
        try:
            for lock in self.locks:
                lock.extend(ttl, replace_ttl=True)
        except Exception as exc:  # noqa: BLE001 - LockNotOwnedError, or Redis gone for a while
            logger.warning("%s: lease lost: %s", self.source.name, exc)
            return False
        return True

    def release(self) -> None:
        for lock in self.locks:
            try:
                lock.release()
            except Exception:  # noqa: BLE001 - expired already: nothing to give back
                pass


def try_lease(client, source: Source, *, worker_id: str, ttl: float) -> Lease | None:
    """All of the source's locks, or none (and None)."""
    lease = Lease(source)
    for name in lease_names(source):
        lock = client.lock(name, timeout=ttl, blocking=False, thread_local=False)
        if not lock.acquire(token=f"{worker_id}:{uuid.uuid4().hex[:8]}"):
            lease.release()
            return None
        lease.locks.append(lock)
    # The source may have been completed by the worker whose lease we just followed.
    if client.zscore(DUE, source.name) is None:
        lease.release()
        return None
    return lease


def take_due(client, *, worker_id: str, ttl: float, limit: int) -> list[Lease]:
    """Lease up to ``limit`` due sources, oldest first, skipping those another worker holds."""
    leases = []
    for name in client.zrange(DUE, 0, -1):
        if len(leases) >= limit:
            break
        text = client.hget(SOURCES, name)
        if text is None:
            client.zrem(DUE, name)
            continue
        lease = try_lease(client, source_from_definition(text), worker_id=worker_id, ttl=ttl)
        if lease is not None:
            leases.append(lease)
    return leases


def complete(client, lease: Lease, *, now: float | None = None) -> None:
    """The source was crawled: out of the due set (before the lease goes, so no one takes it again)."""
    pipe = client.pipeline(transaction=True)
    pipe.hset(LAST_DONE, lease.source.name, now if now is not None else _now())
    pipe.zrem(DUE, lease.source.name)
    pipe.execute()
    lease.release()


# -- worker -----------------------------------------------------------------


def _crawl_child(redis_url: str, inbox, overrides: dict, log_level: int) -> None:
    """One batch's crawl process, started ahead of need (Twisted's reactor cannot be started twice
    in one process): it imports the crawl's modules, then waits for its batch on ``inbox``."""
    from crawler.redis_sink import close_sinks
    from crawler.run import run_crawl
    from crawler.workers import _exit_with_parent

    from newsmon.cli import configure_logging

    # The worker's level, on the handler too (Scrapy sets its own loggers to DEBUG).
    configure_logging(2 if log_level <= logging.DEBUG else 1 if log_level <= logging.INFO else 0, log_level >= logging.ERROR)
    # A worker killed with -9 takes its crawl down too, or the crawl would go on without a lease.
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True, name="newsmon-parent-watch").start()
    import crawler.steps  # noqa: F401 - the heavy imports (extraction, language id), before the batch arrives

    try:
        definitions = inbox.recv()
    except EOFError:  # the worker stopped
        return
    if definitions is None:
        return
    sources = [source_from_definition(text) for text in definitions]
    try:
        results = run_crawl(sources, db_path=None, settings_overrides={**overrides, "NEWSMON_REDIS_URL": redis_url})
    finally:
        close_sinks()
    for result in results:
        logger.info("%s", result.summary_line())


def _raise_exit(signum, frame) -> None:
    raise SystemExit(128 + signum)


@dataclass
class WorkerOptions:
    batch: int = 16  # sources crawled at once by one worker (one reactor, like `newsmon crawl`)
    lease_ttl: float = DEFAULT_LEASE_TTL
    poll: float = 2.0  # seconds between looks at an empty due set
    exit_when_idle: bool = False  # stop when nothing is due (tests, one-shot runs)
    settings_overrides: dict = field(default_factory=dict)


class Worker:
    """Leases due sources, crawls each batch in a child process, renews the leases meanwhile."""

    def __init__(self, redis_url: str, options: WorkerOptions | None = None):
        self.redis_url = redis_url
        self.options = options or WorkerOptions()
        self.client = connect(redis_url)
        self.id = f"{socket.gethostname()}:{os.getpid()}"
        self.started_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
        self.batches = 0
        self._warm: tuple | None = None  # the next batch's crawl process, already importing

    def _spawn(self) -> tuple:
        context = multiprocessing.get_context("spawn")
        inbox, outbox = context.Pipe(duplex=False)
        child = context.Process(
            target=_crawl_child,
            args=(self.redis_url, inbox, self.options.settings_overrides, logging.getLogger().getEffectiveLevel()),
            name="newsmon-worker-crawl",
        )
        child.start()
        inbox.close()
        return child, outbox

    def _stop_warm(self) -> None:
        if self._warm is None:
            return
        child, outbox = self._warm
        self._warm = None
        try:
            outbox.send(None)
        except OSError:
            pass
        child.join(10)
        if child.exitcode is None:
            child.kill()
            child.join()

    def _heartbeat(self, leases: list[Lease]) -> None:
        record = {
            "host": socket.gethostname(), "pid": os.getpid(), "started_at": self.started_at,
            "expires_at": _now() + self.options.lease_ttl, "sources": [lease.source.name for lease in leases],
        }
        self.client.hset(WORKERS, self.id, json.dumps(record))

    def run(self) -> int:
        """Work until stopped (or until nothing is due with ``exit_when_idle``); returns batches crawled."""
        # systemd stops with SIGTERM: unwind (leases given back) instead of dying with them held.
        signal.signal(signal.SIGTERM, _raise_exit)
        try:
            self._warm = self._spawn()
            while True:
                self._heartbeat([])
                leases = take_due(self.client, worker_id=self.id, ttl=self.options.lease_ttl, limit=self.options.batch)
                if not leases:
                    if self.options.exit_when_idle and not self.client.zcard(DUE):
                        return self.batches
                    time.sleep(self.options.poll)
                    continue
                self.crawl(leases)
                self.batches += 1
        finally:
            self._stop_warm()
            self.client.hdel(WORKERS, self.id)

    def crawl(self, leases: list[Lease]) -> bool:
        """Crawl one batch; sources are completed only when the child finished normally."""
        names = ", ".join(lease.source.name for lease in leases)
        logger.info("worker %s: crawling %s", self.id, names)
        definitions = [source_definition(lease.source) for lease in leases]
        child, outbox = self._warm or self._spawn()
        self._warm = None
        try:
            outbox.send(definitions)
        except OSError:  # the waiting process died (killed, out of memory): start one now
            child, outbox = self._spawn()
            outbox.send(definitions)
        outbox.close()
        self._warm = self._spawn()  # the next batch's process starts while this one crawls
        try:
            while True:
                self._heartbeat(leases)
                child.join(self.options.lease_ttl / 3)
                if child.exitcode is not None:
                    break
                if not all([lease.renew(self.options.lease_ttl) for lease in leases]):
                    # Another worker may take a lost lease: stop rather than crawl a site twice at once.
                    logger.warning("worker %s: a lease of %s was lost; stopping that crawl", self.id, names)
                    child.kill()
                    child.join()
        except BaseException:  # stopped (SIGTERM, Ctrl-C): end the crawl, give the leases back
            child.kill()
            child.join()
            for lease in leases:
                lease.release()
            raise
        if child.exitcode != 0:
            logger.warning("worker %s: crawl of %s ended with exit code %s; the sources stay due", self.id, names, child.exitcode)
            for lease in leases:
                lease.release()
            return False
        for lease in leases:
            complete(self.client, lease)
        return True


# -- ingest -----------------------------------------------------------------


@dataclass
class IngestCounts:
    articles: dict[str, int] = field(default_factory=dict)
    runs: int = 0
    progress: int = 0
    failed: int = 0
    busy_seconds: float = 0.0  # time spent applying entries (the rate ingest sustains while there is work)

    def summary(self) -> str:
        arts = ", ".join(f"{k} {v}" for k, v in sorted(self.articles.items())) or "none"
        stored = sum(self.articles.values())
        rate = f" ({stored / self.busy_seconds:.0f} articles/s)" if self.busy_seconds and stored else ""
        return (f"articles: {arts}{rate}; runs {self.runs}; progress updates {self.progress}; failed {self.failed}")


class Ingest:
    """Drains the results stream into SQLite: one consumer of one group, at least once, idempotent.

    Each entry is committed by the storage function that writes it (``upsert_article``
    and the others commit their own transactions), and a batch is acknowledged
    after its last entry committed. A crash before the acknowledgement leaves the
    batch pending for this consumer name, and the next start applies it again:
    articles come out ``unchanged`` (counted as such in the run's row), runs and
    URL states are upserts. Nothing is lost; nothing is stored twice.
    """

    def __init__(self, redis_url: str, db_path: str, *, consumer: str = "ingest", batch: int = 200):
        from storage import open_db

        self.client = connect(redis_url)
        self.db = open_db(db_path)
        self.consumer = consumer
        self.batch = batch
        self.counts = IngestCounts()
        self._synced: set[str] = set()
        self._ensure_group()
        self._seed()

    def _ensure_group(self) -> None:
        from crawler.redis_sink import RESULTS
        from redis.exceptions import ResponseError

        try:
            self.client.xgroup_create(RESULTS, GROUP, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    def _seed(self) -> None:
        """A fresh Redis learns what the database already holds, so workers skip stored articles."""
        from crawler.redis_sink import remember_articles, remember_states
        from storage.urlstate import UrlState

        if not self.client.set(SEEDED, _now(), nx=True):
            return
        sql = "select url, fetched_url, source, published, fetched_at from articles"
        rows = self.db.execute(sql).fetchall()
        for start in range(0, len(rows), 1000):
            pipe = self.client.pipeline(transaction=False)
            remember_articles(pipe, rows[start:start + 1000])
            pipe.execute()
        states = [UrlState(**row) for row in self.db.query(
            "select url, kind, etag, last_modified, last_status, reason, checked_at from url_state")]
        for start in range(0, len(states), 1000):
            pipe = self.client.pipeline(transaction=False)
            remember_states(pipe, states[start:start + 1000])
            pipe.execute()
        logger.info("seeded Redis with %d stored articles and %d URL states", len(rows), len(states))

    def _sync_source(self, name: str) -> None:
        """The ``sources`` row an incoming run or article refers to (foreign keys)."""
        from storage.sources import sync_sources

        if name in self._synced:
            return
        text = self.client.hget(SOURCES, name)
        if text is not None:
            sync_sources(self.db, [source_from_definition(text).table_row()])
        elif not self.db["sources"].count_where("name = ?", [name]):
            self.db["sources"].insert({"name": name, "kind": "news", "updated_at": _iso_now()}, pk="name")
        self._synced.add(name)

    def _run_row(self, run_id: str, source: str, started_at: str | None = None) -> int:
        rows = self.db.execute("select id from crawl_runs where run_id = ? and source = ?", [run_id, source]).fetchall()
        if rows:
            return rows[0][0]
        return self.db["crawl_runs"].insert(
            {"run_id": run_id, "source": source, "started_at": started_at or _iso_now(), "status": "running"}
        ).last_pk

    def apply(self, fields: dict[str, str]) -> None:
        """One stream entry into the database (inside the caller's transaction)."""
        from crawler.redis_sink import article_from_message
        from storage.articles import upsert_article
        from storage.atomic import write_transaction
        from storage.runs import RunCounters, update_run
        from storage.urlstate import UrlState, record_states

        op, run_id = fields.get("op"), fields.get("run_id", "")
        data = json.loads(fields["data"]) if op != "article" else None
        if op == "article":
            article = article_from_message(fields)
            self._sync_source(article.source)
            row = self._run_row(run_id, article.source)
            outcome = upsert_article(self.db, article)
            with write_transaction(self.db):
                self.db.execute(f"update crawl_runs set articles_{outcome} = coalesce(articles_{outcome}, 0) + 1 "
                                "where id = ?", [row])
                if outcome == "new":
                    self.db.execute("update crawl_runs set last_new_article_at = ? where id = ?", [_iso_now(), row])
            self.counts.articles[outcome] = self.counts.articles.get(outcome, 0) + 1
        elif op == "run_start":
            self._sync_source(data["source"])
            with write_transaction(self.db):
                # One worker crawls a source at a time: an older run still 'running' lost its worker.
                self.db.execute(
                    "update crawl_runs set status = 'interrupted', error = coalesce(error, ?) "
                    "where source = ? and status = 'running' and run_id != ?",
                    ["the worker ended without finishing this source (its lease expired)", data["source"], run_id])
            self._run_row(run_id, data["source"], data.get("started_at"))
            self.counts.runs += 1
        elif op == "progress":
            self._sync_source(data["source"])
            row = self._run_row(run_id, data["source"])
            counters = RunCounters(**data["counters"])
            # Article outcomes are ingest's own counts (above): the worker cannot know them.
            current = self.db.execute(
                "select articles_new, articles_updated, articles_unchanged, last_new_article_at from crawl_runs where id = ?",
                [row]).fetchone()
            counters.articles_new, counters.articles_updated, counters.articles_unchanged = (v or 0 for v in current[:3])
            counters.last_new_article_at = current[3]
            record_states(self.db, data["source"], [UrlState(**s) for s in data["states"]])
            update_run(self.db, row, counters, status=data.get("status"), error=data.get("error"))
            self.counts.progress += 1
        else:
            raise ValueError(f"unknown entry {op!r}")

    def _apply_batch(self, entries: list) -> None:
        from crawler.redis_sink import RESULTS

        started = time.perf_counter()
        for entry_id, fields in entries:
            try:
                self.apply(fields)
            except Exception as exc:  # noqa: BLE001 - one bad entry must not stop the others
                if self.db.conn.in_transaction:
                    self.db.conn.rollback()
                logger.error("ingest: entry %s (%s) failed: %s: %s", entry_id, fields.get("op"), type(exc).__name__, exc)
                self.counts.failed += 1
                self.client.xadd(DEAD, {**fields, "error": f"{type(exc).__name__}: {exc}"})
        ids = [entry_id for entry_id, _ in entries]
        # Acknowledged, then deleted: the stream holds only what is not yet stored (article texts
        # would otherwise pile up in Redis's memory). One group reads it, so nobody else needs them.
        pipe = self.client.pipeline(transaction=True)
        pipe.xack(RESULTS, GROUP, *ids)
        pipe.xdel(RESULTS, *ids)
        pipe.execute()
        self.counts.busy_seconds += time.perf_counter() - started

    def drain_once(self, *, block_ms: int = 1000) -> int:
        """Apply our pending entries (a crash left them unacknowledged), else new ones; returns how many."""
        from crawler.redis_sink import RESULTS

        for start_id in ("0", ">"):
            reply = self.client.xreadgroup(GROUP, self.consumer, {RESULTS: start_id}, count=self.batch,
                                           block=None if start_id == "0" else block_ms)
            entries = reply[0][1] if reply else []
            if entries:
                self._apply_batch(entries)
                return len(entries)
        return 0

    def idle(self) -> bool:
        """Nothing due, no live worker, nothing waiting in the stream."""
        if self.client.zcard(DUE):
            return False
        now = _now()
        for text in self.client.hvals(WORKERS):
            if json.loads(text).get("expires_at", 0) > now:
                return False
        return True

    def refresh_status(self) -> None:
        """Copy the scale-out state into ``scaleout_sources`` (the ``source_health`` view shows it)."""
        from storage.atomic import write_transaction

        rows = [{**row, "updated_at": _iso_now()} for row in source_states(self.client)]
        for row in rows:
            self._sync_source(row["source"])
        with write_transaction(self.db):
            self.db.execute("delete from scaleout_sources")
            if rows:
                self.db["scaleout_sources"].insert_all(rows)

    def run(self, *, exit_when_idle: bool = False, status_every: float = 10.0) -> IngestCounts:
        next_status = 0.0
        try:
            while True:
                if time.monotonic() >= next_status:
                    self.refresh_status()
                    next_status = time.monotonic() + status_every
                if self.drain_once() == 0 and exit_when_idle and self.idle() and self.drain_once(block_ms=100) == 0:
                    return self.counts
        finally:
            self.refresh_status()

    def close(self) -> None:
        self.db.close()
        self.client.close()


def _iso_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


# -- health -----------------------------------------------------------------


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).isoformat(timespec="seconds")


def source_states(client) -> list[dict]:
    """Per source: due, crawling (and by whom, until when) or idle; for ``scaleout_sources``."""
    names = sorted(client.hkeys(SOURCES))
    rows = []
    for name in names:
        key = f"{LEASE}source:{name}"
        holder, ttl = client.get(key), client.pttl(key)
        done = client.hget(LAST_DONE, name)
        due = client.zscore(DUE, name) is not None
        rows.append({
            "source": name,
            "state": "crawling" if holder else "due" if due else "idle",
            "worker": holder.rsplit(":", 1)[0] if holder else None,
            "lease_expires_at": _iso(_now() + ttl / 1000) if holder and ttl > 0 else None,
            "last_completed_at": _iso(float(done)) if done else None,
        })
    return rows


def status(client) -> dict:
    """Workers (live or stale), leases with their holder and time left, and queue depths."""
    from crawler.redis_sink import RESULTS

    now = _now()
    workers = []
    for worker_id, text in sorted(client.hgetall(WORKERS).items()):
        record = json.loads(text)
        workers.append({"id": worker_id, "live": record.get("expires_at", 0) > now, **record})
    leases = []
    for key in sorted(client.scan_iter(match=LEASE + "*", count=500)):
        holder = client.get(key)
        ttl = client.pttl(key)
        if holder is not None:
            leases.append({"lease": key[len(LEASE):], "worker": holder.rsplit(":", 1)[0], "ttl": max(ttl, 0) / 1000})
    pending = 0
    lag = None
    if client.exists(RESULTS):
        for group in client.xinfo_groups(RESULTS):
            if group["name"] == GROUP:
                pending = group.get("pending", 0)
                lag = group.get("lag")
    return {
        "workers": workers, "leases": leases, "due": client.zcard(DUE), "stream": client.xlen(RESULTS),
        "pending": pending, "lag": lag, "dead": client.xlen(DEAD),
    }
