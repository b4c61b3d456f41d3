"""Running a crawl: one Scrapy crawler per source, all in one process and one reactor.

Each source gets its own copy of the settings with its options on top, its own
``crawl_runs`` row and its own counters, so one failing source never stops the
others and the summary can say which failed and why.
"""

from __future__ import annotations

import logging
import os
import signal
import sqlite3
import uuid
from dataclasses import dataclass, field

import sqlite_utils

from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.settings import Settings
from scrapy.utils.defer import deferred_from_coro

from crawler import settings as default_settings
from crawler.logformat import demote_network_failures
from crawler.pipelines import run_abandoned
from crawler.render import CHROMIUM, BrowserUnavailable, browser_settings, one_line_browser_logs
from crawler.sources import Source
from crawler.spiders.source import SourceSpider
from crawler.workers import close_writers, database_problem, shutdown_pool
from storage import open_db
from storage.runs import RunCounters, mark_interrupted_runs, update_run
from storage.sources import sync_sources

logger = logging.getLogger(__name__)


@dataclass
class SourceResult:
    source: str
    status: str  # ok, failed, interrupted
    counters: RunCounters = field(default_factory=RunCounters)
    error: str | None = None

    def summary_line(self) -> str:
        c = self.counters
        line = (
            f"{self.source}: {self.status}: pages {c.pages}, new {c.articles_new}, "
            f"updated {c.articles_updated}, unchanged {c.articles_unchanged}, skipped {c.articles_skipped}, "
            f"not modified {c.not_modified}, errors {c.errors}"
        )
        if c.errors_by_kind:
            line += " (" + ", ".join(f"{k} {v}" for k, v in sorted(c.errors_by_kind.items())) + ")"
        if self.error:
            line += f" — {self.error}"
        return line


def base_settings(*, db_path: str | None, overrides: dict | None = None) -> Settings:
    settings = Settings()
    settings.setmodule(default_settings, priority="project")
    settings.set("NEWSMON_DB", str(db_path) if db_path is not None else "", priority="project")
    for key, value in (overrides or {}).items():
        settings.set(key, value, priority="cmdline")
    return settings


def source_settings(base: Settings, source: Source, run_id: str) -> Settings:
    settings = base.copy()
    settings.set("NEWSMON_RUN_ID", run_id, priority="spider")
    if source.local_mirror:
        # Said explicitly (``local_mirror = true`` or NEWSMON_LOCAL_MIRROR=1), never guessed from
        # the host: a copy on this machine needs no politeness, and may redirect to private
        # addresses. robots.txt is still obeyed.
        settings.set("AUTOTHROTTLE_ENABLED", False, priority="spider")
        settings.set("DOWNLOAD_DELAY", 0, priority="spider")
        settings.set("CONCURRENT_REQUESTS_PER_DOMAIN", 16, priority="spider")
        settings.set("NEWSMON_ALLOW_PRIVATE", True, priority="spider")
    if source.user_agent:
        settings.set("USER_AGENT", source.user_agent, priority="spider")
    if source.headers:
        headers = dict(settings.getdict("DEFAULT_REQUEST_HEADERS"))
        headers.update(source.headers)
        settings.set("DEFAULT_REQUEST_HEADERS", headers, priority="spider")
    if source.download_delay is not None:
        settings.set("DOWNLOAD_DELAY", source.download_delay, priority="spider")
    if source.render == "browser":  # raises BrowserUnavailable when the extra or Chromium is missing
        chromium = settings.get("NEWSMON_CHROMIUM") or CHROMIUM
        for key, value in browser_settings(chromium=chromium, timeout=settings.getfloat("DOWNLOAD_TIMEOUT")).items():
            settings.set(key, value, priority="spider")
        one_line_browser_logs()
    return settings


class DatabaseUnusable(Exception):
    """The crawl's database cannot be opened or written (corrupt, read-only, locked, disk full)."""


class CrawlResults(list):
    """The per-source results, and how the crawl ended when something stopped it."""

    signal: int | None = None  # the signal that interrupted the crawl (SIGINT, SIGTERM)
    abandoned: bool = False  # downloads or extractions were still running when the crawl was cut off


class Stopper:
    """Ends the crawl on the first SIGINT/SIGTERM, and at a hard deadline, whatever is in flight.

    Scrapy's own handlers wait for every download and extraction in flight, even
    after a second Ctrl-C (its reactor shutdown stops the crawlers first). Here
    the first signal closes every spider (each records status ``interrupted``);
    what still runs ``grace`` seconds later is abandoned: the final rows are
    written, the extraction workers killed and the reactor stopped without
    waiting. A second signal ends the process at once.
    """

    def __init__(self, crawlers: list[Crawler], *, grace: float):
        self.crawlers = crawlers
        self.grace = grace
        self.results = CrawlResults()

    def install(self) -> None:
        self._previous = {signum: signal.signal(signum, self._on_signal) for signum in (signal.SIGINT, signal.SIGTERM)}

    def uninstall(self) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)

    def _on_signal(self, signum: int, _frame) -> None:
        from twisted.internet import reactor

        if self.results.signal is not None:
            # No logging in a signal handler (the stream may be mid-write); workers exit with their parent.
            os.write(2, f"newsmon: {signal.Signals(signum).name} again: stopped at once\n".encode())
            os._exit(128 + signum)
        self.results.signal = signum
        reactor.callFromThread(self._stop, signum)

    def _stop(self, signum: int) -> None:
        from twisted.internet import reactor

        name = signal.Signals(signum).name
        logger.warning("%s: stopping the crawl (press Ctrl-C again to stop at once)", name)
        for crawler in self.crawlers:
            if crawler.crawling:
                deferred_from_coro(crawler.stop_async())  # closes the spider with reason "shutdown"
        reactor.callLater(self.grace, self.abandon, "interrupted", f"interrupted ({name})")

    def abandon(self, status: str, error: str) -> None:
        """Record every source still running as ``status`` and stop the reactor without waiting for it."""
        from twisted.internet import reactor

        running = [c for c in self.crawlers if c.spider is not None and getattr(c.spider, "run_status", None) is None]
        if not running:
            return
        self.results.abandoned = True
        logger.warning("%d source(s) still running %g s after the stop: abandoning what is in flight", len(running), self.grace)
        for crawler in running:
            crawler.signals.send_catch_log(run_abandoned, status=status, error=f"{error}; work in flight abandoned")
        shutdown_pool(kill=True)
        reactor.crash()  # unlike stop(), fires no shutdown trigger: Scrapy's would wait for the downloads
        pool = getattr(reactor, "threadpool", None)
        if pool is not None:
            pool.stop()  # its threads would keep the process alive


def run_crawl(
    sources: list[Source],
    *,
    db_path: str | None,
    catalog: list[Source] | None = None,
    settings_overrides: dict | None = None,
    max_runtime: float | None = None,
) -> CrawlResults:
    """Crawl ``sources`` into the database at ``db_path``; blocks until every source is done.

    ``catalog`` is the whole sources file, mirrored into the ``sources`` table
    even when only some sources are crawled. ``max_runtime`` seconds after the
    start every source is closed (status ``partial``), and what still runs
    ``NEWSMON_STOP_GRACE`` seconds later is abandoned. SIGINT and SIGTERM stop
    the crawl the same way (status ``interrupted``). Raises ``DatabaseUnusable``.
    """
    overrides = dict(settings_overrides or {})
    if max_runtime:
        overrides["CLOSESPIDER_TIMEOUT"] = max_runtime
    base = base_settings(db_path=db_path, overrides=overrides)
    demote_network_failures()
    if db_path is not None:  # None: a scale-out worker, whose results go to Redis (NEWSMON_REDIS_URL)
        try:
            db = open_db(db_path)
            db.execute(f"PRAGMA busy_timeout = {int(base.getfloat('NEWSMON_BUSY_TIMEOUT', 30.0) * 1000)}")
            sync_sources(db, [s.table_row() for s in (catalog or sources)])
            mark_interrupted_runs(db)
            db.close()
        except sqlite3.Error as exc:
            raise DatabaseUnusable(f"{db_path}: {database_problem(exc)}") from None
    run_id = uuid.uuid4().hex[:12]
    root_level = logging.getLogger().level
    process = CrawlerProcess(base)
    logging.getLogger().setLevel(root_level)  # Scrapy resets it; keep the level the CLI chose
    crawlers = []
    unavailable: dict[str, str] = {}
    for source in sources:
        try:
            settings = source_settings(base, source, run_id)
        except BrowserUnavailable as exc:  # this source fails with the reason; the others crawl
            unavailable[source.name] = str(exc)
            continue
        # The first crawler installs the reactor, as CrawlerProcess.create_crawler would.
        crawler = Crawler(SourceSpider, settings, init_reactor=not crawlers)
        process.crawl(crawler, source=source)
        crawlers.append((source, crawler))
    stopper = Stopper([crawler for _, crawler in crawlers], grace=base.getfloat("NEWSMON_STOP_GRACE", 10.0))
    stopper.install()
    if max_runtime and crawlers:  # the first crawler installed the reactor
        from twisted.internet import reactor

        reactor.callLater(max_runtime + stopper.grace, stopper.abandon, "partial", "stopped at --max-runtime")
    try:
        if crawlers:
            process.start(install_signal_handlers=False)
    finally:
        shutdown_pool(kill=stopper.results.abandoned)
        close_writers()
        stopper.uninstall()
    results = stopper.results
    results.extend(SourceResult(name, "failed", error=reason) for name, reason in unavailable.items())
    _record_unrecorded_runs(db_path, [crawler.spider for _, crawler in crawlers if crawler.spider is not None],
                            busy_timeout=base.getfloat("NEWSMON_BUSY_TIMEOUT", 30.0))
    for source, crawler in crawlers:
        spider = crawler.spider
        if spider is None:
            results.append(SourceResult(source.name, "failed", error="the spider did not start"))
            continue
        counters = spider.counters
        counters.pages = crawler.stats.get_value("response_received_count", 0)
        results.append(
            SourceResult(
                source.name,
                getattr(spider, "run_status", "failed"),
                counters,
                getattr(spider, "run_error", None) or None,
            )
        )
    return results


def _record_unrecorded_runs(db_path: str, spiders: list[SourceSpider], *, busy_timeout: float) -> None:
    """A last try at the final rows the crawl could not write (the other writer may be done by now)."""
    pending = [spider for spider in spiders if getattr(spider, "unrecorded_run", None)]
    if not pending or db_path is None:
        return
    try:
        db = sqlite_utils.Database(sqlite3.connect(db_path, timeout=busy_timeout))
        try:
            for spider in pending:
                row, status, error = spider.unrecorded_run
                update_run(db, row, spider.counters, status=status, error=error)
        finally:
            db.close()
    except sqlite3.Error as exc:
        logger.error("cannot record the end of the run in %s: %s (the next crawl marks it interrupted)",
                     db_path, database_problem(exc))
