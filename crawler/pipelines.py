"""Item pipelines, one job each: extract (Page → Article), then store.

Both record their outcomes on the spider's run counters, which the store
pipeline writes to ``crawl_runs`` as the crawl goes and when it ends.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import time
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider, DropItem

from crawler.extract import ExtractionError
from storage.records import Article, Page
from crawler.sink import Sink, open_sink
from crawler.workers import default_workers, extraction_executor, reset_executor
from crawler.steps import article_from_page
from storage.urlstate import UrlState

logger = logging.getLogger(__name__)

#: How often (seconds) the running counters are written to crawl_runs.
PROGRESS_EVERY = 10.0


class ExtractPipeline:
    """Turns fetched pages into articles; pages without article text are dropped and counted.

    Extraction runs in the shared worker pool (``NEWSMON_EXTRACT_WORKERS``
    processes; 0 extracts on the reactor thread, for debugging).
    """

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        workers = crawler.settings.getint("NEWSMON_EXTRACT_WORKERS", -1)
        self.workers = default_workers() if workers < 0 else workers
        self.executor = extraction_executor(self.workers)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "ExtractPipeline":
        return cls(crawler)

    async def _extract(self, page: Page) -> Article:
        if self.executor is None:
            return article_from_page(page)
        try:
            return await asyncio.wrap_future(self.executor.submit(article_from_page, page))
        except BrokenProcessPool:
            # A worker died (killed, out of memory): extract this page here, rebuild the pool.
            logger.warning("%s: extraction worker died; restarting the pool", page.url)
            reset_executor()
            self.executor = extraction_executor(self.workers)
            return article_from_page(page)

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
            logger.exception("%s: extraction failed", item.url)
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
        self.run_id = settings.get("NEWSMON_RUN_ID")
        self.writer: Sink | None = None
        self.run_row: int | str | None = None
        self._last_progress = 0.0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "StorePipeline":
        pipeline = cls(crawler)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    async def open_spider(self) -> None:
        self.writer = open_sink(self.crawler.settings)
        if self.writer is None:
            raise CloseSpider("NEWSMON_DB is not set")
        self.run_row = await asyncio.wrap_future(self.writer.start_run(run_id=self.run_id, source=self.crawler.spider.name))

    async def process_item(self, item):
        if not isinstance(item, Article):
            return item
        spider = self.crawler.spider
        outcome = await asyncio.wrap_future(self.writer.store_article(item, run_id=self.run_id))
        if outcome != "queued":  # a worker's articles are counted by ingest, which stores them
            spider.counters.count_outcome(outcome)
        validators = {"etag": item.extra.get("etag"), "last_modified": item.extra.get("last_modified")}
        spider.page_states.append(UrlState(url=item.url, kind="article", last_status=200, **validators))
        logger.debug("%s: %s %s", spider.name, outcome, item.url)
        now = time.monotonic()
        if now - self._last_progress > PROGRESS_EVERY:
            self._last_progress = now
            await asyncio.wrap_future(self._write_counters())
        return item

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
        if spider.pages_ok == 0 and spider.counters.errors:
            status = "failed"
            error = spider.first_error
        elif reason == "closespider_timeout":
            status = "partial"
            error = "stopped at --max-runtime"
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
        self._write_counters(status=status, error=error, entry_states=entry_states).result()
