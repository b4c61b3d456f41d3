"""Running a crawl: one Scrapy crawler per source, all in one process and one reactor.

Each source gets its own copy of the settings with its options on top, its own
``crawl_runs`` row and its own counters, so one failing source never stops the
others and the summary can say which failed and why.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field

from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.settings import Settings

from crawler import settings as default_settings
from crawler.sources import Source
from crawler.spiders.source import SourceSpider
from crawler.workers import close_writers, shutdown_executor
from storage import open_db
from storage.runs import RunCounters, mark_interrupted_runs
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


LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


def is_loopback_source(source: Source) -> bool:
    domains = source.domains()
    return bool(domains) and all(d in LOOPBACK_HOSTS or d.startswith("127.") for d in domains)


def source_settings(base: Settings, source: Source, run_id: str) -> Settings:
    settings = base.copy()
    settings.set("NEWSMON_RUN_ID", run_id, priority="spider")
    if is_loopback_source(source):
        # A server on this machine needs no politeness (tests, benchmarks, local mirrors);
        # robots.txt is still obeyed.
        settings.set("AUTOTHROTTLE_ENABLED", False, priority="spider")
        settings.set("DOWNLOAD_DELAY", 0, priority="spider")
        settings.set("CONCURRENT_REQUESTS_PER_DOMAIN", 16, priority="spider")
    if source.user_agent:
        settings.set("USER_AGENT", source.user_agent, priority="spider")
    if source.headers:
        headers = dict(settings.getdict("DEFAULT_REQUEST_HEADERS"))
        headers.update(source.headers)
        settings.set("DEFAULT_REQUEST_HEADERS", headers, priority="spider")
    if source.download_delay is not None:
        settings.set("DOWNLOAD_DELAY", source.download_delay, priority="spider")
    return settings


def run_crawl(
    sources: list[Source],
    *,
    db_path: str | None,
    catalog: list[Source] | None = None,
    settings_overrides: dict | None = None,
) -> list[SourceResult]:
    """Crawl ``sources`` into the database at ``db_path``; blocks until every source is done.

    ``catalog`` is the whole sources file, mirrored into the ``sources`` table
    even when only some sources are crawled.
    """
    if db_path is not None:  # None: a scale-out worker, whose results go to Redis (NEWSMON_REDIS_URL)
        db = open_db(db_path)
        sync_sources(db, [s.table_row() for s in (catalog or sources)])
        mark_interrupted_runs(db)
        db.close()
    run_id = uuid.uuid4().hex[:12]
    base = base_settings(db_path=db_path, overrides=settings_overrides)
    root_level = logging.getLogger().level
    process = CrawlerProcess(base)
    logging.getLogger().setLevel(root_level)  # Scrapy resets it; keep the level the CLI chose
    crawlers = []
    for index, source in enumerate(sources):
        # The first crawler installs the reactor, as CrawlerProcess.create_crawler would.
        crawler = Crawler(SourceSpider, source_settings(base, source, run_id), init_reactor=index == 0)
        process.crawl(crawler, source=source)
        crawlers.append((source, crawler))
    try:
        process.start()
    finally:
        shutdown_executor()
        close_writers()
    results = []
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
