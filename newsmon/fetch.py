"""Fetching one URL for ``newsmon fetch``: HTTP plus the same decoding Scrapy uses.

Decoding goes through ``crawler.encoding.page_text``, as in the crawl, so an ad
hoc fetch sees exactly the text a crawl would.
"""

from __future__ import annotations

import logging
import urllib.error
import urllib.request
from urllib.parse import urlparse

from crawler import settings as crawl_settings
from crawler.encoding import PageDecodeError, page_text
from storage.records import Page

logger = logging.getLogger(__name__)

HTML_TYPES = ("text/html", "application/xhtml+xml")


class FetchError(Exception):
    """The URL could not be fetched as an HTML page; the message says why."""


def fetch_page(
    url: str,
    *,
    source: str,
    language_hint: str | None = None,
    user_agent: str | None = None,
    timeout: float = crawl_settings.DOWNLOAD_TIMEOUT,
    max_bytes: int = crawl_settings.DOWNLOAD_MAXSIZE,
) -> Page:
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise FetchError("not an http(s) URL")
    request = urllib.request.Request(
        url,
        headers={
            "User-Agent": user_agent or crawl_settings.USER_AGENT,
            "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            final_url = response.geturl()
            content_type_header = response.headers.get("Content-Type", "")
            content_type = content_type_header.split(";")[0].strip().lower()
            if content_type and content_type not in HTML_TYPES:
                raise FetchError(f"not an HTML page ({content_type})")
            body = response.read(max_bytes + 1)
    except urllib.error.HTTPError as exc:
        raise FetchError(f"HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        raise FetchError(f"cannot connect: {exc.reason}") from None
    except TimeoutError:
        raise FetchError(f"timed out after {timeout:g}s") from None
    except OSError as exc:
        raise FetchError(f"network error: {exc}") from None
    if len(body) > max_bytes:
        raise FetchError(f"response larger than {max_bytes} bytes")
    try:
        text, encoding = page_text(content_type_header, body)
    except PageDecodeError as exc:
        raise FetchError(str(exc)) from None
    return Page(
        url=final_url,
        requested_url=url,
        source=source,
        html=text,
        encoding=encoding,
        language_hint=language_hint or "",
    )
