"""Turning a response body into text: the charset Scrapy chose, checked for mojibake.

Scrapy (w3lib) decodes by HTTP header, then BOM, then ``<meta charset>``. Both the
crawl and ``newsmon fetch`` call ``page_text`` so they see exactly the same text.
"""

from __future__ import annotations

import logging

from w3lib.encoding import html_to_unicode

logger = logging.getLogger(__name__)


def page_text(content_type: str | None, body: bytes) -> tuple[str, str]:
    """``(text, encoding)`` for an HTML body, as Scrapy's ``TextResponse`` decodes it."""
    encoding, text = html_to_unicode(content_type, body)
    return text, encoding
