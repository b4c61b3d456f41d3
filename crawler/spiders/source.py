"""The generic spider: crawls one source from its start pages, feeds and sitemaps.

It only reads responses and yields requests or ``Page`` items: extraction,
language identification and storage happen in the item pipelines.

Incremental by design: an article already stored is not downloaded again
unless it is recent (``revisit_days``), and then only with a conditional GET;
feeds, sitemaps and listings are revalidated with ETag / Last-Modified.
What is known about URLs lives in SQLite (read here, written by the store
pipeline), so memory does not grow with the history; a scale-out worker reads
it from Redis instead (``crawler.sink``).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.http import Response, TextResponse
from scrapy.linkextractors import LinkExtractor
from scrapy.utils.sitemap import sitemap_urls_from_robots
from twisted.python.failure import Failure

from crawler.api_source import ApiError, api_items, given_page, page_url
from crawler.encoding import PageDecodeError, page_text
from crawler.errors import TRUNCATED, classify_failure, dropped_redirect
from crawler.extract import MIN_TEXT_CHARS
from crawler.given import GivenPage
from crawler.pagecheck import empty_listing_kind
from crawler.render import render_meta
from storage.records import Page
from crawler.sources import Source
from crawler.telegram import parse_preview, post_page, preview_url
from crawler.urls import canonicalize, host_in_domains, repair_glued_url
from crawler.xmlsafe import BadXml, parse_feed, parse_sitemap
from storage.runs import RunCounters
from storage.urlstate import UrlState
from crawler.sink import SqliteKnowledge, UrlKnowledge, open_knowledge

logger = logging.getLogger(__name__)

HTML_TYPES = (b"text/html", b"application/xhtml+xml")
#: Error kinds after which an article URL is not asked for again until ``NOT_ARTICLE_RETRY``.
GONE_KINDS = ("http_404", "http_410")
NOT_ARTICLE_RETRY = timedelta(days=7)
#: Reasons that say nothing lasting about a URL (see ``mark_not_article``).
#: ``needs_javascript`` too: once the source gets ``render = "browser"`` the page must be asked for again.
TRANSIENT_KINDS = frozenset({"blocked", "extraction_failed", "needs_javascript"})


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value[:25] if "T" in value else value[:10])
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


class SourceSpider(Spider):
    """Crawls any source described in the sources file."""

    name = "source"

    def __init__(
        self, source: Source, *, db_path: str | None = None, knowledge: UrlKnowledge | None = None, **kwargs: Any
    ):
        super().__init__(name=source.name, **kwargs)
        self.source = source
        self.allowed_domains = source.domains()
        self.counters = RunCounters()
        self.first_error: str | None = None
        self.pages_ok = 0  # responses a callback accepted: 0 with errors means the source failed
        self.budget_exhausted = False
        #: States of article URLs (validators, not-article marks): written as the crawl goes.
        self.page_states: list[UrlState] = []
        #: Validators of feeds, sitemaps and listings: written only when the run completes, so that
        #: a killed or budget-cut run revisits them in full and finds the links it did not follow.
        self.entry_states: list[UrlState] = []
        self._scheduled: set[str] = set()
        self._given_urls: set[str] = set()  # API items and posts passed on in this run
        self._render = render_meta() if source.render == "browser" else {}
        self._now = datetime.now(timezone.utc)
        self._revisit = timedelta(days=source.revisit_days)
        self._db = knowledge if knowledge is not None else (SqliteKnowledge(db_path) if db_path else None)
        # Domains are checked by host name in _follow, as Scrapy's offsite middleware does
        # (LinkExtractor's allow_domains compares host:port and would reject ported hosts).
        self._links = LinkExtractor(unique=True)
        self.backfill = False  # set from NEWSMON_BACKFILL in from_crawler
        self.listings_caught_up = 0  # listings whose pagination was not followed (all known)


    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any):
        kwargs.setdefault("db_path", crawler.settings.get("NEWSMON_DB"))
        kwargs.setdefault("knowledge", open_knowledge(crawler.settings, kwargs["db_path"]))
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.backfill = crawler.settings.getbool("NEWSMON_BACKFILL")
        crawler.signals.connect(spider.on_request_dropped, signal=signals.request_dropped)
        return spider

    def on_request_dropped(self, request: Request) -> None:
        """A redirect back into its own chain is dropped by Scrapy's duplicate filter: count it as a loop."""
        loop = dropped_redirect(request)
        if loop is not None:
            self._error(loop[0], request.meta.get("redirect_urls", [request.url])[0], loop[1])

    def closed(self, reason: str) -> None:
        if self._db is not None:
            self._db.close()

    # -- requests ---------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        for url in self.source.feeds:
            yield self._entry_request(url, self.parse_feed, kind="feed")
        for url in self.source.sitemaps:
            yield self._entry_request(url, self.parse_sitemap, kind="sitemap")
        if self.source.api is not None:
            request = self._api_request(self.source.api.start)
            if request is not None:
                yield request
        if self.source.telegram:
            request = self._telegram_request(None, depth=0)
            if request is not None:
                yield request
        for url in self.source.start_urls:
            if self.source.is_article_url(url):
                request = self._article_request(canonicalize(url))
                if request is not None:
                    yield request
            else:
                yield self._entry_request(url, self.parse_listing, kind="listing", depth=0)
        # Recent articles are re-checked even when no listing links to them any more
        # (or the listing answered 304): that is where late edits happen.
        for url in self._recent_article_urls():
            request = self._article_request(url)
            if request is not None:
                yield request

    def _recent_article_urls(self) -> list[str]:
        if self._db is None or not self.source.revisit_days:
            return []
        if not (self.source.start_urls or self.source.feeds or self.source.sitemaps):
            return []  # API items and posts are re-read from their list, never fetched one by one
        return self._db.recent_article_urls(self.source.name, (self._now - self._revisit).isoformat())

    def _within_budget(self, url: str) -> bool:
        if url in self._scheduled:
            return False
        if len(self._scheduled) >= self.source.max_pages:
            self.budget_exhausted = True
            return False
        self._scheduled.add(url)
        return True

    def _conditional_headers(self, state: UrlState | None) -> dict[str, str]:
        headers = {}
        if state is not None and state.etag:
            headers["If-None-Match"] = state.etag
        if state is not None and state.last_modified:
            headers["If-Modified-Since"] = state.last_modified
        return headers

    def _state(self, url: str) -> UrlState | None:
        return self._db.get_state(url) if self._db is not None else None

    def _entry_request(self, url: str, callback, *, kind: str, depth: int = 0) -> Request | None:
        """A feed, sitemap or listing request, revalidated with the validators of the last complete run."""
        if not self._within_budget(url):
            return None
        return Request(
            url,
            callback=callback,
            errback=self.on_error,
            headers=self._conditional_headers(self._state(url)),
            cb_kwargs={"depth": depth} if kind == "listing" else {},
            meta={"newsmon_kind": kind, "handle_httpstatus_list": [304], **(self._render if kind == "listing" else {})},
        )

    def _article_request(self, url: str) -> Request | None:
        """An article request, unless the article is stored and old, or the URL is known not to be one."""
        if url in self._scheduled:
            return None
        skip, known, state = self._skip_known(url)
        if skip:
            self.counters.articles_skipped += 1
            return None
        if not self._within_budget(url):
            return None
        return Request(
            url,
            callback=self.parse_article,
            errback=self.on_error,
            headers=self._conditional_headers(state if known else None),
            meta={"newsmon_kind": "article", "handle_httpstatus_list": [304], **self._render},
        )

    def _skip_known(self, url: str) -> tuple[bool, bool, UrlState | None]:
        """``(skip, known, state)``: skip a stored article older than ``revisit_days``, and a URL
        that gave no article less than ``NOT_ARTICLE_RETRY`` ago."""
        known = self._db.known_article(url) if self._db is not None else None
        state = self._state(url)
        if known is not None:
            seen = _parse_time(known["published"]) or _parse_time(known["fetched_at"])
            return seen is None or self._now - seen > self._revisit, True, state
        if state is not None and state.kind == "not_article":
            checked = _parse_time(state.checked_at)
            return checked is not None and self._now - checked < NOT_ARTICLE_RETRY, False, None
        return False, False, state

    def _in_domain(self, url: str) -> bool:
        return not self.allowed_domains or host_in_domains(url, self.allowed_domains)

    def _follow(self, url: str, depth: int, *, canonical: bool = False) -> Request | None:
        """The request for a link, if the source follows it; ``canonical``: ``url`` is already canonicalised."""
        if not self._in_domain(url):
            return None
        if not canonical:
            url = canonicalize(url)
        if self.source.is_article_url(url):
            return self._article_request(url)
        if self.source.is_follow_url(url) and depth < self.source.max_depth:
            return self._entry_request(url, self.parse_listing, kind="listing", depth=depth + 1)
        return None

    # -- callbacks --------------------------------------------------------

    def _not_modified(self, response: Response) -> bool:
        """True (and counted) for a 304 answer to a conditional request."""
        if response.status != 304:
            return False
        self.counters.not_modified += 1
        self.pages_ok += 1
        if response.meta.get("newsmon_kind") == "article":
            self.counters.count_outcome("unchanged")
        return True

    def _remember_entry(self, response: Response) -> None:
        self.entry_states.append(
            UrlState(
                url=response.url if response.request is None else response.request.url,
                kind=response.meta.get("newsmon_kind", "listing"),
                etag=_header(response, b"ETag"),
                last_modified=_header(response, b"Last-Modified"),
                last_status=response.status,
            )
        )

    def _redirected_to_article(self, response: Response) -> bool:
        """True for a listing request that a redirect turned into an article: a response is what its final URL is.

        An article already scheduled through another link is not parsed twice.
        """
        if not response.meta.get("redirect_urls") or response.status == 304:
            return False
        url = canonicalize(response.url)
        if not self.source.is_article_url(url) or url in self._scheduled:
            return False
        self._scheduled.add(url)
        return True

    def parse_listing(self, response: Response, depth: int) -> Iterator[Request | Page]:
        if self._redirected_to_article(response):
            yield from self.parse_article(response)
            return
        if self._not_modified(response) or not self._is_html(response):
            return
        links = self._links.extract_links(response)
        problem = empty_listing_kind(response.text) if not links else None
        if problem is not None:  # a block page or a JavaScript app's empty shell: an error, not a listing
            kind, reason = problem
            self._error(kind, response.url, reason)
            return
        self.pages_ok += 1
        self.counters.not_articles += 1
        self._remember_entry(response)
        # Each link canonicalised once (a listing has hundreds: menus, pagination, cards).
        urls = [canonicalize(link.url) for link in links if self._in_domain(link.url)]
        is_article = [self.source.is_article_url(url) for url in urls]
        caught_up = self._caught_up(response, [url for url, article in zip(urls, is_article) if article])
        for url, article in zip(urls, is_article):
            if caught_up and not article:
                continue  # pagination and sections behind a page of known articles were walked before
            request = self._follow(url, depth, canonical=True)
            if request is not None:
                yield request

    def _caught_up(self, response: Response, article_urls: list[str]) -> bool:
        """True when this listing's article links are all known and a complete run walked it before.

        Then the pages behind it hold only older, known articles: an hourly crawl of a site that
        sends no 304s reads one page per listing instead of all of them. A listing's validators
        are stored only by complete runs, so after a killed or budget-cut run (or with
        ``--backfill``) the listing is walked in full again.
        """
        if self._db is None or self.backfill or not article_urls:
            return False
        listing = response.request.url if response.request is not None else response.url
        if self._state(listing) is None:
            return False
        for url in article_urls:
            if self._db.known_article(url) is None and self._state(url) is None:
                return False
        self.listings_caught_up += 1
        logger.debug("%s: %s: every article link is known; not paging further", self.source.name, listing)
        return True

    def parse_article(self, response: Response) -> Iterator[Page]:
        if self._not_modified(response) or not self._is_html(response):
            return
        if "dataloss" in response.flags:  # DOWNLOAD_FAIL_ON_DATALOSS turned off: never store a cut body
            self._error(TRUNCATED[0], response.url, TRUNCATED[1])
            return
        assert isinstance(response, TextResponse)
        self.pages_ok += 1
        try:
            html, encoding = page_text(response.headers.get(b"Content-Type", b"").decode("latin-1"), response.body)
        except PageDecodeError as exc:  # mojibake, or a binary file served as HTML
            self._error(exc.kind, response.url, str(exc))
            self.mark_not_article(response.url, exc.kind)
            return
        yield Page(
            url=response.url,
            requested_url=response.request.url if response.request else response.url,
            source=self.source.name,
            html=html,
            encoding=encoding,
            language_hint=self.source.language or "",
            etag=_header(response, b"ETag"),
            last_modified=_header(response, b"Last-Modified"),
        )

    def parse_feed(self, response: Response, **_: Any) -> Iterator[Request]:
        if self._not_modified(response):
            return
        try:  # XML bombs and non-feeds are refused with their own kinds
            feed = parse_feed(response.body, url=response.url, content_type=_header(response, b"Content-Type"))
        except BadXml as exc:
            self._error(exc.kind, response.url, str(exc))
            return
        self.pages_ok += 1
        self._remember_entry(response)
        for entry in feed.entries:
            link = entry.get("link")
            if link:
                request = self._follow(response.urljoin(link), depth=0)
                if request is not None:
                    yield request

    def parse_sitemap(self, response: Response, **_: Any) -> Iterator[Request]:
        if self._not_modified(response):
            return
        body = response.body
        if response.url.endswith("/robots.txt"):
            for url in sitemap_urls_from_robots(response.text, base_url=response.url):
                request = self._entry_request(url, self.parse_sitemap, kind="sitemap")
                if request is not None:
                    yield request
            return
        try:  # XML bombs, gzip bombs and non-sitemaps are refused with their own kinds
            sitemap = parse_sitemap(body, max_size=self.settings.getint("DOWNLOAD_MAXSIZE"))
        except BadXml as exc:
            self._error(exc.kind, response.url, str(exc))
            return
        self.pages_ok += 1
        self._remember_entry(response)
        for entry in sitemap:
            url = response.urljoin(repair_glued_url(entry.get("loc", "").strip()))
            if sitemap.type == "sitemapindex":
                request = self._entry_request(url, self.parse_sitemap, kind="sitemap")
            else:
                request = self._follow(url, depth=0)
            if request is not None:
                yield request

    # -- JSON APIs and Telegram channels (crawler/api_source.py, crawler/telegram.py) --

    def _api_request(self, page_no: int) -> Request | None:
        api = self.source.api
        url = page_url(api, page_no)
        if not self._within_budget(url):
            return None
        return Request(
            url,
            callback=self.parse_api,
            errback=self.on_error,
            headers={"Accept": "application/json", **api.headers},
            cb_kwargs={"page_no": page_no},
            meta={"newsmon_kind": "api"},
        )

    def parse_api(self, response: Response, page_no: int) -> Iterator[Any]:
        """One list page of a JSON API: its items as articles at their public URLs, then the next page."""
        api = self.source.api
        try:
            items = api_items(api, response.body)
        except ApiError as exc:
            self._error(exc.kind, response.url, str(exc))
            return
        self.pages_ok += 1
        self.counters.not_articles += 1
        pages = []
        for item in items:
            try:
                page = given_page(api, item, source=self.source, api_url=response.url)
            except ApiError as exc:
                self._error(exc.kind, response.url, str(exc))
                continue
            if not self.source.is_article_url(page.url):
                self._error("api_bad_item", response.url, f"{page.url}: the item URL does not match article_urls")
                continue
            pages.append(page)
        wanted, new = self._wanted(pages)
        yield from wanted
        # Stop at an empty page or one that brings nothing new: the rest was read by an earlier run.
        if new and api.page_param and page_no + 1 < api.start + api.max_pages:
            request = self._api_request(page_no + 1)
            if request is not None:
                yield request

    def _telegram_request(self, before: int | None, *, depth: int) -> Request | None:
        url = preview_url(self.source.telegram_base, self.source.telegram, before)
        if not self._within_budget(url):
            return None
        return Request(
            url, callback=self.parse_telegram, errback=self.on_error,
            cb_kwargs={"depth": depth}, meta={"newsmon_kind": "telegram"},
        )

    def parse_telegram(self, response: Response, depth: int) -> Iterator[Any]:
        """One channel preview page: each post with text as an article, then the older posts (``max_depth``)."""
        if not self._is_html(response):
            return
        posts, ids = parse_preview(response.text)
        if not ids and depth == 0:  # t.me sends channels without a public preview to their info page
            self._error("telegram_no_preview", response.url, "no posts on the channel preview: is the channel public, with its preview on?")
            return
        self.pages_ok += 1
        self.counters.not_articles += 1
        # A one-liner ("Live at 15:00") is a channel's normal traffic, not an article and not an error.
        posts = [post for post in posts if len(post.text) >= MIN_TEXT_CHARS]
        self.counters.not_articles += len(ids) - len(posts)
        wanted, new = self._wanted([post_page(post, self.source) for post in posts])
        yield from wanted
        if ids and (new or not posts) and depth < self.source.max_depth and min(ids) > 1:
            request = self._telegram_request(min(ids), depth=depth + 1)
            if request is not None:
                yield request

    def _wanted(self, pages: list[GivenPage]) -> tuple[list[GivenPage], int]:
        """The items to pass on (new ones, and stored ones still within ``revisit_days``), and how many are new."""
        wanted: list[GivenPage] = []
        new = 0
        for page in pages:
            if page.url in self._given_urls:
                continue
            self._given_urls.add(page.url)
            skip, known, _ = self._skip_known(page.url)
            if skip:
                self.counters.articles_skipped += 1
                continue
            new += not known
            wanted.append(page)
        return wanted, new

    # -- errors -----------------------------------------------------------

    def _is_html(self, response: Response) -> bool:
        if "playwright" in response.flags and len(response.body) > self.settings.getint("DOWNLOAD_MAXSIZE"):
            # The browser does not know Scrapy's cap: the rendered page is checked here.
            self._error("too_large", response.url, "rendered page over the download size cap (DOWNLOAD_MAXSIZE)")
            return False
        content_type = response.headers.get(b"Content-Type", b"").split(b";")[0].strip().lower()
        if isinstance(response, TextResponse) and (not content_type or content_type in HTML_TYPES):
            return True
        self._error("not_html", response.url, f"not an HTML page ({content_type.decode() or 'no content type'})")
        return False

    def _error(self, kind: str, url: str, reason: str) -> None:
        self.counters.count_error(kind)
        if self.first_error is None:
            self.first_error = f"{url}: {reason}"
        logger.info("%s: %s: %s", self.source.name, url, reason)

    def mark_not_article(self, url: str, kind: str) -> None:
        """Remember that ``url`` gave no article, so the next runs do not ask again for a while.

        Block and challenge pages are not remembered: they say nothing about the page
        behind them, and are usually gone by the next run.
        """
        if kind not in TRANSIENT_KINDS:
            self.page_states.append(UrlState(url=url, kind="not_article", reason=kind))

    def on_error(self, failure: Failure) -> None:
        kind, reason = classify_failure(failure)
        request = getattr(failure, "request", None)
        url = request.url if request is not None else "?"
        if kind == "robots_disallowed":
            logger.debug("%s: %s: %s", self.source.name, url, reason)
            return
        if request is not None and request.meta.get("newsmon_kind") == "article" and kind in GONE_KINDS:
            self.mark_not_article(url, kind)
        self._error(kind, url, reason)


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
