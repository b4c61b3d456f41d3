"""Pages whose fields the source already gives: JSON API items and Telegram posts.

An API item or a Telegram post arrives with its title, date and language in
structured fields, so only the body needs cleaning. ``GivenPage`` carries those
fields through the same item pipelines as a fetched page (it *is* a ``Page``),
and ``article_from_given`` turns it into the same ``Article``: an HTML body goes
through ``extract_article`` like any page, a plain-text body is kept as is.
Language identification, translation and storage then do not know the difference.
"""

from __future__ import annotations

import dataclasses
import html as html_lib
import re
from dataclasses import dataclass
from datetime import datetime, timezone

from crawler.extract import MIN_TEXT_CHARS, ExtractionError, extract_article
from storage.records import Article, Page

_BLANK_LINES_RE = re.compile(r"\n\s*\n+")
_SPACES_RE = re.compile(r"[ \t\u00a0]+")
#: Epoch values above this are milliseconds, not seconds (1e11 s is the year 5138).
_EPOCH_MS = 10**11


@dataclass
class GivenPage(Page):
    """A ``Page`` whose title, date and language came with it; ``url`` is the public article URL.

    Exactly one of ``body_html`` (cleaned by extraction) and ``text`` (kept as is) is set.
    """

    title: str = ""
    published: str | None = None  # ISO 8601 date or timestamp (``normalize_date``)
    origin: str = "api"  # where the date came from (``articles.published_source``): api or telegram
    lang: str | None = None  # the item's own language field: evidence for identification, like <html lang>
    body_html: str | None = None
    text: str | None = None


def normalize_date(value) -> str | None:
    """ISO 8601 from what APIs give: ISO strings, ``YYYY-MM-DD HH:MM:SS``, Unix seconds or milliseconds."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)) or (isinstance(value, str) and value.strip().isdigit()):
        seconds = float(value)
        if seconds > _EPOCH_MS:
            seconds /= 1000
        try:
            return datetime.fromtimestamp(seconds, tz=timezone.utc).isoformat(timespec="seconds")
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str):
        return None
    text = value.strip().replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if len(text) == 10:  # a date alone stays a date
        return parsed.date().isoformat()
    return parsed.isoformat(timespec="seconds")


def clean_text(text: str) -> str:
    """Plain text with runs of spaces collapsed and at most one blank line between paragraphs."""
    lines = [_SPACES_RE.sub(" ", line).strip() for line in text.replace("\r\n", "\n").split("\n")]
    return _BLANK_LINES_RE.sub("\n\n", "\n".join(lines)).strip()


def _document(page: GivenPage) -> str:
    """A minimal HTML document around the body, so extraction sees an article as on a page."""
    lang = f' lang="{html_lib.escape(page.lang)}"' if page.lang else ""
    title = html_lib.escape(page.title)
    return (
        f"<!DOCTYPE html><html{lang}><head><meta charset=\"utf-8\"><title>{title}</title></head>"
        f"<body><article><h1>{title}</h1>\n{page.body_html}\n</article></body></html>"
    )


def article_from_given(page: GivenPage) -> Article:
    """The article of an API item or post; raises ``ExtractionError`` when it has no body text."""
    if page.body_html is not None:
        extracted = extract_article(dataclasses.replace(page, html=_document(page)))
        text = extracted.text
        author = extracted.author
    else:
        text = clean_text(page.text or "")
        author = None
        if len(text) < MIN_TEXT_CHARS:
            raise ExtractionError("no_article_text", "no article text in the item")
    return Article(
        url=page.url,
        fetched_url=page.requested_url or page.url,
        source=page.source,
        title=page.title,
        text=text,
        # As for pages: the date in ``published``, the full timestamp (with its offset) in ``published_at``.
        published=page.published[:10] if page.published else None,
        published_at=page.published if page.published and len(page.published) > 10 else None,
        published_source=page.origin if page.published else None,
        author=author,
        html_lang=page.lang,
    )
