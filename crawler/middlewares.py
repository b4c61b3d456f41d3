"""Downloader middlewares: back off before retrying, and decide which redirects may be followed.

Scrapy's RetryMiddleware retries 429 and 5xx answers at once; a small government
server that says "slow down" deserves a pause. ``BackoffMiddleware`` sits just before
it (higher order, so it sees responses first) and delays the response by the
server's ``Retry-After`` (capped) or by an exponential backoff; RetryMiddleware
then schedules the retry as usual.

``RedirectPolicyMiddleware`` sees every 3xx before RedirectMiddleware follows it, and
refuses (as a counted error, never silently) a redirect that leaves the web (``ftp:``,
``file:``), leads from the requested host into a loopback, private or link-local
address, or leaves the source's domains.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
from email.utils import parsedate_to_datetime
from datetime import datetime, timezone
from urllib.parse import urljoin, urlsplit

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response
from w3lib.url import safe_url_string

from crawler.errors import RefusedRedirect
from crawler.urls import host_in_domains

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


REDIRECT_STATUSES = (301, 302, 303, 307, 308)


def is_public_address(address: str) -> bool:
    """False for loopback, private, link-local, shared, reserved and unspecified addresses."""
    ip = ipaddress.ip_address(address.split("%")[0])  # drop an IPv6 zone ("fe80::1%eth0")
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _origin(url: str) -> tuple[str, int | None]:
    parts = urlsplit(url)
    return (parts.hostname or "").lower(), parts.port or {"http": 80, "https": 443}.get(parts.scheme)


async def private_addresses(url: str) -> list[str]:
    """The non-public addresses ``url``'s host resolves to (the check is on what a connection would reach)."""
    host, port = _origin(url)
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return []  # unresolvable: the download fails as `dns`
    return sorted({info[4][0] for info in infos if not is_public_address(info[4][0])})


async def refuse_redirect(
    source_url: str, target: str, *, allow_private: bool, domains: list[str], source_ip: str | None = None
) -> tuple[str, str] | None:
    """``(kind, reason)`` when the redirect from ``source_url`` to ``target`` must not be followed.

    A redirect that stays on the same host and port, sent by a server that is itself at a
    private address, is not refused for its address: the user (or the sources file) named
    that host. A server at a public address (``source_ip``, when known) may never send the
    crawl into a private one, even under its own name (DNS rebinding). Anywhere else, a
    name that resolves to a private address is refused unless ``allow_private`` (local
    mirrors, ``fetch --allow-private``).
    """
    scheme = urlsplit(target).scheme.lower()
    if scheme not in ("http", "https"):
        return "redirect_refused", f"redirect to a non-web URL refused: {target}"
    if domains and not host_in_domains(target, domains):
        return "offsite_redirect", f"redirect off the source's domains ({', '.join(domains)}) not followed: {target}"
    if allow_private:
        return None
    named_private_host = _origin(target) == _origin(source_url) and (source_ip is None or not is_public_address(source_ip))
    if named_private_host:
        return None
    inside = await private_addresses(target)
    if inside:
        return "redirect_refused", (
            f"redirect into a private address ({', '.join(inside)}) refused: {target} "
            "(allow with local_mirror, or fetch --allow-private)"
        )
    return None


class RedirectPolicyMiddleware:
    """Refuses the redirects ``refuse_redirect`` names: HTTP 3xx before RedirectMiddleware follows
    them, and ``<meta http-equiv=refresh>`` hops (MetaRefreshMiddleware) before they are sent."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.allow_private = crawler.settings.getbool("NEWSMON_ALLOW_PRIVATE")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "RedirectPolicyMiddleware":
        return cls(crawler)

    def _domains(self) -> list[str]:
        return list(getattr(self.crawler.spider, "allowed_domains", None) or [])

    async def process_request(self, request: Request) -> None:
        reasons = request.meta.get("redirect_reasons") or []
        if not reasons or reasons[-1] != "meta refresh":
            return None
        refused = await refuse_redirect(request.meta["redirect_urls"][-1], request.url,
                                        allow_private=self.allow_private, domains=self._domains())
        if refused is not None:
            raise RefusedRedirect(*refused)
        return None

    async def process_response(self, request: Request, response: Response) -> Response:
        location = response.headers.get(b"Location")
        if response.status not in REDIRECT_STATUSES or not location or request.meta.get("dont_redirect"):
            return response
        target = urljoin(request.url, safe_url_string(location.decode("latin-1")))
        refused = await refuse_redirect(request.url, target, allow_private=self.allow_private,
                                        domains=self._domains(), source_ip=_ip(response))
        if refused is not None:
            raise RefusedRedirect(*refused)
        return response


def _ip(response: Response) -> str | None:
    """The address the response came from (Scrapy records it), as text."""
    address = getattr(response, "ip_address", None)
    return str(address) if address is not None else None
