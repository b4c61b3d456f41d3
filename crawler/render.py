"""Pages that need a browser: ``render = "browser"`` through scrapy-playwright and Debian's Chromium.

A few sites send an empty shell and build the page with JavaScript. For those, and
only those, start pages and articles are fetched by headless Chromium (the optional
``browser`` extra: ``pip install 'newsmon[browser]'``, plus ``apt-get install chromium``).
The browser is never downloaded: Playwright drives ``/usr/bin/chromium``.

The rendered page goes through the same spider and pipelines as any other: the same
politeness (Scrapy's delay and per-domain concurrency schedule the page loads; robots.txt,
feeds and sitemaps are fetched without the browser), the same size cap (checked on the
rendered page by the spider), the same error kinds (``crawler.errors``). scrapy-playwright
re-encodes the rendered text in the charset the server declared, so the charset checks
of ``crawler.encoding`` still see what the server said.
"""

from __future__ import annotations

import logging
import shutil

#: Debian's Chromium; ``NEWSMON_CHROMIUM`` (a Scrapy setting) points elsewhere.
CHROMIUM = "/usr/bin/chromium"
#: Headless in a container as root: no sandbox; no background traffic of the browser's own.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic", "--disable-dev-shm-usage",
]
#: What a page load does not need to fetch: the text is in the DOM, not in pictures or fonts.
SKIPPED_RESOURCES = frozenset({"image", "media", "font"})
HANDLER = "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"


class _OneLine(logging.Filter):
    """Keeps the first line of scrapy-playwright's messages and drops their tracebacks."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = record.getMessage().split("\n", 1)[0]
        record.args = None
        record.exc_info = record.exc_text = None
        return True


def one_line_browser_logs() -> None:
    """scrapy-playwright logs each failed page load with its traceback; the spider already counts and
    logs it as one line (``crawler.errors``), so its own record is cut to one line too (idempotent)."""
    log = logging.getLogger("scrapy-playwright")
    if not any(isinstance(f, _OneLine) for f in log.filters):
        log.addFilter(_OneLine())


class BrowserUnavailable(RuntimeError):
    """``render = "browser"`` was asked for, but scrapy-playwright or Chromium is missing."""


def render_meta() -> dict:
    """Request meta that sends a request through the browser, waiting until its scripts are done."""
    return {"playwright": True, "playwright_page_goto_kwargs": {"wait_until": "networkidle"}}


def skip_resource(request) -> bool:
    """``PLAYWRIGHT_ABORT_REQUEST``: images, media and fonts are not downloaded."""
    return request.resource_type in SKIPPED_RESOURCES


def browser_settings(*, chromium: str, timeout: float) -> dict:
    """The Scrapy settings of a source with ``render = "browser"``; ``BrowserUnavailable`` names what is missing."""
    try:
        import scrapy_playwright  # noqa: F401 - only checking it is installed
    except ImportError:
        raise BrowserUnavailable(
            "render = \"browser\" needs the browser extra: pip install 'newsmon[browser]'"
        ) from None
    if shutil.which(chromium) is None:
        raise BrowserUnavailable(f"render = \"browser\" needs Chromium at {chromium} (Debian: apt-get install chromium)")
    return {
        "DOWNLOAD_HANDLERS": {"http": HANDLER, "https": HANDLER},
        "PLAYWRIGHT_BROWSER_TYPE": "chromium",
        "PLAYWRIGHT_LAUNCH_OPTIONS": {"executable_path": chromium, "headless": True, "args": CHROMIUM_ARGS},
        "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT": timeout * 1000,
        "PLAYWRIGHT_ABORT_REQUEST": skip_resource,
        # As many open pages as CONCURRENT_REQUESTS_PER_DOMAIN allows requests: memory stays flat.
        "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": 2,
    }
