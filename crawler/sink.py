"""Where a crawl's results go, and where it learns what is already stored.

A single-machine crawl reads and writes the SQLite file (here). A scale-out
worker (``newsmon worker``) has no database: it reads the shared URL state from
Redis and pushes its results there, for ``newsmon ingest`` to store
(``crawler/redis_sink.py``). The spider and the pipelines see one interface, so
both run the same code; ``NEWSMON_REDIS_URL`` chooses.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from typing import Protocol

import sqlite_utils
from scrapy.settings import BaseSettings

from storage.articles import known_article
from storage.records import Article
from storage.runs import RunCounters, start_run, update_run
from storage.urlstate import UrlState, get_state, record_states


class SourceStopped(Exception):
    """A write not attempted: an earlier one failed and the source is stopping."""


class UrlKnowledge(Protocol):
    """What the spider asks before it downloads: is this stored, what validators, what is recent."""

    def known_article(self, url: str) -> dict | None: ...
    def get_state(self, url: str) -> UrlState | None: ...
    def recent_article_urls(self, source: str, since: str) -> list[str]: ...
    def close(self) -> None: ...


class Sink(Protocol):
    """Where the store pipeline sends runs, articles and URL states; every call returns a Future."""

    def start_run(self, *, run_id: str, source: str) -> Future: ...
    def store_article(self, article: Article, *, run_id: str) -> Future: ...
    def write_progress(
        self, *, run_row, run_id: str, source: str, states: list[UrlState], counters: RunCounters,
        status: str | None = None, error: str | None = None,
    ) -> Future: ...


class SqliteKnowledge:
    """Reads the crawl's own SQLite file (on the reactor thread: each read is an index lookup)."""

    def __init__(self, db_path: str):
        self.db = sqlite_utils.Database(db_path)

    def known_article(self, url: str) -> dict | None:
        return known_article(self.db, url)

    def get_state(self, url: str) -> UrlState | None:
        return get_state(self.db, url)

    def recent_article_urls(self, source: str, since: str) -> list[str]:
        if not self.db["articles"].exists():
            return []
        sql = "select url from articles where source = ? and coalesce(published, fetched_at) >= ? order by id"
        return [row["url"] for row in self.db.query(sql, [source, since[:10]])]

    def close(self) -> None:
        self.db.close()


class SqliteSink:
    """Every write on the crawl's single database-writer thread (``crawler.workers.DatabaseWriter``).

    ``stopped`` says why the source is stopping (a database failure), or None: articles
    queued behind that failure are not attempted (``SourceStopped``); the final counters are.
    """

    def __init__(self, db_path: str, *, busy_timeout: float = 30.0, stopped: Callable[[], str | None] = lambda: None):
        from crawler.workers import database_writer

        self.writer = database_writer(db_path, busy_timeout=busy_timeout)
        self.stopped = stopped

    def start_run(self, *, run_id: str, source: str) -> Future:
        return self.writer.submit(start_run, run_id=run_id, source=source)

    def store_article(self, article: Article, *, run_id: str) -> Future:
        from crawler.steps import store_article

        def store(db, article):
            why = self.stopped()
            if why:
                raise SourceStopped(why)
            return store_article(db, article)

        return self.writer.submit(store, article)

    def write_progress(self, *, run_row, run_id, source, states, counters, status=None, error=None) -> Future:
        def write(db):
            record_states(db, source, states)
            update_run(db, run_row, counters, status=status, error=error)

        return self.writer.submit(write)


def redis_url(settings: BaseSettings) -> str | None:
    return settings.get("NEWSMON_REDIS_URL") or None


def open_knowledge(settings: BaseSettings, db_path: str | None) -> UrlKnowledge | None:
    url = redis_url(settings)
    if url:
        from crawler.redis_sink import RedisKnowledge  # redis is an optional extra: imported only here

        return RedisKnowledge(url)
    return SqliteKnowledge(db_path) if db_path else None


def open_sink(settings: BaseSettings, *, stopped: Callable[[], str | None] = lambda: None) -> Sink | None:
    """The sink the settings ask for, or None when there is nowhere to write."""
    url = redis_url(settings)
    if url:
        from crawler.redis_sink import redis_sink

        return redis_sink(url)
    db_path = settings.get("NEWSMON_DB")
    if not db_path:
        return None
    return SqliteSink(db_path, busy_timeout=settings.getfloat("NEWSMON_BUSY_TIMEOUT", 30.0), stopped=stopped)
