"""Fetching one URL for ``newsmon fetch``: the crawl's own downloader, for one request.

``fetch`` runs the request through Scrapy with the crawl's settings and downloader
middlewares, so a link pasted by hand meets exactly the HTTP behaviour a crawl gives
it: one deadline for the whole request (not per read), the size cap, refusal of
truncated bodies, the redirect policy (http(s) only, no redirect into private
addresses unless allowed), and the same error kinds and one-line reasons
(``crawler.errors``). Decoding goes through ``crawler.encoding.page_text``, as in the crawl.

Scrapy's reactor runs once per process, so ``fetch_page`` is called once per process
(the ``newsmon fetch`` command); a second call raises ``FetchError``.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlparse

from scrapy import Request, Spider
from scrapy.crawler import CrawlerProcess
from scrapy.http import Response
from scrapy.settings import Settings
from twisted.python.failure import Failure

from crawler import settings as crawl_settings
from crawler.encoding import PageDecodeError, page_text
from crawler.errors import TRUNCATED, classify_failure
from storage.records import Page

logger = logging.getLogger(__name__)

HTML_TYPES = ("text/html", "application/xhtml+xml")


class FetchError(Exception):
    """The URL could not be fetched as an HTML page; ``kind`` is the crawl's counter name, the message says why."""

    def __init__(self, message: str, kind: str = "fetch_failed"):
        super().__init__(message, kind)
        self.message = message
        self.kind = kind

    def __str__(self) -> str:
        return self.message


class _OneRequest(Spider):
    """Downloads one URL and keeps the response or the classified failure."""

    name = "fetch"

    def __init__(self, url: str, outcome: dict[str, Any], **kwargs: Any):
        super().__init__(**kwargs)
        self.url = url
        self.outcome = outcome

    async def start(self) -> AsyncIterator[Request]:
        yield Request(self.url, callback=self.got, errback=self.failed, dont_filter=True)

    def got(self, response: Response) -> None:
        self.outcome["response"] = response

    def failed(self, failure: Failure) -> None:
        self.outcome["error"] = classify_failure(failure)


def fetch_settings(*, user_agent: str | None, headers: dict[str, str] | None, timeout: float, max_bytes: int,
                   allow_private: bool) -> Settings:
    """The crawl's settings, for a person's single request: no robots.txt, retries, throttling or pipelines."""
    settings = Settings()
    settings.setmodule(crawl_settings, priority="project")
    overrides = {
        "ROBOTSTXT_OBEY": False,  # one page a person asked for, as a browser would
        "RETRY_ENABLED": False,  # the person sees the failure at once and can try again
        "AUTOTHROTTLE_ENABLED": False,
        "DOWNLOAD_DELAY": 0,
        "ITEM_PIPELINES": {},
        "DOWNLOAD_TIMEOUT": timeout,
        "DOWNLOAD_MAXSIZE": max_bytes,
        "NEWSMON_ALLOW_PRIVATE": allow_private,
        # the crawl's default headers with the source's on top, as crawler.run does
        "DEFAULT_REQUEST_HEADERS": {**settings.getdict("DEFAULT_REQUEST_HEADERS"), **(headers or {})},
    }
    if user_agent:
        overrides["USER_AGENT"] = user_agent
    for key, value in overrides.items():
        settings.set(key, value, priority="cmdline")
    return settings


def download(url: str, settings: Settings) -> Response:
    """The response for ``url``, or ``FetchError`` with the crawl's kind and reason."""
    outcome: dict[str, Any] = {}
    root_level = logging.getLogger().level
    process = CrawlerProcess(settings)
    logging.getLogger().setLevel(root_level)  # Scrapy resets it; keep the level the CLI chose
    process.crawl(_OneRequest, url=url, outcome=outcome)
    try:
        process.start()
    except Exception as exc:  # noqa: BLE001 - ReactorNotRestartable: a second call in one process
        raise FetchError(f"cannot start the downloader: {exc or type(exc).__name__}", "fetch_failed") from None
    if "error" in outcome:
        kind, reason = outcome["error"]
        raise FetchError(reason, kind)
    if "response" not in outcome:
        raise FetchError("no response (the request was dropped)", "fetch_failed")
    if "dataloss" in outcome["response"].flags:  # DOWNLOAD_FAIL_ON_DATALOSS turned off: still never stored
        raise FetchError(TRUNCATED[1], TRUNCATED[0])
    return outcome["response"]


def fetch_page(
    url: str,
    *,
    source: str,
    language_hint: str | None = None,
    user_agent: str | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = crawl_settings.DOWNLOAD_TIMEOUT,
    max_bytes: int = crawl_settings.DOWNLOAD_MAXSIZE,
    allow_private: bool = False,
) -> Page:
    """The HTML page at ``url``, decoded as the crawl decodes it; ``FetchError`` (with the crawl's kind) if none."""
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise FetchError("not an http(s) URL", "unsupported_url")
    response = download(url, fetch_settings(user_agent=user_agent, headers=headers, timeout=timeout,
                                            max_bytes=max_bytes, allow_private=allow_private))
    content_type_header = response.headers.get(b"Content-Type", b"").decode("latin-1")
    content_type = content_type_header.split(";")[0].strip().lower()
    if content_type and content_type not in HTML_TYPES:
        raise FetchError(f"not an HTML page ({content_type})", "not_html")
    try:
        text, encoding = page_text(content_type_header, response.body)
    except PageDecodeError as exc:
        raise FetchError(str(exc), exc.kind) from None
    return Page(
        url=response.url,
        requested_url=url,
        source=source,
        html=text,
        encoding=encoding,
        language_hint=language_hint or "",
    )
