"""Names for what went wrong with a request, for counters and one-line messages."""

from __future__ import annotations

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
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


def classify_failure(failure: Failure) -> tuple[str, str]:
    """``(kind, reason)`` for a request failure: ``kind`` is a short counter name."""
    exc = failure.value
    if isinstance(exc, HttpError):
        status = exc.response.status
        return f"http_{status}", f"HTTP {status}"
    # Scrapy 2.13+ wraps Twisted's errors in its own; both are checked.
    if isinstance(exc, (DNSLookupError, CannotResolveHostError)):
        return "dns", "DNS lookup failed"
    if isinstance(exc, (ConnectionRefusedError, DownloadConnectionRefusedError)):
        return "connection_refused", "connection refused"
    if isinstance(exc, (TimeoutError, TCPTimedOutError, DownloadTimeoutError)):
        return "timeout", "timed out"
    if isinstance(exc, DownloadCancelledError):
        return "cancelled", f"download cancelled: {exc}"
    if isinstance(exc, ConnectError):
        return "connect_error", f"cannot connect: {exc}"
    if isinstance(exc, (ResponseFailed, ResponseNeverReceived, ResponseDataLossError, DownloadFailedError)):
        return "connection_lost", "connection lost before the response was complete"
    if isinstance(exc, IgnoreRequest):
        text = str(exc) or "request ignored"
        if "robots" in text.lower():
            return "robots_disallowed", "forbidden by robots.txt"
        return "ignored", text
    return type(exc).__name__.lower(), str(exc) or type(exc).__name__
