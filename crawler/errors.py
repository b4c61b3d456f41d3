"""Names for what went wrong with a request, for counters and one-line messages.

Every kind here is a counter in the run summary and ``crawl_runs.errors_by_kind``;
README.md ("What counts as an error") lists them all.
"""

from __future__ import annotations

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
    UnsupportedURLSchemeError,
)
from scrapy.http import Request, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import (
    ConnectError,
    ConnectionRefusedError,
    DNSLookupError,
    TCPTimedOutError,
    TimeoutError,
)
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived

from crawler.pagecheck import page_kind

#: The reason for a body cut short; Scrapy fails it (DOWNLOAD_FAIL_ON_DATALOSS) or flags it ``dataloss``.
TRUNCATED = ("truncated", "response cut short (body shorter than its Content-Length, or broken chunked framing)")

#: Error statuses whose body is worth checking for an anti-bot challenge or block page.
BLOCK_STATUSES = (401, 403, 429, 503)
#: Bodies larger than this are never a challenge page (saves decoding big error pages).
MAX_CHALLENGE_BYTES = 256 * 1024


class RefusedRedirect(IgnoreRequest):
    """A redirect ``crawler.middlewares.RedirectPolicyMiddleware`` would not follow; ``kind`` counts it."""

    def __init__(self, kind: str, reason: str):
        super().__init__(reason)
        self.kind = kind
        self.reason = reason


def classify_failure(failure: Failure) -> tuple[str, str]:
    """``(kind, reason)`` for a request failure: ``kind`` is a short counter name."""
    exc = failure.value
    if isinstance(exc, HttpError):
        return classify_http_error(exc.response)
    if isinstance(exc, RefusedRedirect):
        return exc.kind, exc.reason
    # Scrapy 2.13+ wraps Twisted's errors in its own; both are checked.
    if isinstance(exc, (DNSLookupError, CannotResolveHostError)):
        return "dns", "DNS lookup failed"
    if isinstance(exc, (ConnectionRefusedError, DownloadConnectionRefusedError)):
        return "connection_refused", "cannot connect: connection refused"
    if isinstance(exc, (TimeoutError, TCPTimedOutError, DownloadTimeoutError)):
        return "timeout", "timed out"
    if isinstance(exc, DownloadCancelledError):
        # With no StopDownload handlers, Scrapy cancels a download only at DOWNLOAD_MAXSIZE:
        # on the announced Content-Length (message says so) or mid-body (empty message).
        return "too_large", f"response over the download size cap (DOWNLOAD_MAXSIZE){': ' + str(exc) if str(exc) else ''}"
    if isinstance(exc, ConnectError):
        return "connect_error", f"cannot connect: {exc}"
    if isinstance(exc, ResponseDataLossError):  # DOWNLOAD_FAIL_ON_DATALOSS: never store a cut body
        return TRUNCATED
    if isinstance(exc, (ResponseFailed, ResponseNeverReceived, DownloadFailedError)):
        return "connection_lost", "connection lost before the response was complete"
    if isinstance(exc, UnsupportedURLSchemeError):
        return "unsupported_url", f"unsupported URL scheme: {exc}"
    if isinstance(exc, IgnoreRequest):
        text = str(exc) or "request ignored"
        if "robots" in text.lower():
            return "robots_disallowed", "forbidden by robots.txt"
        if "max redirections" in text:
            return "redirect_loop", f"more than REDIRECT_MAX_TIMES redirects ({text})"
        if "DOWNLOAD_MAXSIZE" in text:  # HttpCompressionMiddleware: a decompression bomb
            return "too_large", f"response over the download size cap once decompressed: {text}"
        return "ignored", text
    if type(exc).__module__.startswith("playwright."):
        return classify_browser_error(exc)
    return type(exc).__name__.lower(), str(exc) or type(exc).__name__


#: Chromium's network error codes (``net::ERR_...`` in Playwright's messages) as the kinds above.
BROWSER_NET_ERRORS = {
    "ERR_NAME_NOT_RESOLVED": "dns",
    "ERR_CONNECTION_REFUSED": "connection_refused",
    "ERR_CONNECTION_TIMED_OUT": "timeout",
    "ERR_TIMED_OUT": "timeout",
    "ERR_TOO_MANY_REDIRECTS": "redirect_loop",
    "ERR_CONNECTION_RESET": "connection_lost",
    "ERR_CONNECTION_CLOSED": "connection_lost",
    "ERR_EMPTY_RESPONSE": "connection_lost",
    "ERR_ADDRESS_UNREACHABLE": "connect_error",
}


def classify_browser_error(exc: Exception) -> tuple[str, str]:
    """A Playwright error (``render = "browser"``) as the same kinds, with the first line of its message."""
    message = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    if type(exc).__name__ == "TimeoutError":
        return "timeout", f"timed out in the browser: {message}"
    for code, kind in BROWSER_NET_ERRORS.items():
        if f"net::{code}" in message:
            return kind, f"{kind.replace('_', ' ')} (browser: net::{code})"
    return "browser_error", f"browser: {message}"


def classify_http_error(response) -> tuple[str, str]:
    """``http_<status>``, or ``blocked`` when a 401/403/429/503 body is a challenge or block page."""
    status = response.status
    if (
        status in BLOCK_STATUSES
        and isinstance(response, TextResponse)
        and len(response.body) <= MAX_CHALLENGE_BYTES
    ):
        found = page_kind(response.text)
        if found and found[0] == "blocked":
            return "blocked", f"HTTP {status}, a block or challenge page: {found[1]}"
    return f"http_{status}", f"HTTP {status}"


def dropped_redirect(request: Request) -> tuple[str, str] | None:
    """``redirect_loop`` for a redirect the scheduler dropped because it leads back into its own chain.

    Scrapy's duplicate filter silently drops a redirect to an already requested URL;
    when that URL is in the request's own redirect chain (A → B → A) it is a loop, and
    the request would otherwise vanish without an error. A redirect to a page crawled
    through another link is not an error (``None``).
    """
    chain = request.meta.get("redirect_urls") or []
    if request.url in chain:
        hops = " → ".join([*chain, request.url])
        return "redirect_loop", f"redirect loop: {hops}"
    return None
