"""Item pipelines, one job each: extract (Page → Article), then store.

Both record their outcomes on the spider's run counters, which the store
pipeline writes to ``crawl_runs`` as the crawl goes and when it ends.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import sqlite3
import time
from concurrent.futures import Future, TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool

from pebble import ProcessExpired

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider, DropItem

from crawler.extract import ExtractionError
from storage.records import Article, Page
from crawler.sink import Sink, SourceStopped, open_sink
from crawler.workers import database_problem, default_workers, extraction_pool
from crawler.steps import article_from_page
from storage.urlstate import UrlState

logger = logging.getLogger(__name__)

#: How often (seconds) the running counters are written to crawl_runs.
PROGRESS_EVERY = 10.0

#: Sent by ``crawler.run`` (``status=``, ``error=``) when a stop could not wait for the spider to close:
#: the store pipeline writes the run's final row at once.
run_abandoned = object()


class ExtractPipeline:
    """Turns fetched pages into articles; pages without article text are dropped and counted.

    Extraction runs in the shared worker pool (``NEWSMON_EXTRACT_WORKERS``
    processes; 0 extracts on the reactor thread, for debugging), each page
    within ``NEWSMON_EXTRACT_TIMEOUT`` seconds: past it the worker is killed and
    replaced, and the page counted as ``extract_timeout``.
    """

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        workers = crawler.settings.getint("NEWSMON_EXTRACT_WORKERS", -1)
        self.workers = default_workers() if workers < 0 else workers
        self.timeout = crawler.settings.getfloat("NEWSMON_EXTRACT_TIMEOUT", 20.0)
        self.pool = extraction_pool(self.workers)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "ExtractPipeline":
        return cls(crawler)

    async def _extract(self, page: Page) -> Article:
        if self.pool is None:
            return article_from_page(page)
        for attempt in (1, 2):
            future, generation = self.pool.submit(article_from_page, self.timeout or None, page)
            try:
                return await asyncio.wrap_future(future)
            except FutureTimeout:
                raise ExtractionError(
                    "extract_timeout",
                    f"extraction took over {self.timeout:g} s (NEWSMON_EXTRACT_TIMEOUT); the worker was replaced",
                ) from None
            except (ProcessExpired, BrokenProcessPool) as exc:
                if isinstance(exc, ProcessExpired):  # pebble has already started a worker in this one's place
                    logger.warning("%s: extraction worker died (%s); replaced, extracting the page again", page.url, exc)
                elif self.pool.replace(generation):  # the whole pool gave up: the first page to see it replaces it
                    logger.warning("%s: extraction pool broken (%s); replaced, extracting again", page.url, exc)
                if attempt == 2:
                    raise ExtractionError("extraction_failed", f"extraction failed twice, its worker died ({exc})") from None
        raise AssertionError("unreachable")

    async def process_item(self, item):
        if not isinstance(item, Page):
            return item
        spider = self.crawler.spider
        try:
            return await self._extract(item)
        except ExtractionError as exc:
            spider._error(exc.kind, item.url, str(exc))
            spider.mark_not_article(item.requested_url or item.url, exc.kind)
            raise DropItem(f"{item.url}: {exc}") from None
        except Exception as exc:  # noqa: BLE001 - one bad page must not stop the crawl
            logger.warning("%s: extraction failed: %s: %s", item.url, type(exc).__name__, exc)
            logger.debug("%s: extraction failed", item.url, exc_info=True)
            spider._error("extraction_failed", item.url, f"extraction failed: {type(exc).__name__}: {exc}")
            raise DropItem(f"{item.url}: {exc}") from None


class StorePipeline:
    """Upserts articles into SQLite and keeps the source's ``crawl_runs`` row current.

    Every write goes through the crawl's single database-writer thread, so the
    reactor never waits for SQLite and sources never contend for its lock. A
    scale-out worker writes to Redis instead (``crawler.sink``), for ingest to store.
    """

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        settings = crawler.settings
        self.db_path = settings.get("NEWSMON_DB")
        self.run_id = settings.get("NEWSMON_RUN_ID")
        self.writer: Sink | None = None
        self.run_row: int | str | None = None
        self._last_progress = 0.0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "StorePipeline":
        pipeline = cls(crawler)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(pipeline.abandoned, signal=run_abandoned)
        return pipeline

    async def open_spider(self) -> None:
        spider = self.crawler.spider
        # Writes queued before a database failure was seen would each wait out the busy timeout, in turn.
        self.writer = open_sink(self.crawler.settings, stopped=lambda: getattr(spider, "database_error", None))
        if self.writer is None:
            raise CloseSpider("NEWSMON_DB is not set")
        self.run_row = await asyncio.wrap_future(self.writer.start_run(run_id=self.run_id, source=self.crawler.spider.name))

    async def process_item(self, item):
        if not isinstance(item, Article):
            return item
        spider = self.crawler.spider
        if getattr(spider, "database_error", None):  # the source is stopping: do not queue writes that will fail
            raise DropItem(f"{item.url}: not stored: {spider.database_error}")
        try:
            outcome = await asyncio.wrap_future(self.writer.store_article(item, run_id=self.run_id))
        except (sqlite3.Error, SourceStopped) as exc:
            if isinstance(exc, sqlite3.Error):
                self._database_failed(exc)
            raise DropItem(f"{item.url}: not stored: {exc}") from None
        if outcome != "queued":  # a worker's articles are counted by ingest, which stores them
            spider.counters.count_outcome(outcome)
        validators = {"etag": item.extra.get("etag"), "last_modified": item.extra.get("last_modified")}
        spider.page_states.append(UrlState(url=item.url, kind="article", last_status=200, **validators))
        logger.debug("%s: %s %s", spider.name, outcome, item.url)
        now = time.monotonic()
        if now - self._last_progress > PROGRESS_EVERY:
            self._last_progress = now
            try:
                await asyncio.wrap_future(self._write_counters())
            except sqlite3.Error as exc:
                self._database_failed(exc)
        return item

    def _database_failed(self, exc: sqlite3.Error) -> None:
        """Every later write would fail the same way: stop this source, recorded as ``failed``."""
        spider = self.crawler.spider
        if getattr(spider, "database_error", None) is None:
            spider.database_error = f"database {self.db_path}: {database_problem(exc)}"
            logger.warning("%s: %s; stopping", spider.name, spider.database_error)
            asyncio.ensure_future(self.crawler.engine.close_spider_async(reason="database_error"))

    def _write_counters(self, *, status: str | None = None, error: str | None = None, entry_states=()) -> Future:
        """Queue the run's counters and the URL states gathered so far (snapshots: the reactor goes on)."""
        spider = self.crawler.spider
        spider.counters.pages = self.crawler.stats.get_value("response_received_count", 0)
        counters = copy.deepcopy(spider.counters)
        states = [*spider.page_states, *entry_states]
        spider.page_states.clear()
        return self.writer.write_progress(
            run_row=self.run_row, run_id=self.run_id, source=spider.name, states=states, counters=counters,
            status=status, error=error,
        )

    def spider_closed(self, spider, reason: str) -> None:
        """Final counters and status; a signal handler because only the signal knows the close reason."""
        if self.writer is None:  # the spider failed before the pipeline opened
            return
        error = None
        if getattr(spider, "database_error", None):
            status = "failed"
            error = spider.database_error
        elif spider.pages_ok == 0 and spider.counters.errors:
            status = "failed"
            error = spider.first_error
        elif reason == "closespider_timeout":
            status = "partial"
            error = "stopped at --max-runtime"
        elif reason == "shutdown":  # crawler.run's Stopper: SIGINT or SIGTERM
            status = "interrupted"
            error = "interrupted (SIGINT or SIGTERM)"
        elif reason != "finished":
            status = "interrupted"
            error = f"stopped early: {reason}"
        else:
            status = "ok"
        spider.run_status = status
        spider.run_error = error
        entry_states = spider.entry_states if status == "ok" and not spider.budget_exhausted else ()
        logger.debug("%s: closing (%s)", spider.name, reason)
        # Waiting here is fine: it happens once per source, and the row must be final when the crawl ends.
        self._write_final(status=status, error=error, entry_states=entry_states)

    def abandoned(self, status: str, error: str) -> None:
        """The crawl stops without waiting for this spider to close: its final row, now."""
        spider = self.crawler.spider
        if self.writer is None or getattr(spider, "run_status", None) is not None:
            return
        if getattr(spider, "database_error", None):
            status, error = "failed", spider.database_error
        spider.run_status = status
        spider.run_error = error
        self._write_final(status=status, error=error, timeout=5.0)

    def _write_final(self, *, status: str, error: str | None, entry_states=(), timeout: float | None = None) -> None:
        try:
            self._write_counters(status=status, error=error, entry_states=entry_states).result(timeout=timeout)
        except (sqlite3.Error, FutureTimeout) as exc:
            reason = database_problem(exc) if isinstance(exc, sqlite3.Error) else "the database writer is busy"
            # crawl.run tries once more when the crawl's connections are closed (that frees the WAL).
            self.crawler.spider.unrecorded_run = (self.run_row, status, error)
            logger.warning("%s: cannot record the end of the run (%s) in %s yet: %s", self.crawler.spider.name, status,
                           self.db_path, reason)
