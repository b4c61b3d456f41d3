"""The generic spider: crawls one source from its start pages, feeds and sitemaps.

It only reads responses and yields requests or ``Page`` items: extraction,
language identification and storage happen in the item pipelines.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlparse

import feedparser
from scrapy import Request, Spider
from scrapy.http import Response, TextResponse
from scrapy.linkextractors import LinkExtractor
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots
from twisted.python.failure import Failure

from crawler.encoding import page_text
from crawler.errors import classify_failure
from crawler.items import Page
from crawler.sources import Source
from storage.runs import RunCounters

logger = logging.getLogger(__name__)

HTML_TYPES = (b"text/html", b"application/xhtml+xml")


class SourceSpider(Spider):
    """Crawls any source described in the sources file."""

    name = "source"

    def __init__(self, source: Source, **kwargs: Any):
        super().__init__(name=source.name, **kwargs)
        self.source = source
        self.allowed_domains = source.domains()
        self.counters = RunCounters()
        self.first_error: str | None = None
        self.pages_ok = 0  # responses a callback accepted: 0 with errors means the source failed
        self._scheduled: set[str] = set()
        # Domains are checked by host name in _follow, as Scrapy's offsite middleware does
        # (LinkExtractor's allow_domains compares host:port and would reject ported hosts).
        self._links = LinkExtractor(unique=True)

    # -- requests ---------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        for url in self.source.feeds:
            yield self._request(url, self.parse_feed, kind="feed")
        for url in self.source.sitemaps:
            yield self._request(url, self.parse_sitemap, kind="sitemap")
        for url in self.source.start_urls:
            if self.source.is_article_url(url):
                yield self._request(url, self.parse_article, kind="article")
            else:
                yield self._request(url, self.parse_listing, kind="listing", depth=0)

    def _request(self, url: str, callback, *, kind: str, depth: int = 0) -> Request | None:
        """A request within the page budget, once per URL per run."""
        if url in self._scheduled or len(self._scheduled) >= self.source.max_pages:
            return None
        self._scheduled.add(url)
        cb_kwargs = {"depth": depth} if kind == "listing" else {}
        return Request(
            url,
            callback=callback,
            errback=self.on_error,
            cb_kwargs=cb_kwargs,
            meta={"newsmon_kind": kind},
        )

    def _in_domain(self, url: str) -> bool:
        host = (urlparse(url).hostname or "").lower()
        return not self.allowed_domains or any(host == d or host.endswith("." + d) for d in self.allowed_domains)

    def _follow(self, url: str, depth: int) -> Request | None:
        if not self._in_domain(url):
            return None
        if self.source.is_article_url(url):
            return self._request(url, self.parse_article, kind="article")
        if self.source.is_follow_url(url) and depth < self.source.max_depth:
            return self._request(url, self.parse_listing, kind="listing", depth=depth + 1)
        return None

    # -- callbacks --------------------------------------------------------

    def parse_listing(self, response: Response, depth: int) -> Iterator[Request]:
        if not self._is_html(response):
            return
        self.pages_ok += 1
        self.counters.not_articles += 1
        for link in self._links.extract_links(response):
            request = self._follow(link.url, depth)
            if request is not None:
                yield request

    def parse_article(self, response: Response) -> Iterator[Page]:
        if not self._is_html(response):
            return
        assert isinstance(response, TextResponse)
        self.pages_ok += 1
        html, encoding = page_text(response.headers.get(b"Content-Type", b"").decode("latin-1"), response.body)
        yield Page(
            url=response.url,
            requested_url=response.request.url if response.request else response.url,
            source=self.source.name,
            html=html,
            encoding=encoding,
            language_hint=self.source.language or "",
        )

    def parse_feed(self, response: Response) -> Iterator[Request]:
        feed = feedparser.parse(response.body, response_headers={"content-location": response.url})
        if feed.bozo and not feed.entries:
            self._error("malformed_feed", response.url, f"not a readable RSS/Atom feed: {feed.bozo_exception}")
            return
        self.pages_ok += 1
        for entry in feed.entries:
            link = entry.get("link")
            if link:
                request = self._follow(response.urljoin(link), depth=0)
                if request is not None:
                    yield request

    def parse_sitemap(self, response: Response) -> Iterator[Request]:
        body = response.body
        if response.url.endswith("/robots.txt"):
            urls = list(sitemap_urls_from_robots(response.text, base_url=response.url))
            for url in urls:
                request = self._request(url, self.parse_sitemap, kind="sitemap")
                if request is not None:
                    yield request
            return
        try:
            sitemap = Sitemap(body)
        except Exception as exc:  # lxml raises several kinds on broken XML
            self._error("malformed_sitemap", response.url, f"not a readable sitemap: {exc}")
            return
        self.pages_ok += 1
        for entry in sitemap:
            url = response.urljoin(entry.get("loc", "").strip())
            if sitemap.type == "sitemapindex":
                request = self._request(url, self.parse_sitemap, kind="sitemap")
            else:
                request = self._follow(url, depth=0)
            if request is not None:
                yield request

    # -- errors -----------------------------------------------------------

    def _is_html(self, response: Response) -> bool:
        content_type = response.headers.get(b"Content-Type", b"").split(b";")[0].strip().lower()
        if isinstance(response, TextResponse) and (not content_type or content_type in HTML_TYPES):
            return True
        self._error("not_html", response.url, f"not an HTML page ({content_type.decode() or 'no content type'})")
        return False

    def _error(self, kind: str, url: str, reason: str) -> None:
        self.counters.count_error(kind)
        if self.first_error is None:
            self.first_error = f"{url}: {reason}"
        logger.warning("%s: %s: %s", self.source.name, url, reason)

    def on_error(self, failure: Failure) -> None:
        kind, reason = classify_failure(failure)
        request = getattr(failure, "request", None)
        url = request.url if request is not None else "?"
        if kind == "robots_disallowed":
            logger.debug("%s: %s: %s", self.source.name, url, reason)
            return
        self._error(kind, url, reason)
