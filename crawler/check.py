"""``newsmon sources check``: does each source still give articles? A first-day and after-redesign check.

For each source it fetches the entry points (feeds, sitemaps, start pages, the first page
of a JSON API, a Telegram channel's newest posts) with the crawl's own spider and settings
(robots.txt, user agent, headers, politeness, size caps, error kinds), counts the article
URLs they link to, extracts up to a few of those articles with the crawl's steps
(``crawler.steps.article_from_page``), and
says what looks wrong: no article URLs, block pages, script-only pages, feeds that
answer 404, robots.txt refusing the articles, dates in the future. Nothing is stored.

Listings are read one level deep (``follow_urls`` are not followed) and child sitemaps
of a sitemap index up to ``MAX_CHILD_SITEMAPS``: enough to tell whether a source works.
"""

from __future__ import annotations

import calendar
import logging
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.errors import classify_failure
from crawler.extract import ExtractionError
from crawler.render import BrowserUnavailable
from crawler.run import base_settings, source_settings
from crawler.sources import Source
from crawler.spiders.source import SourceSpider
from crawler.steps import article_from_page
from crawler.xmlsafe import BadXml, parse_feed
from storage.records import Page

logger = logging.getLogger(__name__)

#: Articles extracted per source by default: enough to see title, date and language work.
DEFAULT_SAMPLES = 3
#: Child sitemaps of a sitemap index read per source (news sitemaps come first on most sites).
MAX_CHILD_SITEMAPS = 3
#: A date this far past now is "in the future" (a wrong time zone shifts by hours, not a day).
FUTURE_SLACK = timedelta(days=1)


@dataclass
class EntryResult:
    url: str
    kind: str  # feed, sitemap, listing
    ok: bool = False
    article_urls: int = 0
    error: str | None = None
    seen: set[str] = field(default_factory=set, repr=False)


@dataclass
class Sample:
    url: str
    title: str = ""
    published: str | None = None
    lang: str | None = None
    script: str | None = None
    text: str = ""
    error: str | None = None


@dataclass
class SourceReport:
    """What the check found for one source; ``failed`` when no article could be extracted."""

    source: Source
    entries: list[EntryResult] = field(default_factory=list)
    article_urls: list[str] = field(default_factory=list)
    samples: list[Sample] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def extracted(self) -> list[Sample]:
        return [s for s in self.samples if s.error is None]

    @property
    def failed(self) -> bool:
        return not self.extracted

    def lines(self) -> list[str]:
        """The human report: entry points, sampled articles, warnings, verdict."""
        s = self.source
        out = [f"{s.name} ({s.country}, {s.kind}{', ' + s.language if s.language else ''})"]
        for entry in self.entries:
            what = f"{entry.article_urls} article URL{'s' if entry.article_urls != 1 else ''}" if entry.ok else entry.error
            out.append(f"  {entry.kind:<8} {entry.url}: {what}")
        for sample in self.samples:
            out.append(f"  article  {sample.url}")
            if sample.error:
                out.append(f"           no article: {sample.error}")
                continue
            words = " ".join(sample.text.split()[:12])
            out.append(f"           {sample.title!r} · {sample.published or 'no date'} · "
                       f"{sample.lang or '?'}/{sample.script or '?'} · {words} …")
        out += [f"  warning: {w}" for w in self.warnings]
        verdict = "FAILED: no article extracted" if self.failed else ("ok, with warnings" if self.warnings else "ok")
        found = len(self.article_urls)
        out.append(f"  {verdict}: {found} article URL{'s' if found != 1 else ''} found, "
                   f"{len(self.extracted)} of {len(self.samples)} sampled extracted")
        return out


def _future(when: datetime | None, now: datetime) -> bool:
    return when is not None and when > now + FUTURE_SLACK


def _parse_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


class CheckSpider(SourceSpider):
    """The crawl's spider, stopping at the entry points plus a few sampled articles."""

    name = "source-check"

    def __init__(self, source: Source, *, report: SourceReport, samples: int = DEFAULT_SAMPLES, **kwargs: Any):
        # No database: nothing is stored, nothing is skipped as already known.
        kwargs.pop("db_path", None)
        super().__init__(replace(source, max_depth=0, revisit_days=0), db_path=None, **kwargs)
        self.report = report
        self._errors: list[tuple[str, str, str]] = []
        self.samples = samples
        self._entries: dict[str, EntryResult] = {}
        self._current: EntryResult | None = None
        self._found: set[str] = set()
        self._sampled = 0
        self._child_sitemaps = 0
        self._robots_refused: list[str] = []
        self._check_now = datetime.now(timezone.utc)

    # -- entry points -------------------------------------------------------

    def _entry_request(self, url: str, callback, *, kind: str, depth: int = 0) -> Request | None:
        declared = url in (*self.source.feeds, *self.source.sitemaps, *self.source.start_urls)
        if not declared:
            if kind != "sitemap" or self._child_sitemaps >= MAX_CHILD_SITEMAPS:
                return None
            self._child_sitemaps += 1
        request = super()._entry_request(url, callback, kind=kind, depth=depth)
        if request is not None:
            self._register(url, kind if declared else "sitemap (child)")
        return request

    def _register(self, url: str, kind: str) -> None:
        entry = EntryResult(url=url, kind=kind)
        self._entries[url] = entry
        self.report.entries.append(entry)

    def _api_request(self, page_no: int) -> Request | None:
        """The API's first list page only: enough to see its items."""
        if any(e.kind == "api" for e in self.report.entries):
            return None
        request = super()._api_request(page_no)
        if request is not None:
            self._register(request.url, "api")
        return request

    def _telegram_request(self, before: int | None, *, depth: int) -> Request | None:
        """The channel's newest posts only."""
        if depth > 0:
            return None
        request = super()._telegram_request(before, depth=depth)
        if request is not None:
            self._register(request.url, "telegram")
        return request

    def _count(self, url: str) -> None:
        """An article URL (or API item, or post) found on the entry point being read."""
        if url not in self._found:
            self._found.add(url)
            self.report.article_urls.append(url)
        if self._current is not None and url not in self._current.seen:
            self._current.seen.add(url)
            self._current.article_urls += 1

    def _article_request(self, url: str) -> Request | None:
        self._count(url)
        if self._sampled >= self.samples:
            return None
        request = super()._article_request(url)
        if request is not None:
            self._sampled += 1
        return request

    def _tally(self, response: Response, requests: Iterable[Request]) -> Iterator[Request]:
        """Attribute the article URLs the wrapped callback finds to the entry point it reads."""
        first = response.meta.get("redirect_urls") or [response.request.url if response.request else response.url]
        entry = self._entries.get(first[0])
        iterator = iter(requests)
        while True:
            self._current = entry
            try:
                request = next(iterator)
            except StopIteration:
                break
            finally:
                self._current = None
            yield request
        if entry is not None and entry.error is None:
            entry.ok = True  # block pages and script shells are the spider's own errors (blocked, needs_javascript)

    def parse_listing(self, response: Response, depth: int) -> Iterator[Request]:
        yield from self._tally(response, super().parse_listing(response, depth))

    def parse_feed(self, response: Response, **kwargs: Any) -> Iterator[Request]:
        self._feed_dates(response)
        yield from self._tally(response, super().parse_feed(response, **kwargs))

    def parse_sitemap(self, response: Response, **kwargs: Any) -> Iterator[Request]:
        yield from self._tally(response, super().parse_sitemap(response, **kwargs))

    def parse_api(self, response: Response, **kwargs: Any) -> Iterator[Request]:
        yield from self._given(response, super().parse_api(response, **kwargs))

    def parse_telegram(self, response: Response, **kwargs: Any) -> Iterator[Request]:
        yield from self._given(response, super().parse_telegram(response, **kwargs))

    def _given(self, response: Response, outputs: Iterable[Any]) -> Iterator[Request]:
        """API items and posts come with their fields: counted, and the first few sampled, here."""
        entry = self._entries.get(response.request.url if response.request else response.url)
        for output in outputs:
            if not isinstance(output, Page):
                yield output
                continue
            self._current = entry
            self._count(output.url)
            self._current = None
            if self._sampled < self.samples:
                self._sampled += 1
                self._sample(output)
        if entry is not None and entry.error is None:
            entry.ok = True

    def _feed_dates(self, response: Response) -> None:
        """Warn about feed items dated in the future (a wrong time zone or a broken CMS clock)."""
        try:
            feed = parse_feed(response.body, url=response.url)
        except BadXml:
            return  # the spider's own parse counts it
        future = 0
        for entry in feed.entries:
            parsed = entry.get("published_parsed") or entry.get("updated_parsed")
            when = datetime.fromtimestamp(calendar.timegm(parsed), timezone.utc) if parsed else None
            future += _future(when, self._check_now)
        if future:
            self.report.warnings.append(f"{response.url}: {future} feed item(s) dated in the future")

    # -- sampled articles ------------------------------------------------------

    def parse_article(self, response: Response) -> Iterator[Page]:
        pages = list(super().parse_article(response))
        if not pages:  # not HTML, or undecodable: the spider counted why
            error = self.first_error_for(response.url) or "not an HTML page"
            self.report.samples.append(Sample(url=response.url, error=error))
            return
        self._sample(pages[0])
        yield from ()

    def _sample(self, page: Page) -> None:
        """Extract and identify one page with the crawl's steps, and note what came out."""
        sample = Sample(url=page.url)
        self.report.samples.append(sample)
        # Three pages per source: extracting on the reactor thread is cheaper than a process pool.
        try:
            article = article_from_page(page)
        except ExtractionError as exc:
            sample.error = f"{exc.kind}: {exc}"
            return
        sample.title, sample.published, sample.text = article.title, article.published, article.text
        sample.lang, sample.script = article.lang, article.script
        if _future(_parse_date(article.published), self._check_now):
            self.report.warnings.append(f"{page.url}: dated {article.published}, in the future")

    # -- errors ------------------------------------------------------------------

    def first_error_for(self, url: str) -> str | None:
        return next((reason for kind, u, reason in self._errors if u == url), None)

    def _error(self, kind: str, url: str, reason: str) -> None:
        self._errors.append((kind, url, reason))
        if kind == "needs_javascript":  # the spider's own script-shell check, where it has one
            self.report.warnings.append(f"{url}: {reason}")
        entry = self._entries.get(url)
        if entry is not None and entry.error is None:
            entry.error = f"{kind}: {reason}"
            if entry.kind == "feed" and kind in ("http_404", "http_410"):
                self.report.warnings.append(
                    f"{url}: the feed answers {kind[5:]}; the site may have dropped it: "
                    "try its sitemap (`sitemaps`) or a listing page (`start_urls`)"
                )
        super()._error(kind, url, reason)

    def on_error(self, failure: Failure) -> None:
        kind, reason = classify_failure(failure)
        request = getattr(failure, "request", None)
        url = request.url if request is not None else "?"
        if kind == "robots_disallowed":
            self._robots_refused.append(url)
            if url in self._entries:
                self._entries[url].error = "refused by robots.txt"
            else:
                self.report.samples.append(Sample(url=url, error="refused by robots.txt"))
        super().on_error(failure)

    def closed(self, reason: str) -> None:
        super().closed(reason)
        if self._robots_refused:
            self.report.warnings.append(
                f"robots.txt disallows {len(self._robots_refused)} of the URLs the check asked for, "
                f"e.g. {self._robots_refused[0]}"
            )
        if not self.report.article_urls and any(e.ok for e in self.report.entries):
            self.report.warnings.append("0 article URLs: no link on the entry points matches `article_urls`")
        blocked = [u for k, u, _ in self._errors if k == "blocked"]
        if blocked:
            self.report.warnings.append(f"{len(blocked)} block or challenge page(s), e.g. {blocked[0]}")


def check_sources(
    sources: list[Source], *, samples: int = DEFAULT_SAMPLES, settings_overrides: dict | None = None
) -> list[SourceReport]:
    """Check ``sources`` (all at once, one reactor); blocks until every source is done."""
    overrides = {"ITEM_PIPELINES": {}, **(settings_overrides or {})}
    base = base_settings(db_path="", overrides=overrides)
    run_id = "check-" + uuid.uuid4().hex[:8]
    root_level = logging.getLogger().level
    process = CrawlerProcess(base)
    logging.getLogger().setLevel(root_level)  # Scrapy resets it; keep the level the CLI chose
    reports = []
    started = False
    for source in sources:
        report = SourceReport(source)
        reports.append(report)
        try:
            settings = source_settings(base, source, run_id)
        except BrowserUnavailable as exc:  # this source cannot be checked here; the others can
            report.warnings.append(str(exc))
            continue
        crawler = Crawler(CheckSpider, settings, init_reactor=not started)
        process.crawl(crawler, source=source, report=report, samples=samples)
        started = True
    if started:
        process.start()
    return reports
