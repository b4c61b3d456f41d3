"""Article extraction: trafilatura on already-decoded HTML.

Core extraction is separate from downloading, so the crawl and ``newsmon fetch``
share it, and tests run it on saved pages.
"""

from __future__ import annotations

import json
import html as html_module
import logging
import re
from datetime import datetime
from urllib.parse import urljoin, urlsplit

import trafilatura
from lxml import html as lxml_html

from storage.records import Article, Page
from crawler.urls import canonicalize, same_site

logger = logging.getLogger(__name__)

#: Articles shorter than this (characters of body text) are treated as "no article text".
MIN_TEXT_CHARS = 80

# Site chrome trafilatura sometimes keeps inside an <article>: share/print bars,
# language switchers, related-article boxes, comment blocks. Matched on class/id
# words common across CMSs; removed before extraction. One expression, one pass over
# the tree (13 separate ones cost 15% more extraction time: benchmarks/extract_quality.py).
_CHROME_WORDS = ("share", "social", "print", "lang-switch", "language", "related", "comment", "breadcrumb", "tags")
_CHROME_TESTS = " or ".join(
    f"contains(concat(' ', normalize-space(@class), ' '), ' {word}') or contains(@id, '{word}')" for word in _CHROME_WORDS
)
# Menus without class names (utility-class and old templates): a list of four or more items that
# are each a link and nothing else (no text or element beside it but a sub-menu list). trafilatura drops such link-dense lists late; removed here,
# every later pass works on a fraction of the tree (benchmarks/crawl_baselines.py).
_LINK_LISTS = "[count(li) >= 4][not(li[not(a) or *[not(self::a or self::ul or self::ol)] or text()[normalize-space()]])]"
PRUNE_XPATH = [f"//*[@class or @id][{_CHROME_TESTS}] | //form | //nav | //footer | //aside | //ul{_LINK_LISTS} | //ol{_LINK_LISTS}"]


class ExtractionError(Exception):
    """The page has no extractable article; ``kind`` names the reason for counters."""

    def __init__(self, kind: str, message: str):
        # Both in args, so the error survives pickling back from an extraction worker process.
        super().__init__(kind, message)
        self.kind = kind
        self.message = message

    def __str__(self) -> str:
        return self.message


#: More elements than any article page has (the fixture and real news pages have a few
#: thousand). trafilatura's time grows faster than quadratically with the element count
#: (20,000 tiny elements: 5 s; 100,000: over a minute), so such a page is refused before
#: parsing; the extraction deadline (NEWSMON_EXTRACT_TIMEOUT) catches the rest.
MAX_ELEMENTS = 50_000


def check_size(page: Page) -> None:
    """Refuse (``too_large``) a document with far too many elements to be an article.

    Counting ``<`` minus ``</`` is a C-speed scan of the string (milliseconds for
    megabytes) that over-counts only comments and doctypes.
    """
    elements = page.html.count("<") - page.html.count("</")
    if elements > MAX_ELEMENTS:
        raise ExtractionError(
            "too_large", f"the page has about {elements:,} elements (over {MAX_ELEMENTS:,}): not an article page"
        )


#: Characters XML forbids (C0 controls but tab/LF/CR, U+FFFE, U+FFFF): one of them anywhere makes
#: lxml's tree unusable to trafilatura, losing the whole article. Form feed and vertical tab
#: separate words, so they become spaces; the others are dropped.
_FORBIDDEN_CHARS = {c: None for c in (*range(0x00, 0x09), *range(0x0E, 0x20), 0xFFFE, 0xFFFF)}
_FORBIDDEN_CHARS.update({0x0B: " ", 0x0C: " "})
_FORBIDDEN_LIST = [chr(c) for c in _FORBIDDEN_CHARS]


def strip_forbidden_chars(html: str) -> str:
    """``html`` without the control characters XML forbids.

    Most pages have none: 31 substring searches (C loops) tell first, 3-10x faster than one
    regular-expression scan (about 0.6 ms for a 100,000-character Cyrillic page).
    """
    return html.translate(_FORBIDDEN_CHARS) if any(c in html for c in _FORBIDDEN_LIST) else html


_HTML_LANG_RE = re.compile(r"<html\b[^>]*?\blang\s*=\s*[\"']?([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]+)*", re.I)
_CANONICAL_RE = re.compile(r"<link\b[^>]*\brel\s*=\s*[\"']?canonical[\"']?[^>]*>", re.I)
_HREF_RE = re.compile(r"\bhref\s*=\s*[\"']([^\"']+)[\"']", re.I)


def html_lang(html: str) -> str | None:
    """The primary subtag of ``<html lang>``, lower-cased (``ru`` from ``ru-RU``)."""
    match = _HTML_LANG_RE.search(html[:5000])
    return match.group(1).lower() if match else None


def canonical_url(html: str, page_url: str) -> str:
    """The article's one URL: ``<link rel=canonical>`` if trustworthy, else the page URL; canonicalised.

    A canonical link to another site or to the site's home page is a CMS
    misconfiguration, not the article's address, and is ignored.
    """
    for tag in _CANONICAL_RE.findall(html[:200_000]):
        href = _HREF_RE.search(tag)
        if href:
            url = urljoin(page_url, html_module.unescape(href.group(1).strip()))  # "&amp;" in an attribute is "&"
            if url.startswith(("http://", "https://")) and same_site(url, page_url) and urlsplit(url).path not in ("", "/"):
                return canonicalize(url)
    return canonicalize(page_url)


#: A line that is only a date and/or time ("2026-11-22", "24.11.2026, 10:20"): the article's
#: meta line kept above or below the body (seen on the regional Uzbek police template in the
#: golden replays), never body text.
_DATE_LINE_RE = re.compile(r"^(?=.*\d)\s*(\d{1,4}[./-]\d{1,2}[./-]\d{1,4})?[\s,|]*(\d{1,2}:\d{2})?\s*$")


def strip_date_lines(text: str) -> str:
    """Drop a first or last line that is only a date or time (the page's meta line, not the body)."""
    lines = text.split("\n")
    while lines and _DATE_LINE_RE.match(lines[0]):
        lines.pop(0)
    while lines and _DATE_LINE_RE.match(lines[-1]):
        lines.pop()
    return "\n".join(lines).strip()


# Where pages state their publication time, most trusted first. trafilatura reads the same
# places but returns only the date; these give the time and its offset back.
_META_DATE_NAMES = ("article:published_time", "og:article:published_time", "datepublished", "pubdate", "publishdate",
                    "dc.date.issued", "dcterms.issued", "dc.date", "date")
_DATE_XPATH = (
    "//script[@type='application/ld+json'] | //meta[@content][@property or @name or @itemprop] | //time[@datetime]"
)
_TIMESTAMP_RE = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def _json_ld_dates(data: object) -> list[str]:
    """Every ``datePublished`` in a JSON-LD document (objects, lists, ``@graph``)."""
    if isinstance(data, list):
        return [value for item in data for value in _json_ld_dates(item)]
    if not isinstance(data, dict):
        return []
    found = [data["datePublished"]] if isinstance(data.get("datePublished"), str) else []
    return found + [value for item in data.values() if isinstance(item, (dict, list)) for value in _json_ld_dates(item)]


def _stated_times(tree) -> list[tuple[str, str]]:
    """``(value, where)`` for each publication time the page states: json-ld, then meta, then time."""
    found: dict[str, list[str]] = {"json-ld": [], "meta": [], "time": []}
    for element in tree.xpath(_DATE_XPATH):
        if element.tag == "script":
            try:
                found["json-ld"] += _json_ld_dates(json.loads(element.text or ""))
            except ValueError:
                continue
        elif element.tag == "meta":
            name = (element.get("property") or element.get("name") or element.get("itemprop") or "").lower()
            if name in _META_DATE_NAMES:
                found["meta"].append(element.get("content"))
        else:
            found["time"].append(element.get("datetime"))
    return [(value.strip(), where) for where, values in found.items() for value in values]


def publication_time(stated: list[tuple[str, str]], date: str | None, url: str) -> tuple[str | None, str | None, str | None]:
    """``(date, timestamp, source)``: trafilatura's date with the page's own time for it, and where it came from.

    The timestamp keeps the page's UTC offset (ISO 8601). A stated time counts
    only when its date is the one trafilatura chose (which skips, say, a
    comment's ``<time>``); with no stated time, the date came from the URL or the text.
    """
    dated = []
    for value, where in stated:
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            continue
        if date is None or parsed.date().isoformat() == date:
            dated.append((parsed, bool(_TIMESTAMP_RE.match(value)), where))
    for parsed, has_time, where in sorted(dated, key=lambda d: not d[1]):  # a time beats a bare date
        return parsed.date().isoformat(), parsed.isoformat(timespec="seconds") if has_time else None, where
    if date is None:
        return None, None, None
    in_url = re.search(r"\D{0}\D?{1}\D?{2}(?:\D|$)".format(*date.split("-")), urlsplit(url).path)
    return date, None, "url" if in_url else "text"


def extract_article(page: Page) -> Article:
    """Extract title, text, date and author; raise ``ExtractionError`` if there is no article."""
    if not page.html or not page.html.strip():
        raise ExtractionError("empty_page", "the page is empty")
    try:
        tree = lxml_html.document_fromstring(strip_forbidden_chars(page.html))
    except (ValueError, lxml_html.etree.ParserError) as exc:
        raise ExtractionError("malformed_html", f"cannot parse HTML: {exc}") from None
    stated = _stated_times(tree)  # before trafilatura, which may prune the tree
    document = trafilatura.bare_extraction(
        tree,
        url=page.url,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        include_images=False,
        include_links=False,
        favor_precision=True,
        prune_xpath=PRUNE_XPATH,
    )
    text = (document.text or "").strip() if document else ""
    title = (document.title or "").strip() if document else ""
    if title and text.startswith(title + "\n"):
        text = text[len(title) + 1 :].lstrip()  # trafilatura keeps the <h1>; the title has its own column
    text = strip_date_lines(text)
    if len(text) < MIN_TEXT_CHARS:
        raise ExtractionError("no_article_text", "no article text found on the page")
    published, published_at, published_source = publication_time(stated, document.date or None, page.url)
    return Article(
        url=canonical_url(page.html, page.url),
        fetched_url=page.url,
        source=page.source,
        title=title,
        text=text,
        published=published,
        published_at=published_at,
        published_source=published_source,
        author=document.author or None,
        html_lang=html_lang(page.html),
    )
