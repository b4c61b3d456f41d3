"""Reading feeds and sitemaps defensively: DTDs refused, entities never expanded, non-feeds named.

No real feed or sitemap needs a DTD, and a DTD is what entity-expansion bombs and
external entities (XXE) are made of. So a document with a ``<!DOCTYPE`` or
``<!ENTITY`` declaration anywhere outside comments and CDATA sections is refused
before any parser sees it (the prolog may be any length: a 70 KB comment before
the DOCTYPE no longer hides it), as defusedxml's ``forbid_dtd`` policy does. The
parsers are hardened too, in case the scan and a parser ever disagree:

- feeds: feedparser's strict parser is defusedxml's expat reader with DTDs,
  entity declarations and external references forbidden (``create_parser`` below);
  its loose fallback parser knows only HTML's predefined entities;
- sitemaps: lxml with ``resolve_entities=False``, ``no_network=True`` and no DTD
  loading or validation, and any DOCTYPE it reports is refused.

A document that parses but is not a feed or sitemap (an HTML page at the feed URL)
is an error, not an empty feed. Each failure is a ``BadXml`` whose ``kind`` is the
counter name.
"""

from __future__ import annotations

import re
import struct
from io import BytesIO

import feedparser
import feedparser.api
import lxml.etree
from defusedxml import DefusedXmlException
from defusedxml.expatreader import DefusedExpatParser
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap

#: A markup declaration: a comment or CDATA section (skipped) or a DTD (refused).
_DECLARATION_RE = re.compile(rb"<!(--|\[CDATA\[|(?i:DOCTYPE|ENTITY))")
_DECLARATION_ENDS = {b"--": b"-->", b"[CDATA[": b"]]>"}
#: ``<!DOCTYPE html>`` or an (X)HTML public/system id, without an internal subset.
_HTML_DOCTYPE_RE = re.compile(rb"""\s+html(?:\s+(?:PUBLIC|SYSTEM)(?:\s*(?:"[^"]*"|'[^']*')){1,2})?\s*>""", re.I)
_DTD_MESSAGE = "has a DTD (<!DOCTYPE> or <!ENTITY>: entity expansion or external entities); refused unread"


class BadXml(ValueError):
    """A feed or sitemap that cannot be used; ``kind`` names why (``xml_bomb``, ``malformed_feed``...)."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


def _as_utf8(body: bytes) -> bytes:
    if body[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in body[:4]:  # UTF-16: look at it as UTF-8
        return body.decode("utf-16", errors="ignore").encode("utf-8")
    return body


def _dtds(body: bytes) -> list[bool]:
    """For each DOCTYPE or ENTITY declaration outside comments and CDATA: is it a plain HTML doctype?

    One pass over the document (each search starts where the last one ended), so a
    10 MB body with millions of ``<!--`` costs no more than one without.
    """
    text = _as_utf8(body)
    found = []
    position = 0
    while match := _DECLARATION_RE.search(text, position):
        end_mark = _DECLARATION_ENDS.get(match.group(1))
        if end_mark is None:
            found.append(match.group(1).upper() == b"DOCTYPE" and bool(_HTML_DOCTYPE_RE.match(text, match.end())))
            position = match.end()
            continue
        end = text.find(end_mark, match.end())
        if end < 0:  # an unclosed comment or CDATA runs to the end: no parser reads markup there
            break
        position = end + len(end_mark)
    return found


def has_dtd(body: bytes) -> bool:
    """Whether ``body`` has a DOCTYPE or ENTITY declaration anywhere outside comments and CDATA."""
    return bool(_dtds(body))


def refuse_dtd(body: bytes, *, html_kind: str) -> None:
    """Raise ``BadXml`` if the document has a DTD anywhere: ``xml_bomb``, or ``html_kind`` for an HTML page.

    An HTML page at a feed or sitemap URL (``<!DOCTYPE html>``, no internal subset)
    declares no entity: it is counted as what it is, not a feed, as before.
    """
    dtds = _dtds(body)
    if dtds and all(dtds):
        raise BadXml(html_kind, "an HTML page (<!DOCTYPE html>), not XML")
    if dtds:
        raise BadXml("xml_bomb", _DTD_MESSAGE)


def create_parser() -> DefusedExpatParser:
    """The SAX parser feedparser's strict mode uses (``xml.sax.make_parser`` calls this by module name)."""
    return DefusedExpatParser(forbid_dtd=True, forbid_entities=True, forbid_external=True)


# feedparser builds its strict parser with xml.sax.make_parser(PREFERRED_XML_PARSERS) on every
# parse; naming this module makes that the defused expat reader above, for every feedparser
# call in the process (newsmon parses feeds only here).
feedparser.api.PREFERRED_XML_PARSERS = [__name__]


class HardenedSitemap(Sitemap):
    """Scrapy's ``Sitemap`` parsed with network, DTD loading and entity expansion explicitly off.

    Scrapy's own parser already passes ``resolve_entities=False``; the rest are lxml's
    defaults, spelled out so an upgrade cannot change them silently. A DOCTYPE that
    lxml read (after the root element starts) is refused.
    """

    __slots__ = ()

    def __init__(self, xmltext: bytes):
        self.xmliter = lxml.etree.iterparse(
            BytesIO(xmltext),
            events=("start", "end"),
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            dtd_validation=False,
            huge_tree=False,
            recover=True,
            remove_comments=True,
            remove_blank_text=True,
            collect_ids=False,
            remove_pis=True,
        )
        _, root = next(self.xmliter)
        if root.getroottree().docinfo.doctype:
            raise BadXml("xml_bomb", _DTD_MESSAGE)
        self.type = self._get_tag_name(root)


def parse_feed(body: bytes, *, url: str, content_type: str | None = None) -> feedparser.FeedParserDict:
    """A parsed RSS/Atom feed; ``BadXml`` for entity declarations or a document that is no feed.

    A feed with entries is used even if slightly broken (feedparser's loose parser
    recovers them); a valid feed with no entries is fine; no entries and no feed
    element, or a parse error with nothing recovered, is ``malformed_feed``.
    """
    refuse_dtd(body, html_kind="malformed_feed")
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    try:
        feed = feedparser.parse(body, response_headers=headers)
    except DefusedXmlException:  # the strict parser met a DTD the scan missed
        raise BadXml("xml_bomb", _DTD_MESSAGE) from None
    if feed.entries:
        return feed
    if not feed.get("version"):
        raise BadXml("malformed_feed", "not an RSS/Atom feed (no feed element found)")
    error = feed.get("bozo_exception")
    if feed.bozo and not isinstance(error, (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)):
        raise BadXml("malformed_feed", f"not a readable RSS/Atom feed: {error}")
    return feed


def parse_sitemap(body: bytes, *, max_size: int = 0) -> HardenedSitemap:
    """A parsed sitemap (gzip allowed, at most ``max_size`` bytes unpacked); ``BadXml`` if unusable."""
    if body[:2] == b"\x1f\x8b":  # sitemap.xml.gz served as a file, not Content-Encoding
        try:
            body = gunzip(body, max_size=max_size)
        except ValueError:  # Scrapy's _DecompressionMaxSizeExceeded: a gzip bomb, or just too big
            raise BadXml("too_large", f"sitemap over the size cap ({max_size} bytes) once decompressed") from None
        except (OSError, EOFError, struct.error) as exc:
            raise BadXml("malformed_sitemap", f"broken gzip: {exc}") from None
    refuse_dtd(body, html_kind="malformed_sitemap")
    try:
        sitemap = HardenedSitemap(body)
    except BadXml:
        raise
    except Exception as exc:  # noqa: BLE001 - lxml raises several kinds on broken XML, StopIteration on none
        raise BadXml("malformed_sitemap", f"not a readable sitemap: {exc or type(exc).__name__}") from None
    if sitemap.type not in ("urlset", "sitemapindex"):
        raise BadXml("malformed_sitemap", f"not a sitemap (root element <{sitemap.type}>)")
    return sitemap
