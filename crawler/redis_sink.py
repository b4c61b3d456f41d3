"""A worker's crawl results and URL knowledge, kept in Redis (``newsmon worker``).

Workers have no database. Each extracted article goes onto one Redis stream
(``newsmon:results``) that ``newsmon ingest`` drains into SQLite with a
consumer group, acknowledging each entry only after its transaction committed:
delivery is at least once, and the upsert is idempotent (an article seen again
is ``unchanged``), so every article is stored exactly once.

The URL state the spider consults before downloading is shared here too, so a
source resumed on another machine downloads nothing already stored:

- ``newsmon:known`` (hash): article URL (canonical and fetched) → when it was
  published and fetched; written in the same MULTI as the stream entry, so an
  article that reached Redis is known even before ingest stores it;
- ``newsmon:recent:<source>`` (sorted set): article URLs by date, for revisits;
- ``newsmon:urlstate`` (hash): URL → validators and not-article marks.

Imported only when a Redis URL is given: the single-machine crawl needs no redis module.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime, timezone

import redis
from redis.backoff import ExponentialBackoff
from redis.retry import Retry

from storage.articles import utc_now
from storage.records import Article
from storage.runs import RunCounters
from storage.urlstate import UrlState

logger = logging.getLogger(__name__)

PREFIX = "newsmon:"
RESULTS = PREFIX + "results"
KNOWN = PREFIX + "known"
URLSTATE = PREFIX + "urlstate"
#: How many times a command is retried while Redis is unreachable (restarting): about a minute.
RETRIES = 40


def recent_key(source: str) -> str:
    return f"{PREFIX}recent:{source}"


def connect(url: str) -> redis.Redis:
    """A client that waits out a Redis restart (retries with backoff) instead of failing the crawl."""
    return redis.Redis.from_url(
        url,
        decode_responses=True,
        retry=Retry(ExponentialBackoff(cap=2.0, base=0.05), RETRIES),
        retry_on_error=[redis.ConnectionError, redis.TimeoutError],
        health_check_interval=30,
    )


def _epoch(value: str | None) -> float:
    if not value:
        return datetime.now(timezone.utc).timestamp()
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return datetime.now(timezone.utc).timestamp()
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)).timestamp()


def article_message(article: Article, *, run_id: str) -> dict[str, str]:
    data = {**article.to_dict(), "extra": {k: article.extra.get(k) for k in ("etag", "last_modified")}}
    return {"op": "article", "run_id": run_id, "data": json.dumps(data, ensure_ascii=False)}


def article_from_message(fields: dict[str, str]) -> Article:
    return Article(**json.loads(fields["data"]))


def remember_articles(pipe, rows) -> None:
    """Queue the known-article entries of ``rows`` (url, fetched_url, source, published, fetched_at) on ``pipe``."""
    for url, fetched_url, source, published, fetched_at in rows:
        value = json.dumps({"url": url, "published": published, "fetched_at": fetched_at})
        pipe.hset(KNOWN, url, value)
        if fetched_url and fetched_url != url:
            pipe.hset(KNOWN, fetched_url, value)
        pipe.zadd(recent_key(source), {url: _epoch(published or fetched_at)})


def remember_states(pipe, states: list[UrlState]) -> None:
    now = utc_now()
    for state in states:
        row = dataclasses.asdict(state)
        row["checked_at"] = row["checked_at"] or now
        pipe.hset(URLSTATE, state.url, json.dumps(row))


class RedisKnowledge:
    """The spider's questions answered from Redis (one round trip each, as SQLite's are one lookup)."""

    def __init__(self, url: str):
        self.client = connect(url)

    def known_article(self, url: str) -> dict | None:
        value = self.client.hget(KNOWN, url)
        return json.loads(value) if value else None

    def get_state(self, url: str) -> UrlState | None:
        value = self.client.hget(URLSTATE, url)
        return UrlState(**json.loads(value)) if value else None

    def recent_article_urls(self, source: str, since: str) -> list[str]:
        return list(self.client.zrangebyscore(recent_key(source), _epoch(since[:10]), "+inf"))

    def close(self) -> None:
        self.client.close()


class RedisSink:
    """Pushes runs, articles and URL states to Redis on one thread, off the reactor."""

    def __init__(self, url: str):
        self.client = connect(url)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="newsmon-redis-sink")
        self.queued = 0

    def _submit(self, fn, /, *args, **kwargs) -> Future:
        return self._executor.submit(fn, *args, **kwargs)

    def start_run(self, *, run_id: str, source: str) -> Future:
        fields = {"op": "run_start", "run_id": run_id, "data": json.dumps({"source": source, "started_at": utc_now()})}
        return self._submit(lambda: self.client.xadd(RESULTS, fields) and run_id)

    def store_article(self, article: Article, *, run_id: str) -> Future:
        def push() -> str:
            pipe = self.client.pipeline(transaction=True)
            pipe.xadd(RESULTS, article_message(article, run_id=run_id))
            remember_articles(pipe, [(article.url, article.fetched_url, article.source, article.published, utc_now())])
            pipe.execute()
            self.queued += 1
            return "queued"

        return self._submit(push)

    def write_progress(self, *, run_row, run_id, source, states, counters: RunCounters, status=None, error=None) -> Future:
        data = {"source": source, "counters": dataclasses.asdict(counters), "status": status, "error": error,
                "states": [dataclasses.asdict(s) for s in states]}

        def push() -> None:
            pipe = self.client.pipeline(transaction=True)
            remember_states(pipe, states)
            pipe.xadd(RESULTS, {"op": "progress", "run_id": run_id, "data": json.dumps(data, ensure_ascii=False)})
            pipe.execute()

        return self._submit(push)

    def close(self) -> None:
        self._executor.shutdown(wait=True)
        self.client.close()


_sinks: dict[str, RedisSink] = {}


def redis_sink(url: str) -> RedisSink:
    """The process's shared sink for ``url`` (one thread, one connection, whatever the number of spiders)."""
    if url not in _sinks:
        _sinks[url] = RedisSink(url)
    return _sinks[url]


def close_sinks() -> None:
    while _sinks:
        _, sink = _sinks.popitem()
        sink.close()
