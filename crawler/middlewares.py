"""Downloader middleware: back off before retrying, honouring ``Retry-After``.

Scrapy's RetryMiddleware retries 429 and 5xx answers at once; a small government
server that says "slow down" deserves a pause. This middleware sits just before
it (higher order, so it sees responses first) and delays the response by the
server's ``Retry-After`` (capped) or by an exponential backoff; RetryMiddleware
then schedules the retry as usual.
"""

from __future__ import annotations

import asyncio
import logging
from email.utils import parsedate_to_datetime
from datetime import datetime, timezone

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response

logger = logging.getLogger(__name__)


def retry_after_seconds(value: bytes | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP date)."""
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


class BackoffMiddleware:
    def __init__(self, *, codes: set[int], max_retries: int, base: float, cap: float):
        self.codes = codes
        self.max_retries = max_retries
        self.base = base
        self.cap = cap

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "BackoffMiddleware":
        settings = crawler.settings
        if not settings.getbool("RETRY_ENABLED") or not settings.getbool("NEWSMON_BACKOFF_ENABLED", True):
            raise NotConfigured
        return cls(
            codes={int(c) for c in settings.getlist("RETRY_HTTP_CODES")},
            max_retries=settings.getint("RETRY_TIMES"),
            base=settings.getfloat("NEWSMON_BACKOFF_BASE", 1.0),
            cap=settings.getfloat("NEWSMON_BACKOFF_MAX", 120.0),
        )

    def delay_for(self, request: Request, response: Response) -> float:
        attempt = request.meta.get("retry_times", 0)
        delay = retry_after_seconds(response.headers.get(b"Retry-After"))
        if delay is None:
            delay = self.base * 2**attempt
        return min(delay, self.cap)

    async def process_response(self, request: Request, response: Response) -> Response:
        if response.status not in self.codes or request.meta.get("dont_retry"):
            return response
        if request.meta.get("retry_times", 0) >= request.meta.get("max_retry_times", self.max_retries):
            return response  # no retry will follow: do not wait for nothing
        delay = self.delay_for(request, response)
        logger.info("%s: HTTP %d, waiting %.1fs before retrying", request.url, response.status, delay)
        await asyncio.sleep(delay)
        return response
