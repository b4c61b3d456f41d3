"""Reading feeds and sitemaps defensively: XML bombs refused, non-feeds named.

feedparser and lxml do not expand entities into memory blowups (expat stops a
billion-laughs document at its amplification limit, Scrapy's ``Sitemap`` parses
with ``resolve_entities=False``), but each then carries on quietly: feedparser
falls back to its loose parser and returns the entries anyway, ``Sitemap`` yields
nothing. So entity declarations are refused up front, as defusedxml's default
policy does (no real feed or sitemap needs them), and a document that parses but
is not a feed or sitemap (an HTML page at the feed URL) is an error, not an empty
feed. Each failure is a ``BadXml`` whose ``kind`` is the counter name.
"""

from __future__ import annotations

import re
import struct

import feedparser
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap

#: Where to look for a DOCTYPE's internal subset: the prolog comes before the root element.
PROLOG_BYTES = 64 * 1024

_DOCTYPE_RE = re.compile(rb"<!DOCTYPE", re.I)
_ENTITY_RE = re.compile(rb"<!ENTITY", re.I)


class BadXml(ValueError):
    """A feed or sitemap that cannot be used; ``kind`` names why (``xml_bomb``, ``malformed_feed``...)."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


def _prolog(body: bytes) -> bytes:
    head = body[:PROLOG_BYTES]
    if head[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in head[:4]:  # UTF-16: look at it as UTF-8
        head = head.decode("utf-16", errors="ignore").encode("utf-8")
    return head


def check_entities(body: bytes) -> None:
    """Raise ``BadXml("xml_bomb")`` if the document declares entities (expansion bombs, XXE)."""
    head = _prolog(body)
    doctype = _DOCTYPE_RE.search(head)
    if doctype and _ENTITY_RE.search(head, doctype.end()):
        raise BadXml(
            "xml_bomb",
            "declares XML entities in its DOCTYPE (entity expansion or external entities); refused unread",
        )


def parse_feed(body: bytes, *, url: str, content_type: str | None = None) -> feedparser.FeedParserDict:
    """A parsed RSS/Atom feed; ``BadXml`` for entity declarations or a document that is no feed.

    A feed with entries is used even if slightly broken (feedparser's loose parser
    recovers them); a valid feed with no entries is fine; no entries and no feed
    element, or a parse error with nothing recovered, is ``malformed_feed``.
    """
    check_entities(body)
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    feed = feedparser.parse(body, response_headers=headers)
    if feed.entries:
        return feed
    if not feed.get("version"):
        raise BadXml("malformed_feed", "not an RSS/Atom feed (no feed element found)")
    error = feed.get("bozo_exception")
    if feed.bozo and not isinstance(error, (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)):
        raise BadXml("malformed_feed", f"not a readable RSS/Atom feed: {error}")
    return feed


def parse_sitemap(body: bytes, *, max_size: int = 0) -> Sitemap:
    """A parsed sitemap (gzip allowed, at most ``max_size`` bytes unpacked); ``BadXml`` if unusable."""
    if body[:2] == b"\x1f\x8b":  # sitemap.xml.gz served as a file, not Content-Encoding
        try:
            body = gunzip(body, max_size=max_size)
        except ValueError:  # Scrapy's _DecompressionMaxSizeExceeded: a gzip bomb, or just too big
            raise BadXml("too_large", f"sitemap over the size cap ({max_size} bytes) once decompressed") from None
        except (OSError, EOFError, struct.error) as exc:
            raise BadXml("malformed_sitemap", f"broken gzip: {exc}") from None
    check_entities(body)
    try:
        sitemap = Sitemap(body)
    except Exception as exc:  # noqa: BLE001 - lxml raises several kinds on broken XML, StopIteration on none
        raise BadXml("malformed_sitemap", f"not a readable sitemap: {exc or type(exc).__name__}") from None
    if sitemap.type not in ("urlset", "sitemapindex"):
        raise BadXml("malformed_sitemap", f"not a sitemap (root element <{sitemap.type}>)")
    return sitemap
